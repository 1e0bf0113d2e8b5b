"""Fake credentials in the environment while the mock is active, as moto supplies them, and a
fresh boto3 default session (boto3 caches the credentials and handlers it was made with)."""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

from ..beside_moto.presence import mock_credentials_enabled
from ..patching import Patch

#: What moto sets, so that moto's account mapping treats both mocks' requests alike.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "FOOBARKEY", "AWS_SECRET_ACCESS_KEY": "FOOBARSECRET"}
# Real temporary credentials carry a token; a fake key with a real token must never be sent.
_CLEARED_WHILE_ACTIVE = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def _apply(patch: Patch) -> None:
    """Put the fake credentials in ``os.environ`` (unless moto's configuration turned mock
    credentials off) and set boto3's default session aside, each change undone at uninstall."""
    replaced = dict(FAKE_CREDENTIALS) if mock_credentials_enabled() else {}
    cleared = _CLEARED_WHILE_ACTIVE if replaced else ()
    saved = {name: os.environ.get(name) for name in (*replaced, *cleared)}
    patch.on_undo(functools.partial(_put_back_environment, saved))
    os.environ.update(replaced)
    for name in cleared:
        os.environ.pop(name, None)
    # No boto3 loaded means no default session yet: None is what to put back then.
    boto3: Any = sys.modules.get("boto3")
    default_session = None if boto3 is None else boto3.DEFAULT_SESSION
    patch.on_undo(functools.partial(_put_back_default_session, default_session))
    if boto3 is not None:
        boto3.DEFAULT_SESSION = None


def _put_back_environment(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _put_back_default_session(default_session: object) -> None:
    boto3: Any = sys.modules.get("boto3")
    if boto3 is not None:
        boto3.DEFAULT_SESSION = default_session


#: The step: fake credentials while the mock is active, the real environment back after.
ENVIRONMENT = Patch("environment", _apply)

__all__ = ["ENVIRONMENT", "FAKE_CREDENTIALS"]
