"""What moto knows, read without importing moto, and which servers of ours are running.

moto costs about half a second to import, and a test that never uses it should not pay for
it. Everything moto can hold (an active ``mock_aws``, an ECS backend, an access key made by
its IAM) exists only once moto's module for it is loaded, so each question here first asks
whether that module is loaded and answers "no" when it is not. This is the one place that
looks moto's modules up by name.

Servers (:mod:`mock_ecs_deployments.server`) register themselves here while they run: moto
is in play then, and requests addressed to them must travel over HTTP rather than be
answered in process.
"""

from __future__ import annotations

import random
import sys
import threading
from typing import Any, Protocol, cast


def moto_is_active() -> bool:
    """Whether moto's ``mock_aws`` is active (its botocore handler answers then)."""
    core = sys.modules.get("moto.core.models")
    return core is not None and bool(core.botocore_stubber.enabled)


def moto_in_play() -> bool:
    """Whether moto answers ECS now: its ``mock_aws`` is active, or a server of ours runs."""
    return moto_is_active() or bool(running_servers())


def moto_ecs_backend(account_id: str, region: str) -> Any:
    """moto's ECS backend for an account and region when moto is in play and has one (never
    made here). What moto kept from an earlier, stopped mock does not count."""
    return _moto_backend("moto.ecs.models", "ecs_backends", account_id, region)


def _moto_backend(module: str, backends: str, account_id: str, region: str) -> Any:
    """The backend of an account and region in moto's ``BackendDict`` ``module.backends``,
    when moto is in play, the module is loaded and the backend was made (never made here)."""
    models = sys.modules.get(module)
    if models is None or not moto_in_play():
        return None
    regions = dict.get(getattr(models, backends), account_id)
    return None if regions is None else dict.get(regions, region)


def moto_cloudwatch_backend(account_id: str, region: str) -> Any:
    """moto's CloudWatch backend for an account and region when moto is in play and has one
    (never made here)."""
    return _moto_backend("moto.cloudwatch.models", "cloudwatch_backends", account_id, region)


def moto_records_requests() -> bool:
    """Whether moto's request recorder is on (its recording then needs moto's own dispatch to
    see every request)."""
    api = sys.modules.get("moto.moto_api")
    return api is not None and bool(api.recorder._user_enabled)


def holds_access_keys() -> bool:
    """Whether moto's IAM is loaded: only then can an access key map to another account."""
    return "moto.iam.models" in sys.modules


def account_of_access_key(access_key: str) -> str | None:
    """The account moto's IAM or STS made ``access_key`` for, when moto's IAM is loaded
    (keys that map to other accounts exist only once it made them); else ``None``."""
    iam = sys.modules.get("moto.iam.models")
    if iam is None:
        return None
    return str(iam.get_account_id_from(access_key))


def mock_credentials_enabled() -> bool:
    """Whether moto's configuration lets mocks supply fake credentials (its default, which
    only moto's own configuration call can change)."""
    config = sys.modules.get("moto.core.config")
    return config is None or bool(config.mock_credentials())


_aside = threading.Event()


def moto_steps_aside() -> bool:
    """Whether moto's botocore handler leaves requests the mock answered alone (then our
    operations are answered in process under moto too, skipping moto's dispatch)."""
    return _aside.is_set()


def step_aside(aside: bool) -> None:
    """Record whether moto's botocore handler steps aside (set by the bridge's dispatch)."""
    if aside:
        _aside.set()
    else:
        _aside.clear()


class Stoppable(Protocol):
    """Something started that is to be stopped: moto's ``mock_aws``, a patch of the
    environment."""

    def stop(self) -> object:
        """Stop it."""
        ...


def forget_moto_state() -> None:
    """After the last server of the process stops, moto's state goes with it, as with
    ``moto_server``: the next server starts empty. Not while moto's ``mock_aws`` is active in
    the process, whose state the test may still be using (moto resets it when it starts)."""
    if running_servers() or moto_is_active():
        return
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    BackendDict.reset()
    reset_model_data()


def start_mock_aws() -> Stoppable:
    """Start moto's ``mock_aws`` (for ``with_moto=True``) and return it, to be stopped."""
    from moto import mock_aws

    moto_mock = mock_aws()
    moto_mock.start()
    started: Stoppable = moto_mock
    return started


def moto_random() -> random.Random | None:
    """moto's seedable random source when moto is loaded (so ``/moto-api/seed`` makes the
    mock's ids repeatable too), else ``None``."""
    internal = sys.modules.get("moto.moto_api._internal")
    return None if internal is None else cast(random.Random, internal.mock_random)


class Server(Protocol):
    """What a running server tells and does: whether a URL is addressed to it, and loading the
    scenarios it started with again (after moto's reset API reset the state)."""

    def serves(self, url: str) -> bool:
        """Whether ``url`` is addressed to this server."""
        ...

    def load_start_scenarios(self) -> object:
        """Load the scenarios the server started with.

        :raises Exception: naming the scenario that failed.
        """
        ...


_servers_lock = threading.Lock()
_servers: list[Server] = []


def add_server(server: Server) -> None:
    """Record a server of this process as running."""
    with _servers_lock:
        _servers.append(server)


def remove_server(server: Server) -> None:
    """Forget a server that stopped."""
    with _servers_lock:
        _servers.remove(server)


def running_servers() -> list[Server]:
    """The servers this process runs now."""
    with _servers_lock:
        return list(_servers)


def is_served_url(url: str) -> bool:
    """Whether ``url`` is addressed to a server of this process (so that in-process doors let
    such requests travel over HTTP instead of answering them themselves)."""
    return any(server.serves(url) for server in running_servers())
