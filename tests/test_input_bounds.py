"""The bounds of ids a test author gives, over the server's control API and through seeding:
a revision id has at most 19 digits (a revision ARN writes it in 19), an account id exactly 12
ASCII digits. A value out of bounds is refused with HTTP 400 naming its field, and nothing of
the request is applied."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import pytest
import requests

from mock_ecs_deployments import SeedingError, mock_service_deployments, serve_in_thread
from mock_ecs_deployments.server.client import ControlRequestError, MockEndpoint

from .clients import endpoint_client

pytestmark = pytest.mark.allow_hosts(["127.0.0.1", "::1"])

REGION = "us-east-1"
LARGEST_REVISION_ID = 10**19 - 1  # 19 digits
TWENTY_DIGITS = 10**19


@pytest.fixture
def endpoint() -> Iterator[MockEndpoint]:
    with serve_in_thread() as url:
        yield url


def _scenario(**deployment: object) -> dict[str, Any]:
    return {
        "region": REGION,
        "services": [
            {
                "service": "web",
                "cluster": "prod",
                "deployments": [{"status": "SUCCESSFUL", **deployment}],
            }
        ],
    }


def _refused(call: Any) -> ControlRequestError:
    with pytest.raises(ControlRequestError) as raised:
        call()
    assert raised.value.status == 400, raised.value
    return raised.value


def _ecs(endpoint: str) -> Any:
    return endpoint_client(endpoint, region=REGION)


# -- revision ids ----------------------------------------------------------------------------


def test_a_twenty_digit_revision_id_in_a_scenario_is_refused_naming_the_field(
    endpoint: MockEndpoint,
) -> None:
    refused = _refused(lambda: endpoint.load_scenario(_scenario(revision_id=TWENTY_DIGITS)))
    assert refused.message == (
        "<request body>: services[0].deployments[0].revision_id: 10000000000000000000 is not"
        " allowed; allowed: a whole number from 0 to 9999999999999999999"
    )
    assert endpoint.dump_scenario() == {"services": []}  # all or nothing


def test_a_twenty_digit_revision_id_in_a_yaml_body_is_refused_naming_the_field(
    endpoint: MockEndpoint,
) -> None:
    body = (
        b"services:\n"
        b"  - service: web\n"
        b"    cluster: prod\n"
        b"    deployments:\n"
        b"      - status: SUCCESSFUL\n"
        b"        revision_id: 12345678901234567890\n"
    )
    refused = _refused(lambda: endpoint.load_scenario(body))
    assert "services[0].deployments[0].revision_id: 12345678901234567890" in refused.message
    assert endpoint.dump_scenario() == {"services": []}


def test_the_largest_nineteen_digit_revision_id_loads_and_names_its_revision(
    endpoint: MockEndpoint,
) -> None:
    assert endpoint.load_scenario(_scenario(revision_id=LARGEST_REVISION_ID)) == {
        "services": 1,
        "deployments": 1,
    }
    (brief,) = _ecs(endpoint).list_service_deployments(cluster="prod", service="web")[
        "serviceDeployments"
    ]
    assert brief["targetServiceRevisionArn"].endswith(f"/web/{LARGEST_REVISION_ID}")


def test_start_deployment_refuses_a_twenty_digit_revision_id() -> None:
    with mock_service_deployments() as mock:
        backend = mock.backend()
        backend.add_service("web", "prod")
        with pytest.raises(SeedingError) as refused:
            backend.start_deployment("web", "prod", revision_id=TWENTY_DIGITS)
        assert refused.value.field == "revision_id"
        assert refused.value.value == TWENTY_DIGITS
        assert backend.services[("prod", "web")].deployments == []  # nothing was made
        deployment = backend.start_deployment("web", "prod", revision_id=LARGEST_REVISION_ID)
        assert deployment.target_revision.arn.endswith(f"/web/{LARGEST_REVISION_ID}")


# -- account ids -----------------------------------------------------------------------------

THIRTEEN_DIGITS = "1234567890123"
NOT_TWELVE_ASCII_DIGITS = [
    pytest.param(THIRTEEN_DIGITS, id="13-digits"),
    pytest.param("12345678901", id="11-digits"),
    pytest.param("123456789012\n", id="trailing-newline"),
    pytest.param(
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662",
        id="arabic-indic-digits",
    ),
]


@pytest.mark.parametrize("account_id", NOT_TWELVE_ASCII_DIGITS)
@pytest.mark.parametrize("where", ["scenario", "service entry"])
def test_a_scenario_s_account_id_of_other_than_twelve_digits_is_refused(
    endpoint: MockEndpoint, account_id: str, where: str
) -> None:
    data = _scenario()
    if where == "scenario":
        data["account_id"] = account_id
        field = "account_id"
    else:
        data["services"][0]["account_id"] = account_id
        field = "services[0].account_id"
    refused = _refused(lambda: endpoint.load_scenario(data))
    assert refused.message == (
        f"<request body>: {field}: {account_id!r} is not allowed; allowed: 12 digits"
    )
    assert endpoint.dump_scenario() == {"services": []}


def test_a_thirteen_digit_account_id_written_as_a_number_is_refused(
    endpoint: MockEndpoint,
) -> None:
    refused = _refused(lambda: endpoint.load_scenario(b"account_id: 1234567890123\nservices: []\n"))
    assert refused.message == (
        "<request body>: account_id: '1234567890123' is not allowed; allowed: 12 digits"
    )


@pytest.mark.parametrize("account_id", NOT_TWELVE_ASCII_DIGITS)
def test_a_plan_s_account_id_of_other_than_twelve_digits_is_refused(
    endpoint: MockEndpoint, account_id: str
) -> None:
    answer = requests.post(
        f"{endpoint}/mock-ecs-deployments/plans",
        json={"service": "web", "cluster": "prod", "account_id": account_id},
        timeout=30,
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "message": f"account_id: expected 12 digits, got {account_id!r}",
        "field": "account_id",
    }


@pytest.mark.parametrize("account_id", NOT_TWELVE_ASCII_DIGITS)
def test_an_injected_error_s_account_id_of_other_than_twelve_digits_is_refused(
    endpoint: MockEndpoint, account_id: str
) -> None:
    refused = _refused(
        lambda: endpoint.inject_error(
            "ListServiceDeployments", "ThrottlingException", account_id=account_id
        )
    )
    assert refused.message == f"account_id: expected 12 digits, got {account_id!r}"
    # Nothing was injected: a call in the default account is answered.
    endpoint.load_scenario(_scenario())
    ecs = _ecs(endpoint)
    assert ecs.list_service_deployments(cluster="prod", service="web")["serviceDeployments"]


def test_twelve_digit_account_ids_are_taken_everywhere(endpoint: MockEndpoint) -> None:
    account_id = "111122223333"
    data = {**_scenario(), "account_id": account_id}
    assert endpoint.load_scenario(data) == {"services": 1, "deployments": 1}
    plan = endpoint.plan_next_deployment("web", "prod", account_id=account_id)
    assert plan["account_id"] == account_id
    injected = endpoint.inject_error(
        "ListServiceDeployments", "ThrottlingException", account_id=account_id
    )
    assert injected["account_id"] == account_id


def test_an_empty_service_is_an_invalid_parameter(backend: Any, ecs: Any) -> None:
    backend.add_deployment(service="web")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        ecs.list_service_deployments(service="")
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
