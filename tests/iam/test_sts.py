"""AssumeRole trust rules and temporary credentials on the virtual clock (cloudlab.iam.sts)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cloudlab import Cloud
from cloudlab.errors import UnknownPrincipal
from cloudlab.iam.enforce import enforce_iam, install
from cloudlab.iam.sts import can_assume, sessions

ACCOUNT = "123456789012"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/deployer"


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def clients(creds: dict[str, str]) -> Callable[..., Any]:
    def client(service: str, **kw: Any) -> Any:
        return boto3.client(service, region_name="us-east-1",
                            aws_access_key_id=creds["AccessKeyId"],
                            aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds.get("SessionToken"), **kw)
    return client


def user(cloud: Cloud, name: str, *statements: dict[str, Any]) -> Callable[..., Any]:
    iam = cloud.client("iam")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="own", PolicyDocument=policy(*statements))
    return clients(iam.create_access_key(UserName=name)["AccessKey"])


def role(cloud: Cloud, *trust: dict[str, Any], name: str = "deployer") -> str:
    iam = cloud.client("iam")
    arn: str = iam.create_role(RoleName=name,
                               AssumeRolePolicyDocument=policy(*trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="tables", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": "*"}))
    return arn


def trust(principal: dict[str, Any] | str, effect: str = "Allow", **extra: Any) -> dict:
    return {"Effect": effect, "Principal": principal, "Action": "sts:AssumeRole", **extra}


def assume_denied(client: Any, arn: str = ROLE) -> str:
    with pytest.raises(ClientError) as info:
        client.assume_role(RoleArn=arn, RoleSessionName="work")
    err = info.value.response["Error"]
    assert err["Code"] == "AccessDenied"
    message: str = err["Message"]
    return message


def test_user_principal_may_assume(cloud: Cloud) -> None:
    role(cloud, trust({"AWS": ALICE}))
    alice = user(cloud, "alice")  # no identity policy needed: the trust policy names her
    bob = user(cloud, "bob")
    enforce_iam(cloud)
    answer = alice("sts").assume_role(RoleArn=ROLE, RoleSessionName="work")
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/work"
    message = assume_denied(bob("sts"))
    assert message == (f"User: {BOB} is not authorized to perform: sts:AssumeRole on resource: "
                       f"{ROLE} because the role's trust policy does not allow this principal")


def test_role_permissions_replace_the_callers(cloud: Cloud) -> None:
    role(cloud, trust({"AWS": ALICE}))
    alice = user(cloud, "alice", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    enforce_iam(cloud)
    assert alice("s3").list_buckets()["Buckets"] == []
    creds = alice("sts").assume_role(RoleArn=ROLE, RoleSessionName="work")["Credentials"]
    as_role = clients(creds)
    assert as_role("dynamodb").list_tables()["TableNames"] == []
    with pytest.raises(ClientError) as info:
        as_role("s3").list_buckets()
    assert info.value.response["Error"]["Message"] == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/deployer/work is not authorized to "
        "perform: s3:ListAllMyBuckets on resource: * because no identity-based policy "
        "allows the s3:ListAllMyBuckets action")
    identity = as_role("sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/work"


def test_account_root_principal_needs_identity_permission(cloud: Cloud) -> None:
    role(cloud, trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    alice = user(cloud, "alice", {"Effect": "Allow", "Action": "sts:AssumeRole",
                                  "Resource": ROLE})
    bob = user(cloud, "bob")
    enforce_iam(cloud)
    assert alice("sts").assume_role(RoleArn=ROLE, RoleSessionName="work")["Credentials"]
    message = assume_denied(bob("sts"))
    assert message.startswith(f"User: {BOB} is not authorized to perform: sts:AssumeRole on "
                              f"resource: {ROLE} because no identity-based policy allows the "
                              "sts:AssumeRole action")
    assert "trusts the account" in message


def test_explicit_deny_in_trust_or_identity(cloud: Cloud) -> None:
    role(cloud, trust({"AWS": ACCOUNT}), trust({"AWS": BOB}, effect="Deny"))
    anyone = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
    user(cloud, "alice", anyone, {"Effect": "Deny", "Action": "sts:*", "Resource": ROLE})
    alice = clients(cloud.client("iam").create_access_key(UserName="alice")["AccessKey"])
    bob = user(cloud, "bob", anyone)
    enforce_iam(cloud)
    assert assume_denied(bob("sts")).endswith("with an explicit deny in a resource-based policy")
    assert assume_denied(alice("sts")).endswith(
        "with an explicit deny in an identity-based policy")


def test_trust_conditions_apply(cloud: Cloud) -> None:
    role(cloud, trust({"AWS": ALICE},
                      Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    alice = user(cloud, "alice")
    enforce_iam(cloud)
    assume_denied(alice("sts"))
    answer = alice("sts").assume_role(RoleArn=ROLE, RoleSessionName="work",
                                      SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/alice",
                                      TokenCode="123456")
    assert answer["Credentials"]["AccessKeyId"]
    (session,) = sessions(cloud)
    assert session.mfa is True and session.session_name == "work"


def test_service_principal(cloud: Cloud) -> None:
    role(cloud, trust({"Service": "ec2.amazonaws.com"}))
    alice = user(cloud, "alice", {"Effect": "Allow", "Action": "sts:AssumeRole",
                                  "Resource": "*"})
    enforce_iam(cloud)
    assert can_assume(cloud, "ec2.amazonaws.com", "deployer").allowed
    verdict = can_assume(cloud, "lambda.amazonaws.com", "deployer")
    assert not verdict and "does not trust the service lambda.amazonaws.com" in verdict.reason
    assert not can_assume(cloud, "alice", "deployer")
    assert assume_denied(alice("sts")).endswith("trust policy does not allow this principal")
    assert "DENIED" in verdict._repr_html_()


def test_can_assume_explains_and_rejects_unknown_names(cloud: Cloud) -> None:
    role(cloud, trust({"AWS": ALICE}))
    user(cloud, "alice")
    verdict = can_assume(cloud, "alice", ROLE)
    assert verdict.allowed and verdict.trusted_by == "principal"
    assert repr(verdict) == (
        f"<TrustVerdict allowed: the trust policy of role deployer names {ALICE}>")
    with pytest.raises(UnknownPrincipal, match="no IAM user named 'carol'"):
        can_assume(cloud, "carol", "deployer")
    with pytest.raises(UnknownPrincipal, match="no role named 'nope'"):
        can_assume(cloud, "alice", "nope")


def test_credentials_expire_on_the_virtual_clock(cloud: Cloud) -> None:
    role(cloud, trust({"AWS": ALICE}))
    alice = user(cloud, "alice")
    enforce_iam(cloud)
    start = cloud.now
    creds = alice("sts").assume_role(RoleArn=ROLE, RoleSessionName="work",
                                     DurationSeconds=900)["Credentials"]
    assert creds["Expiration"] == start + timedelta(seconds=900)
    as_role = clients(creds)
    assert as_role("dynamodb").list_tables()["TableNames"] == []
    cloud.advance(minutes=14)
    assert as_role("dynamodb").list_tables()["TableNames"] == []
    assert len(sessions(cloud)) == 1
    cloud.advance(minutes=1)
    assert sessions(cloud) == []
    assert len(sessions(cloud, active_only=False)) == 1
    with pytest.raises(ClientError) as info:
        as_role("sts").get_caller_identity()
    assert info.value.response["Error"] == {
        "Code": "ExpiredToken", "Message": "The security token included in the request is expired"}
    with pytest.raises(ClientError) as info:
        as_role("dynamodb").list_tables()
    assert info.value.response["Error"]["Code"] == "ExpiredTokenException"


def test_default_duration_is_one_hour(cloud: Cloud) -> None:
    role(cloud, trust({"AWS": ALICE}))
    alice = user(cloud, "alice")
    enforce_iam(cloud)
    as_role = clients(alice("sts").assume_role(RoleArn=ROLE,
                                               RoleSessionName="work")["Credentials"])
    cloud.advance(minutes=59)
    as_role("dynamodb").list_tables()
    cloud.advance(hours=1)
    with pytest.raises(ClientError, match="ExpiredToken"):
        as_role("dynamodb").list_tables()


def test_session_tokens_are_distinct_and_seeded(cloud: Cloud) -> None:
    install(cloud)  # bookkeeping without enforcement
    alice = user(cloud, "alice")
    first = alice("sts").get_session_token()["Credentials"]
    second = alice("sts").get_session_token(DurationSeconds=3600)["Credentials"]
    assert first["AccessKeyId"] != second["AccessKeyId"]
    assert first["AccessKeyId"].startswith("ASIA") and len(first["AccessKeyId"]) == 20
    assert first["Expiration"] == cloud.now + timedelta(hours=12)
    assert second["Expiration"] == cloud.now + timedelta(hours=1)
    other = Cloud(seed=0)
    try:
        install(other)
        o = user(other, "alice")
        assert o("sts").get_session_token()["Credentials"]["AccessKeyId"] == first["AccessKeyId"]
    finally:
        other.stop()


def test_root_identity_and_root_may_assume(cloud: Cloud) -> None:
    role(cloud, trust({"AWS": ALICE}))
    enforce_iam(cloud)
    sts = cloud.client("sts")
    identity = sts.get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert identity["Account"] == ACCOUNT
    creds = sts.assume_role(RoleArn=ROLE, RoleSessionName="admin")["Credentials"]
    assert clients(creds)("dynamodb").list_tables()["TableNames"] == []
