"""The botocore hooks that connect learners' CloudWatch calls to the store and the engine.

Attached once per Cloud with ``cloud.on`` (so they reach every client, plain
``boto3.client("cloudwatch")`` included) by :func:`install`, which :func:`~cloudlab.sim.
cloudwatch.metrics.metrics` and :func:`~cloudlab.sim.cloudwatch.alarms.alarms` call. They
hold only a weak reference to the cloud and find the current store and engine through
``cloud.state`` on every call, so nothing survives ``cloud.reset()``: after a reset the first
CloudWatch call simply starts a fresh store (and a fresh engine for alarm calls).

``before-call``:
    - ``PutMetricData`` (a learner's): datums without ``Timestamp`` get the virtual *now*
      (moto would stamp wall-clock time); the decoded request is kept for ``after-call``.
    - ``GetMetricData``, ``GetMetricStatistics``, ``ListMetrics``: publish the store's
      unpublished datapoints of the metrics the call reads (``MetricStore.flush``).
    - ``PutMetricAlarm``: AWS's validation moto skips (:mod:`.validation`).
    - ``DescribeAlarms``, ``DescribeAlarmsForMetric``: write the alarm states the engine
      changed since the last read (``AlarmEngine.flush_states``).
    - ``DescribeAlarmHistory``: answered here (moto does not implement it).
``after-call`` (successful calls only):
    - ``PutMetricData``: mirror the learner's datapoints into the store.
    - ``PutMetricAlarm``, ``DeleteAlarms``, ``SetAlarmState``, ``EnableAlarmActions``,
      ``DisableAlarmActions``: tell the engine (its cached definitions are dropped).
    - ``DescribeAlarms``: virtual ``StateUpdatedTimestamp`` and
      ``AlarmConfigurationUpdatedTimestamp``; alarms made before the engine watched are
      taken over (INSUFFICIENT_DATA, as a new alarm on AWS).

Only calls to the cloud's own Region are handled; other Regions get moto as it is (and an
empty alarm history). Requests
are read from the JSON wire format botocore uses for CloudWatch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cloudlab.cloud.hooks import install_call_hooks

if TYPE_CHECKING:
    from cloudlab.cloud import Cloud

__all__ = ["READS", "install", "request_params"]

#: Operations that read metrics: the store publishes what they need first.
READS = ("GetMetricData", "GetMetricStatistics", "ListMetrics", "GetMetricWidgetImage")
_CHANGES = ("PutMetricAlarm", "DeleteAlarms", "SetAlarmState", "EnableAlarmActions",
            "DisableAlarmActions")
_ALARM_READS = ("DescribeAlarms", "DescribeAlarmsForMetric")
_CONTEXT_KEY = "cloudlab_cloudwatch"

def install(cloud: Cloud) -> None:
    """Attach the CloudWatch hooks to ``cloud`` (idempotent)."""
    install_call_hooks(cloud, "sim.cloudwatch", service="cloudwatch",
                       before=lambda c, _event, **kw: _before_call(c, **kw),
                       after=lambda c, _event, **kw: _after_call(c, **kw))


def request_params(request_dict: Mapping[str, Any]) -> dict[str, Any] | None:
    """The parameters of a serialized CloudWatch request (JSON protocol), or ``None``."""
    body = request_dict.get("body")
    if isinstance(body, bytes | str) and body:
        try:
            decoded = json.loads(body)
        except ValueError:
            return None
        return decoded if isinstance(decoded, dict) else None
    return {} if not body else None


def _response(request_dict: Mapping[str, Any], status: int,
              parsed: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse

    request_id = "cloudlab-cloudwatch"
    http = AWSResponse(str(request_dict.get("url", "")), status,
                       {"x-amzn-requestid": request_id}, None)
    parsed["ResponseMetadata"] = {"RequestId": request_id, "HTTPStatusCode": status,
                                  "HTTPHeaders": {"x-amzn-requestid": request_id},
                                  "RetryAttempts": 0}
    return http, parsed


def _error(request_dict: Mapping[str, Any], code: str, message: str) -> Any:
    return _response(request_dict, 400, {"Error": {"Code": code, "Message": message}})


def _mine(cloud: Cloud, context: Mapping[str, Any] | None) -> bool:
    region = (context or {}).get("client_region") or cloud.region
    return bool(region == cloud.region)


def _reads_selector(operation: str, params: Mapping[str, Any] | None
                    ) -> Callable[[tuple[str, str, frozenset[tuple[str, str]]]], bool] | None:
    """Which metrics a read needs published (``None``: all of them)."""
    if params is None:
        return None
    if operation == "GetMetricStatistics":
        wanted = {(params.get("Namespace"), params.get("MetricName"))}
    elif operation == "GetMetricData":
        wanted = set()
        for query in params.get("MetricDataQueries") or ():
            if query.get("Expression"):
                return None  # math and Metrics Insights queries may read any metric
            metric = (query.get("MetricStat") or {}).get("Metric") or {}
            wanted.add((metric.get("Namespace"), metric.get("MetricName")))
    elif operation == "ListMetrics":
        ns, name = params.get("Namespace"), params.get("MetricName")
        return lambda key: (ns is None or key[0] == ns) and (name is None or key[1] == name)
    else:
        return None
    return lambda key: (key[0], key[1]) in wanted


def _before_call(cloud: Cloud, *, model: Any = None, params: Any = None,
                 context: Any = None, **_: Any) -> Any:
    if model is None or not isinstance(params, dict):
        return None
    operation = model.name
    if not _mine(cloud, context):
        if operation == "DescribeAlarmHistory":  # moto raises NotImplementedError
            return _response(params, 200, {"AlarmHistoryItems": []})
        return None
    from cloudlab.sim.cloudwatch.metrics import metrics

    store = metrics(cloud)
    if operation == "PutMetricData":
        if store.publishing:
            return None
        decoded = request_params(params)
        if decoded is None:
            return None
        missing = [d for d in decoded.get("MetricData") or () if "Timestamp" not in d]
        if missing:
            stamp = cloud.clock.start.timestamp() + cloud.t
            for datum in missing:
                datum["Timestamp"] = stamp
            params["body"] = json.dumps(decoded).encode("utf-8")
        context[_CONTEXT_KEY] = decoded
        return None
    if operation in READS:
        store.flush(_reads_selector(operation, request_params(params)))
        return None
    from cloudlab.sim.cloudwatch.alarms import alarms

    if operation in _ALARM_READS:
        alarms(cloud).flush_states()
        return None
    if operation == "DescribeAlarmHistory":
        from cloudlab.sim.cloudwatch.history import InvalidHistoryRequest, describe_alarm_history

        engine = alarms(cloud)
        try:
            answer = describe_alarm_history(engine.items, request_params(params) or {},
                                            start=cloud.clock.start, now_t=cloud.t)
        except InvalidHistoryRequest as e:
            return _error(params, e.code, str(e))
        return _response(params, 200, answer)
    if operation in _CHANGES:
        engine = alarms(cloud)
        if operation == "SetAlarmState" and engine.writing:
            return None
        decoded = request_params(params) or {}
        if operation == "PutMetricAlarm":
            from cloudlab.sim.cloudwatch.validation import check_put_metric_alarm

            problem = check_put_metric_alarm(decoded)
            if problem is not None:
                return _error(params, *problem)
        context[_CONTEXT_KEY] = decoded
    return None


def _after_call(cloud: Cloud, *, http_response: Any = None, parsed: Any = None,
                model: Any = None, context: Any = None, **_: Any) -> None:
    if (model is None or http_response is None or http_response.status_code >= 300
            or not _mine(cloud, context)):
        return
    operation = model.name
    decoded = (context or {}).get(_CONTEXT_KEY)
    if operation == "PutMetricData":
        if decoded is None:
            return
        from cloudlab.sim.cloudwatch.metrics import metrics

        store = metrics(cloud)
        start = cloud.clock.start.timestamp()
        namespace = decoded.get("Namespace", "")
        for datum in decoded.get("MetricData") or ():
            store.record(namespace, datum, _epoch(datum["Timestamp"]) - start)
        return
    if operation not in _CHANGES and operation != "DescribeAlarms":
        return
    from cloudlab.sim.cloudwatch.alarms import alarms

    engine = alarms(cloud)
    if engine.writing:
        return  # the engine's own set_alarm_state
    if operation == "DescribeAlarms":
        if isinstance(parsed, dict):
            engine.observe(parsed)
    elif decoded is None:
        engine.invalidate()
    elif operation == "PutMetricAlarm":
        engine.alarm_put(decoded)
    elif operation == "DeleteAlarms":
        engine.alarms_deleted(list(decoded.get("AlarmNames") or ()))
    elif operation == "SetAlarmState":
        engine.state_set(decoded)
    else:
        engine.invalidate()


def _epoch(value: Any) -> float:
    """A JSON-wire timestamp (epoch seconds, or an ISO 8601 string) as epoch seconds."""
    if isinstance(value, int | float):
        return float(value)
    from datetime import datetime

    text = str(value)
    try:
        return float(text)
    except ValueError:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
