"""Failure injection: break things on purpose, now or at a virtual time, and watch recovery.

"Everything fails, all the time" (Werner Vogels). These functions break the mini cloud the
way real systems break, so a learner can see which architecture survives:

- :func:`fail_instance`: the instance's host fails; EC2 status checks report ``impaired``,
  nothing answers. Auto Scaling replaces it (with either health check type).
- :func:`crash_web_server`: the web server process dies but the instance runs on. Only an
  HTTP health check notices: a group with ``HealthCheckType="EC2"`` keeps the broken
  instance in service (the classic trap); ``"ELB"`` replaces it.
- :func:`fail_az` / :func:`restore_az`: an Availability Zone goes dark (its instances stop
  answering, Auto Scaling launches elsewhere) and comes back (the group rebalances).
- :func:`noisy_neighbour`: an instance delivers only a share of its normal throughput.

Each takes ``at=`` (a ``datetime`` or seconds of virtual time) to strike later, e.g. in the
middle of a ``cloud.run(...)``, and each is recorded in :func:`failure_log` (markers on
charts). A bad deployment is not a function here: make a new launch template version whose
user data never starts the web server and point the group at it; the simulation does the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cloudlab.errors import InvalidScenario
from cloudlab.sim.ec2.instances import instance_book

__all__ = ["FailureLog", "crash_web_server", "fail_az", "fail_instance", "failure_log",
           "noisy_neighbour", "restore_az"]


@dataclass
class FailureLog:
    """Every injected failure and recovery of one cloud: ``(t_s, label, kind)``."""

    entries: list[tuple[float, str, str]] = field(default_factory=list)
    listeners: list[Callable[[float, str, str], None]] = field(default_factory=list)

    def add(self, t_s: float, label: str, kind: str) -> None:
        self.entries.append((t_s, label, kind))
        for listener in list(self.listeners):
            listener(t_s, label, kind)


def failure_log(cloud: Any) -> FailureLog:
    """The per-cloud :class:`FailureLog`."""
    return cloud.state("sim.failures", FailureLog)  # type: ignore[no-any-return]


def _when(cloud: Any, at: datetime | float | None, action: Callable[[], None],
          name: str) -> None:
    if at is None:
        action()
        return
    cloud.clock.schedule_at(at, lambda clock: action(), name=name)


def _changed(cloud: Any) -> None:
    instance_book(cloud).changed()


def fail_instance(cloud: Any, instance_id: str, *, at: datetime | float | None = None) -> None:
    """Fail the host under ``instance_id`` (now, or ``at`` a virtual time)."""
    record = instance_book(cloud).get(instance_id)

    def act() -> None:
        record.host_failed = True
        _changed(cloud)
        failure_log(cloud).add(cloud.t, f"host of {instance_id} failed", "failure")
    _when(cloud, at, act, f"fail {instance_id}")


def crash_web_server(cloud: Any, instance_id: str, *,
                     at: datetime | float | None = None) -> None:
    """Kill the web server on ``instance_id``; the instance itself keeps running."""
    record = instance_book(cloud).get(instance_id)

    def act() -> None:
        record.app_crashed = True
        _changed(cloud)
        failure_log(cloud).add(cloud.t, f"web server on {instance_id} crashed", "failure")
    _when(cloud, at, act, f"crash web server on {instance_id}")


def _check_az(cloud: Any, az: str) -> None:
    if az not in cloud.azs():
        raise InvalidScenario(f"{az!r} is not an Availability Zone of {cloud.region}; "
                              f"choose one of {', '.join(cloud.azs())}")


def fail_az(cloud: Any, az: str, *, at: datetime | float | None = None) -> None:
    """Take Availability Zone ``az`` down: its instances stop answering and fail status
    checks, and Auto Scaling launches no instance there until :func:`restore_az`."""
    _check_az(cloud, az)
    book = instance_book(cloud)

    def act() -> None:
        book.down_azs.add(az)
        _changed(cloud)
        failure_log(cloud).add(cloud.t, f"{az} down", "failure")
    _when(cloud, at, act, f"fail {az}")


def restore_az(cloud: Any, az: str, *, at: datetime | float | None = None) -> None:
    """Bring ``az`` back. Instances that were replaced stay terminated; Auto Scaling
    rebalances groups into the zone again."""
    _check_az(cloud, az)
    book = instance_book(cloud)

    def act() -> None:
        book.down_azs.discard(az)
        _changed(cloud)
        failure_log(cloud).add(cloud.t, f"{az} restored", "recovery")
    _when(cloud, at, act, f"restore {az}")


def noisy_neighbour(cloud: Any, instance_id: str, *, speed: float = 0.5,
                    at: datetime | float | None = None) -> None:
    """Make ``instance_id`` deliver ``speed`` (0 < speed <= 1) of its normal throughput,
    as when another tenant's workload steals its host's CPU."""
    if not 0 < speed <= 1:
        raise InvalidScenario(f"speed must be > 0 and <= 1 (a share of normal throughput), "
                              f"got {speed!r}")
    record = instance_book(cloud).get(instance_id)

    def act() -> None:
        record.speed = float(speed)
        _changed(cloud)
        failure_log(cloud).add(cloud.t, f"noisy neighbour on {instance_id}: "
                                        f"{speed:.0%} speed", "failure")
    _when(cloud, at, act, f"noisy neighbour on {instance_id}")
