"""The state page: the mock's services and deployments as timelines, served live by
``mock-ecs-deployments serve`` at ``/mock-ecs-deployments/ui/``, or written as one
self-contained HTML file (``show --html``, ``--mock-ecs-report``).

:func:`~mock_ecs_deployments.picture.model.build_picture` writes what the backends hold as
one JSON-able mapping (the "picture");
:func:`~mock_ecs_deployments.picture.page.render_page` puts it, with the page's own CSS and
script (package data in ``static/``), into one HTML document that needs nothing else.
"""
