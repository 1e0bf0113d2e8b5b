"""The state page as one HTML document: ``static/page.html`` with the page's CSS and script
put in place, and, for a file that is read offline, the picture itself.

The server serves the same document without a picture (the script then fetches it from
``/mock-ecs-deployments/picture`` and keeps it fresh), so the page a browser shows and the file
a failing test leaves behind are drawn by one script.
"""

from __future__ import annotations

import functools
import html
import json
from importlib import resources
from typing import Any

#: The page's own files (package data), by name.
ASSETS = {"page.html": "text/html", "page.css": "text/css", "page.js": "text/javascript"}
_CSS_PLACE = "/*PAGE_CSS*/"
_JS_PLACE = "/*PAGE_JS*/"
_DATA_PLACE = "{{PICTURE_JSON}}"
_TITLE_PLACE = "{{TITLE}}"


@functools.cache
def asset(name: str) -> str:
    """The text of one of the page's files.

    :param name: a key of :data:`ASSETS`.
    :raises KeyError: for another name.
    """
    if name not in ASSETS:
        raise KeyError(f"name: {name!r} is not allowed; allowed values: {', '.join(ASSETS)}")
    return (
        resources.files(__package__).joinpath("static").joinpath(name).read_text(encoding="utf-8")
    )


def render_page(picture: dict[str, Any] | None, *, title: str = "mock-ecs-deployments") -> str:
    """The page as one document: with ``picture`` inlined (a file that works offline, without
    controls), or with none (the live page, which fetches it).

    :param picture: what :func:`~.model.build_picture` returns, or ``None``.
    :param title: the document's title.
    """
    data = "" if picture is None else _script_json(picture)
    document = asset("page.html")
    for place, text in (
        (_CSS_PLACE, asset("page.css")),
        (_JS_PLACE, asset("page.js")),
        (_TITLE_PLACE, html.escape(title)),
        (_DATA_PLACE, data),
    ):
        document = document.replace(place, text, 1)
    return document


def _script_json(value: object) -> str:
    """JSON that cannot end the ``<script>`` element it sits in, nor open a comment there."""
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c")


__all__ = ["ASSETS", "asset", "render_page"]
