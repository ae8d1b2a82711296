"""Scheduled scaling: ``put_scheduled_update_group_action`` fires on the virtual clock.

moto stores scheduled actions and never runs them. Here each action is scheduled on the
clock at its next occurrence: once at ``StartTime``, or on its ``Recurrence`` (a cron
expression, minute hour day-of-month month day-of-week, in UTC unless ``TimeZone`` names an
IANA zone) between ``StartTime`` and ``EndTime``. When it fires, the group's ``MinSize``,
``MaxSize`` and ``DesiredCapacity`` are set to the values the action gives, as AWS does
(https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html).
Business hours are two recurring actions (up at 08:00 on weekdays, down at 18:00); a sale
is a one-time action at its start and another at its end.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cloudlab.sim.autoscaling.groups import Activity, auto_scaling

__all__ = ["Schedules", "next_occurrence", "schedules"]


def next_occurrence(action: dict[str, Any], after: datetime) -> datetime | None:
    """The first time strictly after ``after`` that ``action`` fires, or ``None``."""
    from croniter import croniter

    start = action.get("StartTime")
    end = action.get("EndTime")
    recurrence = action.get("Recurrence")
    if not recurrence:
        return start if start is not None and start > after else None
    zone = ZoneInfo(action.get("TimeZone") or "UTC")
    base = after if start is None or start <= after else start - timedelta(seconds=1)
    nxt = croniter(recurrence, base.astimezone(zone)).get_next(datetime)
    when = nxt.astimezone(after.tzinfo)
    if end is not None and when > end:
        return None
    return when  # type: ignore[no-any-return]


class Schedules:
    """Clock events for every scheduled action of one cloud."""

    def __init__(self, cloud: Any) -> None:
        self.cloud = cloud
        self.events: dict[tuple[str, str], Any] = {}

    def refresh(self) -> None:
        for event in self.events.values():
            event.cancel()
        self.events.clear()
        client = self.cloud.client("autoscaling")
        actions = client.describe_scheduled_actions().get("ScheduledUpdateGroupActions", [])
        for action in actions:
            self._arm(action, self.cloud.now)

    def _arm(self, action: dict[str, Any], after: datetime) -> None:
        when = next_occurrence(action, after)
        key = (action["AutoScalingGroupName"], action["ScheduledActionName"])
        if when is None:
            return
        self.events[key] = self.cloud.clock.schedule_at(
            when, lambda clock, a=action: self._fire(a), name=f"scheduled {key[1]}")

    def _fire(self, action: dict[str, Any]) -> None:
        group = action["AutoScalingGroupName"]
        update: dict[str, Any] = {"AutoScalingGroupName": group}
        for key in ("MinSize", "MaxSize", "DesiredCapacity"):
            if action.get(key) is not None:
                update[key] = int(action[key])
        scaler = auto_scaling(self.cloud)
        view = scaler.group(group)
        old = view.desired
        self.cloud.client("autoscaling").update_auto_scaling_group(**update)
        scaler.refresh()
        new = scaler.group(group).desired
        kind = "scale_out" if new > old else "scale_in" if new < old else "scheduled"
        scaler.record(Activity(self.cloud.t, group, kind,
                               f"scheduled action {action['ScheduledActionName']}: desired "
                               f"capacity {old} -> {new}", "a scheduled action fired"))
        self._arm(action, self.cloud.now)


def schedules(cloud: Any) -> Schedules:
    """The per-cloud :class:`Schedules` (created on first use)."""
    return cloud.state("sim.schedules", lambda: Schedules(cloud))  # type: ignore[no-any-return]
