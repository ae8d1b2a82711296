"""One EC2 instance as the simulation sees it: :class:`InstanceRecord`.

What moto lacks about an instance, on the virtual clock: when it was launched, its boot
timeline (:class:`~cloudlab.sim.ec2.bootstrap.BootPlan`), the failures injected into it,
and the answers the rest of the simulation asks of it many times a virtual minute (its
state, whether it serves a request, how long it ran). The
:class:`~cloudlab.sim.ec2.instances.InstanceBook` keeps one record per instance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cloudlab.sim.ec2.bootstrap import BootPlan, Software

__all__ = ["InstanceRecord"]


@dataclass
class InstanceRecord:
    """One instance as the simulation sees it.

    Attributes:
        instance_id, instance_type, az, subnet_id, image_id, region: as EC2 reports them.
        launch_t: virtual seconds at launch (or at the last start after a stop).
        plan: the boot timeline from its AMI and user data.
        asg: the Auto Scaling group it belongs to, if any.
        ended_t: when it was stopped or terminated (``None`` while alive).
        ended: ``"terminated"`` or ``"stopped"`` once ended.
        host_failed: the underlying host failed: the instance fails EC2 status checks.
        app_crashed: the web server process died; the instance itself looks fine to EC2.
        speed: share of its normal throughput it delivers (below 1 with a noisy neighbour).
    """

    instance_id: str
    instance_type: str
    az: str
    subnet_id: str | None
    image_id: str
    region: str
    launch_t: float
    plan: BootPlan
    asg: str | None = None
    ended_t: float | None = None
    ended: str | None = None
    host_failed: bool = False
    app_crashed: bool = False
    speed: float = 1.0
    launch_template: tuple[str, str] | None = None
    public_ip: bool = False
    detailed_monitoring: bool = False
    history: list[tuple[float, str]] = field(default_factory=list)

    @property
    def running_t(self) -> float:
        """Virtual time the instance reaches ``running``."""
        return self.launch_t + self.plan.running_after_s

    @property
    def serving_t(self) -> float | None:
        """Virtual time its web server first answers (``None``: never)."""
        after = self.plan.serving_after_s
        return None if after is None else self.launch_t + after

    def state_at(self, t: float) -> str:
        """EC2 state name at virtual time ``t``: pending, running, stopped or terminated."""
        # called for every instance several times a virtual minute: no property calls
        ended_t = self.ended_t
        if ended_t is not None and t >= ended_t:
            return self.ended or "terminated"
        return "running" if t >= self.launch_t + self.plan.running_after_s else "pending"

    def impaired(self, down_azs: set[str]) -> bool:
        """Whether EC2 status checks fail (failed host or failed AZ)."""
        return self.host_failed or self.az in down_azs

    def serves(self, t: float, down_azs: set[str], port: int | None = None) -> bool:
        """Whether an HTTP request on ``port`` at time ``t`` gets an answer: the instance is
        running (not ended, past ``running_t``), not impaired, its web server has not
        crashed and answers by now (past ``serving_t``) on ``port``."""
        plan = self.plan
        serving_after = plan.serving_after_s
        if (serving_after is None or self.app_crashed or self.host_failed
                or self.az in down_azs or (port is not None and port != plan.port)):
            return False
        ended_t = self.ended_t
        if ended_t is not None and t >= ended_t:
            return False
        launch_t = self.launch_t
        return t >= launch_t + plan.running_after_s and t >= launch_t + serving_after

    def software_at(self, t: float, image: Software) -> Software:
        """What an AMI made at ``t`` would carry: all user data effects once it finished."""
        done = self.plan.steps[-1].at_s if self.plan.steps else 0.0
        return self.plan.software_after if t - self.launch_t >= done else image

    def running_seconds(self, t0: float, t1: float) -> float:
        """Seconds in ``running`` between ``t0`` and ``t1`` (what EC2 bills)."""
        end = t1 if self.ended_t is None else min(t1, self.ended_t)
        return max(0.0, end - max(t0, self.running_t))
