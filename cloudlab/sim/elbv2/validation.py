"""What Elastic Load Balancing refuses and moto accepts, checked before the call reaches moto.

Each check returns ``None`` when AWS would accept the call, else the ``(code, message)`` of
the error AWS answers; :mod:`cloudlab.sim.hooks` turns it into a botocore ``ClientError``.

- ``RegisterTargets`` with an EC2 instance that is not ``running`` (``pending`` included):
  ``InvalidTarget``, "The following targets are not in a running state and cannot be
  registered" (RegisterTargets API: "If the target is an EC2 instance, it must be in the
  running state when you register it"). moto refuses stopped instances, but its instances
  are never ``pending``: the simulation's instance book knows when they boot.
- ``CreateTargetGroup`` and ``ModifyTargetGroup`` with health-check settings out of range
  (interval 5-300 s, timeout 2-120 s, thresholds 2-10; the CreateTargetGroup API), or a
  timeout that is not smaller than the interval of an HTTP or HTTPS target group
  (``ValidationError``, "Health check interval must be greater than the timeout."). moto
  checks the timeout only when both values are given at creation, and nothing on modify.
- ``ModifyTargetGroupAttributes`` with ``load_balancing.cross_zone.enabled`` other than
  ``true``, ``false`` or ``use_load_balancer_configuration``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check_attributes", "check_health_check", "check_register_targets"]

Refusal = tuple[str, str]

#: (min, max) of each health-check setting (CreateTargetGroup API reference).
RANGES = {
    "HealthCheckIntervalSeconds": (5, 300),
    "HealthCheckTimeoutSeconds": (2, 120),
    "HealthyThresholdCount": (2, 10),
    "UnhealthyThresholdCount": (2, 10),
}

CROSS_ZONE = "load_balancing.cross_zone.enabled"
CROSS_ZONE_VALUES = ("true", "false", "use_load_balancer_configuration")


def check_register_targets(cloud: Any, params: dict[str, Any]) -> Refusal | None:
    """Refuse instances the instance book knows are not ``running`` now."""
    from cloudlab.sim.ec2.instances import instance_book

    book = instance_book(cloud)
    book.sync()  # instances Auto Scaling launched since the last read
    now = cloud.t
    bad: list[str] = []
    pending = False
    for target in params.get("Targets") or []:
        record = book.records.get(str(target.get("Id", "")))
        if record is None:
            continue  # not an instance the book knows (an IP or Lambda target): moto decides
        state = record.state_at(now)
        if state != "running" and record.instance_id not in bad:
            bad.append(record.instance_id)
            pending = pending or state == "pending"
    if not bad:
        return None
    listed = ", ".join(f"'{i}'" for i in bad)
    hint = ("wait until they are running (ec2.get_waiter('instance_running').wait("
            "InstanceIds=[...]), whose sleeps move the mini cloud's virtual clock, or "
            "cloud.advance(seconds=30)), then register them" if pending else
            "start them (ec2.start_instances) and wait until they are running, or register "
            "running instances instead")
    return ("InvalidTarget", "The following targets are not in a running state and cannot be "
                             f"registered: {listed}. To fix it: {hint}.")


def _defaults(protocol: str, target_type: str) -> tuple[int, int]:
    """AWS's default (interval, timeout) for a new target group."""
    if target_type == "lambda":
        return 35, 30
    if protocol == "GENEVE":
        return 10, 5
    if protocol in ("HTTP", "HTTPS"):
        return 30, 5
    return 30, 10


def check_health_check(cloud: Any, operation: str, params: dict[str, Any]) -> Refusal | None:
    """Ranges and timeout < interval for ``CreateTargetGroup`` / ``ModifyTargetGroup``."""
    for name, (lo, hi) in RANGES.items():
        value = params.get(name)
        if value is None:
            continue
        if int(value) > hi:
            return ("ValidationError", f"1 validation error detected: Value '{value}' at "
                    f"'{name[0].lower() + name[1:]}' failed to satisfy constraint: Member must "
                    f"have value less than or equal to {hi} ({name} ranges from {lo} to {hi})")
        if int(value) < lo:
            return ("ValidationError", f"1 validation error detected: Value '{value}' at "
                    f"'{name[0].lower() + name[1:]}' failed to satisfy constraint: Member must "
                    f"have value greater than or equal to {lo} ({name} ranges from {lo} to {hi})")
    interval, timeout = params.get("HealthCheckIntervalSeconds"), params.get(
        "HealthCheckTimeoutSeconds")
    if interval is None and timeout is None:
        return None
    if operation == "CreateTargetGroup":
        protocol = str(params.get("Protocol") or "")
        default_interval, default_timeout = _defaults(protocol, str(params.get("TargetType") or
                                                                    "instance"))
        if interval is None:
            interval = default_interval
        if timeout is None:
            timeout = default_timeout
    else:
        try:
            found = cloud.client("elbv2").describe_target_groups(
                TargetGroupArns=[params.get("TargetGroupArn", "")])["TargetGroups"]
        except Exception:  # noqa: BLE001 - an unknown group: moto answers the real error
            return None
        current = found[0]
        protocol = str(current.get("Protocol") or "")
        if interval is None:
            interval = current.get("HealthCheckIntervalSeconds")
        if timeout is None:
            timeout = current.get("HealthCheckTimeoutSeconds")
        if interval is None or timeout is None:
            return None
    interval, timeout = int(interval), int(timeout)
    strict = protocol in ("HTTP", "HTTPS") or not protocol
    if timeout > interval or (strict and timeout == interval):
        return ("ValidationError", "Health check interval must be greater than the timeout. "
                f"HealthCheckIntervalSeconds is {interval} and HealthCheckTimeoutSeconds is "
                f"{timeout}: give a timeout below the interval (the default timeout of an HTTP "
                "target group is 5 s) or a longer interval")
    return None


def check_attributes(params: dict[str, Any]) -> Refusal | None:
    """Values of target group attributes that AWS validates and moto stores as given."""
    for item in params.get("Attributes") or []:
        if item.get("Key") == CROSS_ZONE and item.get("Value") not in CROSS_ZONE_VALUES:
            return ("ValidationError", f"'{CROSS_ZONE}' must be one of "
                    + ", ".join(f"'{v}'" for v in CROSS_ZONE_VALUES)
                    + f", got '{item.get('Value')}'")
    return None
