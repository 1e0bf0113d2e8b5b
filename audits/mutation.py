"""Mutation audit of mock_ecs_deployments: do the tests catch what they claim to?

Each mutant below is one single-point change of the package's code (a flipped comparison, an
off-by-one, a dropped filter or condition, a swapped constant, a dropped sort, a wrong default, a
skipped step), with the test files that should catch it. The audit copies the repository's
working tree as it is (``git ls-files`` plus untracked files git does not ignore, ``.venv*``
left out) into a work directory, runs the targeted tests once unmutated there (and stops if they
fail: a mutant "killed" by a test that fails anyway proves nothing), then, for each mutant,
applies it to the copy, runs::

    <python> -m pytest -q -x -p no:cacheprovider -p no:randomly --hypothesis-seed=0 <tests>

from the copy's root with ``PYTHONPATH`` naming the copy (so the copy's package is the one
imported, not the editable install's), puts the file back, and records whether the tests failed
(killed) or passed (survived), and how long they took. The repository itself is never changed.

Run it from the repository's root (a full run takes about 7 minutes with ``--jobs 2`` on two
cores, the first minute of it the unmutated baseline; about 10 minutes with one job)::

    .venv/bin/python audits/mutation.py --jobs 2
    .venv/bin/python audits/mutation.py --only B07 C01 --jobs 1   # some mutants
    .venv/bin/python audits/mutation.py --list                    # the mutants, checked
    .venv/bin/python audits/mutation.py --only B10 --all-tests    # any test at all? (~5 min)

Options: ``--only ID...``, ``--jobs N`` (mutants in parallel, each job in its own copy; default
1), ``--python PATH`` (default: this interpreter), ``--workdir DIR`` (kept afterwards; default a
temporary directory, removed), ``--min-ratio R`` (default 0.95), ``--timeout S`` per mutant,
``--all-tests`` (run the whole default suite, ``tests``, for each mutant instead of its targets:
to ask whether *any* test kills a survivor), ``--skip-baseline``, ``--seed N`` (hypothesis's),
``--list``, ``--json PATH``.

The result is a table and the kill ratio over the mutants not marked equivalent; the exit
status is 1 when the ratio is below ``--min-ratio``, 2 when the audit could not be run as
asked (a snippet no longer found exactly once, a target missing, the unmutated tests failing,
a pytest usage error), else 0. Equivalent mutants are run too: one that is killed is reported,
since its equivalence claim is then wrong.

Hypothesis runs with a fixed seed, the suite's derandomized profile (``HYPOTHESIS_PROFILE=ci``)
and an empty example database for every run, so that the property tests draw the same examples
for every mutant and every audit. Each run also gets its own pytest temporary directory
(``PYTEST_DEBUG_TEMPROOT``) and no ``PYTEST_ADDOPTS`` from the caller.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "mock_ecs_deployments"
REPO = Path(__file__).resolve().parent.parent
PYTEST_ARGS = ("-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly")
HYPOTHESIS_SEED = "0"


@dataclass(frozen=True)
class Mutant:
    """One single-point change of a file of the package."""

    id: str
    file: str  # under the package: "engine/state/backend.py"
    original: str  # must occur exactly once in the file
    mutated: str
    description: str
    tests: tuple[str, ...]  # test files (or node ids) that should catch it
    kind: str
    equivalent: bool = False
    reason: str = ""  # why an equivalent mutant cannot change behaviour

    @property
    def path(self) -> str:
        """The file's path from the repository's root."""
        return f"{PACKAGE}/{self.file}"


def _m(
    id: str,
    file: str,
    original: str,
    mutated: str,
    description: str,
    tests: Sequence[str],
    kind: str,
    *,
    equivalent: bool = False,
    reason: str = "",
) -> Mutant:
    return Mutant(id, file, original, mutated, description, tuple(tests), kind, equivalent, reason)


# Kinds of change.
FLIP = "flipped comparison"
OFF = "off-by-one"
DROP = "dropped filter/condition"
SWAP = "swapped constant"
UNSORTED = "dropped sort"
DEFAULT = "wrong default"
SKIP = "skipped step"

BACKEND = "engine/state/backend.py"
LIFECYCLE = "engine/deployments/lifecycle.py"
STRATEGIES = "engine/deployments/strategies.py"
SHAPES = "protocol/shapes.py"
VIEW = "engine/deployments/service_view.py"
LIST_TESTS = "tests/test_list_service_deployments.py"
PAGING_TESTS = "tests/test_pagination.py"
DESCRIBE_TESTS = "tests/test_describe.py"
LIFECYCLE_TESTS = "tests/test_lifecycle.py"
STOP_TESTS = "tests/test_stop_continue.py"
STRATEGY_TESTS = "tests/test_strategies.py"
SERVICES_TESTS = "tests/test_describe_services.py"
EVENT_TESTS = "tests/test_deployment_events.py"
CONTROL_TESTS = "tests/test_control_api.py"
ROUNDTRIP_TESTS = "tests/test_dump_roundtrip.py"
FIDELITY_TESTS = "tests/test_dump_fidelity.py"
BOUNDS_TESTS = "tests/test_input_bounds.py"

MUTANTS: tuple[Mutant, ...] = (
    # -- listing: filters, ordering, paging (backend, pagination) ----------------------------
    _m(
        "B03",
        BACKEND,
        "MAX_RESULTS_DEFAULT = 20",
        "MAX_RESULTS_DEFAULT = 10",
        "ListServiceDeployments' default page size is 10, not AWS's 20",
        [LIST_TESTS],
        DEFAULT,
    ),
    _m(
        "B04",
        BACKEND,
        "bisect_left(keys, sort_key(after_ms, 0))",
        "bisect_left(keys, sort_key(after_ms + 1, 0))",
        "createdAt.after is exclusive: a deployment created exactly then is left out",
        [LIST_TESTS],
        OFF,
    ),
    _m(
        "B05",
        BACKEND,
        "bisect_left(keys, sort_key(after_ms, 0))",
        "bisect_right(keys, sort_key(after_ms, 0))",
        "the createdAt.after bound is found with bisect_right instead of bisect_left",
        [LIST_TESTS],
        FLIP,
        equivalent=True,
        reason="sequence numbers start at 1, so no key equals sort_key(after_ms, 0): both"
        " bisections of a value not in the list give the same index",
    ),
    _m(
        "B06",
        BACKEND,
        "else bisect_right(keys, sort_key(before_ms, _LAST_SEQUENCE))",
        "else bisect_left(keys, sort_key(before_ms, 0))",
        "createdAt.before is exclusive: a deployment created exactly then is left out",
        [LIST_TESTS],
        OFF,
    ),
    _m(
        "B07",
        BACKEND,
        "if deployments[index].status in wanted:",
        "if deployments[index].status:",
        "the status filter is dropped once a status is given (every status is listed)",
        [LIST_TESTS],
        DROP,
    ),
    _m(
        "B08",
        BACKEND,
        "page = deployments[start:high][::-1] if start < high else []",
        "page = deployments[start:high] if start < high else []",
        "an unfiltered page is oldest first, not newest first",
        [LIST_TESTS],
        UNSORTED,
    ),
    _m(
        "B09",
        BACKEND,
        "more = start > low",
        "more = start >= low",
        "an unfiltered page that reaches the oldest deployment still hands out a nextToken",
        [LIST_TESTS],
        FLIP,
    ),
    _m(
        "B10",
        BACKEND,
        "range(index, low - 1, -1)",
        "range(index, low, -1)",
        "a status-filtered page whose only further match is the oldest gives no nextToken",
        [PAGING_TESTS, "tests/test_properties.py", "tests/test_filtered_pages.py"],
        OFF,
    ),
    _m(
        "B11",
        BACKEND,
        '",".join(sorted(wanted)),',
        '"",',
        "a nextToken is not bound to the status filter it was made for",
        [PAGING_TESTS],
        DROP,
    ),
    _m(
        "B12",
        BACKEND,
        "high = min(high, bisect_left(keys, position))",
        "high = min(high, bisect_right(keys, position))",
        "resuming from a nextToken repeats the last deployment of the previous page",
        [PAGING_TESTS],
        OFF,
    ),
    _m(
        "T01",
        "engine/model/pagination.py",
        "if digest == _digest(raw, scope):",
        "if len(digest) == _DIGEST_BYTES:",
        "a nextToken's digest is not checked: tampered tokens and other requests' decode",
        [PAGING_TESTS],
        DROP,
    ),
    # -- DescribeServiceDeployments, Stop, Continue (backend) ---------------------------------
    _m(
        "B13",
        BACKEND,
        "for arn in dict.fromkeys(deployment_arns):",
        "for arn in deployment_arns:",
        "DescribeServiceDeployments answers an ARN given twice twice",
        [DESCRIBE_TESTS],
        DROP,
    ),
    _m(
        "B16",
        BACKEND,
        "            or parsed.partition != arns.partition_for(self.region_name)\n",
        "",
        "a deployment or revision ARN of another partition (aws vs aws-cn) is found",
        [DESCRIBE_TESTS],
        DROP,
    ),
    _m(
        "B17",
        BACKEND,
        'stop_type or "ROLLBACK"',
        'stop_type or "ABORT"',
        "StopServiceDeployment without stopType aborts instead of rolling back",
        [STOP_TESTS],
        DEFAULT,
    ),
    # -- lifecycle and statuses ---------------------------------------------------------------
    _m(
        "C01",
        LIFECYCLE,
        "deployment.next_ms < now_ms or (deployment.next_ms == now_ms and not"
        " deployment.next_strict)",
        "deployment.next_ms <= now_ms",
        "a requested step (stop, rollback) is applied at the same instant: *_REQUESTED never shows",
        [STOP_TESTS],
        FLIP,
    ),
    _m(
        "C02",
        LIFECYCLE,
        'if stage == "SCALE_UP" and plan.outcome.startswith("ROLLBACK_"):',
        'if plan.outcome.startswith("ROLLBACK_"):',
        "a planned failure fails at the first stage, not when SCALE_UP (in_progress_for) ends",
        [LIFECYCLE_TESTS],
        DROP,
    ),
    _m(
        "C03",
        LIFECYCLE,
        "return self.in_progress_ms if self.rollback_ms is None else self.rollback_ms",
        "return 0 if self.rollback_ms is None else self.rollback_ms",
        "a rollback without rollback_for is instant instead of lasting in_progress_for",
        [LIFECYCLE_TESTS],
        DEFAULT,
    ),
    _m(
        "C04",
        LIFECYCLE,
        '_schedule(deployment, "start", at_ms + plan.pending_ms)',
        '_schedule(deployment, "start", at_ms)',
        "a planned deployment skips its PENDING time (pending_for)",
        [LIFECYCLE_TESTS],
        SKIP,
    ),
    _m(
        "C05",
        LIFECYCLE,
        "    if deployment.status in INTERRUPTIBLE:\n"
        '        complete(deployment, "STOPPED", at_ms, SUPERSEDED_REASON)',
        '    if deployment.status == "IN_PROGRESS":\n'
        '        complete(deployment, "STOPPED", at_ms, SUPERSEDED_REASON)',
        "a newer deployment does not supersede a PENDING one",
        [LIFECYCLE_TESTS],
        DROP,
    ),
    _m(
        "C06",
        LIFECYCLE,
        "    if deployment.status in ALREADY_STOPPING:\n        return\n",
        "",
        "stopping a deployment that is already stopping is a ConflictException, not a no-op",
        [STOP_TESTS],
        SKIP,
    ),
    _m(
        "C07",
        LIFECYCLE,
        'if stop_type != "ABORT" and not deployment.source_revisions:',
        'if stop_type != "ABORT" and deployment.source_revisions is None:',
        "a ROLLBACK stop of a service's first deployment is not refused",
        [STOP_TESTS],
        DROP,
    ),
    _m(
        "C09",
        LIFECYCLE,
        "if service.latest() is not deployment:\n        pass",
        "if service.latest() is None:\n        pass",
        "an older deployment that completes changes what the service runs",
        [LIFECYCLE_TESTS, SERVICES_TESTS],
        DROP,
    ),
    _m(
        "C11",
        LIFECYCLE,
        'if hook.timeout_action == "CONTINUE":',
        'if hook.timeout_action != "ROLLBACK":',
        "a timed-out hook continues unless its action is ROLLBACK (instead of when CONTINUE)",
        [STOP_TESTS],
        FLIP,
        equivalent=True,
        reason="a hook's timeout action is checked against the model's"
        " DeploymentLifecycleHookAction (CONTINUE, ROLLBACK) when the hook is made",
    ),
    # -- strategies and traffic weights (strategies, shapes) ----------------------------------
    _m(
        "S01",
        STRATEGIES,
        "range(1, math.ceil(1000 / step) + 1)",
        "range(1, math.ceil(1000 / step))",
        "LINEAR's last production step (100%) is left out of PRODUCTION_TRAFFIC_SHIFT",
        [STRATEGY_TESTS, ROUNDTRIP_TESTS],
        OFF,
    ),
    _m(
        "S02",
        STRATEGIES,
        "return [(w / 10, 0 if w == 1000 else hold_ms) for w in weights]",
        "return [(w / 10, hold_ms) for w in weights]",
        "LINEAR holds its last step (100%) for stepBakeTimeInMinutes too",
        [STRATEGY_TESTS],
        DROP,
    ),
    _m(
        "S03",
        STRATEGIES,
        "DEFAULT_CANARY_PERCENT = 5.0",
        "DEFAULT_CANARY_PERCENT = 10.0",
        "CANARY without canaryPercent shifts 10% first instead of AWS's 5%",
        [STRATEGY_TESTS, "tests/test_strategy_defaults.py"],
        DEFAULT,
    ),
    _m(
        "S05",
        STRATEGIES,
        'bake_ms = int(settings.get("bakeTimeInMinutes") or 0) * 60_000 if holding else 0',
        'bake_ms = int(settings.get("bakeTimeInMinutes") or 0) * 60_000',
        "a first deployment (nothing to shift from) holds the bake time",
        [STRATEGY_TESTS],
        DROP,
    ),
    _m(
        "S07",
        STRATEGIES,
        "return round(FULL - production, 1), round(FULL - test, 1)",
        "return round(FULL - production, 1), round(FULL - production, 1)",
        "the source revision's test traffic weight is the rest of the production weight",
        [STRATEGY_TESTS],
        SWAP,
    ),
    _m(
        "H01",
        SHAPES,
        'summary["requestedTestTrafficWeight"] = traffic[1]',
        'summary["requestedTestTrafficWeight"] = traffic[0]',
        "requestedTestTrafficWeight shows the production weight",
        [STRATEGY_TESTS],
        SWAP,
    ),
    _m(
        "H02",
        SHAPES,
        "return (desired, 0, desired), (desired, desired, 0)",
        "return (desired, desired, 0), (desired, desired, 0)",
        "an IN_PROGRESS target revision shows its tasks running, not pending",
        [DESCRIBE_TESTS],
        SWAP,
    ),
    _m(
        "H03",
        SHAPES,
        'failures = threshold if status == "TRIGGERED" else 0',
        "failures = 0",
        "a triggered circuit breaker shows failureCount 0",
        [DESCRIBE_TESTS, LIFECYCLE_TESTS],
        DROP,
    ),
    # -- DescribeServices (service_view, service_fields) --------------------------------------
    _m(
        "V01",
        VIEW,
        "events = tuple(reversed(service.events))",
        "events = tuple(service.events)",
        "DescribeServices' events are oldest first, not newest first",
        [SERVICES_TESTS],
        UNSORTED,
    ),
    _m(
        "V02",
        VIEW,
        'return tuple(entry for entry in self.deployments if entry.rollout_state != "FAILED")',
        "return tuple(self.deployments)",
        "currentServiceRevisions includes the revision of a failed deployment",
        [SERVICES_TESTS],
        DROP,
    ),
    _m(
        "V03",
        VIEW,
        'pending = desired if status == "IN_PROGRESS" else 0',
        "pending = desired",
        "a PENDING deployment's PRIMARY entry shows its tasks pending already",
        [SERVICES_TESTS],
        DROP,
    ),
    _m(
        "V06",
        "protocol/service_fields.py",
        "network = revision.network_configuration or record.network_configuration or None",
        "network = revision.network_configuration or None",
        "a deployments[] entry leaves out the service's network configuration",
        [SERVICES_TESTS, "tests/test_moto_history.py", "tests/test_moto_sync.py"],
        DROP,
    ),
    # -- the patches and the activation (patches, beside_moto) --------------------------------
    _m(
        "P01",
        "patches/activation.py",
        "                with contextlib.suppress(BaseException):\n"
        "                    self._undo()\n"
        "                raise",
        "                raise",
        "a start that fails half-way leaves the steps already applied in place",
        ["tests/test_activation.py"],
        SKIP,
    ),
    _m(
        "P04",
        "patches/environment.py",
        "cleared = _CLEARED_WHILE_ACTIVE if replaced else ()",
        "cleared = ()",
        "a real AWS_SESSION_TOKEN stays in the environment beside the fake keys",
        ["tests/test_isolation.py"],
        SKIP,
    ),
    _m(
        "P07",
        "patches/requests_transport.py",
        "if not botocore_send.answering() or moto_is_active():",
        "if not botocore_send.answering():",
        "the requests door answers ECS under moto's mock_aws instead of leaving it to moto",
        ["tests/test_requests_door.py"],
        DROP,
    ),
    _m(
        "M01",
        "beside_moto/services.py",
        "desired_count=None if creating or desired is None else int(desired),",
        "desired_count=None,",
        "moto's UpdateService desiredCount is not followed: DescribeServices shows the old one",
        ["tests/test_moto_history.py", "tests/test_service_update.py"],
        DROP,
    ),
    _m(
        "M02",
        "beside_moto/events.py",
        'if rule.state != "ENABLED":',
        'if rule.state == "UNKNOWN":',
        "a DISABLED EventBridge rule still delivers the deployments' events",
        [EVENT_TESTS],
        DROP,
    ),
    _m(
        "M04",
        "beside_moto/seeded.py",
        '            if record.status != "ACTIVE":\n                continue\n',
        "",
        "a service deleted from the mock is made in moto again",
        ["tests/test_moto_seeded.py", "tests/test_moto_sync.py"],
        DROP,
    ),
    # -- the control API (server/control.py) --------------------------------------------------
    _m(
        "K02",
        "server/control.py",
        "if not math.isfinite(seconds) or seconds < 0:",
        "if not math.isfinite(seconds) or seconds <= 0:",
        "POST advance refuses 0 seconds",
        [CONTROL_TESTS],
        FLIP,
    ),
    _m(
        "K03",
        "server/control.py",
        'fields.setdefault("times", 1)',
        'fields.setdefault("times", None)',
        "POST errors without times fails every call instead of the next one",
        [CONTROL_TESTS],
        DEFAULT,
    ),
    _m(
        "K04",
        "server/control.py",
        'headers={"Allow": allowed},',
        "headers={},",
        "a 405 answer has no Allow header",
        [CONTROL_TESTS],
        SKIP,
    ),
    # -- EventBridge events (engine/events) ---------------------------------------------------
    _m(
        "E01",
        "engine/events/deployment_events.py",
        "ordered = sorted(self._entries, key=lambda entry: entry[0])",
        "ordered = list(self._entries)",
        "mock.events are in the order made, not in the order of their transitions' times",
        ["tests/test_event_order.py"],
        UNSORTED,
    ),
    _m(
        "E02",
        "engine/events/deployment_events.py",
        '"eventType": "ERROR" if name == FAILED else "INFO",',
        '"eventType": "INFO",',
        "SERVICE_DEPLOYMENT_FAILED events have eventType INFO, not ERROR",
        [EVENT_TESTS],
        SWAP,
    ),
    _m(
        "E03",
        "engine/events/deployment_events.py",
        '"time": _iso(at_ms, milliseconds=False),',
        '"time": _iso(at_ms, milliseconds=True),',
        "an event's envelope time carries milliseconds (AWS's has whole seconds)",
        [EVENT_TESTS],
        SWAP,
    ),
    _m(
        "E04",
        "engine/events/service_events.py",
        "            deployment_events.steady_state(service, at_ms)\n",
        "",
        "no SERVICE_STEADY_STATE event when a deployment or rollback completes",
        [EVENT_TESTS],
        SKIP,
    ),
    # -- the scenario dump's round trip (scenarios, engine/seeding) ---------------------------
    _m(
        "R01",
        "scenarios/dump.py",
        "if service.desired_count != 1:",
        "if service.desired_count > 1:",
        "a dump leaves out a desired count of 0 (it loads back as 1)",
        [FIDELITY_TESTS],
        FLIP,
    ),
    _m(
        "R02",
        "scenarios/dump.py",
        'and strategy in ("LINEAR", "CANARY")',
        'and strategy in ("CANARY",)',
        "a LINEAR deployment dumped mid-shift loses its production traffic weight",
        [STRATEGY_TESTS, ROUNDTRIP_TESTS],
        DROP,
    ),
    _m(
        "R04",
        "scenarios/entries.py",
        'timespec="milliseconds" if ms % 1000 else "seconds"',
        'timespec="seconds"',
        "a dump writes times without their milliseconds",
        [ROUNDTRIP_TESTS],
        SWAP,
    ),
    _m(
        "R07",
        "engine/seeding/recorded.py",
        "updated_ms=max(t for t in (created_ms, started_ms, finished_ms) if t is not None),",
        "updated_ms=min(t for t in (created_ms, started_ms, finished_ms) if t is not None),",
        "a recorded deployment's implied updatedAt is its earliest time, not its latest",
        [DESCRIBE_TESTS, ROUNDTRIP_TESTS, "tests/test_recorded_history.py"],
        SWAP,
    ),
    _m(
        "R08",
        "engine/seeding/restoring.py",
        '"ROLLBACK_REQUESTED": ("rollback_start", True),',
        '"ROLLBACK_REQUESTED": ("rollback_start", False),',
        "a restored ROLLBACK_REQUESTED deployment moves on at the instant it was requested",
        [FIDELITY_TESTS],
        FLIP,
    ),
    _m(
        "R09",
        "engine/seeding/restoring.py",
        'plan.outcome if plan.outcome == "ROLLBACK_FAILED" else "ROLLBACK_SUCCESSFUL"',
        '"ROLLBACK_SUCCESSFUL"',
        "a restored rollback whose plan fails it ends ROLLBACK_SUCCESSFUL",
        [FIDELITY_TESTS, "tests/test_restoring.py", "tests/test_recorded_history.py"],
        DEFAULT,
    ),
    _m(
        "R10",
        "engine/model/records.py",
        "if not self.keys or key > self.keys[-1]:",
        "if not self.keys or key >= self.keys[-1]:",
        "a deployment whose key equals the newest one's is appended rather than bisected in",
        ["tests/test_seeding.py", "tests/test_properties.py"],
        FLIP,
        equivalent=True,
        reason="a key packs createdAt with the backend's fresh sequence number, so no two"
        " deployments of a service share one: the equal case never happens",
    ),
    # -- documented status and error rules (validation, dispatch, faults) ---------------------
    _m(
        "X01",
        "engine/model/validation.py",
        "if finished_ms < started_ms:",
        "if finished_ms < created_ms:",
        "a seeded finished_at earlier than started_at (but not created_at) is accepted",
        ["tests/test_seeding.py", "tests/test_seeding_errors.py"],
        SWAP,
    ),
    _m(
        "X07",
        "protocol/dispatch.py",
        "if required and not value:",
        "if False and not value:",
        'an empty required string ("service": "") is not refused as empty',
        ["tests/test_fuzz.py", LIST_TESTS, "tests/test_input_bounds.py"],
        DROP,
    ),
    _m(
        "X09",
        "protocol/dispatch.py",
        "        if (backend.account_id, backend.region_name) == (account_id, region):\n"
        "            continue\n",
        "",
        "a not-found call's hint names the account and region the request was answered in",
        ["tests/test_call_hints.py"],
        DROP,
    ),
    _m(
        "X10",
        "protocol/faults.py",
        "if rule.remaining == 0:",
        "if rule.remaining < 0:",
        "an injected error with times=N fails N+1 calls",
        ["tests/test_faults.py"],
        OFF,
    ),
    # -- input bounds ---------------------------------------------------------------------------
    _m(
        "B01",
        BACKEND,
        "if not 1 <= limit <= MAX_RESULTS_LIMIT:",
        "if not 1 <= limit < MAX_RESULTS_LIMIT:",
        "maxResults=100 is refused",
        [LIST_TESTS],
        OFF,
    ),
    _m(
        "B02",
        BACKEND,
        "if not 1 <= limit <= MAX_RESULTS_LIMIT:",
        "if not 0 <= limit <= MAX_RESULTS_LIMIT:",
        "maxResults=0 is accepted",
        [LIST_TESTS],
        OFF,
    ),
    _m(
        "B14",
        BACKEND,
        "if not 1 <= len(values) <= _ARNS_LIMIT:",
        "if not 1 <= len(values) <= _ARNS_LIMIT + 1:",
        "21 ARNs are accepted by DescribeServiceDeployments and DescribeServiceRevisions",
        [DESCRIBE_TESTS],
        OFF,
    ),
    _m(
        "B15",
        BACKEND,
        "if not 1 <= len(values) <= _ARNS_LIMIT:",
        "if not 0 <= len(values) <= _ARNS_LIMIT:",
        "an empty list of ARNs is accepted",
        [DESCRIBE_TESTS],
        OFF,
    ),
    _m(
        "X04",
        "engine/model/validation.py",
        "not 0 <= value < REVISION_ID_LIMIT",
        "not 0 <= value <= REVISION_ID_LIMIT",
        "a revision id of 10**19 (20 digits) is accepted",
        [BOUNDS_TESTS],
        OFF,
    ),
    _m(
        "X05",
        "engine/model/arns.py",
        "randrange(10**17, _REVISION_ID_LIMIT)",
        "randrange(_REVISION_ID_LIMIT, 10**19)",
        "fresh revision ids are drawn from 2**63 up (still 19 digits), not below 2**63",
        ["tests/test_seeding.py"],
        SWAP,
    ),
    _m(
        "K01",
        "server/control.py",
        "isinstance(value, str) and len(value) == 12 and value.isascii() and value.isdigit()",
        "isinstance(value, str) and len(value) >= 12 and value.isascii() and value.isdigit()",
        "POST plans takes an account_id of 13 or more digits",
        [BOUNDS_TESTS],
        OFF,
    ),
    _m(
        "X12",
        "protocol/faults.py",
        "        and len(account_id) == 12\n",
        "        and len(account_id) <= 12\n",
        "inject_error takes an account_id of fewer than 12 digits",
        [BOUNDS_TESTS],
        OFF,
    ),
)


# -- the copy ------------------------------------------------------------------------------------


def tracked_files(repo: Path) -> list[str]:
    """The working tree's files: tracked (and present) plus untracked ones git does not ignore;
    ``.venv*`` left out."""
    listing = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8", "surrogateescape")
    files = []
    for name in dict.fromkeys(listing.split("\0")):
        if not name or name.split("/", 1)[0].startswith(".venv"):
            continue
        if (repo / name).is_file() or (repo / name).is_symlink():
            files.append(name)
    return files


def copy_tree(repo: Path, files: Sequence[str], target: Path) -> None:
    """Copy ``files`` (paths from ``repo``) into ``target``."""
    for name in files:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / name, destination, follow_symlinks=False)


def write_source(path: Path, text: str) -> None:
    """Write a module's text and drop its cached bytecode, so that the next import compiles
    what is there now (a pyc is trusted on mtime and size, which a same-size edit within one
    second would keep)."""
    path.write_text(text, encoding="utf-8")
    for cached in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        cached.unlink(missing_ok=True)


def environment(copy: Path, temp_root: Path) -> dict[str, str]:
    """The environment a run in ``copy`` gets: the copy first on ``sys.path``, its own pytest
    temporary directories, no PYTEST_ADDOPTS from the caller."""
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(copy), env.get("PYTHONPATH", "")]))
    env["PYTEST_DEBUG_TEMPROOT"] = str(temp_root)
    env["HYPOTHESIS_PROFILE"] = "ci"  # the suite's derandomized profile, where it has one
    temp_root.mkdir(parents=True, exist_ok=True)
    return env


def check_import(python: str, copy: Path) -> str | None:
    """``None`` when the copy's package (and its pytest plugin) is what a run in ``copy``
    imports, not the editable install's, else what it imports instead."""
    probe = f"import {PACKAGE}.pytest_plugin as m; print(m.__file__)"
    done = subprocess.run(
        [python, "-c", probe],
        cwd=copy,
        env=environment(copy, copy.parent / "tmp-probe"),
        capture_output=True,
        text=True,
    )
    where = done.stdout.strip()
    if done.returncode != 0 or not Path(where).resolve().is_relative_to(copy.resolve()):
        return f"a run in {copy} imports {PACKAGE} from {where or done.stderr.strip()!r}"
    return None


# -- checks before anything runs -----------------------------------------------------------------


def problems(mutants: Sequence[Mutant], root: Path) -> list[str]:
    """What is wrong with ``mutants`` against the tree at ``root``: a snippet not found exactly
    once, a mutation that changes nothing, a target test that does not exist, an id twice."""
    found = []
    seen: set[str] = set()
    for mutant in mutants:
        if mutant.id in seen:
            found.append(f"{mutant.id}: the id is used twice")
        seen.add(mutant.id)
        path = root / mutant.path
        if not path.is_file():
            found.append(f"{mutant.id}: {mutant.path} does not exist")
            continue
        count = path.read_text(encoding="utf-8").count(mutant.original)
        if count != 1:
            found.append(f"{mutant.id}: the original snippet occurs {count} times in {mutant.path}")
        if mutant.original == mutant.mutated:
            found.append(f"{mutant.id}: the mutation changes nothing")
        if mutant.equivalent != bool(mutant.reason):
            found.append(f"{mutant.id}: an equivalent mutant needs a reason, and only one does")
        for test in mutant.tests:
            if not (root / test.split("::", 1)[0]).exists():
                found.append(f"{mutant.id}: the target {test} does not exist")
    return found


# -- running -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one run of the tests gave."""

    status: str  # killed, survived, timeout, error
    seconds: float
    detail: str = ""  # the first failing test, or what went wrong
    output: str = field(default="", repr=False)


def run_tests(python: str, copy: Path, tests: Sequence[str], timeout: float, seed: str) -> Outcome:
    """Run ``tests`` in ``copy``: killed when pytest reports failures (or could not import the
    mutated code), survived when every test passed, error for a usage error or no tests."""
    command = [python, "-m", "pytest", *PYTEST_ARGS, f"--hypothesis-seed={seed}", *tests]
    shutil.rmtree(copy / ".hypothesis", ignore_errors=True)  # no example replayed from before
    started = time.monotonic()
    try:
        done = subprocess.run(
            command,
            cwd=copy,
            env=environment(copy, copy.parent / f"tmp-{copy.name}"),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as expired:
        output = expired.stdout if isinstance(expired.stdout, str) else ""
        return Outcome("timeout", time.monotonic() - started, f"over {timeout:.0f} s", output)
    seconds = time.monotonic() - started
    output = done.stdout + done.stderr
    if done.returncode == 0:
        return Outcome("survived", seconds, "", output)
    if done.returncode in (1, 2, 3):  # failures, interrupted (collection errors), internal
        return Outcome("killed", seconds, _first_failure(output), output)
    return Outcome("error", seconds, f"pytest exit status {done.returncode}", output)


def _first_failure(output: str) -> str:
    match = re.search(r"^(?:FAILED|ERROR) (\S+)", output, re.MULTILINE)
    if match:
        return match.group(1)
    lines = [line for line in output.splitlines() if line.strip()]
    return lines[-1][:120] if lines else ""


@dataclass
class Result:
    """A mutant and what its run gave."""

    mutant: Mutant
    outcome: Outcome


def run_mutant(
    python: str, copy: Path, mutant: Mutant, tests: Sequence[str], timeout: float, seed: str
) -> Outcome:
    """Apply ``mutant`` in ``copy``, run ``tests``, put the file back whatever happens."""
    path = copy / mutant.path
    before = path.read_text(encoding="utf-8")
    write_source(path, before.replace(mutant.original, mutant.mutated, 1))
    try:
        return run_tests(python, copy, tests, timeout, seed)
    finally:
        write_source(path, before)


def baseline(
    python: str, copies: Sequence[Path], tests: Sequence[str], timeout: float, seed: str
) -> list[Outcome]:
    """The targeted tests run unmutated, split over the copies."""
    chunks = [list(tests[index :: len(copies)]) for index in range(len(copies))]
    with ThreadPoolExecutor(max_workers=len(copies)) as pool:
        futures = [
            pool.submit(run_tests, python, copy, chunk, timeout * max(1, len(chunk)), seed)
            for copy, chunk in zip(copies, chunks, strict=True)
            if chunk
        ]
        return [future.result() for future in futures]


# -- the report ----------------------------------------------------------------------------------


def verdict(result: Result) -> str:
    """How a result counts: killed, survived, or an equivalent mutant's own verdicts."""
    status = result.outcome.status
    if result.mutant.equivalent:
        return "equivalent" if status == "survived" else f"equivalent, but {status}"
    return status


def report(results: Sequence[Result], wall: float, min_ratio: float) -> tuple[float, str]:
    """Print the table and the summary; the kill ratio and a one-line summary."""
    print(f"\n{'id':<4} {'result':<20} {'time':>6}  {'kind':<24} description / killed by")
    for result in results:
        mutant, outcome = result.mutant, result.outcome
        print(
            f"{mutant.id:<4} {verdict(result):<20} {outcome.seconds:>5.1f}s  {mutant.kind:<24}"
            f" {mutant.description}"
        )
        if outcome.detail and outcome.status != "survived":
            print(f"{'':<58} <- {outcome.detail}")
    counted = [r for r in results if not r.mutant.equivalent]
    killed = [r for r in counted if r.outcome.status in ("killed", "timeout")]
    survived = [r for r in counted if r.outcome.status == "survived"]
    ratio = len(killed) / len(counted) if counted else 1.0
    summary = (
        f"{len(killed)} of {len(counted)} non-equivalent mutants killed ({ratio:.1%});"
        f" {len(survived)} survived; {len(results) - len(counted)} equivalent;"
        f" {len(results)} mutants in {wall / 60:.1f} min"
    )
    print(f"\n{summary} (minimum {min_ratio:.0%})")
    for result in survived:
        print(f"  survived {result.mutant.id} ({result.mutant.path}): {result.mutant.description}")
    for result in results:
        if result.mutant.equivalent:
            print(f"  equivalent {result.mutant.id}: {result.mutant.reason}")
            if result.outcome.status != "survived":
                print(f"    but it was {result.outcome.status}: its reason is wrong")
    return ratio, summary


def write_json(path: str, results: Sequence[Result], ratio: float, wall: float) -> None:
    """The results as JSON, for comparing audits."""
    data = {
        "ratio": ratio,
        "seconds": wall,
        "mutants": [
            {
                "id": r.mutant.id,
                "file": r.mutant.path,
                "kind": r.mutant.kind,
                "description": r.mutant.description,
                "tests": list(r.mutant.tests),
                "equivalent": r.mutant.equivalent,
                "reason": r.mutant.reason,
                "status": r.outcome.status,
                "seconds": round(r.outcome.seconds, 1),
                "detail": r.outcome.detail,
            }
            for r in results
        ],
    }
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


# -- the command -------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these mutants")
    parser.add_argument("--jobs", type=int, default=1, help="mutants in parallel (default 1)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter for pytest")
    parser.add_argument("--workdir", help="where the copies go (kept; default: a temp dir)")
    parser.add_argument("--min-ratio", type=float, default=0.95, help="exit 1 below this")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per mutant")
    parser.add_argument("--seed", default=HYPOTHESIS_SEED, help="hypothesis seed (default 0)")
    parser.add_argument("--all-tests", action="store_true", help="run all of tests/ per mutant")
    parser.add_argument("--skip-baseline", action="store_true", help="no unmutated run first")
    parser.add_argument("--list", action="store_true", help="list and check the mutants, only")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be 1 or more")
    return args


def select(only: Sequence[str] | None) -> list[Mutant]:
    """The mutants asked for, in the list's order.

    :raises SystemExit: for an unknown id.
    """
    if not only:
        return list(MUTANTS)
    known = {mutant.id: mutant for mutant in MUTANTS}
    unknown = [name for name in only if name not in known]
    if unknown:
        raise SystemExit(f"unknown mutant id(s): {', '.join(unknown)}")
    wanted = set(only)
    return [mutant for mutant in MUTANTS if mutant.id in wanted]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the audit; the exit status (see the module's docstring)."""
    args = parse(argv)
    mutants = select(args.only)
    if args.list:
        for mutant in mutants:
            mark = " (equivalent)" if mutant.equivalent else ""
            print(f"{mutant.id:<4} {mutant.path:<48} {mutant.kind:<24} {mutant.description}{mark}")
        found = problems(mutants, REPO)
        print("\n".join(found) or f"{len(mutants)} mutants, every one applies to {REPO}")
        return 2 if found else 0
    started = time.monotonic()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="mutation-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return _audit(args, mutants, workdir, started)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def _audit(args: argparse.Namespace, mutants: list[Mutant], workdir: Path, started: float) -> int:
    jobs = min(args.jobs, len(mutants)) or 1
    files = tracked_files(REPO)
    copies = []
    for index in range(jobs):
        copy = workdir / f"copy-{index}"
        shutil.rmtree(copy, ignore_errors=True)
        copy_tree(REPO, files, copy)
        copies.append(copy)
    print(
        f"copied {len(files)} files of {REPO} into {jobs} cop{'y' if jobs == 1 else 'ies'}"
        f" under {workdir}"
    )
    found = problems(mutants, copies[0])
    found += [wrong for copy in copies if (wrong := check_import(args.python, copy))]
    if found:
        print("\n".join(found), file=sys.stderr)
        return 2
    print(f"each copy imports its own {PACKAGE} (PYTHONPATH first, run from its root)")
    targets = {mutant.id: ["tests"] if args.all_tests else list(mutant.tests) for mutant in mutants}
    if not args.skip_baseline:
        union = list(dict.fromkeys(test for tests in targets.values() for test in tests))
        print(f"baseline: {len(union)} targets, unmutated ...", flush=True)
        for outcome in baseline(args.python, copies, union, args.timeout, args.seed):
            if outcome.status != "survived":
                print(outcome.output[-4000:], file=sys.stderr)
                print(
                    f"the unmutated targeted tests fail ({outcome.status}: {outcome.detail});"
                    " no mutant can be judged",
                    file=sys.stderr,
                )
                return 2
        print(f"baseline passed in {(time.monotonic() - started) / 60:.1f} min", flush=True)
    free: queue.Queue[Path] = queue.Queue()
    for copy in copies:
        free.put(copy)
    printing = threading.Lock()

    def one(mutant: Mutant) -> Result:
        copy = free.get()
        try:
            outcome = run_mutant(
                args.python, copy, mutant, targets[mutant.id], args.timeout, args.seed
            )
        finally:
            free.put(copy)
        with printing:
            print(
                f"{mutant.id:<4} {outcome.status:<9} {outcome.seconds:>5.1f}s {outcome.detail}",
                flush=True,
            )
        return Result(mutant, outcome)

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        results = list(pool.map(one, mutants))
    except KeyboardInterrupt:  # the running pytest got the signal too; start no other mutant
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    wall = time.monotonic() - started
    ratio, _ = report(results, wall, args.min_ratio)
    if args.json:
        write_json(args.json, results, ratio, wall)
    if any(result.outcome.status == "error" for result in results):
        return 2
    return 1 if ratio < args.min_ratio else 0


if __name__ == "__main__":
    sys.exit(main())
