"""STS in the mini cloud: who may assume a role, and temporary credentials on the virtual clock.

Owns the STS side of enforcement (:mod:`cloudlab.iam.enforce` calls in here):

- :func:`check_assume_role`: AWS's rule for ``sts:AssumeRole`` within one account. The
  role's **trust policy** must allow the caller: a statement naming the caller's ARN (a
  user, a role, ``"*"``) allows it on its own; a statement naming the account
  (``arn:aws:iam::123456789012:root`` or ``"123456789012"``) delegates to the account, so the
  caller's own identity policies must also allow ``sts:AssumeRole`` on the role. An
  explicit ``Deny`` in either wins. ``Service`` principals (``ec2.amazonaws.com``) let a
  service assume the role, never a user. (AWS IAM User Guide, "How IAM roles differ from
  resource-based policies" and "Cross account resource access", read 2026-11.)
- bookkeeping of temporary credentials: after a successful ``AssumeRole`` or
  ``GetSessionToken``, the new access key id is recorded with its role (or user), session
  name, MFA flag and expiry **on the virtual clock** (``DurationSeconds``; defaults 3600 s
  for AssumeRole, 43200 s for GetSessionToken), and the ``Expiration`` in the answer is
  rewritten to that virtual time. After ``cloud.advance(...)`` past it, calls with those
  credentials fail with ``ExpiredToken``.
- ``GetCallerIdentity`` answers with the identity CloudLab knows (the root user for the
  cloud's default credentials; moto would say ``user/moto``).

While a role is assumed, only the role's policies apply: the caller's own do not.
Session policies (the ``Policy`` argument of ``AssumeRole``) are not applied.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from cloudlab.errors import UnknownPrincipal
from cloudlab.iam.actions import ACCOUNT_ID
from cloudlab.iam.enforce import (
    ROOT_ARN,
    Caller,
    caller_for_key,
    identity_policies,
    install,
    request_context,
)

__all__ = [
    "ASSUME_ROLE_DEFAULT_S",
    "SESSION_TOKEN_DEFAULT_S",
    "TrustVerdict",
    "can_assume",
    "check_assume_role",
    "sessions",
]

#: Default lifetime of AssumeRole credentials (DurationSeconds), seconds.
ASSUME_ROLE_DEFAULT_S = 3600
#: Default lifetime of GetSessionToken credentials for an IAM user, seconds.
SESSION_TOKEN_DEFAULT_S = 43200


@dataclass(frozen=True)
class TrustVerdict:
    """Whether a principal may assume a role, and why.

    Attributes:
        allowed: the answer.
        reason: in plain words.
        reason_text: the tail of the AWS-like denial message ("because ...").
        trusted_by: ``"principal"`` (trust policy names the caller), ``"account"``
            (trust policy names the account and the caller's identity policy allows), or
            ``""``.
        decision: the engine's :class:`~cloudlab.iam.evaluate.Decision` that decided, if any.
    """

    allowed: bool
    reason: str
    reason_text: str = ""
    trusted_by: str = ""
    decision: Any = None

    def __bool__(self) -> bool:
        return self.allowed

    def __repr__(self) -> str:
        return f"<TrustVerdict {'allowed' if self.allowed else 'denied'}: {self.reason}>"

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.allowed else "#cf222e"
        word = "ALLOWED" if self.allowed else "DENIED"
        return (f"<div><b style='color:{colour}'>{word}</b>: "
                f"{html.escape(self.reason)}</div>")


def _role_name(role_arn: str) -> str:
    return role_arn.rsplit("/", 1)[-1]


def _principal_match(statement: Any, caller: Caller) -> str:
    """``"principal"``, ``"account"`` or ``""``: how ``statement``'s Principal covers caller."""
    def covers(principals: Any) -> str:
        if not principals:
            return ""
        if caller.kind == "service":
            return "principal" if caller.arn in principals.get("Service", ()) else ""
        found = ""
        for value in principals.get("AWS", ()):
            if value == "*" or value in (caller.arn, caller.policy_arn):
                return "principal"
            if value in (f"arn:aws:iam::{caller.account}:root", caller.account):
                found = "account"
        return found

    if statement.principals is not None:
        return covers(statement.principals)
    if statement.not_principals is not None:
        return "" if covers(statement.not_principals) else "principal"
    return ""


def check_assume_role(cloud: Any, caller: Caller, role_arn: str,
                      context: dict[str, Any] | None = None) -> TrustVerdict:
    """Decide whether ``caller`` may call ``sts:AssumeRole`` on ``role_arn``.

    Args:
        cloud: the Cloud.
        caller: who asks (see :func:`cloudlab.iam.enforce.caller_for_key`); a caller of kind
            ``"service"`` with ``arn="ec2.amazonaws.com"`` asks as a service.
        role_arn: the role's ARN.
        context: request context for the trust policy's conditions (default: built from
            the cloud's request settings).

    Returns:
        A :class:`TrustVerdict`.
    """
    from botocore.exceptions import ClientError

    from cloudlab.iam.evaluate import PolicySource, Request, evaluate
    from cloudlab.iam.policy import Policy

    action = "sts:AssumeRole"
    if caller.is_root:
        return TrustVerdict(True, "the account root user may do anything in its account",
                            trusted_by="account")
    name = _role_name(role_arn)
    try:
        doc = cloud.client("iam").get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    except ClientError:
        return TrustVerdict(False, f"there is no role named {name!r} in this account",
                            "because no role with that ARN exists in the account")
    trust = Policy.parse(doc, name=f"trust policy of {name}", kind="trust")
    ctx = dict(context) if context is not None else request_context(
        cloud, caller, region="us-east-1")
    request = Request(principal_arn=caller.arn, action=action, resource=role_arn, context=ctx)
    allow_by = ""
    allow_decision = None
    for statement in trust.statements:
        how = _principal_match(statement, caller)
        if not how:
            continue
        bare = replace(statement, principals=None, not_principals=None,
                       resources=("*",), not_resources=())
        source = PolicySource(policy=Policy((bare,), name=trust.name), kind="trust",
                              name=trust.name)
        decision = evaluate(request, [source])
        if decision.reason == "explicit deny":
            return TrustVerdict(False, f"the trust policy of role {name} denies {caller.arn}",
                                "with an explicit deny in a resource-based policy",
                                decision=decision)
        if decision.allowed and allow_by != "principal":
            allow_by, allow_decision = how, decision
    if caller.kind == "service":
        if allow_by:
            return TrustVerdict(True, f"the trust policy of role {name} trusts the service "
                                f"{caller.arn}", trusted_by="principal", decision=allow_decision)
        return TrustVerdict(False, f"the trust policy of role {name} does not trust the "
                            f"service {caller.arn}",
                            "because the role's trust policy does not allow this service")
    identity, boundaries = identity_policies(cloud, caller)
    own = evaluate(request, identity, boundaries=boundaries)
    if own.reason == "explicit deny":
        return TrustVerdict(False, f"an identity-based policy of {caller.arn} denies "
                            f"{action} on {role_arn}",
                            "with an explicit deny in an identity-based policy", decision=own)
    if allow_by == "principal":
        return TrustVerdict(True, f"the trust policy of role {name} names {caller.arn}",
                            trusted_by="principal", decision=allow_decision)
    if allow_by == "account":
        if own.allowed:
            return TrustVerdict(True, f"the trust policy of role {name} trusts account "
                                f"{caller.account} and an identity-based policy of "
                                f"{caller.arn} allows {action} on the role",
                                trusted_by="account", decision=own)
        return TrustVerdict(False, f"the trust policy of role {name} trusts the account, "
                            f"which delegates the choice to identity policies, and none of "
                            f"{caller.arn}'s allows {action} on {role_arn}",
                            f"because no identity-based policy allows the {action} action "
                            "(the role's trust policy trusts the account, so the caller's own "
                            "policies must allow it)", decision=own)
    return TrustVerdict(False, f"the trust policy of role {name} does not name "
                        f"{caller.arn} (nor the account)",
                        "because the role's trust policy does not allow this principal",
                        decision=None)


def can_assume(cloud: Any, principal: str, role: str) -> TrustVerdict:
    """Whether ``principal`` may assume ``role``, without making the call.

    Args:
        principal: an IAM user name (``"alice"``), ``"user/alice"``, ``"role/name"``, an ARN,
            or a service principal (``"ec2.amazonaws.com"``).
        role: role name or ARN.

    Raises:
        UnknownPrincipal: no such user or role.
    """
    from botocore.exceptions import ClientError

    install(cloud)
    iam = cloud.client("iam")
    try:
        role_arn = role if role.startswith("arn:") else iam.get_role(RoleName=role)["Role"]["Arn"]
    except ClientError:
        raise UnknownPrincipal(
            f"no role named {role!r}; create it with iam.create_role(...) or check the name"
        ) from None
    if principal.endswith(".amazonaws.com"):
        return check_assume_role(cloud, Caller(kind="service", arn=principal), role_arn)
    if principal == ROOT_ARN:
        return check_assume_role(cloud, Caller(kind="root", arn=ROOT_ARN), role_arn)
    tail = principal.split(":", 5)[-1] if principal.startswith("arn:") else principal
    kind, _, name = tail.rpartition("/") if "/" in tail else ("user", "", tail)
    kind = kind.split("/", 1)[0]
    try:
        if kind == "role":
            info = iam.get_role(RoleName=name)["Role"]
            caller = Caller(kind="assumed-role", arn=info["Arn"], policy_arn=info["Arn"],
                            name=name)
        else:
            info = iam.get_user(UserName=name)["User"]
            caller = Caller(kind="user", arn=info["Arn"], policy_arn=info["Arn"], name=name,
                            user_id=info.get("UserId", ""))
    except ClientError:
        raise UnknownPrincipal(
            f"no IAM {kind} named {name!r}; give a user name ('alice'), 'role/name', an ARN "
            "or a service like 'ec2.amazonaws.com'"
        ) from None
    return check_assume_role(cloud, caller, role_arn)


def sessions(cloud: Any, *, active_only: bool = True) -> list[Caller]:
    """Temporary credentials issued by STS in this cloud (not expired, unless
    ``active_only=False``), oldest first."""
    state = install(cloud)
    now = cloud.now
    return [s for s in state.sessions.values()
            if not active_only or s.expires_at is None or s.expires_at > now]


def _duration(params: dict[str, Any], default: int) -> int:
    try:
        return int(params.get("DurationSeconds") or default)
    except (TypeError, ValueError):
        return default


_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _new_key(cloud: Any, n: int) -> str:
    """A temporary access key id like AWS's (``ASIA`` + 16 characters), seeded."""
    rng = cloud.rng(f"iam.sts.session-key.{n}")
    return "ASIA" + "".join(_KEY_ALPHABET[int(i)] for i in rng.integers(0, 32, size=16))


def after_call(cloud: Any, operation: str, params: dict[str, Any], access_key: str,
               parsed: Any) -> None:
    """Bookkeeping after a successful STS call (called by the enforcement hook)."""
    if not isinstance(parsed, dict):
        return
    state = install(cloud)
    now = cloud.now
    mfa = bool(params.get("SerialNumber") and params.get("TokenCode"))
    if operation in ("AssumeRole", "GetSessionToken"):
        creds = parsed.get("Credentials") or {}
        key = creds.get("AccessKeyId")
        if not key:
            return
        if operation == "AssumeRole":
            role_arn = str(params.get("RoleArn", ""))
            user = parsed.get("AssumedRoleUser") or {}
            session_name = str(params.get("RoleSessionName", ""))
            expires = now + timedelta(seconds=_duration(params, ASSUME_ROLE_DEFAULT_S))
            session = Caller(
                kind="assumed-role",
                arn=user.get("Arn") or (f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/"
                                        f"{_role_name(role_arn)}/{session_name}"),
                policy_arn=role_arn, name=_role_name(role_arn), access_key=key,
                session_name=session_name, mfa=mfa, issued_at=now, expires_at=expires,
                user_id=user.get("AssumedRoleId", ""))
        else:
            base, _ = caller_for_key(cloud, access_key)
            if base is None:
                return
            # moto answers every GetSessionToken with the same example key; give each
            # session its own (seeded) credentials so sessions can be told apart
            key = _new_key(cloud, len(state.sessions))
            creds["AccessKeyId"] = key
            creds["SecretAccessKey"] = f"cloudlab-session-secret-{key[4:]}"
            creds["SessionToken"] = f"cloudlab-session-token-{key[4:]}"
            expires = now + timedelta(seconds=_duration(params, SESSION_TOKEN_DEFAULT_S))
            session = replace(base, kind="user-session", access_key=key, mfa=mfa,
                              issued_at=now, expires_at=expires)
        state.sessions[key] = session
        creds["Expiration"] = expires
    elif operation == "GetCallerIdentity":
        caller, _ = caller_for_key(cloud, access_key)
        if caller is not None:
            parsed["Arn"] = caller.arn
            parsed["Account"] = caller.account
            if caller.user_id:
                parsed["UserId"] = caller.user_id
