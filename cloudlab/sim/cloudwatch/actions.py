"""Alarm actions: what an alarm does when it enters a state.

moto stores ``AlarmActions``, ``OKActions`` and ``InsufficientDataActions`` but never runs
them. The mini cloud runs them when the alarm's actions are enabled:

- an SNS topic ARN: ``sns.publish`` to the topic (moto then delivers to its subscribers,
  SQS queues included) with the JSON message AWS sends, subject
  ``ALARM: "name" in US East (N. Virginia)``;
- any other ARN: the handler registered with :func:`register_alarm_action` for the longest
  prefix of the ARN (the simulation registers ``arn:aws:autoscaling:`` to run scaling
  policies);
- an ARN nobody handles: recorded in the alarm history as a failed action.

Each run is recorded as an ``Action`` history item. Auto Scaling actions run again every
minute while the alarm stays in the state; see :data:`REPEATING_PREFIXES`.

Example:
    >>> calls = []
    >>> previous = register_alarm_action("arn:aws:lambda:", lambda cloud, arn, alarm, state:
    ...                                  calls.append((arn, state)))
    >>> handler_for("arn:aws:lambda:us-east-1:123456789012:function:f") is not None
    True
    >>> unregister_alarm_action("arn:aws:lambda:")
    >>> if previous is not None:
    ...     _ = register_alarm_action("arn:aws:lambda:", previous)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from botocore.exceptions import ClientError

from cloudlab.errors import CloudLabError
from cloudlab.sim.cloudwatch.evaluation import _iso as timestamp

__all__ = [
    "REPEATING_PREFIXES",
    "ActionHandler",
    "ActionResult",
    "handler_for",
    "notification",
    "register_alarm_action",
    "region_name",
    "repeats",
    "run_action",
    "unregister_alarm_action",
]

#: handler(cloud, action_arn, alarm, state): ``alarm`` is the ``describe_alarms`` entry.
ActionHandler = Callable[[Any, str, Mapping[str, Any], str], object]

#: ARN prefixes whose actions run again at every evaluation (every minute) while the alarm
#: stays in the state, not only on the change. AWS: "Except for Auto Scaling actions, the
#: actions happen only on state transitions"
#: (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html), and
#: "an alarm invokes an Auto Scaling action once each minute when the alarm remains in a new
#: state, regardless of the configured time period"
#: (https://repost.aws/knowledge-center/autoscaling-policy-cloudwatch-alarm).
REPEATING_PREFIXES = ("arn:aws:autoscaling:",)

_HANDLERS: dict[str, ActionHandler] = {}
#: handler_for's answers (an Auto Scaling action runs every minute), until a registration
_FOUND: dict[str, ActionHandler | None] = {}


def register_alarm_action(prefix: str, handler: ActionHandler) -> ActionHandler | None:
    """Run ``handler(cloud, action_arn, alarm, state)`` for alarm actions whose ARN starts
    with ``prefix`` (the longest registered prefix wins). Registering a prefix again
    replaces its handler; the replaced one is returned (``None`` if there was none), so a
    test can put it back with ``register_alarm_action(prefix, previous)``."""
    if not isinstance(prefix, str) or not prefix.startswith("arn:"):
        raise ValueError(f"prefix must be an ARN prefix such as 'arn:aws:autoscaling:', "
                         f"got {prefix!r}")
    previous = _HANDLERS.get(prefix)
    _HANDLERS[prefix] = handler
    _FOUND.clear()
    return previous


def unregister_alarm_action(prefix: str) -> None:
    """Forget the handler of ``prefix`` (no error if there is none)."""
    _HANDLERS.pop(prefix, None)
    _FOUND.clear()


def handler_for(arn: str) -> ActionHandler | None:
    """The handler registered for the longest prefix of ``arn``, if any."""
    if arn in _FOUND:
        return _FOUND[arn]
    best = max((p for p in _HANDLERS if arn.startswith(p)), key=len, default=None)
    handler = _FOUND[arn] = None if best is None else _HANDLERS[best]
    return handler


def repeats(arn: str) -> bool:
    """Whether the action runs at every evaluation while the alarm stays in its state."""
    return arn.startswith(REPEATING_PREFIXES)


@lru_cache(maxsize=1)
def _region_names() -> dict[str, str]:
    from botocore.loaders import create_loader

    data = create_loader().load_data("endpoints")
    return {code: info.get("description", code)
            for part in data.get("partitions", ()) for code, info in part["regions"].items()}


def region_name(code: str) -> str:
    """``"us-east-1"`` -> ``"US East (N. Virginia)"`` (botocore's endpoint data)."""
    return _region_names().get(code, code)


def _iso(when: datetime) -> str:
    """``2026-01-05T08:00:00.000+0000``: milliseconds (truncated) and AWS's offset."""
    if when.year >= 1000:  # isoformat pads the year to 4 digits, strftime's %Y does not
        # the same text as below at half strftime's cost (an action a minute)
        return when.isoformat(timespec="milliseconds")[:23] + "+0000"
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def notification(alarm: Mapping[str, Any], old_state: str, new_state: str, reason: str,
                 when: datetime, config_updated: datetime | None = None) -> dict[str, Any]:
    """The JSON document AWS publishes to an SNS topic when an alarm changes state."""
    arn = str(alarm.get("AlarmArn", ""))
    parts = arn.split(":")
    region = parts[3] if len(parts) > 4 else ""
    trigger: dict[str, Any] = {
        "MetricName": alarm.get("MetricName"),
        "Namespace": alarm.get("Namespace"),
        "Unit": alarm.get("Unit"),
        "Dimensions": [{"value": d["Value"], "name": d["Name"]}
                       for d in alarm.get("Dimensions") or ()],
        "Period": alarm.get("Period"),
        "EvaluationPeriods": alarm.get("EvaluationPeriods"),
        "DatapointsToAlarm": alarm.get("DatapointsToAlarm") or alarm.get("EvaluationPeriods"),
        "ComparisonOperator": alarm.get("ComparisonOperator"),
        "Threshold": alarm.get("Threshold"),
        "TreatMissingData": alarm.get("TreatMissingData") or "missing",
        "EvaluateLowSampleCountPercentile": alarm.get("EvaluateLowSampleCountPercentile", ""),
    }
    if alarm.get("ExtendedStatistic"):
        trigger.update(StatisticType="ExtendedStatistic",
                       ExtendedStatistic=alarm["ExtendedStatistic"])
    else:
        trigger.update(StatisticType="Statistic",
                       Statistic=str(alarm.get("Statistic") or "").upper())
    return {
        "AlarmName": alarm.get("AlarmName"),
        "AlarmDescription": alarm.get("AlarmDescription"),
        "AWSAccountId": parts[4] if len(parts) > 4 else "",
        "AlarmConfigurationUpdatedTimestamp": _iso(config_updated or when),
        "NewStateValue": new_state,
        "NewStateReason": reason,
        "StateChangeTime": _iso(when),
        "Region": region_name(region),
        "AlarmArn": arn,
        "OldStateValue": old_state,
        "OKActions": list(alarm.get("OKActions") or ()),
        "AlarmActions": list(alarm.get("AlarmActions") or ()),
        "InsufficientDataActions": list(alarm.get("InsufficientDataActions") or ()),
        "Trigger": trigger,
    }


ActionResult = tuple[bool, str, dict[str, Any]]  # (succeeded, summary, history data)


def run_action(cloud: Any, arn: str, alarm: Mapping[str, Any], old_state: str, new_state: str,
               reason: str, t_s: float, config_t: float | None = None) -> ActionResult:
    """Run one alarm action now; never raises for an action AWS would just fail.

    Returns:
        ``(succeeded, history summary, history data)``.
    """
    start = cloud.clock.start
    # the text _iso(start + timedelta(seconds=t_s)) writes (milliseconds truncated), at a
    # third of its cost for the whole seconds an evaluation runs at (an action a minute)
    data: dict[str, Any] = {"actionState": "Succeeded",
                            "stateUpdateTimestamp": timestamp(start, t_s)}
    try:
        if arn.startswith("arn:aws:sns:"):
            when = start + timedelta(seconds=t_s)
            region = arn.split(":")[3]
            message = notification(alarm, old_state, new_state, reason, when,
                                   None if config_t is None
                                   else start + timedelta(seconds=config_t))
            subject = f'{new_state}: "{alarm.get("AlarmName")}" in {region_name(region)}'
            answer = cloud.client("sns", region=region).publish(
                TopicArn=arn, Subject=subject[:100], Message=json.dumps(message))
            data.update(notificationResource=arn, publishedMessage={
                "messageId": answer.get("MessageId"), "subject": subject[:100]})
        else:
            handler = handler_for(arn)
            if handler is None:
                error = (f"no handler for action {arn}: the mini cloud runs SNS topics and "
                         "actions registered with register_alarm_action()")
                return False, f"Failed to execute action {arn}. Received error: \"{error}\"", \
                    {**data, "actionState": "Failed", "error": error}
            handler(cloud, arn, alarm, new_state)
    except (ClientError, CloudLabError) as e:
        error = str(e)
        return False, f"Failed to execute action {arn}. Received error: \"{error}\"", \
            {**data, "actionState": "Failed", "error": error}
    return True, f"Successfully executed action {arn}", data
