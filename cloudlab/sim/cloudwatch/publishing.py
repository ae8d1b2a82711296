"""Publishing the metric store's datapoints to the backend: ``put_metric_data`` datums.

:meth:`MetricStore.flush <cloudlab.sim.cloudwatch.metrics.MetricStore.flush>` turns each
metric's unpublished datapoints into datums (:func:`datums`) and sends them in batches of
:data:`MAX_DATUMS_PER_CALL` with one client made for it (:func:`_fast_client`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from cloudlab.cloud import Cloud
    from cloudlab.sim.cloudwatch.metrics import MetricKey

__all__ = ["MAX_DATUMS_PER_CALL", "MAX_VALUES_PER_DATUM", "datums"]

#: Datums per ``PutMetricData`` request ("no more than 1000 different metrics", API reference).
MAX_DATUMS_PER_CALL = 1000
#: Distinct values one datum may carry in ``Values``/``Counts`` (AWS limit).
MAX_VALUES_PER_DATUM = 150


def datums(start: datetime, key: MetricKey, unit: str, t: np.ndarray,
           v: np.ndarray) -> list[dict[str, Any]]:
    """The ``MetricData`` of a metric's datapoints (time-sorted ``t``, ``v``; times in
    seconds after ``start``): one datum per timestamp, or ``Values``/``Counts`` datums
    where a timestamp holds several values."""
    dims = [{"Name": n, "Value": val} for n, val in sorted(key[2])]
    base: dict[str, Any] = {"MetricName": key[1], "Unit": unit}
    if dims:
        base["Dimensions"] = dims
    times, first, counts = np.unique(t, return_index=True, return_counts=True)
    out: list[dict[str, Any]] = []
    if len(times) == len(t):  # the usual case: one value per timestamp
        for ts, val in zip(t.tolist(), v.tolist(), strict=True):
            out.append({**base, "Timestamp": start + timedelta(seconds=ts), "Value": val})
        return out
    for ts, i, n in zip(times.tolist(), first.tolist(), counts.tolist(), strict=True):
        stamp = start + timedelta(seconds=ts)
        if n == 1:
            out.append({**base, "Timestamp": stamp, "Value": float(v[i])})
            continue
        vals, cnts = np.unique(v[i:i + n], return_counts=True)
        for j in range(0, len(vals), MAX_VALUES_PER_DATUM):
            out.append({**base, "Timestamp": stamp,
                        "Values": vals[j:j + MAX_VALUES_PER_DATUM].tolist(),
                        "Counts": cnts[j:j + MAX_VALUES_PER_DATUM].astype(float).tolist()})
    return out


_FAST_CONFIG: Any = None


def _fast_client(cloud: Cloud) -> Any:
    """The client flush() publishes with. Our datums are built valid, so botocore's
    parameter validation is off (validating 1,000 datums cost about 3x the rest of the
    call here: 270 ms vs 75 ms), and so is gzip request compression (botocore compresses
    PutMetricData bodies over 10 KB, only for moto to inflate them again). One Config
    object, so ``cloud.client`` caches a single client."""
    global _FAST_CONFIG
    if _FAST_CONFIG is None:
        from botocore.config import Config

        _FAST_CONFIG = Config(parameter_validation=False, disable_request_compression=True)
    return cloud.client("cloudwatch", config=_FAST_CONFIG)
