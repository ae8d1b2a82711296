"""Auto Scaling group metrics (``AWS/AutoScaling``), published every minute once enabled.

``autoscaling.enable_metrics_collection(AutoScalingGroupName=..., Granularity="1Minute")``
asks AWS to publish a group's size to CloudWatch every minute, free of charge: its minimum,
maximum and desired capacity and how many instances are in service, pending, on standby,
terminating and in all (``Group*Instances``; the ``Group*Capacity`` twins count capacity
units, one per instance here). moto accepts the call but records nothing (and
``disable_metrics_collection`` crashes it), so the simulation answers both, shows them in
``describe_auto_scaling_groups`` ``EnabledMetrics``, and publishes the datapoints on the
virtual clock, where learners read them with ``get_metric_data`` and alarms see them.
Warm pools are not modelled: their ``WarmPool*`` metrics are accepted and publish nothing.

Source: https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-metrics.html
"""

from __future__ import annotations

from typing import Any

__all__ = ["GROUP_METRICS", "ALL_METRICS", "GroupMetrics", "group_metrics"]

#: Metrics the simulation publishes (the capacity twins equal the instance counts).
GROUP_METRICS = (
    "GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
    "GroupPendingInstances", "GroupStandbyInstances", "GroupTerminatingInstances",
    "GroupTotalInstances", "GroupInServiceCapacity", "GroupPendingCapacity",
    "GroupStandbyCapacity", "GroupTerminatingCapacity", "GroupTotalCapacity",
)
#: Every name EnableMetricsCollection accepts (warm-pool metrics publish nothing here).
ALL_METRICS = GROUP_METRICS + (
    "WarmPoolDesiredCapacity", "WarmPoolWarmedCapacity", "WarmPoolPendingCapacity",
    "WarmPoolTerminatingCapacity", "WarmPoolTotalCapacity",
    "GroupAndWarmPoolDesiredCapacity", "GroupAndWarmPoolTotalCapacity",
)
PERIOD_S = 60.0


class GroupMetrics:
    """Which groups publish which metrics, and the minute clock event that publishes them."""

    def __init__(self, cloud: Any) -> None:
        self.cloud = cloud
        self.enabled: dict[str, dict[str, None]] = {}  # group -> metric names, in order
        self._event: Any = None

    def enable(self, params: dict[str, Any]) -> tuple[str, str] | None:
        """``EnableMetricsCollection``; returns ``(code, message)`` when AWS would refuse."""
        group, names, refusal = self._check(params)
        if refusal is not None:
            return refusal
        if params.get("Granularity") != "1Minute":
            return ("ValidationError", f"Granularity {params.get('Granularity')!r} is not "
                                       "valid: the only valid value is '1Minute'")
        chosen = self.enabled.setdefault(group, {})
        chosen.update(dict.fromkeys(names or ALL_METRICS))
        if self._event is None:
            self._event = self.cloud.every(PERIOD_S, self._publish,
                                           name="Auto Scaling group metrics")
        return None

    def disable(self, params: dict[str, Any]) -> tuple[str, str] | None:
        """``DisableMetricsCollection`` (all metrics when none are named)."""
        group, names, refusal = self._check(params)
        if refusal is not None:
            return refusal
        chosen = self.enabled.get(group, {})
        for name in names or list(chosen):
            chosen.pop(name, None)
        if not chosen:
            self.enabled.pop(group, None)
        return None

    def _check(self, params: dict[str, Any]
               ) -> tuple[str, list[str], tuple[str, str] | None]:
        from cloudlab.sim.autoscaling.groups import auto_scaling

        group = str(params.get("AutoScalingGroupName", ""))
        scaler = auto_scaling(self.cloud)
        scaler.refresh()
        if group not in scaler.groups:
            return group, [], ("ValidationError", f"Group {group} not found")
        names = [str(n) for n in params.get("Metrics") or []]
        unknown = [n for n in names if n not in ALL_METRICS]
        if unknown:
            return group, names, ("ValidationError", f"Unknown metric(s) {', '.join(unknown)}; "
                                                     f"valid names are {', '.join(GROUP_METRICS)}"
                                                     " and the WarmPool* metrics")
        return group, names, None

    def rewrite(self, group: dict[str, Any]) -> None:
        """Fill ``EnabledMetrics`` of one group of ``describe_auto_scaling_groups``."""
        chosen = self.enabled.get(group.get("AutoScalingGroupName", ""))
        if chosen:
            group["EnabledMetrics"] = [{"Metric": n, "Granularity": "1Minute"}
                                       for n in chosen]

    def _publish(self, clock: Any) -> None:
        from cloudlab.sim.autoscaling.groups import auto_scaling
        from cloudlab.sim.cloudwatch import metrics

        scaler = auto_scaling(self.cloud)
        scaler.refresh()
        store = metrics(self.cloud)
        stamp = clock.t - PERIOD_S  # the minute that just ended, stamped at its start
        for group, chosen in list(self.enabled.items()):
            view = scaler.groups.get(group)
            if view is None:  # the group was deleted
                self.enabled.pop(group, None)
                continue
            states = [scaler.book.records[i["InstanceId"]].state_at(clock.t)
                      for i in view.instances if i["InstanceId"] in scaler.book.records]
            running = sum(s == "running" for s in states)
            pending = sum(s == "pending" for s in states)
            values = {"GroupMinSize": view.min_size, "GroupMaxSize": view.max_size,
                      "GroupDesiredCapacity": view.desired,
                      "GroupInServiceInstances": running, "GroupPendingInstances": pending,
                      "GroupStandbyInstances": 0, "GroupTerminatingInstances": 0,
                      "GroupTotalInstances": running + pending}
            for kind in ("InService", "Pending", "Standby", "Terminating", "Total"):
                values[f"Group{kind}Capacity"] = values[f"Group{kind}Instances"]
            dims = {"AutoScalingGroupName": group}
            for name in chosen:
                if name in values:
                    store.put("AWS/AutoScaling", name, dims, stamp, float(values[name]))


def group_metrics(cloud: Any) -> GroupMetrics:
    """The per-cloud :class:`GroupMetrics` (created on first use, dropped on reset)."""
    return cloud.state("sim.autoscaling.metrics",  # type: ignore[no-any-return]
                       lambda: GroupMetrics(cloud))
