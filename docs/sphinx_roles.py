"""A griffe extension for the API reference: Sphinx cross-reference roles in docstrings
(``:class:`~pkg.Name```, ``:meth:`Name.method```) are shown as code, the way Sphinx shows
their text, instead of as the raw role."""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|attr|mod|exc|data|obj|const):`(?P<target>[^`]+)`")


def _shown(match: re.Match[str]) -> str:
    target = match["target"]
    if target.startswith("~"):  # Sphinx's "last component only"
        target = target[1:].rpartition(".")[2]
    return f"`{target.lstrip('.')}`"


class SphinxRoles(griffe.Extension):
    """Rewrites the roles of every docstring as it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(_shown, obj.docstring.value)
