"""Cold start and per-call overhead of cloudlab's Cloud against raw moto.

Each figure is a median of several runs, measured side by side with its anchor
(raw moto doing the same thing) in the same run, so machine load affects both.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 5

CLOUDLAB_COLD = """
from cloudlab import Cloud
cloud = Cloud()
cloud.client("ec2").describe_instances()
import time; print(time.time())
"""

MOTO_COLD = """
import os
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
import boto3
from moto import mock_aws
mock = mock_aws(config={"lambda": {"use_docker": False}})
mock.start()
boto3.client("ec2", region_name="us-east-1").describe_instances()
import time; print(time.time())
"""


def _process_seconds(code: str) -> float:
    """Seconds from spawning a fresh interpreter to the moment it has the answer (the child
    prints the wall-clock time of the answer; interpreter shutdown is not counted)."""
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1]) - t0


def cold_start() -> dict[str, float]:
    """Process start to the first EC2 describe_instances answer."""
    ours, raw, ratios = [], [], []
    for _ in range(RUNS):
        a = _process_seconds(CLOUDLAB_COLD)
        b = _process_seconds(MOTO_COLD)
        ours.append(a)
        raw.append(b)
        ratios.append(a / b)
    return {
        "cold_start_cloudlab_s": statistics.median(ours),
        "cold_start_raw_moto_s": statistics.median(raw),
        "cold_start_ratio": statistics.median(ratios),
    }


def per_call_overhead(calls: int = 500) -> dict[str, float]:
    """S3 put_object of 1 KB through a Cloud client vs a plain client under raw mock_aws."""
    import boto3
    from moto import mock_aws

    from cloudlab import Cloud

    body = b"x" * 1024

    def timed(client: object) -> float:
        put = client.put_object  # type: ignore[attr-defined]
        for i in range(20):  # warm up
            put(Bucket="bench-bucket", Key=f"w{i}", Body=body)
        t0 = time.perf_counter()
        for i in range(calls):
            put(Bucket="bench-bucket", Key=f"k{i}", Body=body)
        return (time.perf_counter() - t0) / calls

    ours, raw = [], []
    for _ in range(RUNS):
        with Cloud() as cloud:
            s3 = cloud.client("s3")
            s3.create_bucket(Bucket="bench-bucket")
            ours.append(timed(s3))
        with mock_aws():
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="bench-bucket")
            raw.append(timed(s3))
    a, b = statistics.median(ours), statistics.median(raw)
    return {
        "s3_put_1kb_cloudlab_ms": a * 1000,
        "s3_put_1kb_raw_moto_ms": b * 1000,
        "s3_put_overhead_pct": (a / b - 1) * 100,
    }


def bench() -> dict[str, float]:
    return {**cold_start(), **per_call_overhead()}


if __name__ == "__main__":
    for name, value in bench().items():
        print(f"{name:32s} {value:10.3f}")
