"""IAM enforcement of every boto3 call in the mini cloud (cloudlab.iam.enforce)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cloudlab import Cloud
from cloudlab.iam.enforce import (
    DEFAULT_SOURCE_IP,
    enforce_iam,
    enforcement,
    last_denial,
    set_request_context,
)

ACCOUNT = "123456789012"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"

Client = Callable[..., Any]


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def make_user(cloud: Cloud, name: str = "alice", *statements: dict[str, Any]) -> Client:
    """Create an IAM user with an inline policy; return a factory of clients signed with
    the user's access key (plain boto3 clients, not the cloud's)."""
    iam = cloud.client("iam")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName=f"{name}-policy",
                            PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]

    def client(service: str, region: str = "us-east-1", **kwargs: Any) -> Any:
        return boto3.client(service, region_name=region,
                            aws_access_key_id=key["AccessKeyId"],
                            aws_secret_access_key=key["SecretAccessKey"], **kwargs)

    client.key = key  # type: ignore[attr-defined]
    return client


def denied(call: Callable[[], Any]) -> dict[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    error: dict[str, str] = info.value.response["Error"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 401, 403)
    return error


def implicit(action: str, resource: str, who: str = ALICE) -> str:
    return (f"User: {who} is not authorized to perform: {action} on resource: {resource} "
            f"because no identity-based policy allows the {action} action")


@pytest.fixture
def bucket(cloud: Cloud) -> str:
    s3 = cloud.client("s3")
    for name in ("data-bkt", "other-bkt"):
        s3.create_bucket(Bucket=name)
        s3.put_object(Bucket=name, Key="report.csv", Body=b"a,b\n")
    return "data-bkt"


@pytest.fixture
def managed_cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    """A cloud whose IAM knows AWS managed policies (moto loads them only when asked)."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    c = Cloud(seed=0)
    try:
        yield c
    finally:
        c.stop()


# -- on / off -----------------------------------------------------------------------------

def test_off_by_default_and_off_again(cloud: Cloud, bucket: str) -> None:
    alice = make_user(cloud)
    assert alice("s3").list_buckets()["Buckets"]  # no policy, but enforcement is off
    enforce_iam(cloud)
    err = denied(lambda: alice("s3").list_buckets())
    assert err["Code"] == "AccessDenied"
    assert err["Message"] == implicit("s3:ListAllMyBuckets", "*")
    enforce_iam(cloud, enabled=False)
    assert alice("s3").list_buckets()["Buckets"]


def test_enforcement_context_manager_restores(cloud: Cloud, bucket: str) -> None:
    alice = make_user(cloud)
    with enforcement(cloud) as state:
        assert state.enabled
        denied(lambda: alice("s3").list_buckets())
    assert alice("s3").list_buckets()["Buckets"]


def test_reset_turns_enforcement_off(cloud: Cloud) -> None:
    alice = make_user(cloud)
    enforce_iam(cloud)
    denied(lambda: alice("s3").list_buckets())
    cloud.reset()
    # the user is gone with everything else; the key is now unknown to the cloud, and
    # with enforcement off again moto answers as usual
    assert alice("s3").list_buckets()["Buckets"] == []


def test_root_is_always_allowed(cloud: Cloud, bucket: str) -> None:
    make_user(cloud)
    enforce_iam(cloud)
    s3 = cloud.client("s3")
    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} == {"data-bkt", "other-bkt"}
    assert cloud.client("ec2").describe_instances()["Reservations"] == []
    assert cloud.client("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


# -- S3 ---------------------------------------------------------------------------------

def test_s3_object_and_bucket_arns(cloud: Cloud, bucket: str) -> None:
    alice = make_user(cloud, "alice", allow("s3:GetObject", "arn:aws:s3:::data-bkt/*"))
    enforce_iam(cloud)
    s3 = alice("s3")
    assert s3.get_object(Bucket="data-bkt", Key="report.csv")["Body"].read() == b"a,b\n"
    assert s3.head_object(Bucket="data-bkt", Key="report.csv")["ContentLength"] == 4
    err = denied(lambda: s3.get_object(Bucket="other-bkt", Key="report.csv"))
    assert err["Code"] == "AccessDenied"
    assert err["Message"] == implicit("s3:GetObject", "arn:aws:s3:::other-bkt/report.csv")
    err = denied(lambda: s3.list_objects_v2(Bucket="data-bkt"))
    assert err["Message"] == implicit("s3:ListBucket", "arn:aws:s3:::data-bkt")
    err = denied(lambda: s3.put_object(Bucket="data-bkt", Key="new.csv", Body=b"x"))
    assert err["Message"] == implicit("s3:PutObject", "arn:aws:s3:::data-bkt/new.csv")


def test_explicit_deny_beats_allow(cloud: Cloud, bucket: str) -> None:
    alice = make_user(cloud, "alice", allow("s3:*", "*"),
                      deny("s3:DeleteObject", "arn:aws:s3:::data-bkt/*"))
    enforce_iam(cloud)
    s3 = alice("s3")
    s3.put_object(Bucket="data-bkt", Key="tmp.txt", Body=b"x")
    err = denied(lambda: s3.delete_object(Bucket="data-bkt", Key="tmp.txt"))
    assert err["Code"] == "AccessDenied"
    assert err["Message"] == (
        f"User: {ALICE} is not authorized to perform: s3:DeleteObject on resource: "
        "arn:aws:s3:::data-bkt/tmp.txt with an explicit deny in an identity-based policy")
    s3.delete_object(Bucket="other-bkt", Key="report.csv")  # outside the Deny


def test_group_policies(cloud: Cloud, bucket: str) -> None:
    iam = cloud.client("iam")
    alice = make_user(cloud)
    iam.create_group(GroupName="readers")
    iam.put_group_policy(GroupName="readers", PolicyName="read",
                         PolicyDocument=policy(allow("s3:ListBucket", "arn:aws:s3:::data-bkt")))
    arn = iam.create_policy(PolicyName="get-objects", PolicyDocument=policy(
        allow("s3:GetObject", "arn:aws:s3:::data-bkt/*")))["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="readers", PolicyArn=arn)
    enforce_iam(cloud)
    denied(lambda: alice("s3").list_objects_v2(Bucket="data-bkt"))
    iam.add_user_to_group(GroupName="readers", UserName="alice")  # the cache is refreshed
    assert alice("s3").list_objects_v2(Bucket="data-bkt")["KeyCount"] == 1
    assert alice("s3").get_object(Bucket="data-bkt", Key="report.csv")["ContentLength"] == 4
    iam.remove_user_from_group(GroupName="readers", UserName="alice")
    denied(lambda: alice("s3").list_objects_v2(Bucket="data-bkt"))


def test_aws_managed_policy_s3_read_only(managed_cloud: Cloud) -> None:
    cloud = managed_cloud
    cloud.client("s3").create_bucket(Bucket="data-bkt")
    alice = make_user(cloud)
    cloud.client("iam").attach_user_policy(
        UserName="alice", PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    enforce_iam(cloud)
    s3 = alice("s3")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["data-bkt"]
    assert s3.list_objects_v2(Bucket="data-bkt")["KeyCount"] == 0
    err = denied(lambda: s3.put_object(Bucket="data-bkt", Key="x", Body=b"x"))
    assert err["Message"] == implicit("s3:PutObject", "arn:aws:s3:::data-bkt/x")


def test_bucket_policy_allows_and_denies(cloud: Cloud, bucket: str) -> None:
    alice = make_user(cloud, "alice", allow("s3:GetObject", "*"))
    s3 = cloud.client("s3")
    s3.put_bucket_policy(Bucket="data-bkt", Policy=policy(
        {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::data-bkt"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::data-bkt/*"}))
    enforce_iam(cloud)
    assert alice("s3").list_objects_v2(Bucket="data-bkt")["KeyCount"] == 1  # bucket policy
    err = denied(lambda: alice("s3").get_object(Bucket="data-bkt", Key="report.csv"))
    assert err["Message"].endswith("with an explicit deny in a resource-based policy")
    s3.delete_bucket_policy(Bucket="data-bkt")
    assert alice("s3").get_object(Bucket="data-bkt", Key="report.csv")["ContentLength"] == 4


# -- DynamoDB, SQS, EC2 --------------------------------------------------------------------

def test_dynamodb_table_arn(cloud: Cloud) -> None:
    ddb = cloud.client("dynamodb")
    for table in ("Books", "Salaries"):
        ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    books = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Books"
    alice = make_user(cloud, "alice", allow(["dynamodb:GetItem", "dynamodb:PutItem"], books))
    enforce_iam(cloud)
    d = alice("dynamodb")
    d.put_item(TableName="Books", Item={"id": {"S": "1"}})
    assert d.get_item(TableName="Books", Key={"id": {"S": "1"}})["Item"]["id"]["S"] == "1"
    err = denied(lambda: d.get_item(TableName="Salaries", Key={"id": {"S": "1"}}))
    assert err["Code"] == "AccessDeniedException"
    assert err["Message"] == implicit(
        "dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Salaries")


def test_sqs_queue_arn(cloud: Cloud) -> None:
    sqs = cloud.client("sqs")
    orders = sqs.create_queue(QueueName="orders")["QueueUrl"]
    audit = sqs.create_queue(QueueName="audit")["QueueUrl"]
    alice = make_user(cloud, "alice",
                      allow("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"))
    enforce_iam(cloud)
    q = alice("sqs")
    assert q.send_message(QueueUrl=orders, MessageBody="hi")["MessageId"]
    err = denied(lambda: q.send_message(QueueUrl=audit, MessageBody="hi"))
    assert err["Code"] == "AccessDenied"
    assert err["Message"] == implicit("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:audit")


def test_ec2_unauthorized_operation(cloud: Cloud) -> None:
    alice = make_user(cloud, "alice", allow("ec2:Describe*"))
    enforce_iam(cloud)
    ec2 = alice("ec2")
    assert ec2.describe_instances()["Reservations"] == []
    err = denied(lambda: ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                           InstanceType="t3.micro"))
    assert err["Code"] == "UnauthorizedOperation"
    assert err["Message"] == (
        "You are not authorized to perform this operation. User: "
        f"{ALICE} is not authorized to perform: ec2:RunInstances on resource: "
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/* because no identity-based policy "
        "allows the ec2:RunInstances action")


def test_ec2_instance_arn(cloud: Cloud) -> None:
    ec2 = cloud.client("ec2")
    ids = [i["InstanceId"] for i in ec2.run_instances(
        ImageId="ami-12345678", MinCount=2, MaxCount=2)["Instances"]]
    mine, theirs = ids
    alice = make_user(cloud, "alice", allow(
        "ec2:StopInstances", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{mine}"))
    enforce_iam(cloud)
    alice("ec2").stop_instances(InstanceIds=[mine])
    err = denied(lambda: alice("ec2").stop_instances(InstanceIds=[theirs]))
    assert f"instance/{theirs} because no identity-based policy" in err["Message"]


# -- conditions ------------------------------------------------------------------------------

def test_source_ip_condition(cloud: Cloud, bucket: str) -> None:
    alice = make_user(cloud, "alice", allow(
        "s3:ListAllMyBuckets", "*", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))
    enforce_iam(cloud)
    assert DEFAULT_SOURCE_IP == "198.51.100.10"
    err = denied(lambda: alice("s3").list_buckets())
    assert err["Message"] == implicit("s3:ListAllMyBuckets", "*")
    set_request_context(cloud, source_ip="203.0.113.7")
    assert alice("s3").list_buckets()["Buckets"]
    with pytest.raises(ValueError, match="source_ip must be an IP address"):
        set_request_context(cloud, source_ip="office")


def test_secure_transport_condition(cloud: Cloud, bucket: str) -> None:
    alice = make_user(cloud, "alice", allow("s3:GetObject", "*"),
                      deny("s3:*", "*", Condition={"Bool": {"aws:SecureTransport": "false"}}))
    enforce_iam(cloud)
    assert alice("s3").get_object(Bucket="data-bkt", Key="report.csv")["ContentLength"] == 4
    plain = alice("s3", use_ssl=False)
    err = denied(lambda: plain.get_object(Bucket="data-bkt", Key="report.csv"))
    assert err["Message"].endswith("with an explicit deny in an identity-based policy")


def test_requested_region_condition(cloud: Cloud) -> None:
    alice = make_user(cloud, "alice", allow(
        "ec2:DescribeInstances", "*",
        Condition={"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}))
    enforce_iam(cloud)
    assert alice("ec2", region="eu-west-1").describe_instances()["Reservations"] == []
    err = denied(lambda: alice("ec2", region="us-east-1").describe_instances())
    assert err["Code"] == "UnauthorizedOperation"


def test_mfa_condition(cloud: Cloud, bucket: str) -> None:
    alice = make_user(cloud, "alice", allow(
        "s3:ListAllMyBuckets", "*",
        Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    cloud.client("iam").create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")
    enforce_iam(cloud)
    denied(lambda: alice("s3").list_buckets())  # long-term key: no MFA in the context
    sts = alice("sts")
    plain = sts.get_session_token()["Credentials"]
    with_mfa = sts.get_session_token(SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/alice-phone",
                                     TokenCode="123456")["Credentials"]

    def s3_with(creds: dict[str, Any]) -> Any:
        return boto3.client("s3", region_name="us-east-1",
                            aws_access_key_id=creds["AccessKeyId"],
                            aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"])

    err = denied(lambda: s3_with(plain).list_buckets())
    assert err["Message"] == implicit("s3:ListAllMyBuckets", "*")
    assert s3_with(with_mfa).list_buckets()["Buckets"]


# -- credentials -------------------------------------------------------------------------------

def test_unknown_and_inactive_keys(cloud: Cloud) -> None:
    alice = make_user(cloud, "alice", allow("iam:ListUsers"))
    enforce_iam(cloud)
    assert alice("iam").list_users()["Users"]
    stranger = boto3.client("iam", region_name="us-east-1",
                            aws_access_key_id="AKIANOBODY0000000000", aws_secret_access_key="x")
    err = denied(lambda: stranger.list_users())
    assert err == {"Code": "InvalidClientTokenId",
                   "Message": "The security token included in the request is invalid."}
    cloud.client("iam").update_access_key(UserName="alice", Status="Inactive",
                                          AccessKeyId=alice.key["AccessKeyId"])  # type: ignore[attr-defined]
    err = denied(lambda: alice("iam").list_users())
    assert err["Code"] == "InvalidClientTokenId"
    err = denied(lambda: alice("s3").list_buckets())
    assert err == {"Code": "InvalidAccessKeyId", "Message":
                   "The AWS Access Key Id you provided does not exist in our records."}


def test_caller_identity_needs_no_permission(cloud: Cloud) -> None:
    alice = make_user(cloud, "alice", deny("*"))
    enforce_iam(cloud)
    assert alice("sts").get_caller_identity()["Arn"] == ALICE


def test_policy_change_takes_effect(cloud: Cloud, bucket: str) -> None:
    alice = make_user(cloud)
    enforce_iam(cloud)
    denied(lambda: alice("s3").list_buckets())
    cloud.client("iam").put_user_policy(UserName="alice", PolicyName="p",
                                        PolicyDocument=policy(allow("s3:ListAllMyBuckets")))
    assert alice("s3").list_buckets()["Buckets"]
    cloud.client("iam").delete_user_policy(UserName="alice", PolicyName="p")
    denied(lambda: alice("s3").list_buckets())


def test_permissions_boundary_caps_admin(cloud: Cloud) -> None:
    # moto keeps permissions boundaries for roles only, so the admin here is a role
    iam = cloud.client("iam")
    alice = make_user(cloud)
    boundary = iam.create_policy(PolicyName="s3-only",
                                 PolicyDocument=policy(allow("s3:*")))["Policy"]["Arn"]
    trust = policy({"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "sts:AssumeRole"})
    role = iam.create_role(RoleName="capped-admin", AssumeRolePolicyDocument=trust,
                           PermissionsBoundary=boundary)["Role"]["Arn"]
    iam.put_role_policy(RoleName="capped-admin", PolicyName="admin",
                        PolicyDocument=policy(allow("*")))
    enforce_iam(cloud)
    creds = alice("sts").assume_role(RoleArn=role, RoleSessionName="ops")["Credentials"]
    kw = {"aws_access_key_id": creds["AccessKeyId"],
          "aws_secret_access_key": creds["SecretAccessKey"],
          "aws_session_token": creds["SessionToken"], "region_name": "us-east-1"}
    assert boto3.client("s3", **kw).list_buckets()["Buckets"] == []
    err = denied(lambda: boto3.client("ec2", **kw).describe_instances())
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/capped-admin/ops"
    assert err["Message"] == (
        f"You are not authorized to perform this operation. User: {session} is not authorized "
        "to perform: ec2:DescribeInstances on resource: * because no permissions boundary "
        "allows the ec2:DescribeInstances action")


def test_last_denial_keeps_the_decision(cloud: Cloud) -> None:
    alice = make_user(cloud)
    enforce_iam(cloud)
    assert last_denial(cloud) is None
    denied(lambda: alice("s3").list_buckets())
    d = last_denial(cloud)
    assert d is not None
    assert (d.caller, d.action, d.resource, d.code) == (ALICE, "s3:ListAllMyBuckets", "*",
                                                        "AccessDenied")
    assert d.decision is not None and d.decision.reason == "implicit deny"
    assert d.at == cloud.now
