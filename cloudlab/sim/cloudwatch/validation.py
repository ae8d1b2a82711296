"""``PutMetricAlarm`` checks that AWS makes and moto does not.

moto accepts a period of 61 seconds, a three-year evaluation range or 5 datapoints out of
3. :func:`check_put_metric_alarm` returns the ``(code, message)`` AWS-like error for such a
request (``None`` when it is fine); a ``before-call`` hook turns it into the
``ClientError`` the learner would get from AWS. Rules, from the PutMetricAlarm API
reference (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html):

- ``Period``: 10, 20, 30 or any multiple of 60 seconds; required for a single-metric alarm.
- ``Period * EvaluationPeriods`` at most 604,800 s (seven days), and at most 86,400 s (one
  day) for periods shorter than one hour.
- ``DatapointsToAlarm`` between 1 and ``EvaluationPeriods``.
- ``ComparisonOperator``, ``TreatMissingData`` and ``Statistic`` from their enums; exactly
  one of ``Statistic`` and ``ExtendedStatistic`` for a single-metric alarm.

Example:
    >>> check_put_metric_alarm({"AlarmName": "a", "MetricName": "m", "Namespace": "n",
    ...     "Statistic": "Average", "Period": 45, "EvaluationPeriods": 1, "Threshold": 1,
    ...     "ComparisonOperator": "GreaterThanThreshold"})[0]
    'ValidationError'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["COMPARISON_OPERATORS", "check_put_metric_alarm"]

COMPARISON_OPERATORS = (
    "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
    "LessThanOrEqualToThreshold", "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold", "GreaterThanUpperThreshold",
)
_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
_HIGH_RESOLUTION = (10, 20, 30)
_DAY_S = 86_400
_WEEK_S = 7 * _DAY_S

Error = tuple[str, str]


def _enum(value: Any, field: str, allowed: tuple[str, ...]) -> Error | None:
    if value is None or value in allowed:
        return None
    return ("ValidationError",
            f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(allowed)}]")


def _period(period: Any, where: str) -> Error | None:
    try:
        p = int(period)
    except (TypeError, ValueError):
        return ("ValidationError", f"{where} must be a whole number of seconds, got {period!r}")
    if p <= 0 or (p not in _HIGH_RESOLUTION and p % 60):
        return ("ValidationError",
                f"{where} must be 10, 20, 30 or a multiple of 60 seconds, got {p}. Use 60 "
                "(one minute) or 300 (five minutes) for standard-resolution metrics; 10, 20 "
                "and 30 are for high-resolution metrics only.")
    return None


def check_put_metric_alarm(params: Mapping[str, Any]) -> Error | None:
    """The ``(code, message)`` AWS would answer ``params`` with, or ``None``."""
    for field, key, allowed in (("comparisonOperator", "ComparisonOperator",
                                 COMPARISON_OPERATORS),
                                ("statistic", "Statistic", _STATISTICS)):
        error = _enum(params.get(key), field, allowed)
        if error:
            return error
    treat = params.get("TreatMissingData")
    if treat is not None and treat not in _TREATMENTS:
        return ("ValidationError",
                f"Option {treat} is not supported. Supported options for parameter "
                "TreatMissingData are missing, ignore, breaching and notBreaching.")
    metrics = params.get("Metrics")
    n = int(params.get("EvaluationPeriods") or 0)
    period: int | None = None
    if metrics:
        for i, query in enumerate(metrics, start=1):
            stat = query.get("MetricStat") if isinstance(query, Mapping) else None
            if stat and stat.get("Period") is not None:
                error = _period(stat["Period"], f"Metrics.member.{i}.MetricStat.Period")
                if error:
                    return error
                period = max(period or 0, int(stat["Period"]))
    elif params.get("MetricName") is not None:
        if params.get("Period") is None:
            return ("ValidationError",
                    "Period is required for an alarm on a metric (MetricName); give the "
                    "period length in seconds, e.g. Period=60")
        error = _period(params["Period"], "Period")
        if error:
            return error
        period = int(params["Period"])
        has_stat = params.get("Statistic") is not None
        has_ext = params.get("ExtendedStatistic") is not None
        if has_stat == has_ext:
            return ("ValidationError",
                    "Exactly one of Statistic and ExtendedStatistic must be given for an "
                    f"alarm on a metric, got {'both' if has_stat else 'neither'}; e.g. "
                    "Statistic='Average' or ExtendedStatistic='p95'")
    if period is not None and n:
        limit = _DAY_S if period < 3600 else _WEEK_S
        if period * n > limit:
            span = "one day" if limit == _DAY_S else "seven days"
            return ("ValidationError",
                    f"The evaluation range of the alarm (Period x EvaluationPeriods = {period} "
                    f"x {n} = {period * n} seconds) must not exceed {limit} seconds ({span}"
                    f"{' for periods under one hour' if limit == _DAY_S else ''}); use fewer "
                    "evaluation periods or a longer period.")
    m = params.get("DatapointsToAlarm")
    if m is not None and n and not 1 <= int(m) <= n:
        return ("ValidationError",
                f"DatapointsToAlarm ({int(m)}) must be between 1 and EvaluationPeriods ({n}): "
                f"an \"M out of N\" alarm needs M <= N. Lower DatapointsToAlarm or raise "
                "EvaluationPeriods.")
    return None
