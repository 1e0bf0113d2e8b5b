"""The deployments' EventBridge events on moto's default event bus, while moto is in play.

Each event the deployments make (:mod:`..engine.events.deployment_events`) is matched against the
rules of its account's and region's default bus in moto's EventBridge backend, and sent to
their targets by moto's own delivery (SQS queues, CloudWatch Logs groups, other buses), the
whole event as AWS sends it: moto's default template for a target with no input transformer
leaves ``account`` out, so such targets are given the event untransformed. A target moto
cannot deliver to (Lambda, SNS) is skipped with a warning naming it. Nothing of moto is
imported here: with moto's EventBridge not loaded, there is no rule to match.

Before moto answers any request, every deployment that follows a plan is brought up to now
(:meth:`~..engine.state.registry.ServiceDeploymentBackendDict.catch_up`), so a test that reads
a queue after ``freezegun``'s ``tick()`` finds the events of what has happened meanwhile,
though it asked nothing of ECS.

Each is an activation step: :data:`DELIVERY` and :data:`CATCH_UP`.
"""

from __future__ import annotations

import copy
import functools
import sys
import warnings
from collections.abc import Callable
from types import ModuleType

from ..engine.events.deployment_events import Event
from ..engine.state.process import mock_state
from ..patching import ImportPatch, Patch
from .presence import moto_in_play


def _deliver_to_moto(patch: Patch) -> None:
    mock_state.events.deliver_with(deliver)
    patch.on_undo(functools.partial(mock_state.events.deliver_with, None))


def _catch_up_first(patch: Patch, module: ModuleType) -> None:
    base = module.BaseResponse
    original: Callable[[object], object] = base.__dict__["call_action"]

    @functools.wraps(original)
    def call_action(self: object) -> object:
        if mock_state.active:
            mock_state.backends.catch_up()
        return original(self)

    patch.replace(base, "call_action", call_action)


def deliver(event: Event, at_ms: int) -> None:
    """Send ``event`` (made at ``at_ms``, epoch ms) to the targets of the rules it matches on
    moto's default event bus of its account and region."""
    if not moto_in_play():
        return
    models = sys.modules.get("moto.events.models")
    if models is None:
        return
    regions = dict.get(models.events_backends, event["account"])
    backend = None if regions is None else dict.get(regions, event["region"])
    bus = None if backend is None else backend.event_buses.get("default")
    if bus is None:
        return
    # moto's delivery reads ``time`` as epoch seconds and writes it as AWS does.
    message = {**event, "time": at_ms // 1000}
    # What an input transformer may also read (<aws.events.event.ingestion-time>).
    shaped = {**message, "ingestion-time": message["time"]}
    for rule in list(bus.rules.values()):
        if rule.state != "ENABLED":
            continue
        for target in list(rule.targets):
            one = copy.copy(rule)
            one.targets = [target]
            transform = bool(target.get("InputTransformer"))
            try:
                one.send_to_targets(
                    copy.deepcopy(shaped if transform else message), transform_input=transform
                )
            except NotImplementedError:
                warnings.warn(
                    f"moto cannot deliver the {event['detail-type']!r} event of rule"
                    f" {rule.name!r} to its target {target.get('Arn')!r}: skipped",
                    stacklevel=2,
                )


#: The deployments' events go to moto's default event bus while moto is in play.
DELIVERY = Patch("eventbridge", _deliver_to_moto)
#: Every planned deployment is brought up to now before moto answers a request.
CATCH_UP = ImportPatch("moto-catch-up", "moto.core.responses", _catch_up_first)

__all__ = ["CATCH_UP", "DELIVERY", "deliver"]
