"""Fuzzing: whatever a client sends, every answer is a success that matches the operation's
output shape, or a modeled error with HTTP 400 — never a 500, never a Python exception.

Requests go through real boto3 clients (botocore serializes and signs them, the mock answers
in its ``before-send`` door or in moto's dispatch) and, for what boto3 cannot send (wrong JSON
types, bodies that are not objects, invalid JSON), straight into ``responses.dispatch``. The
default run tries a few examples of each; ``pytest -m slow`` tries 2,000 per operation.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore import xform_name
from botocore.parsers import create_parser
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mock_ecs_deployments import mock_service_deployments
from mock_ecs_deployments.engine.model.service_model import (
    OPERATIONS,
    enum_values,
    operation_model,
)
from mock_ecs_deployments.protocol.dispatch import dispatch

from . import strategies as s
from .clients import METHODS, allowed_errors, call
from .shapes import check_output

FAST = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
THOROUGH = settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# A daemon operation's example seeds daemons, their task definitions and deployments first, and
# costs ten to fifty times a service operation's: the slow run gives each 150 examples, which
# keeps CI's budget (2,000 each took 80 to 500 s).
THOROUGH_DAEMON_EXAMPLES = 150


def _thoroughly(operation: str, fuzz: Callable[[str, st.DataObject], None]) -> None:
    """``fuzz(operation, data)`` over the slow run's examples for the operation's kind."""
    examples = THOROUGH_DAEMON_EXAMPLES if "Daemon" in operation else THOROUGH.max_examples

    @settings(THOROUGH, max_examples=examples)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        fuzz(operation, data)

    run()


def check_raw(operation: str, reply: tuple[int, dict[str, str], str]) -> None:
    """A reply of ``dispatch``: parsed as botocore parses it, then held to the same rule."""
    status, headers, body = reply
    if status == 200:
        parser = create_parser("json")
        response = {"status_code": 200, "headers": headers, "body": body.encode("utf-8")}
        parsed = parser.parse(response, operation_model(operation).output_shape)
        check_output(operation, parsed)
        return
    error = json.loads(body)
    assert (status, error["__type"] in allowed_errors(operation)) == (400, True), (
        f"{operation} answered HTTP {status}: {body[:500]}"
    )
    assert isinstance(error["message"], str) and error["message"]


@contextmanager
def seeded(
    history: s.History, *, with_moto: bool = False, daemons: s.DaemonHistory | None = None
) -> Iterator[s.Seeded]:
    """The history seeded, and the daemons too when given: in the cluster of the history's
    first service, which moto holds as well when it is in play."""
    with mock_service_deployments(with_moto=with_moto) as mock:
        made = s.seed(mock.backend(), history)
        if daemons is not None:
            s.seed_daemons(mock.backend(), daemons, history.services[0].cluster, made)
        yield made


def _every_page(operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list operation's pages (each page must be answered)."""
    items: list[dict[str, Any]] = []
    token = None
    while True:
        page = call(operation, maxResults=100, **params, **({"nextToken": token} if token else {}))
        assert page is not None, f"{operation}({params!r}) did not list"
        items.extend(page[key])
        token = page.get("nextToken")
        if token is None:
            return items


def _describe_all(operation: str, key: str, arns: list[str], found: str) -> list[dict[str, Any]]:
    """What a Describe operation answers (its member ``found``) for ``arns``, 20 at a time;
    every one must be found."""
    items: list[dict[str, Any]] = []
    for start in range(0, len(arns), 20):
        request: dict[str, Any] = {key: arns[start : start + 20]}
        answer = call(operation, **request)
        assert answer is not None and answer["failures"] == [], (operation, answer)
        items.extend(answer[found])
    return items


def sweep_daemons(made: s.Seeded) -> None:
    """Every daemon (listed, or seeded and deleted since) describes and lists its
    deployments, every deployment and revision they name describes, and every daemon task
    definition describes."""
    listed = [item["daemonArn"] for item in _every_page("ListDaemons", "daemonSummariesList")]
    deployment_arns: list[str] = []
    for daemon_arn in dict.fromkeys([*listed, *made.daemon_arns]):
        call("DescribeDaemon", daemonArn=daemon_arn)  # one deleted since: DaemonNotFound
        deployments = _every_page(
            "ListDaemonDeployments", "daemonDeployments", daemonArn=daemon_arn
        )
        deployment_arns.extend(item["daemonDeploymentArn"] for item in deployments)
    revision_arns: list[str] = []
    for deployment in _describe_all(
        "DescribeDaemonDeployments", "daemonDeploymentArns", deployment_arns, "daemonDeployments"
    ):
        details = [
            deployment.get("targetDaemonRevision"),
            *deployment.get("sourceDaemonRevisions", []),
        ]
        revision_arns.extend(detail["arn"] for detail in details if detail and "arn" in detail)
    _describe_all(
        "DescribeDaemonRevisions",
        "daemonRevisionArns",
        list(dict.fromkeys(revision_arns)),
        "daemonRevisions",
    )
    for definition in _every_page(
        "ListDaemonTaskDefinitions", "daemonTaskDefinitions", status="ALL"
    ):
        answer = call("DescribeDaemonTaskDefinition", daemonTaskDefinition=definition["arn"])
        assert answer is not None, f"a listed daemon task definition did not describe: {definition}"


def sweep(made: s.Seeded) -> None:
    """After the fuzzed calls: every service lists and every deployment and revision
    describes, so a state a call left behind that cannot be serialized is caught too (and
    the same of the daemons, when they were seeded)."""
    for service_arn in made.service_arns:
        token = None
        while True:
            page = call(
                "ListServiceDeployments",
                service=service_arn,
                maxResults=100,
                **({"nextToken": token} if token else {}),
            )
            assert page is not None, f"a seeded service did not list: {service_arn}"
            token = page.get("nextToken")
            if token is None:
                break
    for arns, operation, key in (
        (made.deployment_arns, "DescribeServiceDeployments", "serviceDeploymentArns"),
        (made.revision_arns, "DescribeServiceRevisions", "serviceRevisionArns"),
    ):
        for start in range(0, len(arns), 20):
            answer = call(operation, **{key: arns[start : start + 20]})
            assert answer is not None and answer["failures"] == []
    if made.daemon_cluster is not None:
        sweep_daemons(made)


# -- what each operation is sent -------------------------------------------------------------

HISTORIES = s.histories()
SMALL_HISTORIES = s.histories(max_deployments=8)
WINDOWS = st.fixed_dictionaries({}, optional={"after": s.DATETIMES, "before": s.DATETIMES})
LIST_OPTIONS = st.fixed_dictionaries(
    {"service": st.one_of(st.sampled_from(s.SERVICES), s.REFERENCE_RECIPES)},
    optional={
        "cluster": st.one_of(st.sampled_from(s.CLUSTERS), s.REFERENCE_RECIPES),
        "status": st.lists(s.STATUS_VALUES, max_size=12),
        "createdAt": WINDOWS,
        "maxResults": s.INTEGERS,
    },
)
TOKEN_RECIPES = st.one_of(
    st.tuples(st.just("real"), st.just(0)),
    st.tuples(st.just("tampered"), st.just(0), s.INDEXES),
    st.tuples(st.just("text"), s.RANDOM_TOKENS),
)
ARN_LISTS = st.lists(s.REFERENCE_RECIPES, max_size=50)
STOP_TYPES = st.one_of(st.sampled_from(("ROLLBACK", "ABORT")), s.odd_text(max_size=20))
ACTIONS = st.one_of(st.sampled_from(("CONTINUE", "ROLLBACK")), s.odd_text(max_size=20))
OTHER_REGIONS = st.sampled_from(("eu-west-1", "cn-north-1", "us-gov-west-1"))


def _service_references(made: s.Seeded) -> list[str]:
    """Service ARNs in the long form (with the cluster) and the short one (without)."""
    short = [arn.replace(f"/{arn.split('/')[1]}/", "/") for arn in made.service_arns]
    return made.service_arns + short


def _resolved(options: dict[str, Any], real: dict[str, list[str]]) -> dict[str, Any]:
    """``options`` with each recipe (or list of recipes) of a member ``real`` names resolved
    against what was seeded for it."""
    request = dict(options)
    for name, values in real.items():
        value = request.get(name)
        if isinstance(value, tuple):
            request[name] = s.resolve(value, values)
        elif isinstance(value, list):
            request[name] = [s.resolve(item, values) for item in value]
    return request


def _list_request(made: s.Seeded, options: dict[str, Any]) -> dict[str, Any]:
    return _resolved(options, {"service": _service_references(made), "cluster": made.cluster_arns})


def _fuzz_pages(
    data: st.DataObject,
    operation: str,
    options: st.SearchStrategy[dict[str, Any]],
    request: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    """A list request, the next one (the same filters or others, with the token as given or
    tampered with), and the first again in another region."""
    first = request(data.draw(options, label="first request"))
    page = call(operation, **first)
    token = page.get("nextToken") if page else None
    second = data.draw(st.one_of(st.just(None), options), label="second request")
    second = dict(first) if second is None else request(second)
    recipe = data.draw(TOKEN_RECIPES, label="nextToken")
    second["nextToken"] = s.resolve(recipe, [token] if token else [])
    call(operation, **second)
    call(operation, region=data.draw(OTHER_REGIONS), **first)


def fuzz_list(data: st.DataObject, made: s.Seeded) -> None:
    _fuzz_pages(
        data, "ListServiceDeployments", LIST_OPTIONS, lambda options: _list_request(made, options)
    )


def fuzz_describe_deployments(data: st.DataObject, made: s.Seeded) -> None:
    recipes = data.draw(ARN_LISTS, label="serviceDeploymentArns")
    arns = [s.resolve(recipe, made.deployment_arns) for recipe in recipes]
    call("DescribeServiceDeployments", serviceDeploymentArns=arns)


def fuzz_describe_revisions(data: st.DataObject, made: s.Seeded) -> None:
    recipes = data.draw(ARN_LISTS, label="serviceRevisionArns")
    arns = [s.resolve(recipe, made.revision_arns) for recipe in recipes]
    call("DescribeServiceRevisions", serviceRevisionArns=arns)


def fuzz_stop(data: st.DataObject, made: s.Seeded) -> None:
    for _ in range(data.draw(st.integers(1, 3), label="stops")):
        recipe = data.draw(s.REFERENCE_RECIPES, label="serviceDeploymentArn")
        params: dict[str, Any] = {"serviceDeploymentArn": s.resolve(recipe, made.deployment_arns)}
        if data.draw(st.booleans(), label="with stopType"):
            params["stopType"] = data.draw(STOP_TYPES, label="stopType")
        call("StopServiceDeployment", **params)
    sweep(made)


def _hook_ids(made: s.Seeded) -> list[str]:
    ids = []
    for start in range(0, len(made.deployment_arns), 20):
        answer = call(
            "DescribeServiceDeployments",
            serviceDeploymentArns=made.deployment_arns[start : start + 20],
        )
        assert answer is not None
        for deployment in answer["serviceDeployments"]:
            ids.extend(hook["hookId"] for hook in deployment.get("lifecycleHookDetails", []))
    return ids


def fuzz_continue(data: st.DataObject, made: s.Seeded) -> None:
    hook_ids = _hook_ids(made)
    for _ in range(data.draw(st.integers(1, 3), label="continues")):
        arn = data.draw(s.REFERENCE_RECIPES, label="serviceDeploymentArn")
        hook = data.draw(s.REFERENCE_RECIPES, label="hookId")
        params: dict[str, Any] = {
            "serviceDeploymentArn": s.resolve(arn, made.deployment_arns),
            "hookId": s.resolve(hook, hook_ids),
        }
        if data.draw(st.booleans(), label="with action"):
            params["action"] = data.draw(ACTIONS, label="action")
        call("ContinueServiceDeployment", **params)
    sweep(made)


# -- managed daemons -------------------------------------------------------------------------

DAEMON_HISTORIES = s.daemon_histories()
SMALL_DAEMON_HISTORIES = s.daemon_histories(max_deployments=2)
# A region the requests go to: mostly the seeded one.
DAEMON_REGIONS = st.sampled_from((s.REGION, s.REGION, s.REGION, "eu-west-1", "cn-north-1"))
# A recipe of a reference to something seeded more often than REFERENCE_RECIPES draws one, so
# that requests that name only what exists (and may succeed) are common too.
REAL_REFERENCES = st.one_of(st.tuples(st.just("real"), s.INDEXES), s.REFERENCE_RECIPES)
DAEMON_NAMES = st.one_of(st.sampled_from((*s.DAEMONS, "fresh")), s.STRINGS)
FAMILIES = st.one_of(st.sampled_from((s.DAEMON_FAMILY, "other")), s.STRINGS)
FAMILY_FILTERS = st.one_of(st.sampled_from(("", "a", s.DAEMON_FAMILY, "agentx")), s.odd_text())
# Mostly short lists; up to 50 (there is no limit to find but by trying).
PROVIDER_LISTS = st.one_of(
    st.lists(REAL_REFERENCES, min_size=1, max_size=2), st.lists(s.REFERENCE_RECIPES), ARN_LISTS
)
CLUSTER_REFERENCES = st.one_of(st.sampled_from((*s.CLUSTERS, "default")), s.REFERENCE_RECIPES)
ROLE_ARNS = st.one_of(
    st.just(f"arn:aws:iam::{s.ACCOUNT}:role/agent"), s.BUILT_ARNS, s.odd_text(max_size=20)
)
TAGS = st.one_of(
    st.lists(
        st.fixed_dictionaries(
            # botocore refuses an empty key (the model's minimum length) before sending.
            {"key": s.odd_text(max_size=20).filter(bool)},
            optional={"value": s.odd_text(max_size=20)},
        ),
        max_size=3,
    ),
    st.integers(49, 52).map(lambda count: [{"key": f"k{i}", "value": "v"} for i in range(count)]),
)
CONTAINERS = st.lists(
    st.fixed_dictionaries(
        {"image": st.one_of(st.sampled_from(("nginx:1", "public.ecr.aws/agent:2")), s.STRINGS)},
        optional={
            "name": s.odd_text(max_size=20),
            "memory": s.INTEGERS,
            "essential": st.booleans(),
        },
    ),
    max_size=3,
)
# drainPercent allows 1.0 to 100.0; botocore refuses less than the model's minimum, 0.
DRAIN_PERCENTS = st.one_of(
    st.sampled_from((0.0, 0.5, 1, 1.0, 25, 99.99, 100, 100.01, 1e308, math.inf, math.nan)),
    st.floats(min_value=0),
)
DAEMON_SETTINGS = {
    "deploymentConfiguration": st.fixed_dictionaries(
        {},
        optional={
            "drainPercent": DRAIN_PERCENTS,
            "bakeTimeInMinutes": s.INTEGERS,
            "alarms": st.fixed_dictionaries(
                {},
                optional={
                    "alarmNames": st.lists(s.odd_text(max_size=20), max_size=3),
                    "enable": st.booleans(),
                },
            ),
        },
    ),
    "propagateTags": s.enum_texts("DaemonPropagateTags"),
    "enableECSManagedTags": st.booleans(),
    "enableExecuteCommand": st.booleans(),
    "critical": st.booleans(),
}
DAEMON_STATUS_VALUES = st.one_of(
    s.enum_texts("DaemonDeploymentStatus"), st.sampled_from(s.STATUSES)
)

# Requests that succeed where what they name exists, drawn as often as any others, so that
# the changes they make (and the sweep after them) are common.
REAL = st.tuples(st.just("real"), s.INDEXES)
REAL_LISTS = st.lists(REAL, min_size=1, max_size=2)
VALID_TAGS = st.lists(
    st.fixed_dictionaries({"key": st.sampled_from(("team", "env"))}, optional={"value": st.text()}),
    max_size=2,
)
VALID_SETTINGS = {
    "deploymentConfiguration": st.fixed_dictionaries(
        {},
        optional={
            "drainPercent": st.floats(1.0, 100.0),
            "bakeTimeInMinutes": st.integers(0, 1440),
            "alarms": st.fixed_dictionaries(
                {"alarmNames": st.lists(st.sampled_from(("cpu-high", "errors")), max_size=2)},
                optional={"enable": st.booleans()},
            ),
        },
    ),
    "propagateTags": st.sampled_from(enum_values("DaemonPropagateTags")),
    "enableECSManagedTags": st.booleans(),
    "enableExecuteCommand": st.booleans(),
    "critical": st.booleans(),
}
VALID_REGISTER = st.fixed_dictionaries(
    {
        "family": st.one_of(
            st.sampled_from((s.DAEMON_FAMILY, "other")),
            st.from_regex(r"[A-Za-z0-9_-]{1,30}", fullmatch=True),
        ),
        "containerDefinitions": st.lists(
            st.fixed_dictionaries(
                {"image": st.sampled_from(("nginx:1", "public.ecr.aws/agent:3"))},
                optional={"name": st.sampled_from((s.DAEMON_FAMILY, "sidecar"))},
            ),
            min_size=1,
            max_size=2,
        ),
    },
    optional={
        "pidMode": st.sampled_from(enum_values("DaemonPidMode")),
        "ipcMode": st.sampled_from(enum_values("DaemonIpcMode")),
        "tags": VALID_TAGS,
    },
)
VALID_CREATE = st.fixed_dictionaries(
    {
        "daemonName": st.sampled_from((*s.DAEMONS, "fresh", "other")),
        "clusterArn": REAL,
        "daemonTaskDefinitionArn": REAL,
        "capacityProviderArns": REAL_LISTS,
    },
    optional={
        "tags": VALID_TAGS,
        "clientToken": st.sampled_from(("token-1", "token-2")),
        **VALID_SETTINGS,
    },
)
VALID_UPDATE = st.fixed_dictionaries(
    {"daemonArn": REAL, "daemonTaskDefinitionArn": REAL, "capacityProviderArns": REAL_LISTS},
    optional=VALID_SETTINGS,
)

# What each daemon operation is sent: members that name something seeded are recipes
# (resolved by _daemon_references), the others values.
DAEMON_REQUESTS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "RegisterDaemonTaskDefinition": VALID_REGISTER
    | st.fixed_dictionaries(
        {"family": FAMILIES, "containerDefinitions": CONTAINERS},
        optional={
            "taskRoleArn": ROLE_ARNS,
            "executionRoleArn": ROLE_ARNS,
            "cpu": s.odd_text(max_size=10),
            "memory": s.odd_text(max_size=10),
            "volumes": st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "name": s.odd_text(max_size=20),
                        "host": st.fixed_dictionaries(
                            {}, optional={"sourcePath": s.odd_text(max_size=20)}
                        ),
                    },
                ),
                max_size=3,
            ),
            "tags": TAGS,
            "pidMode": s.enum_texts("DaemonPidMode"),
            "ipcMode": s.enum_texts("DaemonIpcMode"),
        },
    ),
    "DescribeDaemonTaskDefinition": st.fixed_dictionaries(
        {"daemonTaskDefinition": REAL_REFERENCES}
    ),
    "DeleteDaemonTaskDefinition": st.fixed_dictionaries({"daemonTaskDefinition": REAL_REFERENCES}),
    "CreateDaemon": VALID_CREATE
    | st.fixed_dictionaries(
        {
            "daemonName": DAEMON_NAMES,
            "daemonTaskDefinitionArn": REAL_REFERENCES,
            "capacityProviderArns": PROVIDER_LISTS,
        },
        optional={
            "clusterArn": CLUSTER_REFERENCES,
            "tags": TAGS,
            # The same token twice in a run asks for the same daemon again.
            "clientToken": st.one_of(st.sampled_from(("token-1", "token-2")), s.STRINGS),
            **DAEMON_SETTINGS,
        },
    ),
    "UpdateDaemon": VALID_UPDATE
    | st.fixed_dictionaries(
        {
            "daemonArn": REAL_REFERENCES,
            "daemonTaskDefinitionArn": REAL_REFERENCES,
            "capacityProviderArns": PROVIDER_LISTS,
        },
        optional=DAEMON_SETTINGS,
    ),
    "DeleteDaemon": st.fixed_dictionaries({"daemonArn": REAL_REFERENCES}),
    "DescribeDaemon": st.fixed_dictionaries({"daemonArn": REAL_REFERENCES}),
    "DescribeDaemonDeployments": st.fixed_dictionaries({"daemonDeploymentArns": ARN_LISTS}),
    "DescribeDaemonRevisions": st.fixed_dictionaries({"daemonRevisionArns": ARN_LISTS}),
}
DAEMON_LISTS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "ListDaemonTaskDefinitions": st.fixed_dictionaries(
        {},
        optional={
            "familyPrefix": FAMILY_FILTERS,
            "family": FAMILY_FILTERS,
            "revision": s.enum_texts("DaemonTaskDefinitionRevisionFilter"),
            "status": s.enum_texts("DaemonTaskDefinitionStatusFilter"),
            "sort": s.enum_texts("SortOrder"),
            "maxResults": s.INTEGERS,
        },
    ),
    "ListDaemons": st.fixed_dictionaries(
        {},
        optional={
            "clusterArn": CLUSTER_REFERENCES,
            "capacityProviderArns": PROVIDER_LISTS,
            "maxResults": s.INTEGERS,
        },
    ),
    "ListDaemonDeployments": st.fixed_dictionaries(
        {"daemonArn": REAL_REFERENCES},
        optional={
            "status": st.lists(DAEMON_STATUS_VALUES, max_size=10),
            "createdAt": WINDOWS,
            "maxResults": s.INTEGERS,
        },
    ),
}
# The operations that change what is held: the state is swept after them.
DAEMON_CHANGES = frozenset(
    {
        "RegisterDaemonTaskDefinition",
        "DeleteDaemonTaskDefinition",
        "CreateDaemon",
        "UpdateDaemon",
        "DeleteDaemon",
    }
)


def _daemon_references(made: s.Seeded) -> dict[str, list[str]]:
    """What each member that names something can name of what was seeded."""
    definitions = [
        *made.daemon_task_definition_arns,
        *(arn.rsplit("/", 1)[1] for arn in made.daemon_task_definition_arns),  # family:revision
        s.DAEMON_FAMILY,
    ]
    cluster = made.daemon_cluster or "default"
    return {
        "daemonTaskDefinition": definitions,
        "daemonTaskDefinitionArn": definitions,
        "capacityProviderArns": made.capacity_provider_arns,
        "clusterArn": [f"arn:aws:ecs:{s.REGION}:{s.ACCOUNT}:cluster/{cluster}", cluster],
        "daemonArn": made.daemon_arns,
        "daemonDeploymentArns": made.daemon_deployment_arns,
        "daemonRevisionArns": made.daemon_revision_arns,
    }


def _daemon_fuzzer(operation: str) -> Callable[[st.DataObject, s.Seeded], None]:
    """One to three requests of ``operation``, each maybe to another region; the state swept
    after an operation that changes it."""
    requests = DAEMON_REQUESTS[operation]

    def fuzz(data: st.DataObject, made: s.Seeded) -> None:
        references = _daemon_references(made)
        for _ in range(data.draw(st.integers(1, 3), label="requests")):
            request = _resolved(data.draw(requests, label=operation), references)
            answer = call(operation, region=data.draw(DAEMON_REGIONS, label="region"), **request)
            event(f"{operation}: {'answered' if answer is not None else 'modeled error'}")
        if operation in DAEMON_CHANGES:
            sweep(made)

    fuzz.__name__ = f"fuzz_{xform_name(operation)}"
    return fuzz


def _daemon_list_fuzzer(operation: str) -> Callable[[st.DataObject, s.Seeded], None]:
    options = DAEMON_LISTS[operation]

    def fuzz(data: st.DataObject, made: s.Seeded) -> None:
        references = _daemon_references(made)
        _fuzz_pages(data, operation, options, lambda drawn: _resolved(drawn, references))

    fuzz.__name__ = f"fuzz_{xform_name(operation)}"
    return fuzz


DAEMON_FUZZERS: dict[str, Callable[[st.DataObject, s.Seeded], None]] = {
    **{operation: _daemon_fuzzer(operation) for operation in DAEMON_REQUESTS},
    **{operation: _daemon_list_fuzzer(operation) for operation in DAEMON_LISTS},
}
FUZZERS: dict[str, Callable[[st.DataObject, s.Seeded], None]] = {
    "ListServiceDeployments": fuzz_list,
    "DescribeServiceDeployments": fuzz_describe_deployments,
    "DescribeServiceRevisions": fuzz_describe_revisions,
    "StopServiceDeployment": fuzz_stop,
    "ContinueServiceDeployment": fuzz_continue,
    **DAEMON_FUZZERS,
}


def test_every_operation_is_fuzzed() -> None:
    assert set(FUZZERS) == set(OPERATIONS) == set(METHODS)


def _fuzz_through_boto3(operation: str, data: st.DataObject) -> None:
    history = data.draw(HISTORIES, label="history")
    daemons = data.draw(DAEMON_HISTORIES, label="daemons") if operation in DAEMON_FUZZERS else None
    # Either door: the mock's own before-send handler, or moto's dispatch under mock_aws.
    with_moto = data.draw(st.booleans(), label="with_moto")
    with seeded(history, with_moto=with_moto, daemons=daemons) as made:
        FUZZERS[operation](data, made)


@pytest.mark.parametrize("operation", OPERATIONS)
@FAST
@given(data=st.data())
def test_boto3_requests_get_modeled_answers(operation: str, data: st.DataObject) -> None:
    _fuzz_through_boto3(operation, data)


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS)
def test_boto3_requests_get_modeled_answers_thoroughly(operation: str) -> None:
    _thoroughly(operation, _fuzz_through_boto3)


# -- raw bodies straight into the shared dispatch --------------------------------------------

_FIELDS = {
    operation: (*operation_model(operation).input_shape.members, "unknownMember")
    for operation in OPERATIONS
}


def _valid_body(operation: str, made: s.Seeded) -> dict[str, Any]:
    arn = (made.deployment_arns or ["x"])[0]
    definition = (made.daemon_task_definition_arns or [f"{s.DAEMON_FAMILY}:1"])[-1]
    daemon = (made.daemon_arns or ["x"])[0]
    on = made.capacity_provider_arns[:1]
    bodies: dict[str, dict[str, Any]] = {
        "ListServiceDeployments": {"service": "web", "cluster": "prod", "maxResults": 5},
        "DescribeServiceDeployments": {"serviceDeploymentArns": made.deployment_arns[:3]},
        "DescribeServiceRevisions": {"serviceRevisionArns": made.revision_arns[:3]},
        "StopServiceDeployment": {"serviceDeploymentArn": arn},
        "ContinueServiceDeployment": {"serviceDeploymentArn": arn, "hookId": "ecs-pause-x"},
        "RegisterDaemonTaskDefinition": {
            "family": s.DAEMON_FAMILY,
            "containerDefinitions": [{"name": s.DAEMON_FAMILY, "image": "nginx:1"}],
        },
        "DescribeDaemonTaskDefinition": {"daemonTaskDefinition": s.DAEMON_FAMILY},
        "ListDaemonTaskDefinitions": {"status": "ALL", "maxResults": 5},
        "DeleteDaemonTaskDefinition": {"daemonTaskDefinition": definition},
        "CreateDaemon": {
            "daemonName": "fresh",
            "clusterArn": made.daemon_cluster or "default",
            "daemonTaskDefinitionArn": definition,
            "capacityProviderArns": on,
        },
        "UpdateDaemon": {
            "daemonArn": daemon,
            "daemonTaskDefinitionArn": definition,
            "capacityProviderArns": on,
            "deploymentConfiguration": {"drainPercent": 50.0, "bakeTimeInMinutes": 1},
        },
        "DeleteDaemon": {"daemonArn": daemon},
        "DescribeDaemon": {"daemonArn": daemon},
        "ListDaemons": {"clusterArn": made.daemon_cluster or "default", "maxResults": 5},
        "ListDaemonDeployments": {"daemonArn": daemon, "maxResults": 5},
        "DescribeDaemonDeployments": {"daemonDeploymentArns": made.daemon_deployment_arns[:3]},
        "DescribeDaemonRevisions": {"daemonRevisionArns": made.daemon_revision_arns[:3]},
    }
    return bodies[operation]


# Bodies that are not a JSON object, or not JSON at all: Python's json module reads NaN and
# Infinity, and gives up on deep nesting with RecursionError.
NOT_OBJECTS = (
    "[]",
    '"text"',
    "1",
    "null",
    "true",
    "{",
    '{"service": ',
    "NaN",
    "Infinity",
    "\ufeff{}",
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 50_000 + "1" + "}" * 50_000,
)
# (how the body is made, the members replaced, the window, a cut, raw bytes)
RAW_RECIPES = st.tuples(
    st.sampled_from(("members", "window", "value", "cut", "not-object", "bytes", "none")),
    st.dictionaries(st.integers(0, 8), s.JSON_VALUES, min_size=1, max_size=3),
    st.dictionaries(
        st.sampled_from(("after", "before", "other")),
        st.one_of(st.floats(), st.integers(-(10**20), 10**20), s.JSON_VALUES),
    ),
    st.integers(0, 1 << 16),
    st.binary(max_size=100),
    st.booleans(),
)


def _raw_body(operation: str, made: s.Seeded, recipe: tuple[Any, ...]) -> bytes | str | None:
    how, members, window, cut, raw, as_bytes = recipe
    base = _valid_body(operation, made)
    fields = _FIELDS[operation]
    text: str
    if how == "members":
        text = json.dumps({**base, **{fields[i % len(fields)]: v for i, v in members.items()}})
    elif how == "window":
        text = json.dumps({**base, "createdAt": window})  # NaN and Infinity written as such
    elif how == "value":
        text = json.dumps(next(iter(members.values())))
    elif how == "cut":
        whole = json.dumps({**base, **{fields[i % len(fields)]: v for i, v in members.items()}})
        text = whole[: cut % (len(whole) + 1)]
    elif how == "not-object":
        text = NOT_OBJECTS[cut % len(NOT_OBJECTS)]
    elif how == "bytes":
        return raw
    else:
        return None
    return text.encode("utf-8", "surrogatepass") if as_bytes else text


def _fuzz_raw(operation: str, data: st.DataObject) -> None:
    history = data.draw(SMALL_HISTORIES, label="history")
    daemons = (
        data.draw(SMALL_DAEMON_HISTORIES, label="daemons") if operation in DAEMON_FUZZERS else None
    )
    with seeded(history, daemons=daemons) as made:
        for _ in range(3):
            body = _raw_body(operation, made, data.draw(RAW_RECIPES, label="body"))
            check_raw(operation, dispatch(operation, body, s.ACCOUNT, s.REGION))
        sweep(made)


@pytest.mark.parametrize("operation", OPERATIONS)
@FAST
@given(data=st.data())
def test_raw_bodies_get_modeled_answers(operation: str, data: st.DataObject) -> None:
    _fuzz_raw(operation, data)


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS)
def test_raw_bodies_get_modeled_answers_thoroughly(operation: str) -> None:
    _thoroughly(operation, _fuzz_raw)


# -- inputs that fuzzing found: each pinned, so it runs on every default run -----------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"service":"web","createdAt":{"after":NaN}}', id="NaN bound"),
        pytest.param('{"service":"web","createdAt":{"before":Infinity}}', id="infinite bound"),
        pytest.param('{"service":"web","createdAt":{"after":-Infinity}}', id="-infinite bound"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="deeply nested array"),
        pytest.param('{"service":' + '{"a":' * 50_000 + "1" + "}" * 50_001, id="nested object"),
    ],
)
def test_found_list_bodies_are_invalid_parameters(body: str) -> None:
    with mock_service_deployments() as mock:
        mock.backend().add_deployment(service="web")
        status, _, text = dispatch("ListServiceDeployments", body, s.ACCOUNT, s.REGION)
    assert (status, json.loads(text)["__type"]) == (400, "InvalidParameterException"), text


@pytest.mark.parametrize("revision_id", ["\u00b2", "\u00b9\u00b2\u00b3", "\u2460"])
def test_found_revision_arn_with_a_digit_that_is_not_decimal_is_missing(revision_id: str) -> None:
    # str.isdigit() accepts superscripts and circled digits; int() does not.
    with mock_service_deployments() as mock:
        deployment = mock.backend().add_deployment(service="web", cluster="prod")
        arn = deployment.target_revision_arn.rsplit("/", 1)[0] + "/" + revision_id
        answer = call("DescribeServiceRevisions", serviceRevisionArns=[arn])
    assert answer is not None
    assert answer["failures"] == [{"arn": arn, "reason": "MISSING"}]


@pytest.mark.parametrize(
    "daemon_arn",
    [
        pytest.param(f"arn:aws:ecs:{s.REGION}:{s.ACCOUNT}:daemon/prod/missing", id="missing"),
        pytest.param(f"arn:aws:ecs:eu-west-1:{s.ACCOUNT}:daemon/prod/agent", id="other region"),
        pytest.param(
            f"arn:aws:ecs:{s.REGION}:{s.OTHER_ACCOUNT}:daemon/prod/agent", id="other account"
        ),
    ],
)
def test_found_daemon_deployments_of_a_daemon_not_held_are_a_declared_error(
    daemon_arn: str,
) -> None:
    with mock_service_deployments() as mock:
        mock.backend().add_capacity_provider("managed", "prod")
        body = json.dumps({"daemonArn": daemon_arn})
        status, _, text = dispatch("ListDaemonDeployments", body, s.ACCOUNT, s.REGION)
    assert (status, json.loads(text)["__type"] in allowed_errors("ListDaemonDeployments")) == (
        400,
        True,
    ), text
