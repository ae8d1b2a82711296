"""IAM enforcement in the mini cloud: every call is authorized before moto answers it.

moto's own IAM checks have gaps (conditions ignored, resource-scoped allows wrongly denied,
``:root`` trust principals refused; see ``/work/shared/RECIPES.md``), so CloudLab enforces
IAM itself, through botocore's public event hooks, with the policy engine of
:mod:`cloudlab.iam.evaluate`:

- a ``before-call`` handler (registered with ``cloud.on``, so it reaches every client,
  plain ``boto3.client(...)`` ones included) identifies the caller from the credentials
  the client signs with, maps the call to an IAM action and resource
  (:mod:`cloudlab.iam.actions`), builds the request context (``aws:SourceIp``,
  ``aws:SecureTransport``, ``aws:RequestedRegion``, ``aws:MultiFactorAuthPresent``,
  ``aws:CurrentTime``, ...) and evaluates the caller's policies. A denial is returned as
  an HTTP 403 response, and botocore turns it into the same ``ClientError`` AWS would
  raise (``AccessDenied``, ``AccessDeniedException`` for DynamoDB,
  ``UnauthorizedOperation`` for EC2), with an AWS-like message naming principal, action,
  resource and reason.
- an ``after-call`` handler keeps the books: temporary credentials from STS
  (:mod:`cloudlab.iam.sts`), caches of access keys and policies (dropped whenever an IAM
  call changes something), and a few answers moto cannot give (the root identity in
  ``GetCallerIdentity``, root MFA in ``GetAccountSummary``).

Who is who: the cloud's default credentials (:data:`cloudlab.cloud.backends.
FAKE_CREDENTIALS`) are the account's **root user** and are always allowed, as on AWS.
Access keys made with ``iam.create_access_key`` belong to IAM users; keys returned by
``sts.assume_role`` / ``sts.get_session_token`` are sessions, which expire on the
**virtual** clock. Any other key is rejected (``InvalidClientTokenId``) while enforcement
is on. With enforcement off (the default), every call is allowed, as moto does.

Per-cloud state lives in ``cloud.state("iam.enforce", ...)`` and is dropped by
``cloud.reset()`` (enforcement is then off again).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from cloudlab.cloud.backends import FAKE_CREDENTIALS
from cloudlab.cloud.hooks import install_call_hooks
from cloudlab.errors import MalformedPolicy
from cloudlab.iam.actions import (
    ACCOUNT_ID,
    action_for,
    always_allowed,
    is_billing_action,
    resource_for,
)

__all__ = [
    "DEFAULT_SOURCE_IP",
    "Caller",
    "Denial",
    "EnforcementState",
    "ROOT_ARN",
    "caller_for_key",
    "enforce_iam",
    "enforcement",
    "identity_policies",
    "install",
    "last_denial",
    "request_context",
    "set_request_context",
]

#: ``aws:SourceIp`` of every request unless :func:`set_request_context` says otherwise
#: (an address from TEST-NET-2, RFC 5737, reserved for documentation).
DEFAULT_SOURCE_IP = "198.51.100.10"

ROOT_ARN = f"arn:aws:iam::{ACCOUNT_ID}:root"

_STATE = "iam.enforce"
_MAX_DENIALS = 50

# Error code per service for an authorization failure (HTTP 403).
_DENIED_CODE = {
    "ec2": "UnauthorizedOperation",
    "dynamodb": "AccessDeniedException",
    "dynamodbstreams": "AccessDeniedException",
    "lambda": "AccessDeniedException",
    "ce": "AccessDeniedException",
    "logs": "AccessDeniedException",
    "kms": "AccessDeniedException",
    "secretsmanager": "AccessDeniedException",
    "ssm": "AccessDeniedException",
    "stepfunctions": "AccessDeniedException",
    "kinesis": "AccessDeniedException",
    "events": "AccessDeniedException",
    "ecs": "AccessDeniedException",
    "ecr": "AccessDeniedException",
}
# (code, HTTP status, message) for an unknown or inactive key, per service.
_INVALID_KEY_MSG = "The security token included in the request is invalid."
_INVALID_KEY = {
    "s3": ("InvalidAccessKeyId", 403,
           "The AWS Access Key Id you provided does not exist in our records."),
    "ec2": ("AuthFailure", 401, "AWS was not able to validate the provided access credentials"),
    "dynamodb": ("UnrecognizedClientException", 400, _INVALID_KEY_MSG),
}
_EXPIRED_MSG = "The security token included in the request is expired"
_EXPIRED = {
    "s3": ("ExpiredToken", 400, "The provided token has expired."),
    "dynamodb": ("ExpiredTokenException", 400, _EXPIRED_MSG),
}

# IAM operations that change nothing (every other successful IAM call drops the caches).
_READ_ONLY = re.compile(r"^(Get|List|Simulate|Generate|Tag|Untag)")


@dataclass(frozen=True)
class Caller:
    """Who signed a request.

    Attributes:
        kind: ``"root"``, ``"user"``, ``"assumed-role"`` or ``"user-session"`` (temporary
            credentials from ``GetSessionToken``).
        arn: the ARN shown in messages and by ``GetCallerIdentity``
            (``arn:aws:sts::123456789012:assumed-role/Admin/alice`` for a role session).
        policy_arn: the user or role whose policies apply (``""`` for root).
        name: user or role name.
        access_key: the access key id the request was signed with.
        session_name: role session name (assumed roles).
        mfa: whether MFA was used; ``None`` for long-term keys (AWS then leaves
            ``aws:MultiFactorAuthPresent`` out of the request context).
        issued_at / expires_at: virtual times of a temporary credential.
        user_id: the unique id AWS reports (``AIDA...``/``AROA...:session``).
    """

    kind: str
    arn: str
    policy_arn: str = ""
    name: str = ""
    access_key: str = ""
    session_name: str = ""
    mfa: bool | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    user_id: str = ""
    account: str = ACCOUNT_ID

    @property
    def is_root(self) -> bool:
        return self.policy_arn == "" and self.kind in ("root", "user-session")

    @property
    def temporary(self) -> bool:
        return self.expires_at is not None


@dataclass(frozen=True)
class Denial:
    """A refused call, kept for explanations (:func:`last_denial`)."""

    at: datetime
    caller: str
    action: str
    resource: str
    code: str
    message: str
    decision: Any = None  # cloudlab.iam.evaluate.Decision, when the engine decided


@dataclass
class EnforcementState:
    """Per-cloud enforcement state (``cloud.state("iam.enforce", EnforcementState)``)."""

    enabled: bool = False
    source_ip: str = DEFAULT_SOURCE_IP
    billing_access: bool = False
    root_mfa: bool = False
    sessions: dict[str, Caller] = field(default_factory=dict)
    denials: list[Denial] = field(default_factory=list)
    keys: dict[str, tuple[Caller, str]] | None = None  # access key -> (user, status)
    policies: dict[str, tuple[list[Any], list[Any]]] = field(default_factory=dict)
    bucket_policies: dict[str, Any] = field(default_factory=dict)
    denial_count: int = 0

    def forget_iam(self) -> None:
        """Drop cached keys and policies (after any change to IAM)."""
        self.keys = None
        self.policies.clear()


def _state(cloud: Any) -> EnforcementState:
    return cloud.state(_STATE, EnforcementState)  # type: ignore[no-any-return]


def install(cloud: Any) -> EnforcementState:
    """Attach CloudLab's IAM hooks to ``cloud`` (idempotent) and return its state.

    Called by every public function of :mod:`cloudlab.iam` that needs the hooks; the hooks
    keep the books (STS sessions, caches, root identity) even while enforcement is off.
    """
    install_call_hooks(cloud, _STATE, before=_before_call, after=_after_call)
    return _state(cloud)


def enforce_iam(cloud: Any, *, enabled: bool = True) -> None:
    """Turn IAM enforcement on (or off) for every client of ``cloud``.

    While on, calls signed with an IAM user's access keys or with temporary credentials
    from STS are allowed only if IAM policies allow them; the cloud's default credentials
    are the account root user and are always allowed.

    Example:
        >>> enforce_iam(cloud)                                 # doctest: +SKIP
        >>> alice_s3 = boto3.client("s3", aws_access_key_id=key["AccessKeyId"], ...)
        >>> alice_s3.list_buckets()                            # doctest: +SKIP
        ClientError: An error occurred (AccessDenied) ... User: arn:aws:iam::123456789012:
        user/alice is not authorized to perform: s3:ListAllMyBuckets on resource: * ...
    """
    state = install(cloud)
    state.enabled = bool(enabled)
    state.forget_iam()


@contextmanager
def enforcement(cloud: Any, *, enabled: bool = True) -> Iterator[EnforcementState]:
    """``with enforcement(cloud):`` enforce IAM inside the block, restore the previous
    setting after it."""
    state = install(cloud)
    before = state.enabled
    enforce_iam(cloud, enabled=enabled)
    try:
        yield state
    finally:
        _state(cloud).enabled = before


def set_request_context(cloud: Any, *, source_ip: str | None = None) -> None:
    """Set request facts the mini cloud cannot observe: the caller's ``aws:SourceIp``
    (default :data:`DEFAULT_SOURCE_IP`)."""
    state = install(cloud)
    if source_ip is not None:
        import ipaddress

        try:
            ipaddress.ip_address(source_ip)
        except ValueError:
            raise ValueError(
                f"source_ip must be an IP address like '203.0.113.5', got {source_ip!r}"
            ) from None
        state.source_ip = source_ip


def last_denial(cloud: Any) -> Denial | None:
    """The most recent call refused by enforcement, or ``None``."""
    denials = _state(cloud).denials
    return denials[-1] if denials else None


# -- who is calling --------------------------------------------------------------------

def _access_key(request_signer: Any) -> str | None:
    # botocore hands before-call handlers the client's RequestSigner, not the client, and
    # the signer keeps the credentials it will sign with in ``_credentials`` (there is no
    # public accessor). ``get_frozen_credentials()`` is the public way to read a consistent
    # snapshot (it refreshes refreshable credentials first).
    creds = getattr(request_signer, "_credentials", None)
    if creds is None:
        return None
    try:
        return str(creds.get_frozen_credentials().access_key)
    except AttributeError:
        return getattr(creds, "access_key", None)


def _load_keys(cloud: Any) -> dict[str, tuple[Caller, str]]:
    iam = cloud.client("iam")
    keys: dict[str, tuple[Caller, str]] = {}
    for page in iam.get_paginator("list_users").paginate():
        for user in page["Users"]:
            caller = Caller(kind="user", arn=user["Arn"], policy_arn=user["Arn"],
                            name=user["UserName"], user_id=user.get("UserId", ""))
            for kpage in iam.get_paginator("list_access_keys").paginate(
                    UserName=user["UserName"]):
                for k in kpage["AccessKeyMetadata"]:
                    keys[k["AccessKeyId"]] = (replace(caller, access_key=k["AccessKeyId"]),
                                              k["Status"])
    return keys


def caller_for_key(cloud: Any, access_key: str) -> tuple[Caller | None, str]:
    """Who an access key belongs to.

    Returns:
        ``(caller, status)`` where status is ``"Active"``, ``"Inactive"``, ``"Expired"``
        (a session past its expiry on the virtual clock) or ``"Unknown"`` (caller None).
    """
    if access_key == FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]:
        return Caller(kind="root", arn=ROOT_ARN, access_key=access_key,
                      user_id=ACCOUNT_ID), "Active"
    state = install(cloud)
    session = state.sessions.get(access_key)
    if session is not None:
        if session.expires_at is not None and cloud.now >= session.expires_at:
            return session, "Expired"
        return session, "Active"
    if state.keys is None or access_key not in state.keys:
        state.keys = _load_keys(cloud)
    found = state.keys.get(access_key)
    if found is None:
        return None, "Unknown"
    return found


# -- which policies apply --------------------------------------------------------------

def _policy(doc: Any, name: str) -> Any:
    from cloudlab.iam.policy import Policy

    if isinstance(doc, str) and not doc.lstrip().startswith("{"):
        doc = unquote(doc)  # some answers carry the document URL-encoded
    try:
        return Policy.parse(doc, name=name)
    except MalformedPolicy as e:  # moto accepted it; say so rather than crash every call
        warnings.warn(f"IAM enforcement ignores policy {name!r}: {e}", stacklevel=2)
        return None


def _managed(iam: Any, arn: str) -> Any:
    meta = iam.get_policy(PolicyArn=arn)["Policy"]
    doc = iam.get_policy_version(PolicyArn=arn, VersionId=meta["DefaultVersionId"])
    return _policy(doc["PolicyVersion"]["Document"], meta.get("PolicyName", arn))


def identity_policies(cloud: Any, caller: Caller) -> tuple[list[Any], list[Any]]:
    """The identity-based policies and permissions boundaries that apply to ``caller``,
    read from the backend through boto3 (and cached until IAM changes).

    Returns:
        ``(identity, boundaries)``: lists of :class:`cloudlab.iam.evaluate.PolicySource`.
    """
    from cloudlab.iam.evaluate import PolicySource

    state = install(cloud)
    key = caller.policy_arn
    if key in state.policies:
        return state.policies[key]
    iam = cloud.client("iam")
    identity: list[Any] = []
    boundaries: list[Any] = []

    def add(kind: str, name: str, policy: Any) -> None:
        if policy is not None:
            identity.append(PolicySource(policy=policy, kind=kind, name=name))

    if ":role/" in key:
        role = caller.name
        info = iam.get_role(RoleName=role)["Role"]
        for pname in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            doc = iam.get_role_policy(RoleName=role, PolicyName=pname)["PolicyDocument"]
            add("inline", pname, _policy(doc, pname))
        for att in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
            add("managed", att["PolicyArn"], _managed(iam, att["PolicyArn"]))
    else:
        user = caller.name
        info = iam.get_user(UserName=user)["User"]
        for pname in iam.list_user_policies(UserName=user)["PolicyNames"]:
            doc = iam.get_user_policy(UserName=user, PolicyName=pname)["PolicyDocument"]
            add("inline", pname, _policy(doc, pname))
        for att in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]:
            add("managed", att["PolicyArn"], _managed(iam, att["PolicyArn"]))
        for group in iam.list_groups_for_user(UserName=user)["Groups"]:
            g = group["GroupName"]
            for pname in iam.list_group_policies(GroupName=g)["PolicyNames"]:
                doc = iam.get_group_policy(GroupName=g, PolicyName=pname)["PolicyDocument"]
                add("group-inline", f"{g}/{pname}", _policy(doc, pname))
            for att in iam.list_attached_group_policies(GroupName=g)["AttachedPolicies"]:
                add("group-managed", f"{g}/{att['PolicyArn']}", _managed(iam, att["PolicyArn"]))
    boundary_arn = (info.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if boundary_arn:
        policy = _managed(iam, boundary_arn)
        if policy is not None:
            boundaries.append(PolicySource(policy=policy, kind="boundary", name=boundary_arn))
    state.policies[key] = (identity, boundaries)
    return identity, boundaries


def _bucket_policy(cloud: Any, resource: str) -> list[Any]:
    from botocore.exceptions import ClientError

    from cloudlab.iam.evaluate import PolicySource

    if not resource.startswith("arn:aws:s3:::"):
        return []
    bucket = resource[len("arn:aws:s3:::"):].split("/", 1)[0]
    state = _state(cloud)
    if bucket not in state.bucket_policies:
        source = None
        try:
            text = cloud.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]
            policy = _policy(text, f"bucket policy of {bucket}")
            if policy is not None:
                source = PolicySource(policy=policy, kind="resource", name=bucket)
        except ClientError:
            pass
        state.bucket_policies[bucket] = source
    found = state.bucket_policies[bucket]
    return [found] if found is not None else []


# -- the request ----------------------------------------------------------------------

def _region(context: Mapping[str, Any]) -> str:
    region = context.get("client_region") or "us-east-1"
    return "us-east-1" if region == "aws-global" else str(region)


def _collapse_query(body: Mapping[str, Any]) -> dict[str, Any]:
    """``{"InstanceId.1": "i-1", "InstanceId.2": "i-2"}`` -> ``{"InstanceId": [...]}``."""
    out: dict[str, Any] = {}
    for k, v in body.items():
        m = re.fullmatch(r"([A-Za-z]+)\.(?:member\.)?(\d+)", k)
        if m:
            out.setdefault(m.group(1), []).append(v)
        else:
            out[k] = v
    return out


def _uri_params(model: Any, url_path: str) -> dict[str, Any]:
    template = (model.http or {}).get("requestUri", "")
    template = template.split("?", 1)[0]
    members = {}
    shape = model.input_shape
    if shape is not None:
        for name, member in shape.members.items():
            if member.serialization.get("location") == "uri":
                members[member.serialization.get("name", name)] = name
    names: list[str] = []
    pattern = ""
    for literal, label in re.findall(r"([^{]*)(?:\{([^}]*)\})?", template):
        pattern += re.escape(literal)
        if label:
            greedy = label.endswith("+")
            names.append(label.rstrip("+"))
            pattern += "(.+)" if greedy else "([^/]+)"
    m = re.fullmatch(pattern, url_path.split("?", 1)[0])
    if not m:
        return {}
    return {members.get(n, n): unquote(v) for n, v in zip(names, m.groups(), strict=False)}


def request_params(model: Any, request_dict: Mapping[str, Any],
                   context: Mapping[str, Any]) -> dict[str, Any]:
    """The call's parameters, recovered from what a ``before-call`` handler sees (the
    serialized request): S3 from botocore's own request context, JSON bodies decoded,
    query bodies collapsed, REST URI labels matched against the operation's URI template."""
    service = model.service_model.service_name
    protocol = model.metadata.get("protocol", "")
    params: dict[str, Any] = {}
    if service == "s3":
        redirect = context.get("s3_redirect") or {}
        return dict(redirect.get("params") or context.get("input_params") or {})
    body = request_dict.get("body")
    if protocol in ("query", "ec2") and isinstance(body, Mapping):
        return _collapse_query(body)
    if protocol in ("rest-json", "rest-xml"):
        params.update(_uri_params(model, str(request_dict.get("url_path", ""))))
        params.update(request_dict.get("query_string") or {})
    if isinstance(body, bytes | str) and body:
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            params.update(decoded)
    return params


def request_context(cloud: Any, caller: Caller, *, region: str,
                    secure: bool = True) -> dict[str, Any]:
    """The global condition keys of a request by ``caller`` (what policies' ``Condition``
    blocks are checked against)."""
    state = _state(cloud)
    now = cloud.now
    ctx: dict[str, Any] = {
        "aws:SourceIp": state.source_ip,
        "aws:SecureTransport": secure,
        "aws:RequestedRegion": region,
        "aws:CurrentTime": now,
        "aws:EpochTime": int(now.timestamp()),
        "aws:PrincipalAccount": caller.account,
        "aws:PrincipalArn": caller.policy_arn or caller.arn,
        "aws:PrincipalType": {"user": "User", "assumed-role": "AssumedRole",
                              "user-session": "User"}.get(caller.kind, "Account"),
    }
    if caller.kind in ("user", "user-session") and caller.name:
        ctx["aws:username"] = caller.name
    if caller.user_id:
        ctx["aws:userid"] = caller.user_id
    if caller.mfa is not None:  # absent for long-term access keys, as on AWS
        ctx["aws:MultiFactorAuthPresent"] = caller.mfa
        if caller.mfa and caller.issued_at is not None:
            ctx["aws:MultiFactorAuthAge"] = int((now - caller.issued_at).total_seconds())
    if caller.issued_at is not None:
        ctx["aws:TokenIssueTime"] = caller.issued_at
    return ctx


# -- answers --------------------------------------------------------------------------

def _response(cloud: Any, request_dict: Mapping[str, Any], status: int, code: str,
              message: str) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse

    state = _state(cloud)
    state.denial_count += 1
    request_id = f"cloudlab-iam-{state.denial_count:08d}"
    http = AWSResponse(str(request_dict.get("url", "")), status,
                       {"x-amzn-requestid": request_id}, None)
    parsed = {"Error": {"Code": code, "Message": message},
              "ResponseMetadata": {"RequestId": request_id, "HTTPStatusCode": status,
                                   "HTTPHeaders": {"x-amzn-requestid": request_id},
                                   "RetryAttempts": 0}}
    return http, parsed


def _deny(cloud: Any, request_dict: Mapping[str, Any], service: str, caller: Caller,
          action: str, resource: str, reason: str, decision: Any = None) -> Any:
    code = _DENIED_CODE.get(service, "AccessDenied")
    message = (f"User: {caller.arn} is not authorized to perform: {action} "
               f"on resource: {resource} {reason}")
    if service == "ec2":
        message = "You are not authorized to perform this operation. " + message
    state = _state(cloud)
    state.denials.append(Denial(cloud.now, caller.arn, action, resource, code, message,
                                decision))
    del state.denials[:-_MAX_DENIALS]
    return _response(cloud, request_dict, 403, code, message)


def reason_text(decision: Any, action: str) -> str:
    """The end of an AWS-like denial message for an engine decision."""
    if getattr(decision, "reason", "") == "explicit deny":
        kinds = {getattr(m.source, "kind", "") for m in getattr(decision, "deciding", [])}
        if "resource" in kinds:
            where = "a resource-based policy"
        elif "boundary" in kinds:
            where = "a permissions boundary"
        else:
            where = "an identity-based policy"
        return f"with an explicit deny in {where}"
    return f"because no identity-based policy allows the {action} action"


def _before_call(cloud: Any, event_name: str, *, model: Any = None, params: Any = None,
                 request_signer: Any = None, context: Any = None, **_: Any) -> Any:
    if model is None or context is None:
        return None
    key = _access_key(request_signer)
    service = model.service_model.service_name
    root = key is None or key == FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]
    if root and service != "sts":
        return None  # the account root user: always allowed (and our own lookups)
    api_params = request_params(model, params or {}, context)
    context["cloudlab_iam"] = {"params": api_params, "access_key": key}
    if root or key is None:
        return None
    state = _state(cloud)
    if not state.enabled:
        return None
    caller, status = caller_for_key(cloud, key)
    if caller is None or status == "Inactive":
        code, http, msg = _INVALID_KEY.get(service, ("InvalidClientTokenId", 403,
                                                     _INVALID_KEY_MSG))
        return _response(cloud, params, http, code, msg)
    if status == "Expired":
        code, http, msg = _EXPIRED.get(service, ("ExpiredToken", 400, _EXPIRED_MSG))
        return _response(cloud, params, http, code, msg)
    context["cloudlab_iam"]["caller"] = caller
    if caller.is_root:
        return None
    operation = model.name
    action = action_for(service, operation)
    if always_allowed(action):
        return None
    region = _region(context)
    resource = resource_for(service, operation, api_params, region=region,
                            caller=caller.policy_arn)
    if is_billing_action(action) and not state.billing_access:
        return _deny(cloud, params, service, caller, action, resource,
                     "because IAM user and role access to Billing information is not "
                     f"activated for account {caller.account}. Only the root user can "
                     "activate it (Account settings: 'IAM user and role access to Billing "
                     "information'; in CloudLab: set_billing_access(cloud, True)); until "
                     "then even AdministratorAccess does not show billing data")
    from cloudlab.iam.evaluate import Request, evaluate

    ctx = request_context(cloud, caller, region=region,
                          secure=str(params.get("url", "https")).startswith("https"))
    if service == "sts" and operation == "AssumeRole":
        from cloudlab.iam import sts

        if api_params.get("SerialNumber") and api_params.get("TokenCode"):
            # the caller proves MFA in this very request (AWS then sets the key for it)
            ctx["aws:MultiFactorAuthPresent"] = True
            ctx["aws:MultiFactorAuthAge"] = 0
        verdict = sts.check_assume_role(cloud, caller, resource, ctx)
        if not verdict.allowed:
            return _deny(cloud, params, service, caller, action, resource,
                         verdict.reason_text, verdict.decision)
        return None
    identity, boundaries = identity_policies(cloud, caller)
    decision = evaluate(Request(principal_arn=caller.arn, action=action, resource=resource,
                                context=ctx),
                        identity, resource_policies=_bucket_policy(cloud, resource),
                        boundaries=boundaries)
    if decision.allowed:
        return None
    reason = reason_text(decision, action)
    if boundaries and decision.reason != "explicit deny" and evaluate(
            decision.request, identity, resource_policies=_bucket_policy(cloud, resource)):
        reason = f"because no permissions boundary allows the {action} action"
    return _deny(cloud, params, service, caller, action, resource, reason, decision)


def _after_call(cloud: Any, event_name: str, *, http_response: Any = None,
                parsed: Any = None, model: Any = None, context: Any = None,
                **_: Any) -> None:
    if model is None or http_response is None or http_response.status_code >= 300:
        return
    service = model.service_model.service_name
    operation = model.name
    state = _state(cloud)
    info = (context or {}).get("cloudlab_iam") or {}
    if service == "iam":
        if not _READ_ONLY.match(operation):
            state.forget_iam()
        if operation == "GetAccountSummary" and state.root_mfa and isinstance(parsed, dict):
            parsed.setdefault("SummaryMap", {})["AccountMFAEnabled"] = 1
    elif service == "s3" and operation in ("PutBucketPolicy", "DeleteBucketPolicy",
                                           "DeleteBucket"):
        state.bucket_policies.clear()
    elif service == "sts":
        from cloudlab.iam import sts

        key = info.get("access_key") or FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]
        sts.after_call(cloud, operation, info.get("params") or {}, key, parsed)
