"""ListTasks, DescribeTasks and StopTask answered for the tasks of the services the mock
tracks (:mod:`~mock_ecs_deployments.engine.deployments.tasks`), beside moto's own tasks.

moto never starts tasks for a service, its ListTasks ignores ``serviceName``, does not default
``desiredStatus`` to RUNNING and has no paging, and its DescribeTasks moves a task's status
forward on every call. So moto's response methods are wrapped (as :mod:`.services` wraps the
service operations): ListTasks is answered here whole, the mock's tasks first (oldest first),
then moto's own (those RunTask and StartTask made) filtered with AWS's rules; DescribeTasks and
StopTask answer the mock's tasks from the engine and pass any other task to moto (StopTask of
a task neither holds is refused as AWS refuses it, where moto would raise a bare exception).
Each answer is built under the backend's lock, from one view of the state brought up to now;
:mod:`~mock_ecs_deployments.protocol.task_fields` writes a task's JSON. Everything is put back
when the step's patch is undone (:data:`~mock_ecs_deployments.beside_moto.dispatch.TASKS`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

from ..engine.deployments import tasks
from ..engine.model import pagination
from ..engine.model.clock import now_ms
from ..engine.model.exceptions import (
    InvalidParameterException,
    ServiceDeploymentsError,
)
from ..engine.model.records import Service, Task
from ..engine.model.service_model import enum_values
from ..engine.state.backend import ServiceDeploymentBackend
from ..engine.state.registry import service_deployment_backends
from ..patching import Patch
from ..protocol.dispatch import JSON_CONTENT_TYPE, error_reply
from ..protocol.dispatch import Reply as Answer
from ..protocol.shapes import dumps
from ..protocol.task_fields import TaskShape, placement, task_shape
from .peer import MotoActionResult, MotoEcsResponse, MotoTask, MotoTaskBackend
from .view import for_moto

#: A method of moto's response class: an ``ActionResult``, or an answer of its own.
Operation = Callable[[MotoEcsResponse], "MotoActionResult | Answer"]

#: ListTasks' and DescribeTasks' limits (botocore's documentation of the two).
MAX_RESULTS_LIMIT = 100
DESCRIBE_LIMIT = 100
#: StopTask's stop code, and the reason AWS gives when the request names none (as AWS's
#: StopTask example shows).
USER_STOP = "UserInitiated"
USER_STOP_REASON = "Task stopped by user"
#: StopTask's message, as AWS's, for a task neither the mock nor moto holds.
TASK_NOT_FOUND = "The referenced task was not found."
# The position of a moto task in a ListTasks token: after every task of the mock.
_MOTO_TASKS = 1 << 120
# A task as StopTask may name it: an ARN (long or short form) or an id, AWS's 32 hexadecimal
# digits or moto's UUID.
_TASK_ID = r"(?:[0-9a-f]{32}|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})"
_TASK_REFERENCE = re.compile(
    rf"(?:arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{{12}}:task/(?:[A-Za-z0-9_-]+/)?)?(?P<id>{_TASK_ID})"
)


def install(patch: Patch, responses: type) -> None:
    """Wrap the task operations of moto's ECS response class; ``patch`` keeps the originals
    and puts them back when it is undone."""
    wrappers: tuple[tuple[str, Callable[[Operation], Operation]], ...] = (
        ("list_tasks", _listed),
        ("describe_tasks", _described),
        ("stop_task", _stopped),
    )
    for name, wrap in wrappers:
        original: Operation = responses.__dict__[name]
        patch.replace(responses, name, wrap(original))


def _answered(
    operate: Callable[[MotoEcsResponse, Operation], MotoActionResult | Answer],
) -> Callable[[Operation], Operation]:
    """``operate`` as the wrapper of a moto method: a modeled error becomes AWS's answer."""

    def wrap(original: Operation) -> Operation:
        @functools.wraps(original)
        def wrapper(response: MotoEcsResponse) -> MotoActionResult | Answer:
            try:
                return operate(response, original)
            except ServiceDeploymentsError as error:
                return for_moto(error_reply(error))

        return wrapper

    return wrap


def _ok(payload: object) -> Answer:
    return 200, {"Content-Type": JSON_CONTENT_TYPE, "status": "200"}, dumps(payload)


# -- the request's cluster and the mock's tasks in it ------------------------------------------


def _backends(response: MotoEcsResponse) -> tuple[ServiceDeploymentBackend, MotoTaskBackend]:
    backend = service_deployment_backends[response.current_account][response.region]
    # Reading moto's backend through the response first makes the services seeded in the
    # mock alone in it (seeded.py), clusters included.
    return backend, cast(MotoTaskBackend, response.ecs_backend)


def _shown(task: Task, moto_backend: MotoTaskBackend) -> TaskShape:
    """``task`` as AWS's ``Task`` shape, with the cpu and memory of moto's task definition
    when moto holds it."""
    try:
        definition = moto_backend.describe_task_definition(task.revision.task_definition)
    except Exception:  # moto's own error for a task definition it does not hold
        return task_shape(task)
    return task_shape(task, cpu=definition.cpu, memory=definition.memory)


def _string(params: Mapping[str, object], name: str, *, required: bool = False) -> str | None:
    value = params.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidParameterException(f"{name} must be a string; got {value!r}.")
    if not value and required:
        raise InvalidParameterException(f"{name} is required.")
    return value or None


def _enum(params: Mapping[str, object], name: str, shape: str) -> str | None:
    value = _string(params, name)
    allowed = enum_values(shape)
    if value is not None and value not in allowed:
        raise InvalidParameterException(
            f"Invalid {name} value: {value}. Valid values: {', '.join(allowed)}."
        )
    return value


def _services(backend: ServiceDeploymentBackend, cluster: str, now: int) -> list[Service]:
    """The ACTIVE services of ``cluster`` the mock tracks, each brought up to ``now``."""
    found = []
    for key in [key for key in backend.services if key[0] == cluster]:
        record = backend.current_service(*key)  # moto may have deleted or replaced it
        if record is not None and record.status == "ACTIVE":
            backend.refresh(record, now)
            found.append(record)
    return found


def _named(
    backend: ServiceDeploymentBackend, cluster: str, references: list[str], now: int
) -> dict[str, Task]:
    """The mock's tasks ``references`` (ARNs or ids) name, by reference: each found by its id
    (``find_task``), its service brought up to ``now``; the other services are not visited."""
    named: dict[str, Task] = {}
    for reference in references:
        task = backend.find_task(reference, cluster)
        if task is not None:
            backend.refresh(task.service, now)
            named[reference] = task
    return named


# -- ListTasks ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Filters:
    """What ListTasks keeps: AWS's filters, ``desiredStatus`` RUNNING when not given."""

    service_name: str | None
    family: str | None
    started_by: str | None
    desired_status: str
    launch_type: str | None
    container_instance: str | None
    daemon_name: str | None

    @classmethod
    def of(cls, params: Mapping[str, object]) -> _Filters:
        """The filters of a ListTasks request.

        :raises InvalidParameterException: a value of the wrong type or outside its enum, or
            ``startedBy`` with another filter.
        """
        filters = cls(
            _string(params, "serviceName"),
            _string(params, "family"),
            _string(params, "startedBy"),
            _enum(params, "desiredStatus", "DesiredStatus") or "RUNNING",
            _enum(params, "launchType", "LaunchType"),
            _string(params, "containerInstance"),
            _string(params, "daemonName"),
        )
        others = (filters.service_name, filters.family, filters.launch_type)
        if filters.started_by is not None and any((*others, filters.container_instance)):
            # AWS's words: "cannot specify startedBy with other arguments".
            raise InvalidParameterException("cannot specify startedBy with other arguments")
        return filters

    def scope(self, backend: ServiceDeploymentBackend, cluster: str) -> str:
        """What a nextToken is bound to: the account, region, cluster and every filter."""
        where = (backend.account_id, backend.region_name, cluster)
        values = (self.service_name, self.family, self.started_by, self.desired_status)
        more = (self.launch_type, self.container_instance, self.daemon_name)
        return "|".join((*where, *map(str, values + more)))

    def keeps(self, task: Task) -> bool:
        """Whether the mock's ``task`` matches (it runs on no container instance, in no
        daemon)."""
        revision = task.revision
        return (
            task.desired_status == self.desired_status
            and self.container_instance is None
            and self.daemon_name is None
            and (self.started_by is None or task.started_by == self.started_by)
            and (self.family is None or _family(revision.task_definition) == self.family)
            and (self.launch_type is None or placement(revision)[0] == self.launch_type)
        )

    def keeps_moto(self, task: MotoTask) -> bool:
        """Whether moto's ``task`` matches (moto starts none for a service or a daemon)."""
        instance = task.container_instance_arn or ""
        return (
            self.service_name is None
            and self.daemon_name is None
            and task.desired_status == self.desired_status
            and (self.started_by is None or task.started_by == self.started_by)
            and (self.family is None or _family(task.task_definition_arn) == self.family)
            and (self.launch_type is None or task.launch_type == self.launch_type)
            and (
                self.container_instance is None
                or self.container_instance in (instance, instance.rpartition("/")[2])
            )
        )


def _family(task_definition: str) -> str:
    return task_definition.rpartition("/")[2].partition(":")[0]


def _list_tasks(response: MotoEcsResponse, original: Operation) -> Answer:
    params = response.params
    filters = _Filters.of(params)
    limit = params.get("maxResults", MAX_RESULTS_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_RESULTS_LIMIT:
        raise InvalidParameterException(
            f"maxResults must be between 1 and {MAX_RESULTS_LIMIT}; got {limit!r}."
        )
    token = _string(params, "nextToken")
    backend, moto_backend = _backends(response)
    with backend.lock:
        now = now_ms()
        backend.catch_up(now)
        cluster = backend.existing_cluster(_string(params, "cluster"))
        scope = filters.scope(backend, cluster)
        if filters.service_name is not None:
            record = backend.find_service(filters.service_name, cluster)
            backend.refresh(record, now)
            services = [record]
        else:
            services = _services(backend, cluster, now)
        after = -1 if token is None else pagination.decode(token, scope)
        found = sorted(
            (_position(task), task.arn)
            for service in services
            for task in tasks.tasks_of(service)
            if filters.keeps(task)
        )
        theirs = moto_backend.tasks.get(cluster, {})
        found += [
            (_MOTO_TASKS + index, task.task_arn)  # moto never forgets a task: stable
            for index, task in enumerate(theirs.values())
            if filters.keeps_moto(task)
        ]
        rest = [item for item in found if item[0] > after]
        page = rest[:limit]
        answer: dict[str, object] = {"taskArns": [arn for _, arn in page]}
        if len(rest) > len(page):  # a token only when a further task matches
            answer["nextToken"] = pagination.encode(page[-1][0], scope)
        return _ok(answer)


def _position(task: Task) -> int:
    """Where a mock task sorts: by when it was created, then by its id."""
    return (task.created_ms << 64) | int(task.id[:16], 16)


# -- DescribeTasks ------------------------------------------------------------------------------


def _describe_tasks(response: MotoEcsResponse, original: Operation) -> MotoActionResult | Answer:
    params = response.params
    references = params.get("tasks")
    if not isinstance(references, list) or not all(isinstance(r, str) for r in references):
        raise InvalidParameterException("tasks must be a list of task IDs or ARNs.")
    if not references:
        raise InvalidParameterException("Tasks cannot be empty.")
    if len(references) > DESCRIBE_LIMIT:
        raise InvalidParameterException(
            f"tasks can have at most {DESCRIBE_LIMIT} items; got {len(references)}."
        )
    backend, moto_backend = _backends(response)
    with backend.lock:
        now = now_ms()
        backend.catch_up(now)
        cluster = backend.existing_cluster(_string(params, "cluster"))
        ours = _named(backend, cluster, references, now)
        shown = {ref: _shown(task, moto_backend) for ref, task in ours.items()}
    if not shown:
        return original(response)
    result = original(response)  # moto's tasks, as moto answers them (moto's errors stand)
    if isinstance(result, tuple):
        return result
    status, headers, body = response.serialized(result)
    return for_moto((status, headers, dumps(_merged(references, shown, body))))


def _merged(references: list[str], shown: dict[str, TaskShape], body: str) -> dict[str, object]:
    """The answer in request order, each task once: the mock's tasks, moto's, then a MISSING
    failure for each reference neither holds."""
    theirs: list[dict[str, object]] = json.loads(body).get("tasks") or []
    ours = cast(dict[str, dict[str, object]], shown)
    moto_by_reference: dict[str, dict[str, object]] = {}
    for moto_task in theirs:
        arn = str(moto_task.get("taskArn", ""))
        moto_by_reference[arn] = moto_by_reference[arn.rpartition("/")[2]] = moto_task
    described: list[object] = []
    failures: list[dict[str, str]] = []
    placed: set[str] = set()
    for reference in dict.fromkeys(references):
        task = ours.get(reference) or moto_by_reference.get(reference)
        if task is None:
            failures.append({"arn": reference, "reason": "MISSING"})
        elif str(task.get("taskArn")) not in placed:
            placed.add(str(task.get("taskArn")))
            described.append(task)
    described += [task for task in theirs if str(task.get("taskArn")) not in placed]
    return {"tasks": described, "failures": failures}


# -- StopTask -----------------------------------------------------------------------------------


def _stop_task(response: MotoEcsResponse, original: Operation) -> MotoActionResult | Answer:
    params = response.params
    reference = _string(params, "task", required=True)
    reason = _string(params, "reason") or USER_STOP_REASON
    assert reference is not None
    backend, moto_backend = _backends(response)
    with backend.lock:
        now = now_ms()
        backend.catch_up(now)
        cluster = backend.existing_cluster(_string(params, "cluster"))
        task = _named(backend, cluster, [reference], now).get(reference)
        if task is not None:
            stop(task, reason, now)
            return _ok({"task": _shown(task, moto_backend)})
        well_formed = _TASK_REFERENCE.fullmatch(reference)
        if well_formed and not _moto_holds(moto_backend, cluster, well_formed["id"]):
            # moto raises a bare Exception here; AWS answers a modeled error.
            raise InvalidParameterException(TASK_NOT_FOUND)
    return original(response)


def _moto_holds(moto_backend: MotoTaskBackend, cluster: str, task_id: str) -> bool:
    """Whether moto holds a task of ``cluster`` with the id ``task_id``."""
    theirs = moto_backend.tasks.get(cluster, {})
    return any(arn.rpartition("/")[2] == task_id for arn in theirs)


def stop(task: Task, reason: str, at_ms: int) -> None:
    """StopTask: ``task`` stops at ``at_ms`` (one that stopped already stays as it is), and
    the service replaces it: at once when no deployment is under way, else as the deployment
    ends, which leaves the service with its desired count."""
    service = task.service
    tasks.stop(service, [task], at_ms, USER_STOP, reason)  # passes over a stopped task
    tasks.scale(service, at_ms)


_listed = _answered(_list_tasks)
_described = _answered(_describe_tasks)
_stopped = _answered(_stop_task)

__all__ = ["TASK_NOT_FOUND", "USER_STOP", "USER_STOP_REASON", "install", "stop"]
