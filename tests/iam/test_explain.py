"""explain() against a real mini cloud: users, groups, roles, managed and inline policies,
boundaries and bucket policies created through boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloudlab import Cloud
from cloudlab.errors import UnknownPrincipal
from cloudlab.iam import explain

ACCT = "123456789012"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.fixture
def iam(cloud: Cloud) -> Any:
    client = cloud.client("iam")
    client.create_user(UserName="alice")
    client.create_group(GroupName="devs")
    client.add_user_to_group(GroupName="devs", UserName="alice")
    return client


def managed(iam: Any, name: str, *statements: dict[str, Any]) -> str:
    arn: str = iam.create_policy(PolicyName=name, PolicyDocument=doc(*statements))["Policy"]["Arn"]
    return arn


def test_group_managed_policy_allows_and_is_named(cloud: Cloud, iam: Any) -> None:
    arn = managed(iam, "S3Read", {**allow("s3:Get*"), "Sid": "Read"})
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    d = explain(cloud, "alice", "s3:GetObject", "arn:aws:s3:::reports/a.csv")
    assert d.allowed and d.request.principal_arn == f"arn:aws:iam::{ACCT}:user/alice"
    [m] = d.deciding
    assert (m.source.kind, m.source.name, m.statement.sid) == ("group-managed",
                                                               f"devs/{arn}", "Read")
    assert not explain(cloud, "user/alice", "s3:PutObject", "arn:aws:s3:::reports/a.csv")


def test_user_inline_deny_beats_group_inline_allow(cloud: Cloud, iam: Any) -> None:
    iam.put_group_policy(GroupName="devs", PolicyName="all-s3", PolicyDocument=doc(allow("s3:*")))
    iam.put_user_policy(UserName="alice", PolicyName="no-delete", PolicyDocument=doc(
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}))
    d = explain(cloud, f"arn:aws:iam::{ACCT}:user/alice", "s3:DeleteObject",
                "arn:aws:s3:::reports/a.csv")
    assert d.reason == "explicit deny"
    assert [(m.source.kind, m.source.name) for m in d.deciding] == [("inline", "no-delete")]
    ok = explain(cloud, "alice", "s3:PutObject", "arn:aws:s3:::reports/a.csv")
    assert [(m.source.kind, m.source.name) for m in ok.deciding] == [("group-inline",
                                                                      "devs/all-s3")]


def test_aws_managed_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with Cloud(seed=0) as cloud:
        iam = cloud.client("iam")
        iam.create_user(UserName="reader")
        arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
        iam.attach_user_policy(UserName="reader", PolicyArn=arn)
        assert explain(cloud, "reader", "s3:ListBucket", "arn:aws:s3:::reports").allowed
        d = explain(cloud, "reader", "s3:PutObject", "arn:aws:s3:::reports/x")
        assert d.reason == "implicit deny" and d.deciding == []


def test_bucket_policy_allows_and_denies(cloud: Cloud, iam: Any) -> None:
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="reports")
    s3.put_bucket_policy(Bucket="reports", Policy=doc(
        {"Sid": "AliceReads", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/alice"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},
        {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
    d = explain(cloud, "alice", "s3:GetObject", "arn:aws:s3:::reports/q1.csv")
    assert d.allowed and d.deciding[0].source.kind == "resource"
    assert d.deciding[0].source.name == "bucket policy of reports"
    http = explain(cloud, "alice", "s3:GetObject", "arn:aws:s3:::reports/q1.csv",
                   context={"aws:SecureTransport": False})
    assert http.reason == "explicit deny" and http.deciding[0].statement.sid == "TlsOnly"
    # a bucket without a policy, and a resource-less action, read no bucket policy
    assert not explain(cloud, "alice", "s3:GetObject", "arn:aws:s3:::other/x")
    assert not explain(cloud, "alice", "s3:ListAllMyBuckets")


def test_role_and_role_session(cloud: Cloud) -> None:
    iam = cloud.client("iam")
    trust = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                 "Action": "sts:AssumeRole"})
    iam.create_role(RoleName="Dev", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName="Dev", PolicyName="ddb", PolicyDocument=doc(
        allow("dynamodb:*", f"arn:aws:dynamodb:*:{ACCT}:table/*")))
    table = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/Books"
    assert explain(cloud, "role/Dev", "dynamodb:GetItem", table).allowed
    session = f"arn:aws:sts::{ACCT}:assumed-role/Dev/alice"
    d = explain(cloud, session, "dynamodb:GetItem", table)
    assert d.allowed and d.request.principal_arn == session
    assert d.request.context.get("aws:username") is None
    assert not explain(cloud, "Dev", "s3:GetObject", "arn:aws:s3:::x/y")


def test_permissions_boundary_is_read(cloud: Cloud) -> None:
    # moto 5.2.5 keeps boundaries of roles only (users' are dropped), so use a role
    iam = cloud.client("iam")
    cap = managed(iam, "OnlyS3", allow("s3:*"))
    trust = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                 "Action": "sts:AssumeRole"})
    iam.create_role(RoleName="App", AssumeRolePolicyDocument=trust, PermissionsBoundary=cap)
    iam.put_role_policy(RoleName="App", PolicyName="admin", PolicyDocument=doc(allow("*")))
    ok = explain(cloud, "role/App", "s3:GetObject", "arn:aws:s3:::a/b")
    assert ok.allowed and {m.source.kind for m in ok.deciding} == {"inline", "boundary"}
    d = explain(cloud, "role/App", "ec2:RunInstances")
    assert d.reason == "implicit deny" and d.boundary_blocked
    assert cap in d.note


def test_virtual_clock_is_the_current_time(cloud: Cloud, iam: Any) -> None:
    iam.put_user_policy(UserName="alice", PolicyName="until", PolicyDocument=doc(allow(
        "s3:GetObject", Condition={"DateLessThan": {"aws:CurrentTime": "2026-02-01T00:00:00Z"}})))
    assert explain(cloud, "alice", "s3:GetObject", "arn:aws:s3:::a/b").allowed
    cloud.advance(days=30)
    late = explain(cloud, "alice", "s3:GetObject", "arn:aws:s3:::a/b")
    assert not late.allowed
    [c] = late.near_misses[0].checks
    assert c.key == "aws:CurrentTime" and c.actual == cloud.now


def test_root_is_allowed(cloud: Cloud) -> None:
    d = explain(cloud, "root", "iam:CreateUser")
    assert d.allowed and "root user" in d.note


def test_unknown_principal_suggests_close_name(cloud: Cloud, iam: Any) -> None:
    with pytest.raises(UnknownPrincipal) as err:
        explain(cloud, "alcie", "s3:GetObject")
    msg = str(err.value)
    assert "no IAM user named 'alcie'" in msg and 'Did you mean "alice"?' in msg
    assert "iam.create_user(UserName=...)" in msg
    with pytest.raises(UnknownPrincipal, match="no IAM role named 'Ops'"):
        explain(cloud, "role/Ops", "s3:GetObject")
    with pytest.raises(UnknownPrincipal, match="is not a user, role"):
        explain(cloud, "arn:aws:s3:::bucket", "s3:GetObject")


def test_html_shows_verdict_words_colour_and_conditions(cloud: Cloud, iam: Any) -> None:
    iam.put_user_policy(UserName="alice", PolicyName="office", PolicyDocument=doc(
        {**allow("s3:GetObject"), "Sid": "OfficeOnly",
         "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}))
    denied = explain(cloud, "alice", "s3:GetObject", "arn:aws:s3:::a/b")._repr_html_()
    assert "DENIED: implicit deny" in denied and "#7a4a00" in denied
    for text in ("OfficeOnly", "aws:SourceIp", "IpAddress", "203.0.113.0/24",
                 "198.51.100.10", "did not match", "office"):
        assert text in denied, text
    allowed = explain(cloud, "alice", "s3:GetObject", "arn:aws:s3:::a/b",
                      context={"aws:SourceIp": "203.0.113.7"})
    page = allowed._repr_html_()
    assert "ALLOWED" in page and "#1b6e36" in page and "matched" in page
    assert "ALLOWED" in repr(allowed) and "OfficeOnly" in repr(allowed)
