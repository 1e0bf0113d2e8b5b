"""``python -m mock_ecs_deployments``: the command-line tool."""

import sys

from .cli import main

sys.exit(main())
