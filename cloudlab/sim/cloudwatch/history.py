"""Alarm history: state changes, configuration changes and actions, on the virtual clock.

moto does not implement ``DescribeAlarmHistory``. The :class:`AlarmEngine
<cloudlab.sim.cloudwatch.alarms.AlarmEngine>` records a :class:`HistoryItem` for each
thing AWS would record (``StateUpdate``, ``ConfigurationUpdate``, ``Action``) and
:func:`describe_alarm_history` answers the API call from them: filters ``AlarmName``,
``AlarmTypes``, ``HistoryItemType``, ``StartDate``/``EndDate``, pages with ``MaxRecords`` and
``NextToken``, orders with ``ScanBy`` (newest first by default), keeps two weeks of history
and keeps the history of deleted alarms, as AWS does
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html).

:class:`AlarmTransition` is the small value the simulation and the dashboard use.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

__all__ = [
    "HISTORY_ITEM_TYPES",
    "RETENTION_S",
    "AlarmTransition",
    "HistoryItem",
    "InvalidHistoryRequest",
    "action_item",
    "configuration_item",
    "describe_alarm_history",
    "state_item",
]

#: CloudWatch keeps alarm history for two weeks.
RETENTION_S = 14 * 86400
HISTORY_ITEM_TYPES = ("ConfigurationUpdate", "StateUpdate", "Action")
_DEFAULT_MAX_RECORDS = 100
_TOKEN_PREFIX = "cloudlab-history-"


@dataclass(frozen=True)
class AlarmTransition:
    """An alarm changed state.

    Attributes:
        t_s: virtual seconds since the cloud's start.
        alarm_name: the alarm.
        old_state / new_state: ``OK``, ``ALARM`` or ``INSUFFICIENT_DATA``.
        reason: the ``StateReason`` written to the alarm.
    """

    t_s: float
    alarm_name: str
    old_state: str
    new_state: str
    reason: str


@dataclass(frozen=True)
class HistoryItem:
    """One ``AlarmHistoryItems`` entry: what happened to an alarm, and when."""

    t_s: float
    alarm_name: str
    item_type: str
    summary: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_api(self, start: datetime) -> dict[str, Any]:
        """The entry as boto3 returns it (``Timestamp`` a virtual ``datetime``)."""
        return {
            "AlarmName": self.alarm_name,
            "AlarmType": "MetricAlarm",
            "Timestamp": start + timedelta(seconds=self.t_s),
            "HistoryItemType": self.item_type,
            "HistorySummary": self.summary,
            "HistoryData": json.dumps(self.data, default=str),
        }


def state_item(t: AlarmTransition, reason_data: Mapping[str, Any]) -> HistoryItem:
    """The ``StateUpdate`` entry of a transition."""
    new: dict[str, Any] = {"stateValue": t.new_state, "stateReason": t.reason}
    if reason_data:
        new["stateReasonData"] = dict(reason_data)
    return HistoryItem(t.t_s, t.alarm_name, "StateUpdate",
                       f"Alarm updated from {t.old_state} to {t.new_state}",
                       {"version": "1.0", "oldState": {"stateValue": t.old_state},
                        "newState": new})


def action_item(t_s: float, name: str, summary: str, data: Mapping[str, Any]) -> HistoryItem:
    """An ``Action`` entry: ``HistoryItem(t_s, name, "Action", summary, data)``. An alarm in
    ALARM runs its Auto Scaling actions every minute, each with an entry: the fields are
    set directly, not one by one through ``object.__setattr__`` as a frozen dataclass's
    ``__init__`` does (the same object: no field has a default to apply, no
    ``__post_init__``)."""
    item = object.__new__(HistoryItem)
    fields = item.__dict__
    fields["t_s"], fields["alarm_name"], fields["item_type"] = t_s, name, "Action"
    fields["summary"], fields["data"] = summary, data
    return item


def configuration_item(t_s: float, name: str, kind: str,
                       config: Mapping[str, Any]) -> HistoryItem:
    """A ``ConfigurationUpdate`` entry; ``kind`` is ``Create``, ``Update`` or ``Delete``."""
    verb = {"Create": "created", "Update": "updated", "Delete": "deleted"}[kind]
    key = {"Create": "createdAlarm", "Update": "updatedAlarm", "Delete": "deletedAlarm"}[kind]
    return HistoryItem(t_s, name, "ConfigurationUpdate", f'Alarm "{name}" {verb}',
                       {"version": "1.0", "type": kind, key: dict(config)})


def _to_t(value: Any, start: datetime) -> float | None:
    """A request date (epoch seconds on the JSON wire, or an ISO string) as ``t_s``."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value) - start.timestamp()
    if isinstance(value, datetime):
        return (value - start).total_seconds()
    text = str(value)
    try:
        return float(text) - start.timestamp()
    except ValueError:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (when - start).total_seconds()


class InvalidHistoryRequest(ValueError):
    """A DescribeAlarmHistory request AWS would refuse; ``code`` is the AWS error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def describe_alarm_history(items: list[HistoryItem], params: Mapping[str, Any], *,
                           start: datetime, now_t: float) -> dict[str, Any]:
    """The parsed ``DescribeAlarmHistory`` response for ``params``.

    Raises:
        InvalidHistoryRequest: an unknown ``HistoryItemType``, a bad ``NextToken`` or
            ``MaxRecords`` out of 1..100.
    """
    kind = params.get("HistoryItemType")
    if kind is not None and kind not in HISTORY_ITEM_TYPES:
        raise InvalidHistoryRequest(
            "ValidationError",
            f"1 validation error detected: Value '{kind}' at 'historyItemType' failed to "
            f"satisfy constraint: Member must satisfy enum value set: "
            f"[{', '.join(HISTORY_ITEM_TYPES)}]")
    max_records = int(params.get("MaxRecords") or _DEFAULT_MAX_RECORDS)
    if not 1 <= max_records <= 100:
        raise InvalidHistoryRequest(
            "ValidationError", f"MaxRecords must be between 1 and 100, got {max_records}")
    types = params.get("AlarmTypes")
    name = params.get("AlarmName")
    t0 = _to_t(params.get("StartDate"), start)
    t1 = _to_t(params.get("EndDate"), start)
    oldest = now_t - RETENTION_S
    chosen = [
        it for it in items
        if it.t_s >= oldest
        and (name is None or it.alarm_name == name)
        and (kind is None or it.item_type == kind)
        and (t0 is None or it.t_s >= t0)
        and (t1 is None or it.t_s <= t1)
        and (not types or "MetricAlarm" in types)
    ]
    if params.get("ScanBy", "TimestampDescending") != "TimestampAscending":
        chosen.reverse()
    offset = 0
    token = params.get("NextToken")
    if token:
        try:
            if not str(token).startswith(_TOKEN_PREFIX):
                raise ValueError(token)
            offset = int(str(token)[len(_TOKEN_PREFIX):])
        except ValueError:
            raise InvalidHistoryRequest(
                "InvalidNextToken", "The service returned an error: the NextToken is not "
                "valid; pass the NextToken of the previous answer unchanged") from None
    page = chosen[offset:offset + max_records]
    answer: dict[str, Any] = {"AlarmHistoryItems": [it.to_api(start) for it in page]}
    if offset + max_records < len(chosen):
        answer["NextToken"] = f"{_TOKEN_PREFIX}{offset + max_records}"
    return answer
