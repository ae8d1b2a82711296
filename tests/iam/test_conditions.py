"""Condition operators one by one (AWS IAM User Guide, "Condition operators")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cloudlab.iam.conditions import Condition, parse_operator

T = datetime(2026, 1, 5, 12, tzinfo=UTC)


def check(op: str, key: str, values: Any, context: dict[str, Any]) -> bool:
    vals = tuple(values) if isinstance(values, list) else (values,)
    return Condition(op, key, vals).check({k.lower(): v for k, v in context.items()}).ok


CASES = [
    ("StringEquals", "k", "abc", {"k": "abc"}, True),
    ("StringEquals", "k", "abc", {"k": "ABC"}, False),
    ("StringEquals", "k", ["x", "abc"], {"k": "abc"}, True),
    ("StringEquals", "k", "abc", {}, False),
    ("StringNotEquals", "k", "abc", {"k": "abd"}, True),
    ("StringNotEquals", "k", ["abc", "abd"], {"k": "abd"}, False),
    ("StringNotEquals", "k", "abc", {}, True),
    ("StringEqualsIgnoreCase", "k", "ABC", {"k": "abc"}, True),
    ("StringNotEqualsIgnoreCase", "k", "ABC", {"k": "abc"}, False),
    ("StringLike", "k", "home/*/notes?", {"k": "home/al/notes1"}, True),
    ("StringLike", "k", "home/*", {"k": "Home/x"}, False),
    ("StringNotLike", "k", "tmp/*", {"k": "home/x"}, True),
    ("StringNotLike", "k", "tmp/*", {}, True),
    ("StringEqualsIfExists", "k", "abc", {}, True),
    ("StringEqualsIfExists", "k", "abc", {"k": "x"}, False),
    ("NumericEquals", "n", "10", {"n": 10}, True),
    ("NumericNotEquals", "n", "10", {"n": 11}, True),
    ("NumericLessThan", "n", "10", {"n": 9.5}, True),
    ("NumericLessThan", "n", "10", {"n": 10}, False),
    ("NumericLessThanEquals", "n", "10", {"n": "10"}, True),
    ("NumericGreaterThan", "n", "10", {"n": 11}, True),
    ("NumericGreaterThanEquals", "n", 10, {"n": 9}, False),
    ("NumericLessThan", "n", "10", {"n": "lots"}, False),
    ("DateLessThan", "aws:CurrentTime", "2026-01-06T00:00:00Z", {"aws:CurrentTime": T}, True),
    ("DateGreaterThan", "aws:CurrentTime", "2026-01-06T00:00:00Z", {"aws:CurrentTime": T},
     False),
    ("DateGreaterThanEquals", "aws:CurrentTime", "2026-01-05T12:00:00Z",
     {"aws:CurrentTime": T}, True),
    ("DateEquals", "aws:CurrentTime", str(int(T.timestamp())), {"aws:CurrentTime": T}, True),
    ("DateNotEquals", "aws:CurrentTime", "2026-01-05T12:00:00Z", {"aws:CurrentTime": T},
     False),
    ("DateLessThanEquals", "aws:CurrentTime", "2026-01-05", {"aws:CurrentTime": T}, False),
    ("Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": True}, True),
    ("Bool", "aws:SecureTransport", "TRUE", {"aws:SecureTransport": "true"}, True),
    ("Bool", "aws:SecureTransport", True, {"aws:SecureTransport": False}, False),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", "false", {}, True),
    ("BinaryEquals", "k", "QmluYXJ5", {"k": "QmluYXJ5"}, True),
    ("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "203.0.113.5"], {"aws:SourceIp": "203.0.113.5"},
     True),
    ("IpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "11.0.0.1"}, False),
    ("IpAddress", "aws:SourceIp", "2001:db8::/32", {"aws:SourceIp": "2001:db8::1"}, True),
    ("IpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "not-an-ip"}, False),
    ("NotIpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "11.0.0.1"}, True),
    ("NotIpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "10.9.9.9"}, False),
    ("ArnEquals", "aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:topic",
     {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic"}, True),
    ("ArnLike", "aws:SourceArn", "arn:aws:s3:::logs-*",
     {"aws:SourceArn": "arn:aws:s3:::logs-2026"}, True),
    ("ArnNotLike", "aws:SourceArn", "arn:aws:s3:::logs-*",
     {"aws:SourceArn": "arn:aws:s3:::logs-2026"}, False),
    ("ArnNotEquals", "aws:SourceArn", "arn:aws:s3:::a", {}, True),
    ("Null", "aws:TokenIssueTime", "true", {}, True),
    ("Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": T}, False),
    ("Null", "aws:TokenIssueTime", "false", {"aws:TokenIssueTime": T}, True),
    ("Null", "aws:TagKeys", "true", {"aws:TagKeys": []}, True),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env"], {"aws:TagKeys": ["env", "x"]}, True),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env"], {}, False),
    ("ForAnyValue:StringNotEquals", "aws:TagKeys", ["env"], {"aws:TagKeys": ["env", "x"]},
     True),
    ("ForAllValues:StringLike", "aws:TagKeys", ["team*", "env"],
     {"aws:TagKeys": ["teamA", "env"]}, True),
    ("ForAllValues:StringLike", "aws:TagKeys", ["team*"], {"aws:TagKeys": ["teamA", "env"]},
     False),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["env"], {"aws:TagKeys": []}, True),
    ("ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], {"aws:TagKeys": ["a", "b"]},
     True),
    ("StringEquals", "aws:TagKeys", "b", {"aws:TagKeys": ["a", "b"]}, True),
]


@pytest.mark.parametrize("op,key,values,context,expected", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_operator(op: str, key: str, values: Any, context: dict[str, Any],
                  expected: bool) -> None:
    assert check(op, key, values, context) is expected


def test_policy_variable_in_condition_value() -> None:
    c = Condition("StringLike", "s3:prefix", ("home/${aws:username}/*",))
    assert c.check({"s3:prefix": "home/alice/x", "aws:username": "alice"}).ok
    assert not c.check({"s3:prefix": "home/bob/x", "aws:username": "alice"}).ok
    assert not c.check({"s3:prefix": "home/${aws:username}/x"}).ok
    assert c.check({"s3:prefix": "home/${aws:username}/x"}, variables=False).ok


def test_check_records_key_operator_expected_actual() -> None:
    res = Condition("IpAddress", "aws:SourceIp", ("10.0.0.0/8",)).check(
        {"aws:sourceip": "192.0.2.1"})
    assert (res.ok, res.present, res.actual) == (False, True, "192.0.2.1")
    assert str(res) == "IpAddress aws:SourceIp [10.0.0.0/8] vs 192.0.2.1: did not match"
    missing = Condition("Bool", "aws:MultiFactorAuthPresent", ("true",)).check({})
    assert not missing.present and "(not in request)" in str(missing)


def test_parse_operator_parts() -> None:
    spec = parse_operator("ForAllValues:StringNotLikeIfExists")
    assert (spec.set_op, spec.base, spec.if_exists, spec.negated) == (
        "ForAllValues", "StringNotLike", True, True)
    with pytest.raises(ValueError, match='did you mean "NumericLessThan"'):
        parse_operator("NumericLessThen")
