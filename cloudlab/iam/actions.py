"""Which IAM action and which resource ARN an API call is authorized against.

Owns the mapping from a boto3 call (service, operation, parameters) to the pair that IAM
evaluates: the *action* (``s3:GetObject``) and the *resource* (``arn:aws:s3:::bucket/key``
or ``"*"``). Enforcement (:mod:`cloudlab.iam.enforce`) and the least-privilege recorder use
it, so a learner sees the same names in error messages, explanations and generated policies.

By default an operation is authorized by the action of the same name under the service's
IAM prefix (``ec2:RunInstances``). The exceptions (``ListObjectsV2`` is ``s3:ListBucket``,
``HeadObject`` is ``s3:GetObject``, ``ListBuckets`` is ``s3:ListAllMyBuckets``, ...) are data
in ``cloudlab/data/iam_actions.json``, with their source.

Simplifications, said once here: a call that touches several resources (``AttachVolume``,
``DeleteObjects``, ``BatchGetItem``) is mapped to its first one; IAM ARNs assume the default
path ``/``; resources of services not listed in :func:`resource_for` are ``"*"``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlparse

__all__ = [
    "ACCOUNT_ID",
    "action_for",
    "always_allowed",
    "is_billing_action",
    "resource_for",
    "service_name",
]

#: The mini cloud's (moto's) account id.
ACCOUNT_ID = "123456789012"

_DATA_FILE = "iam_actions.json"


@cache
def _catalog() -> dict[str, Any]:
    path = resources.files("cloudlab").joinpath("data").joinpath(_DATA_FILE)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def service_name(service: str) -> str:
    """The boto3 client name for ``service``, which may also be botocore's hyphenized
    service id as seen in event names (``"cost-explorer"`` -> ``"ce"``)."""
    s = service.strip().lower()
    ids: dict[str, str] = _catalog()["service_ids"]
    return ids.get(s, s)


def _prefix(service: str) -> str:
    prefixes: dict[str, str] = _catalog()["prefixes"]
    s = service_name(service)
    return prefixes.get(s, s)


def action_for(service: str, operation: str) -> str:
    """The IAM action that authorizes ``operation`` of ``service``.

    Args:
        service: boto3 client name (``"s3"``, ``"elbv2"``) or botocore service id.
        operation: API operation name as in botocore (``"ListObjectsV2"``).

    Returns:
        ``"prefix:Action"``, e.g. ``action_for("s3", "ListBuckets") == "s3:ListAllMyBuckets"``.
    """
    s = service_name(service)
    exceptions: dict[str, dict[str, str]] = _catalog()["actions"]
    special = exceptions.get(s, {}).get(operation)
    if special:
        return special
    return f"{_prefix(s)}:{operation}"


def is_billing_action(action: str) -> bool:
    """True for billing actions (``ce:GetCostAndUsage``, ``aws-portal:ViewBilling``) that IAM
    users and roles reach only when the account lets them see billing information."""
    prefix = action.split(":", 1)[0].lower()
    return prefix in _catalog()["billing_prefixes"]["prefixes"]


def always_allowed(action: str) -> bool:
    """True for actions every authenticated caller may perform (``sts:GetCallerIdentity``)."""
    allowed: list[str] = _catalog()["always_allowed"]["actions"]
    return action.lower() in {a.lower() for a in allowed}


# -- resources -------------------------------------------------------------------------

def _first(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


def _get(params: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = _first(params.get(name))
        if isinstance(value, str) and value:
            return value
    return None


def _s3(operation: str, params: Mapping[str, Any]) -> str:
    bucket = _get(params, "Bucket")
    if not bucket:
        return "*"
    key = _get(params, "Key")
    if key is None and operation == "DeleteObjects":
        objects = (params.get("Delete") or {}).get("Objects") or []
        key = objects[0].get("Key") if objects else None
    return f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}"


def _dynamodb(operation: str, params: Mapping[str, Any], region: str, account: str) -> str:
    stream = _get(params, "StreamArn")
    if stream:
        return stream
    table = _get(params, "TableName")
    if table is None and isinstance(params.get("RequestItems"), Mapping):
        table = next(iter(params["RequestItems"]), None)
    if not table:
        return "*"
    arn = table if table.startswith("arn:") else (
        f"arn:aws:dynamodb:{region}:{account}:table/{table}")
    index = _get(params, "IndexName")
    return f"{arn}/index/{index}" if index else arn


def _sqs(params: Mapping[str, Any], region: str, account: str) -> str:
    url = _get(params, "QueueUrl")
    if url:
        parsed = urlparse(url)
        parts = [p for p in parsed.path.split("/") if p]
        host = parsed.hostname or ""
        host_parts = host.split(".")
        q_region = host_parts[1] if len(host_parts) > 2 and host_parts[0] == "sqs" else region
        if len(parts) >= 2:
            return f"arn:aws:sqs:{q_region}:{parts[0]}:{parts[1]}"
        return "*"
    name = _get(params, "QueueName")
    return f"arn:aws:sqs:{region}:{account}:{name}" if name else "*"


_EC2_IDS = (
    (("InstanceIds", "InstanceId"), "instance"),
    (("VolumeIds", "VolumeId"), "volume"),
    (("GroupIds", "GroupId"), "security-group"),
    (("SubnetIds", "SubnetId"), "subnet"),
    (("VpcIds", "VpcId"), "vpc"),
    (("InternetGatewayIds", "InternetGatewayId"), "internet-gateway"),
    (("NatGatewayIds", "NatGatewayId"), "natgateway"),
    (("RouteTableIds", "RouteTableId"), "route-table"),
    (("NetworkAclIds", "NetworkAclId"), "network-acl"),
    (("SnapshotIds", "SnapshotId"), "snapshot"),
)


def _ec2(operation: str, params: Mapping[str, Any], region: str, account: str) -> str:
    if operation.startswith("Describe"):
        return "*"
    if operation == "RunInstances":
        return f"arn:aws:ec2:{region}:{account}:instance/*"
    for names, kind in _EC2_IDS:
        rid = _get(params, *names)
        if rid:
            return f"arn:aws:ec2:{region}:{account}:{kind}/{rid}"
    image = _get(params, "ImageId")
    if image:
        return f"arn:aws:ec2:{region}::image/{image}"
    key = _get(params, "KeyName")
    if key:
        return f"arn:aws:ec2:{region}:{account}:key-pair/{key}"
    return "*"


# IAM operations that act on the calling user when UserName is omitted.
_IAM_SELF_OPERATIONS = frozenset({
    "ChangePassword", "CreateAccessKey", "DeleteAccessKey", "GetUser", "ListAccessKeys",
    "ListMFADevices", "ListSigningCertificates", "ListSSHPublicKeys", "UpdateAccessKey",
    "ListServiceSpecificCredentials",
})


def _iam(operation: str, params: Mapping[str, Any], account: str, caller: str | None) -> str:
    base = f"arn:aws:iam::{account}"
    profile = _get(params, "InstanceProfileName")
    group = _get(params, "GroupName")
    role = _get(params, "RoleName")
    user = _get(params, "UserName")
    if profile and "InstanceProfile" in operation:
        return f"{base}:instance-profile/{profile}"
    if group and "Group" in operation:
        return f"{base}:group/{group}"
    if role:
        return f"{base}:role/{role}"
    if user:
        return f"{base}:user/{user}"
    policy_arn = _get(params, "PolicyArn")
    if policy_arn:
        return policy_arn
    if operation == "CreatePolicy" and _get(params, "PolicyName"):
        return f"{base}:policy/{_get(params, 'PolicyName')}"
    if group:
        return f"{base}:group/{group}"
    if (operation in _IAM_SELF_OPERATIONS and caller
            and caller.startswith(f"{base}:user/")):
        return caller
    return "*"


def resource_for(
    service: str,
    operation: str,
    params: Mapping[str, Any],
    *,
    region: str,
    account: str = ACCOUNT_ID,
    caller: str | None = None,
) -> str:
    """The ARN IAM authorizes ``operation`` against, or ``"*"`` for actions without one.

    Args:
        service: boto3 client name (``"s3"``) or botocore service id.
        operation: API operation name (``"GetObject"``).
        params: the call's parameters as given to boto3 (``{"Bucket": "b", "Key": "k"}``);
            query-protocol names such as ``InstanceId`` for ``InstanceIds`` also work.
        region: the client's Region (used in regional ARNs).
        account: the account id (default: the mini cloud's).
        caller: ARN of the caller, for IAM calls that act on the caller when ``UserName`` is
            omitted (``iam.create_access_key()``).

    Returns:
        e.g. ``"arn:aws:s3:::bucket/key"``, ``"arn:aws:dynamodb:us-east-1:123456789012:
        table/Books"``, ``"arn:aws:sqs:us-east-1:123456789012:orders"``, or ``"*"``.
    """
    s = service_name(service)
    if s in ("s3", "s3control"):
        return _s3(operation, params)
    if s in ("dynamodb", "dynamodbstreams"):
        return _dynamodb(operation, params, region, account)
    if s == "sqs":
        return _sqs(params, region, account)
    if s == "ec2":
        return _ec2(operation, params, region, account)
    if s == "iam":
        return _iam(operation, params, account, caller)
    if s == "sts":
        return _get(params, "RoleArn") or "*"
    if s == "sns":
        topic = _get(params, "TopicArn")
        if topic:
            return topic
        name = _get(params, "Name")
        return f"arn:aws:sns:{region}:{account}:{name}" if operation == "CreateTopic" and name \
            else "*"
    if s == "lambda":
        fn = _get(params, "FunctionName")
        if not fn:
            return "*"
        return fn if fn.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{fn}"
    return _get(params, "ResourceArn", "ResourceARN", "Arn") or "*"
