"""CallRecorder (least-privilege policy from recorded calls) and lint_policy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloudlab import Cloud
from cloudlab.iam import (
    Call,
    CallRecorder,
    Policy,
    PolicySource,
    Request,
    evaluate,
    explain,
    lint_policy,
)

ACCT = "123456789012"
ALICE = f"arn:aws:iam::{ACCT}:user/alice"


def _work(cloud: Cloud) -> None:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="reports")
    s3.put_object(Bucket="reports", Key="2026/q1.csv", Body=b"a,b\n")
    s3.list_buckets()
    ddb = cloud.client("dynamodb")
    ddb.create_table(TableName="Books", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="Books", Item={"id": {"S": "1"}})


def test_recorder_maps_calls_to_actions_and_arns(cloud: Cloud) -> None:
    with CallRecorder(cloud) as rec:
        _work(cloud)
    table = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/Books"
    assert rec.calls == [
        Call("s3:CreateBucket", "arn:aws:s3:::reports"),
        Call("s3:PutObject", "arn:aws:s3:::reports/2026/q1.csv"),
        Call("s3:ListAllMyBuckets", "*"),
        Call("dynamodb:CreateTable", table),
        Call("dynamodb:PutItem", table),
    ]
    cloud.client("s3").list_buckets()  # after the block: not recorded
    assert len(rec.calls) == 5
    assert "5 call(s)" in repr(rec)


def test_minimal_policy_is_exact_and_deterministic(cloud: Cloud) -> None:
    with CallRecorder(cloud) as rec:
        _work(cloud)
    policy = rec.policy()
    assert policy == {"Version": "2012-10-17", "Statement": [
        {"Sid": "Dynamodb", "Effect": "Allow",
         "Action": ["dynamodb:CreateTable", "dynamodb:PutItem"],
         "Resource": [f"arn:aws:dynamodb:us-east-1:{ACCT}:table/Books"]},
        {"Sid": "S3", "Effect": "Allow", "Action": ["s3:CreateBucket", "s3:PutObject"],
         "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/2026/q1.csv"]},
        {"Sid": "S3NoResource", "Effect": "Allow", "Action": ["s3:ListAllMyBuckets"],
         "Resource": "*"},
    ]}
    assert json.loads(rec.policy_json()) == policy
    source = [PolicySource(Policy.parse(policy, kind="identity"), "inline", "minimal")]
    for action, resource in rec.calls:
        assert evaluate(Request(ALICE, action, resource), source).allowed
    assert not evaluate(Request(ALICE, "s3:DeleteObject", "arn:aws:s3:::reports/2026/q1.csv"),
                        source).allowed
    assert not evaluate(Request(ALICE, "dynamodb:PutItem",
                                f"arn:aws:dynamodb:us-east-1:{ACCT}:table/Other"),
                        source).allowed


def test_nested_recorders_and_explain_is_not_recorded(cloud: Cloud) -> None:
    cloud.client("iam").create_user(UserName="alice")
    with CallRecorder(cloud) as outer:
        cloud.client("sqs").create_queue(QueueName="orders")
        with CallRecorder(cloud) as inner:
            cloud.client("s3").list_buckets()
            explain(cloud, "alice", "s3:GetObject", "arn:aws:s3:::reports/x")
    assert inner.calls == [Call("s3:ListAllMyBuckets", "*")]
    assert outer.calls == [Call("sqs:CreateQueue", f"arn:aws:sqs:us-east-1:{ACCT}:orders"),
                           Call("s3:ListAllMyBuckets", "*")]


def test_failed_calls_are_recorded_too(cloud: Cloud) -> None:
    from botocore.exceptions import ClientError

    with CallRecorder(cloud) as rec, pytest.raises(ClientError):
        cloud.client("s3").get_object(Bucket="missing-bucket", Key="k")
    assert rec.calls == [Call("s3:GetObject", "arn:aws:s3:::missing-bucket/k")]


def _findings(doc: Any) -> list[tuple[str, str, str]]:
    return [(f.severity, f.sid, f.message) for f in lint_policy(doc)]


def _doc(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    d: dict[str, Any] = {"Statement": list(statements)}
    if version:
        d["Version"] = version
    return d


def test_lint_admin_and_wildcards() -> None:
    found = _findings(_doc({"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*"}))
    assert found[0][0:2] == ("error", "Admin") and "full administrator access" in found[0][2]
    found = _findings(_doc({"Effect": "Allow", "Action": ["s3:*", "dynamodb:Get*"],
                            "Resource": "*"}))
    sev = [(s, sid) for s, sid, _ in found]
    assert sev == [("warning", "#1"), ("info", "#1"), ("warning", "#1")]
    assert 'action "s3:*" allows every s3 action' in found[0][2]
    assert 'Resource "*"' in found[2][2]


def test_lint_notaction_notresource_passrole_public_and_version() -> None:
    found = _findings(_doc(
        {"Sid": "Most", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole",
         "Resource": f"arn:aws:iam::{ACCT}:role/app"},
        {"Sid": "Other", "Effect": "Allow", "Action": "s3:GetObject",
         "NotResource": "arn:aws:s3:::secret/*"},
        version=None))
    messages = {(sid, m.split(" ")[0]) for _, sid, m in found}
    assert ("", "Version") in messages
    assert ("Most", "NotAction") in messages and ("Other", "NotResource") in messages
    assert ("Pass", "iam:PassRole") in messages
    ok = _findings(_doc({"Effect": "Allow", "Action": "iam:PassRole",
                         "Resource": f"arn:aws:iam::{ACCT}:role/app",
                         "Condition": {"StringEquals": {"iam:PassedToService":
                                                        "ec2.amazonaws.com"}}}))
    assert ok == []
    public = lint_policy(_doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                               "Resource": "arn:aws:s3:::site/*"}))
    assert public[0].severity == "error" and "anyone" in public[0].message
    assert str(public[0]).startswith("error [#1]: ")


def test_lint_quiet_for_least_privilege_and_reports_malformed() -> None:
    assert _findings(_doc({"Effect": "Allow", "Action": ["s3:GetObject"],
                           "Resource": ["arn:aws:s3:::reports/*"]},
                          {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"})) == []
    [(sev, sid, msg)] = _findings({"Version": "2012-10-17", "Statement": [
        {"Effect": "allow", "Action": "s3:*", "Resource": "*"}]})
    assert sev == "error" and 'Effect must be "Allow" or "Deny", got "allow"' in msg
    deny_only = _findings(_doc({"Effect": "Deny", "Action": "*", "Resource": "*"}))
    assert deny_only == [("info", "", "only Deny statements: this policy grants nothing "
                                      "by itself")]
