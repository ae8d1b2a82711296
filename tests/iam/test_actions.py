"""Mapping of boto3 calls to IAM actions and resource ARNs (cloudlab.iam.actions)."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudlab.iam.actions import (
    action_for,
    always_allowed,
    is_billing_action,
    resource_for,
    service_name,
)

R = {"region": "us-east-1", "account": "123456789012"}


@pytest.mark.parametrize(
    ("service", "operation", "action"),
    [
        ("s3", "ListObjectsV2", "s3:ListBucket"),
        ("s3", "ListObjects", "s3:ListBucket"),
        ("s3", "ListBuckets", "s3:ListAllMyBuckets"),
        ("s3", "HeadObject", "s3:GetObject"),
        ("s3", "HeadBucket", "s3:ListBucket"),
        ("s3", "GetBucketPolicy", "s3:GetBucketPolicy"),
        ("s3", "DeleteObjects", "s3:DeleteObject"),
        ("s3", "PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
        ("sqs", "SendMessageBatch", "sqs:SendMessage"),
        ("lambda", "Invoke", "lambda:InvokeFunction"),
        ("elbv2", "CreateLoadBalancer", "elasticloadbalancing:CreateLoadBalancer"),
        ("ec2", "RunInstances", "ec2:RunInstances"),
        ("dynamodb", "GetItem", "dynamodb:GetItem"),
        ("cost-explorer", "GetCostAndUsage", "ce:GetCostAndUsage"),
        ("stepfunctions", "StartExecution", "states:StartExecution"),
    ],
)
def test_action_for(service: str, operation: str, action: str) -> None:
    assert action_for(service, operation) == action


def test_service_ids_map_to_client_names() -> None:
    assert service_name("cost-explorer") == "ce"
    assert service_name("elastic-load-balancing-v2") == "elbv2"
    assert service_name("S3") == "s3"


@given(st.from_regex(r"[A-Z][A-Za-z]{2,20}", fullmatch=True))
def test_default_action_is_prefix_and_operation(operation: str) -> None:
    assert action_for("ec2", operation) == f"ec2:{operation}"


def test_catalog_is_dated_and_sourced() -> None:
    data = json.loads(resources.files("cloudlab").joinpath("data/iam_actions.json").read_text())
    assert data["source"].startswith("https://docs.aws.amazon.com/")
    assert "2026" in data["as_of"]
    for service, table in data["actions"].items():
        if service.startswith("_"):
            continue
        for operation, action in table.items():
            assert ":" in action, (service, operation)


def test_billing_and_always_allowed_actions() -> None:
    assert is_billing_action("ce:GetCostAndUsage")
    assert is_billing_action("aws-portal:ViewBilling")
    assert not is_billing_action("ec2:DescribeInstances")
    assert always_allowed("sts:GetCallerIdentity")
    assert always_allowed("STS:getcalleridentity")
    assert not always_allowed("sts:AssumeRole")


@pytest.mark.parametrize(
    ("service", "operation", "params", "arn"),
    [
        ("s3", "GetObject", {"Bucket": "b", "Key": "a/b.txt"}, "arn:aws:s3:::b/a/b.txt"),
        ("s3", "ListObjectsV2", {"Bucket": "b"}, "arn:aws:s3:::b"),
        ("s3", "ListBuckets", {}, "*"),
        ("s3", "DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "k"}]}},
         "arn:aws:s3:::b/k"),
        ("dynamodb", "GetItem", {"TableName": "Books"},
         "arn:aws:dynamodb:us-east-1:123456789012:table/Books"),
        ("dynamodb", "Query", {"TableName": "Books", "IndexName": "ByAuthor"},
         "arn:aws:dynamodb:us-east-1:123456789012:table/Books/index/ByAuthor"),
        ("dynamodb", "BatchGetItem", {"RequestItems": {"Books": {}}},
         "arn:aws:dynamodb:us-east-1:123456789012:table/Books"),
        ("dynamodb", "ListTables", {}, "*"),
        ("sqs", "SendMessage",
         {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"},
         "arn:aws:sqs:eu-west-1:123456789012:orders"),
        ("sqs", "CreateQueue", {"QueueName": "jobs"}, "arn:aws:sqs:us-east-1:123456789012:jobs"),
        ("ec2", "TerminateInstances", {"InstanceIds": ["i-1", "i-2"]},
         "arn:aws:ec2:us-east-1:123456789012:instance/i-1"),
        ("ec2", "StopInstances", {"InstanceId": ["i-9"]},
         "arn:aws:ec2:us-east-1:123456789012:instance/i-9"),
        ("ec2", "RunInstances", {"ImageId": "ami-1"},
         "arn:aws:ec2:us-east-1:123456789012:instance/*"),
        ("ec2", "DescribeInstances", {"InstanceIds": ["i-1"]}, "*"),
        ("ec2", "AuthorizeSecurityGroupIngress", {"GroupId": "sg-1"},
         "arn:aws:ec2:us-east-1:123456789012:security-group/sg-1"),
        ("iam", "CreateUser", {"UserName": "bob"}, "arn:aws:iam::123456789012:user/bob"),
        ("iam", "AddUserToGroup", {"GroupName": "devs", "UserName": "bob"},
         "arn:aws:iam::123456789012:group/devs"),
        ("iam", "AttachRolePolicy", {"RoleName": "r", "PolicyArn": "arn:x"},
         "arn:aws:iam::123456789012:role/r"),
        ("iam", "ListUsers", {}, "*"),
        ("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::123456789012:role/r"},
         "arn:aws:iam::123456789012:role/r"),
        ("sts", "GetCallerIdentity", {}, "*"),
        ("lambda", "Invoke", {"FunctionName": "fn"},
         "arn:aws:lambda:us-east-1:123456789012:function:fn"),
        ("sns", "Publish", {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"},
         "arn:aws:sns:us-east-1:123456789012:t"),
        ("cloudwatch", "PutMetricData", {}, "*"),
    ],
)
def test_resource_for(service: str, operation: str, params: dict, arn: str) -> None:
    assert resource_for(service, operation, params, **R) == arn


def test_iam_self_operations_use_the_caller() -> None:
    me = "arn:aws:iam::123456789012:user/alice"
    assert resource_for("iam", "CreateAccessKey", {}, caller=me, **R) == me
    assert resource_for("iam", "CreateAccessKey", {}, caller=None, **R) == "*"


@given(st.from_regex(r"[a-z0-9][a-z0-9-]{2,20}", fullmatch=True),
       st.from_regex(r"[A-Za-z0-9/._-]{1,30}", fullmatch=True))
def test_s3_object_arn_round_trip(bucket: str, key: str) -> None:
    arn = resource_for("s3", "GetObject", {"Bucket": bucket, "Key": key}, **R)
    assert arn == f"arn:aws:s3:::{bucket}/{key}"
