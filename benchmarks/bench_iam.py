"""IAM policy engine: median time of one decision for a principal with 10 policies x 20
statements (the work ``explain`` does after reading the policies).

Run: ``python -m benchmarks.bench_iam`` (or ``python -m benchmarks iam``). Nothing is asserted.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from cloudlab.iam import Policy, PolicySource, Request, evaluate

POLICIES = 10
STATEMENTS = 20
ACCT = "123456789012"
SERVICES = ["s3", "dynamodb", "sqs", "ec2", "sns"]


def _statement(p: int, s: int) -> dict[str, Any]:
    service = SERVICES[(p + s) % len(SERVICES)]
    st: dict[str, Any] = {
        "Sid": f"P{p}S{s}",
        "Effect": "Deny" if s % 7 == 6 else "Allow",
        "Action": [f"{service}:Get*", f"{service}:Put{s}*", f"{service}:List*"],
        "Resource": [f"arn:aws:{service}:us-east-1:{ACCT}:thing-{p}-{s}/*",
                     f"arn:aws:s3:::bucket-{p}-{s}/home/${{aws:username}}/*"],
    }
    if s % 3 == 0:
        st["Condition"] = {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "10.0.0.0/8"]},
                           "Bool": {"aws:SecureTransport": "true"}}
    return st


def _sources() -> list[PolicySource]:
    return [PolicySource(Policy.parse({"Version": "2012-10-17", "Statement": [
        _statement(p, s) for s in range(STATEMENTS)]}, name=f"policy-{p}"), "managed",
        f"policy-{p}") for p in range(POLICIES)]


def _requests() -> list[Request]:
    ctx = {"aws:SourceIp": "203.0.113.9", "aws:SecureTransport": True}
    user = f"arn:aws:iam::{ACCT}:user/alice"
    return [
        Request(user, "s3:GetObject", "arn:aws:s3:::bucket-3-4/home/alice/a.txt", ctx),
        Request(user, "dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCT}:table/Nope", ctx),
        Request(user, "ec2:RunInstances", "*", ctx),
        Request(user, "sqs:GetQueueUrl", f"arn:aws:sqs:us-east-1:{ACCT}:thing-1-3/q", ctx),
    ]


def bench(repeats: int = 2000) -> dict[str, float]:
    """Median milliseconds per decision over ``repeats`` decisions (4 request shapes)."""
    sources = _sources()
    requests = _requests()
    for r in requests:  # warm the regex caches, as a notebook session would
        evaluate(r, sources)
    times = []
    for i in range(repeats):
        r = requests[i % len(requests)]
        t0 = time.perf_counter()
        evaluate(r, sources)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    _sources()
    parse_ms = (time.perf_counter() - t0) * 1000
    return {
        "iam_decision_200_statements_ms": statistics.median(times) * 1000,
        "iam_decision_p95_ms": sorted(times)[int(len(times) * 0.95)] * 1000,
        "iam_parse_10x20_policies_ms": parse_ms,
    }


if __name__ == "__main__":
    for name, value in bench().items():
        print(f"{name:34s} {value:10.4f}   {'target <= 1 ms' if 'statements' in name else ''}")
