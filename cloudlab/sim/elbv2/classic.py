"""Classic Load Balancers (boto3 service ``elb``) on the same health machinery as ALBs.

moto stores each Classic Load Balancer and its registered instances and always answers
``InService``. Here each one becomes a :class:`~cloudlab.sim.elbv2.balancers.Balancer` of
kind ``"classic"`` with a single :class:`~cloudlab.sim.elbv2.health.TargetGroupHealth`
keyed ``"classic:<name>"``, checked on the virtual clock as AWS documents
(https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-healthchecks.html,
read 2026-11-28):

- the health check comes from ``HealthCheck`` (``Target`` ``"HTTP:80/index.html"``,
  ``Interval``, ``UnhealthyThreshold``, ``HealthyThreshold``); without one, AWS's defaults
  (:data:`DEFAULT_HEALTH_CHECK`: every 30 s, 5 s timeout, out after 2 failures, in after 10
  passes). A check passes when the instance serves on the target's port;
- a newly registered instance is ``OutOfService`` ("Instance registration is still in
  progress.") until its first passing check ("A newly registered instance is considered
  healthy after it passes the first health check",
  https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-cloudwatch-metrics.html);
  one that failed ``UnhealthyThreshold`` checks first, or later, needs ``HealthyThreshold``
  passes in a row (with the defaults five minutes) to be ``InService`` again;
- ``describe_instance_health`` says ``InService`` / ``OutOfService`` with AWS's
  ``ReasonCode`` (``ELB`` or ``Instance``) and ``Description`` texts (:data:`DESCRIPTIONS`,
  from https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_InstanceState.html);
- requests go only to ``InService`` instances; with none, a Classic Load Balancer answers
  503 (it does not fail open as an ALB does:
  https://repost.aws/knowledge-center/503-error-classic);
- the ``CrossZoneLoadBalancing`` attribute decides cross-zone routing. AWS turns it off for a
  load balancer created through the API or CLI and on in the console
  (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-disable-crosszone-lb.html);
  moto answers ``false`` unless it was modified, as the API does;
- with the ``ConnectionDraining`` attribute enabled, a deregistered instance stays
  ``InService`` ("Instance deregistration currently in progress.") for at most its
  ``Timeout`` (default 300 s) and gets no new requests; disabled (the API default), it is
  gone at once (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/config-conn-drain.html).
"""

from __future__ import annotations

from typing import Any

from cloudlab.sim.elbv2.health import TargetGroupHealth, TargetState

__all__ = ["DEFAULT_HEALTH_CHECK", "DESCRIPTIONS", "KEY_PREFIX", "describe_instance_states",
           "health_check_port", "read_classic"]

#: Prefix of the :class:`TargetGroupHealth` key of a Classic Load Balancer.
KEY_PREFIX = "classic:"

#: The health check AWS gives a Classic Load Balancer unless told otherwise.
DEFAULT_HEALTH_CHECK = {"Target": "HTTP:80/index.html", "Interval": 30, "Timeout": 5,
                        "UnhealthyThreshold": 2, "HealthyThreshold": 10}

#: ``(State, ReasonCode, Description)`` of ``describe_instance_health`` per situation.
DESCRIPTIONS = {
    "healthy": ("InService", "N/A", "N/A"),
    "registering": ("OutOfService", "ELB", "Instance registration is still in progress."),
    "not_yet": ("OutOfService", "Instance", "Instance has not passed the configured "
                "HealthyThreshold number of health checks consecutively."),
    "failed": ("OutOfService", "Instance", "Instance has failed at least the "
               "UnhealthyThreshold number of health checks consecutively."),
    "az": ("OutOfService", "ELB", "Instance is in the EC2 Availability Zone for which "
           "LoadBalancer is not configured to route traffic to."),
    "stopped": ("OutOfService", "Instance", "Instance is in stopped state."),
    "draining": ("InService", "N/A", "Instance deregistration currently in progress."),
}


def health_check_port(target: str) -> int:
    """The port of a health-check ``Target`` such as ``"HTTP:80/index.html"`` or ``"TCP:22"``."""
    rest = target.split(":", 1)[-1]
    digits = rest.split("/", 1)[0]
    return int(digits) if digits.isdigit() else 80


def read_classic(cloud: Any, known_created: dict[str, float], now: float
                 ) -> list[tuple[Any, TargetGroupHealth, set[tuple[str, int]]]]:
    """Every Classic Load Balancer of ``cloud``: its :class:`Balancer`, a fresh
    :class:`TargetGroupHealth` with its settings, and its registered ``(instance, port)``."""
    from cloudlab.sim.elbv2.balancers import Balancer

    elb = cloud.client("elb")
    out = []
    subnet_azs: dict[str, str] | None = None
    for lb in elb.describe_load_balancers().get("LoadBalancerDescriptions", []):
        name = lb["LoadBalancerName"]
        arn = f"arn:aws:elasticloadbalancing:{cloud.region}:123456789012:loadbalancer/{name}"
        azs = set(lb.get("AvailabilityZones") or ())
        if not azs and lb.get("Subnets"):
            if subnet_azs is None:
                subnet_azs = {s["SubnetId"]: s["AvailabilityZone"] for s in
                              cloud.client("ec2").describe_subnets().get("Subnets", [])}
            azs = {subnet_azs[s] for s in lb["Subnets"] if s in subnet_azs}
        key = KEY_PREFIX + name
        balancer = Balancer(arn=arn, name=name, dns_name=lb.get("DNSName", ""), kind="classic",
                            azs=frozenset(azs), created_t=known_created.setdefault(arn, now),
                            target_groups=(key,))
        check = {**DEFAULT_HEALTH_CHECK, **(lb.get("HealthCheck") or {})}
        listeners = [d["Listener"] for d in lb.get("ListenerDescriptions", [])]
        port = int(listeners[0].get("InstancePort") or 80) if listeners else 80
        attrs = elb.describe_load_balancer_attributes(LoadBalancerName=name).get(
            "LoadBalancerAttributes", {})
        draining = attrs.get("ConnectionDraining") or {}
        group = TargetGroupHealth(
            arn=key, name=name, port=port, interval_s=float(check["Interval"]),
            healthy_threshold=int(check["HealthyThreshold"]),
            unhealthy_threshold=int(check["UnhealthyThreshold"]),
            check_port=str(health_check_port(str(check["Target"]))),
            deregistration_delay_s=(float(draining.get("Timeout") or 300)
                                    if draining.get("Enabled") else 0.0),
            cross_zone=bool((attrs.get("CrossZoneLoadBalancing") or {}).get("Enabled")),
            load_balancers=(arn,), classic=True)
        registered = {(i["InstanceId"], port) for i in lb.get("Instances", [])}
        out.append((balancer, group, registered))
    return out


def _situation(target: TargetState, group: TargetGroupHealth) -> str:
    if target.state == "healthy":
        return "healthy"
    if target.state == "draining":
        return "draining"
    if target.state == "unused":
        return "az" if target.reason == "az" else "stopped"
    if target.state == "initial":
        return "registering" if target.reason == "registering" else "not_yet"
    return "failed" if target.failures >= group.unhealthy_threshold else "not_yet"


def describe_instance_states(group: TargetGroupHealth, params: dict[str, Any], book: Any,
                             t: float) -> list[dict[str, str]]:
    """The ``InstanceStates`` of ``describe_instance_health`` for one Classic Load Balancer:
    registered instances (and draining ones), or those asked for in ``Instances``."""
    states = {}
    for target in group.targets.values():
        if target.state == "draining" and (target.drain_until is None or t >= target.drain_until):
            continue
        state, code, text = DESCRIPTIONS[_situation(target, group)]
        states[target.target_id] = {"InstanceId": target.target_id, "State": state,
                                    "ReasonCode": code, "Description": text}
    wanted = [i.get("InstanceId", "") for i in params.get("Instances") or []]
    if not wanted:
        return [states[i] for i in sorted(states)]
    out = []
    for iid in wanted:
        record = book.records.get(iid)
        if record is not None and record.state_at(t) == "terminated":
            continue  # AWS does not return the state of terminated instances
        out.append(states.get(iid) or {
            "InstanceId": iid, "State": "OutOfService", "ReasonCode": "N/A",
            "Description": "Instance is not currently registered with the LoadBalancer."})
    return out
