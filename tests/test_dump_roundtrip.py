"""State out and back in: ``mock.dump_scenario()`` writes down any state, and loading what it
wrote (after a reset) gives the same answers through a real boto3 client, at once and as time
moves on.

The property: a random history with plans, hooks, rollbacks, stops, hook answers, deployments
made as UpdateService makes them and services changed under them; dumped to a mapping, a YAML
file or a JSON file; reset; loaded. Every page of ListServiceDeployments for several filters,
DescribeServiceDeployments of every deployment and DescribeServiceRevisions of every revision
answer the same, then and after the clock moved on.
"""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from freezegun import freeze_time
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mock_ecs_deployments import ScenarioError, SeedingError, mock_service_deployments
from mock_ecs_deployments.engine.model.randomness import random_source
from mock_ecs_deployments.mock import ServiceDeploymentsMock

from . import strategies_state as lived_state
from .clients import client
from .schema_checks import assert_valid_scenario
from .strategies import PAUSE_CONFIGURATION
from .strategies_state import FULL_PROBE, PROBES, T0, TWO_HOOKS, Lived, Probe, answers

FORMATS = ("mapping", ".yaml", ".yml", ".json")
LATER = (1, 61, 1800, 3601, 7200)
HOOK_SEED = 20250301


def _services(mock: Any) -> list[tuple[str, str]]:
    return sorted(mock.backend().services)


def _same_answers_after_a_round_trip(
    lived: Lived, form: str, probe: Probe, later: int, directory: Path
) -> None:
    ecs = client()
    with freeze_time(T0) as frozen, mock_service_deployments() as mock:
        lived_state.seed(mock.backend(), lived)
        lived_state.live(mock.backend(), lived, frozen)
        path = None if form == "mapping" else directory / f"state{form}"
        dumped = mock.dump_scenario(path)
        assert_valid_scenario(dumped)
        services = _services(mock)
        # Hooks reached after the dump get fresh random ids in either state: the same seed
        # makes them the same ids, so that the answers can be compared whole.
        random_source().seed(HOOK_SEED)
        then = answers(ecs, services, probe)
        mock.advance(later)
        after = answers(ecs, services, probe)

        mock.reset()  # the clock's own offset goes too: back at the moment of the dump
        loaded = mock.load_scenario(dumped if path is None else path)
        assert sorted((s.cluster, s.name) for s in loaded) == services
        random_source().seed(HOOK_SEED)
        assert answers(ecs, services, probe) == then
        mock.advance(later)
        assert answers(ecs, services, probe) == after


ROUND_TRIP = given(
    lived=lived_state.lived_histories(),
    form=st.sampled_from(FORMATS),
    probe=PROBES,
    later=st.sampled_from(LATER),
)
HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]
# Without the explain phase: a failure is shrunk, not also varied part by part, which costs
# minutes at a tenth of a second per example.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]


@settings(max_examples=50, deadline=None, suppress_health_check=HEALTH, phases=PHASES)
@ROUND_TRIP
def test_a_dumped_state_loads_back_into_the_same_answers(
    lived: Lived, form: str, probe: Probe, later: int
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        _same_answers_after_a_round_trip(lived, form, probe, later, Path(directory))


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=HEALTH, phases=PHASES)
@ROUND_TRIP
def test_a_dumped_state_loads_back_into_the_same_answers_many_times(
    lived: Lived, form: str, probe: Probe, later: int
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        _same_answers_after_a_round_trip(lived, form, probe, later, Path(directory))


# -- the dump's form ---------------------------------------------------------------------------


def test_one_account_and_region_is_one_mapping_with_absolute_times(
    mock: ServiceDeploymentsMock,
) -> None:
    backend = mock.backend()
    deployment = backend.add_deployment(
        "web", "prod", created_at=T0 - timedelta(days=1, milliseconds=-250), task_definition="web:7"
    )
    assert_valid_scenario(mock.dump_scenario())
    assert mock.dump_scenario() == {
        "account_id": "123456789012",
        "region": "us-east-1",
        "services": [
            {
                "cluster": "prod",
                "service": "web",
                "deployments": [
                    {
                        "id": deployment.id,
                        "status": "SUCCESSFUL",
                        "created_at": "2025-02-28T12:00:00.250Z",
                        "started_at": "2025-02-28T12:00:00.250Z",
                        "finished_at": "2025-02-28T12:00:00.250Z",
                        "task_definition": "web:7",
                        "revision_id": deployment.target_revision.id,
                    }
                ],
            }
        ],
    }


def test_nothing_to_dump(mock: ServiceDeploymentsMock) -> None:
    assert mock.dump_scenario() == {"services": []}
    assert mock.load_scenario(mock.dump_scenario()) == []


def test_several_places_are_named_by_each_service(mock: ServiceDeploymentsMock) -> None:
    ecs = client()
    mock.backend().add_deployment("web", "prod", status="IN_PROGRESS")
    mock.backend("eu-west-1", "111122223333").add_deployment("web", "prod", status="STOPPED")
    dumped = mock.dump_scenario()
    assert_valid_scenario(dumped)
    assert set(dumped) == {"services"}
    assert [(s["account_id"], s["region"], s["service"]) for s in dumped["services"]] == [
        ("111122223333", "eu-west-1", "web"),
        ("123456789012", "us-east-1", "web"),
    ]
    here = answers(ecs, [("prod", "web")], FULL_PROBE)
    mock.reset()
    mock.load_scenario(dumped)
    assert answers(ecs, [("prod", "web")], FULL_PROBE) == here
    elsewhere = mock.backend("eu-west-1", "111122223333").services[("prod", "web")]
    assert [d.status for d in elsewhere.deployments] == ["STOPPED"]


def test_services_picks_by_name_or_cluster_and_name(mock: ServiceDeploymentsMock) -> None:
    backend = mock.backend()
    for cluster, service in (("prod", "web"), ("staging", "web"), ("prod", "api")):
        backend.add_deployment(service, cluster)

    def picked(services: Any) -> list[tuple[str, str]]:
        return [
            (s["cluster"], s["service"]) for s in mock.dump_scenario(services=services)["services"]
        ]

    assert picked(["web"]) == [("prod", "web"), ("staging", "web")]
    assert picked("prod/web") == [("prod", "web")]
    assert picked(["prod/api", "staging/web"]) == [("staging", "web"), ("prod", "api")]
    with pytest.raises(ValueError, match="services: 'worker' matches no service"):
        mock.dump_scenario(services=["web", "worker"])


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_a_file_holds_the_mapping_returned(
    mock: ServiceDeploymentsMock, tmp_path: Path, suffix: str
) -> None:
    mock.backend().add_deployment(
        "web", "prod", status_reason="caf\u00e9 \ud800 \x00", plan={"in_progress_for": 90.5}
    )
    path = tmp_path / f"state{suffix}"
    dumped = mock.dump_scenario(path)
    text = path.read_text(encoding="utf-8")
    assert (json.loads(text) if suffix == ".json" else yaml.safe_load(text)) == dumped
    assert_valid_scenario(dumped)
    assert dumped["services"][0]["deployments"][0]["plan"]["in_progress_for"] == 90.5


@pytest.mark.parametrize("reason", ["a\x85b", "\x85", "a\u2028b", "b\u2029"])
def test_a_yaml_file_keeps_the_line_breaks_yaml_would_fold(
    mock: ServiceDeploymentsMock, tmp_path: Path, reason: str
) -> None:
    # Written literally, YAML folds a NEL, LINE or PARAGRAPH SEPARATOR into a space.
    mock.backend().add_deployment("web", "prod", status_reason=reason, status="STOPPED")
    path = tmp_path / "state.yaml"
    mock.dump_scenario(path)
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert loaded["services"][0]["deployments"][0]["status_reason"] == reason
    mock.reset()
    mock.load_scenario(path)
    (deployment,) = mock.backend().services[("prod", "web")].deployments
    assert deployment.status_reason == reason


def test_another_suffix_is_refused_before_anything_is_read(
    mock: ServiceDeploymentsMock, tmp_path: Path
) -> None:
    planned = mock.backend().add_deployment("web", "prod", plan={"in_progress_for": 60})
    mock.advance(120)
    with pytest.raises(ValueError) as refused:
        mock.dump_scenario(tmp_path / "state.txt")
    assert str(refused.value) == (
        f"{tmp_path / 'state.txt'}: the suffix '.txt' is not allowed; allowed: .yaml, .yml, .json"
    )
    assert list(tmp_path.iterdir()) == []
    assert planned.status == "IN_PROGRESS"  # not read, so not brought up to now either


def test_a_source_revision_made_later_cannot_be_written(mock: ServiceDeploymentsMock) -> None:
    backend = mock.backend()
    newer = backend.add_deployment("web", "prod", created_at=T0)
    backend.add_deployment(
        "web", "prod", created_at=T0 - timedelta(days=1), source_revisions=[newer.target_revision]
    )
    with pytest.raises(ValueError, match="was made by a deployment created after it"):
        mock.dump_scenario()


def test_a_dump_is_a_copy_of_the_state(mock: ServiceDeploymentsMock, ecs: Any) -> None:
    mock.backend().add_service(
        service="web",
        cluster="prod",
        deployment_configuration={"maximumPercent": 200},
        load_balancers=[{"targetGroupArn": "arn:aws:tg", "containerPort": 80}],
    )
    deployment = mock.backend().add_deployment(service="web", cluster="prod")

    def described() -> Any:
        return (
            ecs.describe_service_deployments(serviceDeploymentArns=[deployment.arn]),
            ecs.describe_service_revisions(serviceRevisionArns=[deployment.target_revision_arn]),
        )

    before = described()
    dumped = mock.dump_scenario()
    for entry in dumped["services"]:
        for key in ("deployment_configuration", "load_balancers"):
            _scribble(entry.get(key))
        for item in entry.get("deployments", []):
            for value in item.values():
                _scribble(value)
    after = described()
    for described_then in (before, after):
        for answer in described_then:
            answer.pop("ResponseMetadata")
    assert after == before


def _scribble(value: Any) -> None:
    if isinstance(value, dict):
        value["scribbled"] = 1
    elif isinstance(value, list):
        for item in value:
            _scribble(item)
        value.append({"scribbled": 1})


# -- the keys a dump writes, by hand -----------------------------------------------------------


def _one(deployment: dict[str, Any], **service: Any) -> dict[str, Any]:
    return {
        "services": [{"cluster": "prod", "service": "web", **service, "deployments": [deployment]}]
    }


def test_a_deployment_part_way_through_its_plan_goes_on_from_there(
    mock: ServiceDeploymentsMock,
) -> None:
    (service,) = mock.load_scenario(
        _one(
            {
                "id": "resumed-deployment-1",
                "revision_id": 42,
                "plan": {"outcome": "SUCCESSFUL", "in_progress_for": "30m"},
                "plan_status": "IN_PROGRESS",
                "created_at": "-1h",
                "started_at": "-50m",
                "updated_at": "-10m",
            }
        )
    )
    (deployment,) = service.deployments
    assert deployment.arn.endswith("/prod/web/resumed-deployment-1")
    assert deployment.target_revision_arn.endswith("/prod/web/0000000000000000042")
    mock.advance(timedelta(minutes=20) - timedelta(milliseconds=1))
    assert (
        mock.backend().describe_service_deployments([deployment.arn])[0][0].status == "IN_PROGRESS"
    )
    mock.advance(timedelta(milliseconds=1))
    assert deployment.status == "IN_PROGRESS"  # moved only when read
    mock.backend().describe_service_deployments([deployment.arn])
    assert (deployment.status, deployment.finished_at) == ("SUCCESSFUL", T0 + timedelta(minutes=20))


def test_a_hook_awaiting_action_can_be_answered_after_loading(mock: ServiceDeploymentsMock) -> None:
    previous = {"id": "first", "revision_id": 1, "created_at": "-1d"}
    waiting = {
        "id": "second",
        "revision_id": 2,
        "plan": {"in_progress_for": 0},
        "plan_status": "IN_PROGRESS",
        "created_at": "-5m",
        "deployment_configuration": PAUSE_CONFIGURATION,
        "lifecycle_stage": "POST_SCALE_UP",
        "lifecycle_hook_details": [
            {"hook_id": "ecs-pause-loaded", "status": "AWAITING_ACTION", "expires_at": "+55m"}
        ],
    }
    (service,) = mock.load_scenario(
        {"services": [{"service": "web", "deployments": [previous, waiting]}]}
    )
    deployment = service.deployments[1]
    assert [revision.id for revision in deployment.source_revisions] == [1]
    backend = mock.backend()
    backend.continue_service_deployment(deployment.arn, "ecs-pause-loaded", "CONTINUE")
    (read,), _ = backend.describe_service_deployments([deployment.arn])
    assert read.status == "SUCCESSFUL"


@pytest.mark.parametrize(
    ("entry", "field", "problem"),
    [
        (
            {"id": "a/b"},
            "id",
            "'a/b' is not allowed; allowed: 1 to 255 letters, digits, hyphens and underscores",
        ),
        (
            {"revision_id": -1},
            "revision_id",
            "-1 is not allowed; allowed: a whole number from 0 to 9999999999999999999",
        ),
        ({"plan_status": "IN_PROGRESS"}, "plan_status", "only with a plan"),
        (
            {"plan": {}, "plan_status": "DONE"},
            "plan_status",
            "'DONE' is not allowed; allowed values: PENDING, IN_PROGRESS, STOP_REQUESTED,",
        ),
        ({"plan": {}, "started_at": "-1h"}, "started_at", "leave it unset when a plan is given"),
        (
            {"never_started": True, "started_at": "-1h"},
            "started_at",
            "leave it unset with never_started",
        ),
        (
            {"never_started": True, "status": "IN_PROGRESS"},
            "never_started",
            "an IN_PROGRESS deployment has started",
        ),
        ({"never_started": "yes"}, "never_started", "expected true or false, got 'yes'"),
        (
            {"rollback_started_at": "-1h"},
            "rollback_started_at",
            "only for a deployment that rolls back; this one is SUCCESSFUL",
        ),
        ({"created_at": "-1h", "updated_at": "-2h"}, "updated_at", "earlier than created_at"),
        (
            {"lifecycle_stage": "NAPPING"},
            "lifecycle_stage",
            "'NAPPING' is not allowed; allowed values: RECONCILE_SERVICE, ",
        ),
        (
            {"lifecycle_hook_details": [{"hook_id": "h", "status": "SUCCEEDED"}]},
            "lifecycle_hook_details",
            "1 hooks reached, but the deployment's configuration has 0",
        ),
        (
            {"lifecycle_hook_details": [{"hook": "h"}]},
            "lifecycle_hook_details[0]",
            "unknown key(s) hook; allowed keys: hook_id, status, expires_at",
        ),
        (
            {"lifecycle_hook_details": [{"hook_id": "", "status": "SUCCEEDED"}]},
            "lifecycle_hook_details[0].hook_id",
            "expected a hook id, got ''",
        ),
        (
            {
                "status": "IN_PROGRESS",
                "lifecycle_hook_details": [
                    {"hook_id": "h", "status": "AWAITING_ACTION", "expires_at": "+1h"}
                ],
            },
            "lifecycle_hook_details[0].status",
            "only a deployment that follows a plan awaits action at a hook; give plan and",
        ),
        (
            {
                "plan": {},
                "plan_status": "STOP_REQUESTED",
                "lifecycle_hook_details": [
                    {"hook_id": "h", "status": "AWAITING_ACTION", "expires_at": "+1h"}
                ],
            },
            "lifecycle_hook_details[0].status",
            "only the last hook reached by an IN_PROGRESS deployment awaits action",
        ),
        (
            {
                "plan": {},
                "plan_status": "IN_PROGRESS",
                "lifecycle_hook_details": [{"hook_id": "h", "status": "AWAITING_ACTION"}],
            },
            "lifecycle_hook_details[0].expires_at",
            "required for a hook awaiting action",
        ),
        (
            {
                "plan": {},
                "plan_status": "IN_PROGRESS",
                "deployment_configuration": TWO_HOOKS,
                "lifecycle_hook_details": [
                    {"hook_id": "h", "status": "AWAITING_ACTION", "expires_at": "+1h"}
                ],
            },
            "lifecycle_hook_details[0].status",
            "only a PAUSE hook awaits action; this one is AWS_LAMBDA",
        ),
        (
            {
                "plan": {},
                "plan_status": "IN_PROGRESS",
                "lifecycle_stage": "POST_TEST_TRAFFIC_SHIFT",
                "deployment_configuration": PAUSE_CONFIGURATION,
            },
            "lifecycle_hook_details",
            "0 hooks reached; an IN_PROGRESS deployment at POST_TEST_TRAFFIC_SHIFT that awaits"
            " no hook has reached the 1 of the stages up to it",
        ),
        (
            {
                "plan": {},
                "plan_status": "IN_PROGRESS",
                "lifecycle_stage": "PRODUCTION_TRAFFIC_SHIFT",
                "production_traffic_weight": 15,
                "deployment_configuration": {
                    "strategy": "LINEAR",
                    "linearConfiguration": {"stepPercent": 25.0},
                },
            },
            "production_traffic_weight",
            "15.0 is not a weight the deployment's LINEAR strategy gives; allowed: 25, 50, 75, 100",
        ),
        (
            {"plan": {}, "plan_status": "PENDING", "production_traffic_weight": 50},
            "production_traffic_weight",
            "only with plan_status IN_PROGRESS and lifecycle_stage PRODUCTION_TRAFFIC_SHIFT",
        ),
        (
            {"circuit_breaker_triggered": True},
            "circuit_breaker_triggered",
            "the deployment's configuration does not enable the circuit breaker",
        ),
        (
            {"launch_type": "MAINFRAME"},
            "launch_type",
            "'MAINFRAME' is not allowed; allowed values: FARGATE, EC2, EXTERNAL, MANAGED_INSTANCES",
        ),
        (
            {"source_revisions": [7]},
            "source_revisions[0]",
            "7 is not a revision of service 'web' in cluster 'prod'",
        ),
    ],
)
def test_a_bad_state_key_names_its_field(
    mock: ServiceDeploymentsMock, entry: dict[str, Any], field: str, problem: str
) -> None:
    with pytest.raises(ScenarioError) as refused:
        mock.load_scenario(_one(entry))
    assert refused.value.field == f"services[0].deployments[0].{field}"
    assert refused.value.problem.startswith(problem), refused.value.problem
    assert isinstance(refused.value.__cause__, SeedingError)
    assert mock.backend().services == {}


def test_ids_already_taken_are_refused(mock: ServiceDeploymentsMock) -> None:
    first = {"id": "taken", "revision_id": 5, "created_at": "-1h"}
    for again, field, problem in (
        ({"id": "taken"}, "id", "'taken' is a deployment of 'web' already"),
        ({"revision_id": 5}, "revision_id", "5 is a revision of 'web' already"),
    ):
        scenario = {"services": [{"service": "web", "deployments": [first, again]}]}
        with pytest.raises(ScenarioError) as refused:
            mock.load_scenario(scenario)
        assert (refused.value.field, refused.value.problem) == (
            f"services[0].deployments[1].{field}",
            problem,
        )


def test_a_service_entry_may_name_its_own_account_and_region(
    mock: ServiceDeploymentsMock,
) -> None:
    entry = {"service": "web", "account_id": 111122223333, "region": "eu-west-1"}
    (service,) = mock.load_scenario(
        {"region": "us-west-2", "services": [{**entry, "deployments": [{}]}]}
    )
    assert (service.account_id, service.region) == ("111122223333", "eu-west-1")
    with pytest.raises(ScenarioError) as refused:
        mock.load_scenario({"services": [{"service": "api", "region": "moon-1"}]})
    assert refused.value.field == "services[0].region"
    with pytest.raises(SeedingError, match="'eu-west-1' is not this backend's region"):
        mock.backend().add_service("api", region="eu-west-1")
