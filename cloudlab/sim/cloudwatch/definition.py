"""An alarm definition as the alarm engine uses it, parsed once per ``describe_alarms``.

:func:`parse` turns a ``describe_alarms`` entry into a :class:`Spec`: the metric, statistic,
period, M of N, threshold, operator and missing-data treatment the
:class:`~cloudlab.sim.cloudwatch.alarms.AlarmEngine` evaluates every minute, the actions
that repeat while the alarm stays in a state, and, for an alarm the mini cloud does not
evaluate (metric math, anomaly detection, other extended statistics), why not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cloudlab.sim.cloudwatch import actions as _actions
from cloudlab.sim.cloudwatch.evaluation import COMPARE, COMPARISONS, evaluation_range
from cloudlab.sim.cloudwatch.metrics import MetricKey, metric_key
from cloudlab.sim.cloudwatch.series import STATISTICS, parse_percentile

__all__ = ["ACTION_KEYS", "Spec", "parse"]

#: The actions of each state, by the ``describe_alarms`` key that lists them.
ACTION_KEYS = {"ALARM": "AlarmActions", "OK": "OKActions",
               "INSUFFICIENT_DATA": "InsufficientDataActions"}


def _not_compared(value: Any, threshold: float) -> bool:
    """The comparison of an operator the mini cloud does not evaluate (never called)."""
    return False


@dataclass(frozen=True)
class Spec:
    """An alarm definition, parsed once per ``describe_alarms``."""

    alarm: dict[str, Any]
    name: str
    key: MetricKey
    stat: str
    q: float | None
    period: int
    n: int
    m: int
    span: int
    threshold: float
    operator: str
    treat: str
    unit: str | None
    low_sample_ignore: bool
    enabled: bool
    note: str
    repeating: dict[str, tuple[str, ...]]  # per state: actions that run every minute in it
    #: no Unit to check and no low-sample percentile rule: the usual minute can move the
    #: kept range along and decide from its counts (window.move_on)
    quick: bool = False
    #: ``COMPARE[operator]``, looked up once (an alarm with another operator is not
    #: evaluated: see ``note``)
    compare: Callable[[Any, float], Any] = _not_compared
    #: a plain Average: the statistic of a period holding one single value ``v`` is
    #: ``v / 1.0`` (the sum over a count of 1; see window._one_value)
    average: bool = False


def _unsupported(alarm: Mapping[str, Any]) -> str:
    if alarm.get("Metrics"):
        return ("Not evaluated: the mini cloud does not evaluate metric-math alarms "
                "(Metrics=...); it evaluates alarms on a single metric.")
    if alarm.get("ComparisonOperator") not in COMPARISONS:
        return (f"Not evaluated: the mini cloud does not evaluate "
                f"{alarm.get('ComparisonOperator')} (anomaly detection) alarms.")
    stat = alarm.get("ExtendedStatistic") or alarm.get("Statistic")
    if stat not in STATISTICS and parse_percentile(str(stat)) is None:
        return (f"Not evaluated: the mini cloud evaluates Statistic and pNN percentiles, "
                f"not the extended statistic {stat}.")
    if alarm.get("Threshold") is None or not alarm.get("Period"):
        return "Not evaluated: the alarm has no Threshold or no Period."
    return ""


def parse(alarm: dict[str, Any]) -> Spec:
    note = _unsupported(alarm)
    n = int(alarm.get("EvaluationPeriods") or 1)
    stat = str(alarm.get("ExtendedStatistic") or alarm.get("Statistic") or "")
    treat = str(alarm.get("TreatMissingData") or "missing")
    namespace = str(alarm.get("Namespace") or "")
    if namespace.startswith("AWS/DynamoDB"):
        # "Alarms that evaluate metrics in the AWS/DynamoDB namespace always ignore missing
        # data even if you choose a different option" (PutMetricAlarm API reference)
        treat = "ignore"
    dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions") or ()}
    q = parse_percentile(stat)
    unit = alarm.get("Unit") or None
    low_sample_ignore = alarm.get("EvaluateLowSampleCountPercentile") == "ignore"
    return Spec(
        alarm=alarm, name=alarm["AlarmName"],
        key=metric_key(namespace, str(alarm.get("MetricName") or ""), dims),
        stat=stat, q=q, period=int(alarm.get("Period") or 60), n=n,
        m=int(alarm.get("DatapointsToAlarm") or n), span=evaluation_range(n),
        threshold=float(alarm["Threshold"]) if alarm.get("Threshold") is not None else 0.0,
        operator=str(alarm.get("ComparisonOperator")), treat=treat,
        unit=unit, low_sample_ignore=low_sample_ignore,
        enabled=bool(alarm.get("ActionsEnabled", True)), note=note,
        repeating={state: tuple(a for a in alarm.get(key) or () if _actions.repeats(a))
                   for state, key in ACTION_KEYS.items()},
        quick=unit is None and not (q is not None and low_sample_ignore),
        compare=COMPARE.get(str(alarm.get("ComparisonOperator")), _not_compared),
        average=q is None and stat == "Average")
