"""Fake credentials in the environment while the mock is active, as moto supplies them, and a
fresh boto3 default session (boto3 caches the credentials and handlers it was made with)."""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

from ..beside_moto.presence import mock_credentials_enabled

#: What moto sets, so that moto's account mapping treats both mocks' requests alike.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "FOOBARKEY", "AWS_SECRET_ACCESS_KEY": "FOOBARSECRET"}
# Real temporary credentials carry a token; a fake key with a real token must never be sent.
_CLEARED_WHILE_ACTIVE = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
_NOTHING = object()


class _Saved:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.environment: dict[str, str | None] | None = None
        self.default_session: Any = _NOTHING


_saved = _Saved()


def install() -> None:
    """Put the fake credentials in ``os.environ`` (unless moto's configuration turned mock
    credentials off) and set boto3's default session aside."""
    with _saved.lock:
        if _saved.environment is not None:
            return
        replaced = dict(FAKE_CREDENTIALS) if mock_credentials_enabled() else {}
        cleared = _CLEARED_WHILE_ACTIVE if replaced else ()
        _saved.environment = {name: os.environ.get(name) for name in (*replaced, *cleared)}
        os.environ.update(replaced)
        for name in cleared:
            os.environ.pop(name, None)
        # No boto3 loaded means no default session yet: None is what to put back then.
        boto3: Any = sys.modules.get("boto3")
        if boto3 is not None:
            _saved.default_session, boto3.DEFAULT_SESSION = boto3.DEFAULT_SESSION, None
        else:
            _saved.default_session = None


def uninstall() -> None:
    """Put the environment and boto3's default session back as :func:`install` found them."""
    with _saved.lock:
        saved, _saved.environment = _saved.environment, None
        default_session, _saved.default_session = _saved.default_session, _NOTHING
        for name, value in (saved or {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        boto3: Any = sys.modules.get("boto3")
        if default_session is not _NOTHING and boto3 is not None:
            boto3.DEFAULT_SESSION = default_session


__all__ = ["FAKE_CREDENTIALS", "install", "uninstall"]
