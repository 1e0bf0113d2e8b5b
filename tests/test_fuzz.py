"""Fuzzing: whatever a client sends, every answer is a success that matches the operation's
output shape, or a modeled error with HTTP 400 — never a 500, never a Python exception.

Requests go through real boto3 clients (botocore serializes and signs them, the mock answers
in its ``before-send`` door or in moto's dispatch) and, for what boto3 cannot send (wrong JSON
types, bodies that are not objects, invalid JSON), straight into ``responses.dispatch``. The
default run tries a few examples of each; ``pytest -m slow`` tries 2,000 per operation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.parsers import create_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_ecs_deployments import mock_service_deployments
from mock_ecs_deployments.engine.model.service_model import OPERATIONS, operation_model
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
def seeded(history: s.History, *, with_moto: bool = False) -> Iterator[s.Seeded]:
    with mock_service_deployments(with_moto=with_moto) as mock:
        yield s.seed(mock.backend(), history)


def sweep(made: s.Seeded) -> None:
    """After the fuzzed calls: every service lists and every deployment and revision
    describes, so a state a call left behind that cannot be serialized is caught too."""
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


def _list_request(made: s.Seeded, options: dict[str, Any]) -> dict[str, Any]:
    request = dict(options)
    for name, real in (
        ("service", _service_references(made)),
        ("cluster", made.cluster_arns),
    ):
        if isinstance(request.get(name), tuple):
            request[name] = s.resolve(request[name], real)
    return request


def fuzz_list(data: st.DataObject, made: s.Seeded) -> None:
    first = _list_request(made, data.draw(LIST_OPTIONS, label="first request"))
    page = call("ListServiceDeployments", **first)
    token = page.get("nextToken") if page else None
    # The next request: the same filters or others, with the token as given or tampered with.
    second = data.draw(st.one_of(st.just(None), LIST_OPTIONS), label="second request")
    second = dict(first) if second is None else _list_request(made, second)
    recipe = data.draw(TOKEN_RECIPES, label="nextToken")
    second["nextToken"] = s.resolve(recipe, [token] if token else [])
    call("ListServiceDeployments", **second)
    call("ListServiceDeployments", region=data.draw(OTHER_REGIONS), **first)


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


FUZZERS: dict[str, Callable[[st.DataObject, s.Seeded], None]] = {
    "ListServiceDeployments": fuzz_list,
    "DescribeServiceDeployments": fuzz_describe_deployments,
    "DescribeServiceRevisions": fuzz_describe_revisions,
    "StopServiceDeployment": fuzz_stop,
    "ContinueServiceDeployment": fuzz_continue,
}


def test_every_operation_is_fuzzed() -> None:
    assert set(FUZZERS) == set(OPERATIONS) == set(METHODS)


def _fuzz_through_boto3(operation: str, data: st.DataObject) -> None:
    history = data.draw(HISTORIES, label="history")
    # Either door: the mock's own before-send handler, or moto's dispatch under mock_aws.
    with_moto = data.draw(st.booleans(), label="with_moto")
    with seeded(history, with_moto=with_moto) as made:
        FUZZERS[operation](data, made)


@pytest.mark.parametrize("operation", OPERATIONS)
@FAST
@given(data=st.data())
def test_boto3_requests_get_modeled_answers(operation: str, data: st.DataObject) -> None:
    _fuzz_through_boto3(operation, data)


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS)
@THOROUGH
@given(data=st.data())
def test_boto3_requests_get_modeled_answers_thoroughly(operation: str, data: st.DataObject) -> None:
    _fuzz_through_boto3(operation, data)


# -- raw bodies straight into the shared dispatch --------------------------------------------

_FIELDS = {
    operation: (*operation_model(operation).input_shape.members, "unknownMember")
    for operation in OPERATIONS
}


def _valid_body(operation: str, made: s.Seeded) -> dict[str, Any]:
    arn = (made.deployment_arns or ["x"])[0]
    return {
        "ListServiceDeployments": {"service": "web", "cluster": "prod", "maxResults": 5},
        "DescribeServiceDeployments": {"serviceDeploymentArns": made.deployment_arns[:3]},
        "DescribeServiceRevisions": {"serviceRevisionArns": made.revision_arns[:3]},
        "StopServiceDeployment": {"serviceDeploymentArn": arn},
        "ContinueServiceDeployment": {"serviceDeploymentArn": arn, "hookId": "ecs-pause-x"},
    }[operation]


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
    with seeded(history) as made:
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
@THOROUGH
@given(data=st.data())
def test_raw_bodies_get_modeled_answers_thoroughly(operation: str, data: st.DataObject) -> None:
    _fuzz_raw(operation, data)


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
