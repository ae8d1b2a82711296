"""Target health of Elastic Load Balancing target groups, checked on the virtual clock.

moto keeps every registered target ``healthy``. Here each target group checks its targets
every ``HealthCheckIntervalSeconds`` of virtual time, as an Application Load Balancer does
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html):

- a newly registered target is ``initial`` until it passes one health check;
- a ``healthy`` target becomes ``unhealthy`` after ``UnhealthyThresholdCount`` consecutive
  failures (default 2, so with the default 30 s interval a dead target leaves rotation
  30 to 60 s after it dies);
- an ``unhealthy`` target becomes ``healthy`` after ``HealthyThresholdCount`` consecutive
  successes (default 5: two and a half minutes);
- a deregistered target is ``draining`` for the deregistration delay (default 300 s) and
  gets no new requests;
- a target in an Availability Zone the load balancer does not use, or in a group no load
  balancer uses, is ``unused``;
- with the target group attribute ``load_balancing.cross_zone.enabled`` = ``false`` (ALBs
  allow it per target group since November 2022), each load balancer node sends its requests
  only to targets in its own AZ (:meth:`TargetGroupHealth.zonal_rotation`).

A check passes when the instance is running, its host and AZ are up, and its web server
answers on the health-check port (see :class:`~cloudlab.sim.ec2.InstanceRecord.serves`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["TargetGroupHealth", "TargetState"]

#: Reason codes and descriptions as ``describe_target_health`` gives them.
REASONS = {
    "registering": ("Elb.RegistrationInProgress", "Target registration is in progress"),
    "initial": ("Elb.InitialHealthChecking", "Initial health checks in progress"),
    "failed": ("Target.FailedHealthChecks", "Health checks failed"),
    "timeout": ("Target.Timeout", "Request timed out"),
    "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress"),
    "not_in_use": ("Target.NotInUse", "Target group is not configured to receive traffic "
                                      "from the load balancer"),
    "az": ("Target.NotInUse", "Target is in an Availability Zone that is not enabled for "
                              "the load balancer"),
    "invalid": ("Target.InvalidState", "Target is in the stopped or terminated state"),
}


@dataclass
class TargetState:
    """Health of one registered target (an instance and port)."""

    target_id: str
    port: int
    registered_t: float
    state: str = "initial"
    reason: str | None = "registering"
    successes: int = 0
    failures: int = 0
    drain_until: float | None = None
    history: list[tuple[float, str]] = field(default_factory=list)

    def set(self, t: float, state: str, reason: str | None) -> None:
        if state != self.state:
            self.history.append((t, state))
        self.state, self.reason = state, reason

    def describe(self) -> dict[str, Any]:
        """The ``TargetHealth`` member of ``describe_target_health``."""
        out: dict[str, Any] = {"State": self.state}
        if self.reason is not None:
            code, text = REASONS[self.reason]
            out["Reason"], out["Description"] = code, text
        return out


@dataclass
class _Steady:
    """A round of health checks after which the next rounds change nothing but the success
    counts of the ``passing`` targets and the ``checking`` targets (checked one by one as in
    a full round), while the instance book's ``generation`` and the group's ``version`` stay
    the same and the time is before ``until`` (rounds run on the clock, whose time only
    grows)."""

    generation: int
    version: int
    until: float
    passing: list[TargetState]
    #: targets that are neither passing nor unused (booting, failing): each round checks them
    checking: list[TargetState] = field(default_factory=list)

    def holds(self, generation: int, version: int, t: float) -> bool:
        return generation == self.generation and version == self.version and t < self.until


@dataclass
class TargetGroupHealth:
    """One target group's health-check settings and its targets' states."""

    arn: str
    name: str
    port: int
    interval_s: float = 30.0
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    check_port: str = "traffic-port"
    deregistration_delay_s: float = 300.0
    cross_zone: bool = True
    load_balancers: tuple[str, ...] = ()
    lb_azs: frozenset[str] = frozenset()
    targets: dict[tuple[str, int], TargetState] = field(default_factory=dict)
    event: Any = None
    #: a Classic Load Balancer's instances: no failing open when none is healthy
    classic: bool = False
    #: changes whenever a target is added, removed or changes state, or settings change
    version: int = 0
    #: changes whenever a target may have become or stopped being ``unhealthy`` (a change of
    #: state to or from it, registrations, settings): what Auto Scaling's ELB health reads
    unhealthy_version: int = 0
    #: what the last round found, if the next rounds only count successes (see check())
    _steady: _Steady | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_api(cls, tg: dict[str, Any], attributes: dict[str, str]) -> TargetGroupHealth:
        return cls(
            arn=tg["TargetGroupArn"],
            name=tg["TargetGroupName"],
            port=int(tg.get("Port") or 80),
            interval_s=float(tg.get("HealthCheckIntervalSeconds") or 30),
            healthy_threshold=int(tg.get("HealthyThresholdCount") or 5),
            unhealthy_threshold=int(tg.get("UnhealthyThresholdCount") or 2),
            check_port=str(tg.get("HealthCheckPort") or "traffic-port"),
            deregistration_delay_s=float(
                attributes.get("deregistration_delay.timeout_seconds", 300)),
            # an ALB always balances across zones unless the target group turns it off
            cross_zone=attributes.get("load_balancing.cross_zone.enabled") != "false",
            load_balancers=tuple(tg.get("LoadBalancerArns") or ()),
        )

    def update_settings(self, other: TargetGroupHealth) -> None:
        for name in ("port", "interval_s", "healthy_threshold", "unhealthy_threshold",
                     "check_port", "deregistration_delay_s", "cross_zone", "load_balancers",
                     "classic"):
            setattr(self, name, getattr(other, name))
        self.version += 1
        self.unhealthy_version += 1

    def port_checked(self, target: TargetState) -> int:
        return target.port if self.check_port == "traffic-port" else int(self.check_port)

    # -- registrations ------------------------------------------------------------------
    def sync_registrations(self, registered: set[tuple[str, int]], t: float) -> None:
        self.version += 1
        self.unhealthy_version += 1
        for key in registered:
            current = self.targets.get(key)
            if current is None or current.state == "draining":
                self.targets[key] = TargetState(key[0], key[1], registered_t=t)
        for key, target in list(self.targets.items()):
            if key not in registered and target.state != "draining":
                target.set(t, "draining", "draining")
                target.drain_until = t + self.deregistration_delay_s

    # -- the check ----------------------------------------------------------------------
    def check(self, t: float, book: Any) -> None:
        """Run one round of health checks at virtual time ``t``."""
        steady = self._steady
        if steady is not None and steady.holds(book.generation, self.version, t):
            # Nothing a round reads has changed: every passing target passes again (its
            # success count grows, as in _apply), the unused ones stay as they are, and only
            # the targets still on their way (booting, failing) are checked.
            for target in steady.passing:
                target.successes += 1
            if steady.checking:
                records, down_azs = book.records, book.down_azs
                for target in steady.checking:
                    self._check_target(target, records.get(target.target_id), t, down_azs)
            return
        records, down_azs = book.records, book.down_azs
        passing: list[TargetState] = []
        checking: list[TargetState] = []
        until = math.inf
        for key, target in list(self.targets.items()):
            if target.state == "draining":
                if target.drain_until is not None:
                    if t >= target.drain_until:
                        del self.targets[key]
                        self.version += 1
                    else:
                        until = min(until, target.drain_until)
                continue
            record = records.get(target.target_id)
            if record is not None and record.ended_t is not None and record.ended_t > t:
                until = min(until, record.ended_t)  # stops serving and running then
            passed = self._check_target(target, record, t, down_azs)
            if passed is not None:
                (passing if passed else checking).append(target)
        # Unused targets stay unused and passing ones pass while the instance book (its
        # records, failures and AZ outages: `generation`) and the group (targets, states,
        # settings: `version`) stay the same, until an instance ends or a drain is over:
        # a passing target stays passing (running and serving are reached once and for
        # all), and the reasons a target is unused cannot change by themselves. Each
        # target's check reads and changes nothing of the others, so the next rounds
        # check the others alone; once one changes state (`version`), a round is in full.
        self._steady = _Steady(book.generation, self.version, until, passing, checking)

    def _check_target(self, target: TargetState, record: Any, t: float,
                      down_azs: set[str]) -> bool | None:
        """Check one target that is not draining: ``None`` if it is unused, else whether it
        passed and is healthy (``False``: it is still on its way, or failing)."""
        before = target.state
        passed: bool | None = None
        lb_azs = self.lb_azs
        if not self.load_balancers:
            target.set(t, "unused", "not_in_use")
        elif record is not None and lb_azs and record.az not in lb_azs:
            target.set(t, "unused", "az")
        elif record is None or record.state_at(t) in ("stopped", "terminated"):
            target.set(t, "unused", "invalid")
        else:
            port = (target.port if self.check_port == "traffic-port"  # port_checked()
                    else int(self.check_port))
            ok = record.serves(t, down_azs, port)
            self._apply(target, ok, t)
            passed = ok and target.state == "healthy"
        if target.state != before:
            self.version += 1
            if "unhealthy" in (before, target.state):
                self.unhealthy_version += 1
        return passed

    def _apply(self, target: TargetState, ok: bool, t: float) -> None:
        if ok:
            target.successes += 1
            target.failures = 0
            if target.state in ("initial", "unused"):
                target.set(t, "healthy", None)  # a new target needs one passing check
            elif target.state == "unhealthy" and target.successes >= self.healthy_threshold:
                target.set(t, "healthy", None)
        else:
            target.failures += 1
            target.successes = 0
            if target.state == "initial":
                target.reason = "initial"
                if target.failures >= self.unhealthy_threshold:
                    target.set(t, "unhealthy", "failed")
            elif target.state == "unused" or (
                    target.state == "healthy" and target.failures >= self.unhealthy_threshold):
                target.set(t, "unhealthy", "failed")

    # -- routing ------------------------------------------------------------------------
    def in_rotation(self) -> list[TargetState]:
        """Targets that get new requests: the healthy ones, or every registered target
        that is not draining when none is healthy (an ALB *fails open*; a Classic Load
        Balancer does not: with no healthy instance it answers 503)."""
        live = [t for t in self.targets.values() if t.state not in ("draining", "unused")]
        healthy = [t for t in live if t.state == "healthy"]
        if self.classic:
            return healthy
        return healthy or [t for t in live if t.state == "unhealthy"]

    def zonal_rotation(self, zones: frozenset[str],
                       book: Any) -> list[tuple[str, list[TargetState]]]:
        """With cross-zone load balancing off: each load balancer node (one per AZ in
        ``zones``) and the targets of its own AZ that get its requests.

        A node whose AZ has no healthy target is taken out of DNS (DNS failover, default
        threshold one healthy target), so the other nodes share the requests; when no AZ has
        a healthy target, every node fails open to the unhealthy targets of its own AZ.
        https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health.html
        """
        live = [t for t in self.targets.values() if t.state not in ("draining", "unused")]
        by_az: dict[str, list[TargetState]] = {az: [] for az in sorted(zones)}
        for target in live:
            record = book.records.get(target.target_id)
            if record is not None and record.az in by_az:
                by_az[record.az].append(target)
        healthy = [(az, [t for t in ts if t.state == "healthy"]) for az, ts in by_az.items()]
        healthy = [(az, ts) for az, ts in healthy if ts]
        if healthy or self.classic:
            return healthy
        return [(az, [t for t in ts if t.state == "unhealthy"]) for az, ts in by_az.items()]

    def counts(self) -> dict[str, int]:
        """How many targets are in each state."""
        out: dict[str, int] = {}
        for target in self.targets.values():
            out[target.state] = out.get(target.state, 0) + 1
        return out
