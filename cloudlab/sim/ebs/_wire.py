"""Wire helpers of the EBS hooks: EC2 query parameters in, AWS-shaped answers and errors out.

A ``before-call`` handler gets the serialised request (EC2's query protocol: a flat
``body`` dict such as ``{"VolumeId": "vol-1", "Filter.1.Name": "status",
"Filter.1.Value.1": "pending"}``). Returning ``(http_response, parsed)`` from it answers the
call without moto; botocore raises the same ``ClientError`` as on AWS when ``parsed`` holds
an ``Error``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AwsError", "Call", "answer", "as_bool", "as_int", "error_answer", "indexed",
           "pop_filters", "region_of"]

_REQUEST_IDS = itertools.count(1)


class AwsError(Exception):
    """An error the mini cloud returns as an AWS ``ClientError`` (code, message, HTTP status)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass
class Call:
    """One EC2 call on its way: the cloud, operation, query parameters, Region and the
    botocore context (shared by the call's ``before-call`` and ``after-call`` handlers)."""

    cloud: Any
    operation: str
    body: dict[str, Any]
    region: str
    context: dict[str, Any] = field(default_factory=dict)
    request: dict[str, Any] = field(default_factory=dict)

    @property
    def t(self) -> float:
        """Virtual seconds now."""
        return float(self.cloud.t)


def region_of(context: Mapping[str, Any] | None) -> str:
    region = (context or {}).get("client_region") or "us-east-1"
    return "us-east-1" if region == "aws-global" else str(region)


def indexed(body: Mapping[str, Any], name: str) -> list[Any]:
    """Values of a query list parameter: ``indexed(body, "VolumeId")`` reads ``VolumeId.1``,
    ``VolumeId.2`` ... in order."""
    pattern = re.compile(rf"^{re.escape(name)}\.(\d+)$")
    found = sorted((int(m.group(1)), v) for k, v in body.items() if (m := pattern.match(k)))
    return [v for _, v in found]


def _filters(body: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
    out = []
    for n in itertools.count(1):
        name = body.get(f"Filter.{n}.Name")
        if name is None:
            break
        out.append((str(name), indexed(body, f"Filter.{n}.Value")))
    return out


def pop_filters(body: MutableMapping[str, Any], names: set[str]) -> dict[str, list[Any]]:
    """Remove the filters called ``names`` from the request (moto would apply them to its own
    view of the resource) and renumber the rest; return the removed ones."""
    filters = _filters(body)
    taken = {name: values for name, values in filters if name in names}
    if not taken:
        return {}
    for key in [k for k in body if k.startswith("Filter.")]:
        del body[key]
    n = 0
    for name, values in filters:
        if name in names:
            continue
        n += 1
        body[f"Filter.{n}.Name"] = name
        for i, value in enumerate(values, 1):
            body[f"Filter.{n}.Value.{i}"] = value
    return taken


def answer(request: Mapping[str, Any], parsed: dict[str, Any],
           status: int = 200) -> tuple[Any, dict[str, Any]]:
    """``(http_response, parsed)`` for a ``before-call`` handler to return."""
    from botocore.awsrequest import AWSResponse

    request_id = f"cloudlab-ebs-{next(_REQUEST_IDS):08d}"
    http = AWSResponse(str(request.get("url", "")), status,
                       {"x-amzn-requestid": request_id}, None)
    parsed["ResponseMetadata"] = {"RequestId": request_id, "HTTPStatusCode": status,
                                  "HTTPHeaders": {"x-amzn-requestid": request_id},
                                  "RetryAttempts": 0}
    return http, parsed


def error_answer(request: Mapping[str, Any], error: AwsError) -> tuple[Any, dict[str, Any]]:
    return answer(request, {"Error": {"Code": error.code, "Message": error.message}},
                  status=error.status)


def as_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise AwsError("InvalidParameterValue", f"Value ({value}) is not a valid integer") from None


def as_bool(value: Any) -> bool:
    return str(value).lower() == "true"
