"""AWS policy evaluation logic for requests within one account.

``evaluate(request, identity, resource_policies=..., boundaries=...)`` decides a request:

1. An explicit ``Deny`` in any applicable statement (identity, resource or boundary
   policy) denies it.
2. Otherwise an ``Allow`` from an identity-based or a resource-based policy allows it;
   when permissions boundaries are given, an identity-based allow counts only if a boundary
   also allows. A resource-based allow that names the caller's own ARN (the user, or the
   role session) is not limited by the boundary; one that names the role or the account is.
3. Otherwise it is denied implicitly.

The account root user is allowed everything except what a resource policy explicitly
denies. A statement applies when its action, resource, principal (resource and trust
policies only) and every condition match.

Source: AWS IAM User Guide, "Policy evaluation logic", "Policy evaluation for requests
within a single account" and "Permissions boundaries for IAM entities"
(docs.aws.amazon.com, read 2026-05).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cloudlab.iam.conditions import ConditionCheck
from cloudlab.iam.matching import arn_matcher, match_action, match_arn
from cloudlab.iam.policy import Policy, Statement

__all__ = [
    "ALLOWED",
    "EXPLICIT_DENY",
    "IMPLICIT_DENY",
    "Decision",
    "MatchedStatement",
    "PolicySource",
    "PrincipalInfo",
    "Request",
    "evaluate",
    "principal_info",
]

EXPLICIT_DENY = "explicit deny"
ALLOWED = "allowed"
IMPLICIT_DENY = "implicit deny"

SOURCE_KINDS = ("inline", "managed", "group-inline", "group-managed", "resource", "trust",
                "boundary")


@dataclass(frozen=True)
class Request:
    """One request to decide.

    Args:
        principal_arn: who asks: a user ARN, an assumed-role session ARN
            (``arn:aws:sts::123456789012:assumed-role/Role/session``), the account root
            (``arn:aws:iam::123456789012:root``) or a service (``"ec2.amazonaws.com"``).
        action: ``"s3:GetObject"`` (case-insensitive).
        resource: the resource ARN, or ``"*"`` for actions that take none.
        context: request context keys (``"aws:SourceIp"``, ``"aws:MultiFactorAuthPresent"``,
            ``"aws:CurrentTime"`` ...). ``aws:username``, ``aws:PrincipalArn``,
            ``aws:PrincipalType`` and ``aws:PrincipalAccount`` are filled in from the
            principal unless given.
    """

    principal_arn: str
    action: str
    resource: str = "*"
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicySource:
    """A policy and where it came from (for explanations).

    ``kind`` is one of ``"inline"``, ``"managed"``, ``"group-inline"``,
    ``"group-managed"``, ``"resource"``, ``"trust"``, ``"boundary"``; ``name`` is the
    policy name or ARN (for group kinds, ``"group/policy"``).
    """

    policy: Policy
    kind: str = "inline"
    name: str = ""

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"PolicySource kind must be one of {SOURCE_KINDS}, "
                             f"got {self.kind!r}")
        if not isinstance(self.policy, Policy):
            object.__setattr__(self, "policy", Policy.parse(self.policy, name=self.name))

    @property
    def label(self) -> str:
        """``"managed policy 'arn:aws:iam::aws:policy/AdministratorAccess'"``."""
        kind = {"inline": "inline policy", "managed": "managed policy",
                "group-inline": "group inline policy", "group-managed": "group managed policy",
                "resource": "resource policy", "trust": "trust policy",
                "boundary": "permissions boundary"}[self.kind]
        return f"{kind} {self.name!r}" if self.name else kind


@dataclass(frozen=True)
class MatchedStatement:
    """A statement that applied to the request (or nearly: see ``Decision.near_misses``).

    ``index`` is the position in ``source.policy.statements`` (0-based; messages say
    "statement index+1"). ``why`` explains the match in words; ``checks`` holds one
    :class:`ConditionCheck` per condition.
    """

    source: PolicySource
    statement: Statement
    index: int
    why: str
    checks: tuple[ConditionCheck, ...] = ()

    @property
    def label(self) -> str:
        """``"Deny statement 2 (sid 'NoDelete') of inline policy 'p'"``."""
        return (f"{self.statement.effect} statement {self.index + 1} "
                f"({self.statement.label}) of {self.source.label}")

    def __repr__(self) -> str:
        return f"<MatchedStatement {self.label}: {self.why}>"


@dataclass
class Decision:
    """The answer to a request, with the statements that decided it.

    ``reason`` is ``"explicit deny"``, ``"allowed"`` or ``"implicit deny"``; ``deciding``
    lists the deny statements (explicit deny) or the allow statements (allowed);
    ``near_misses`` the statements whose action and resource matched but whose conditions
    did not; ``considered`` counts the statements looked at; ``note`` adds a sentence
    (root user, boundary); ``boundary_blocked`` is true when a policy allowed the request
    but the permissions boundary did not. ``bool(decision)`` is ``decision.allowed``.
    Renders as a table in a notebook.
    """

    allowed: bool
    reason: str
    request: Request
    deciding: list[MatchedStatement]
    considered: int
    near_misses: list[MatchedStatement] = field(default_factory=list)
    note: str = ""
    boundary_blocked: bool = False

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def verdict(self) -> str:
        """``"ALLOWED"``, ``"DENIED (explicit deny)"`` or ``"DENIED (implicit deny)"``."""
        return "ALLOWED" if self.allowed else f"DENIED ({self.reason})"

    def summary(self) -> str:
        """One paragraph in words: verdict, request, and why."""
        r = self.request
        head = f"{self.verdict}: {r.principal_arn} -> {r.action} on {r.resource}"
        if self.deciding:
            why = "; ".join(m.label for m in self.deciding)
            head += f". Decided by {why}."
        elif not self.allowed:
            head += ". No statement allows this request."
        if self.note:
            head += f" {self.note}"
        return head

    def __repr__(self) -> str:
        return f"<Decision {self.summary()}>"

    def _repr_html_(self) -> str:
        from cloudlab.iam.explain import render_decision_html

        return render_decision_html(self)


@dataclass(frozen=True)
class PrincipalInfo:
    """What the principal ARN says: type, account, name, and the ARN conditions see."""

    arn: str
    type: str  # "User" | "AssumedRole" | "Role" | "Account" | "Service" | "Other"
    account: str
    name: str
    principal_arn: str  # aws:PrincipalArn (the role ARN for a role session)
    role_name: str = ""


_IAM_ARN = re.compile(r"^arn:(aws[\w-]*):(iam|sts)::(\d{12}):(.+)$")


@lru_cache(maxsize=1024)
def principal_info(arn: str) -> PrincipalInfo:
    """Parse a principal ARN (user, role, assumed-role session, root, or a service)."""
    m = _IAM_ARN.match(arn)
    if not m:
        if arn.endswith(".amazonaws.com"):
            return PrincipalInfo(arn, "Service", "", arn, arn)
        return PrincipalInfo(arn, "Other", "", arn, arn)
    partition, service, account, rest = m.groups()
    if rest == "root":
        return PrincipalInfo(arn, "Account", account, "root", arn)
    if service == "iam" and rest.startswith("user/"):
        return PrincipalInfo(arn, "User", account, rest.rsplit("/", 1)[-1], arn)
    if service == "iam" and rest.startswith("role/"):
        name = rest.rsplit("/", 1)[-1]
        return PrincipalInfo(arn, "Role", account, name, arn, role_name=name)
    if service == "sts" and rest.startswith("assumed-role/"):
        parts = rest.split("/")
        role = parts[1] if len(parts) > 1 else ""
        session = parts[2] if len(parts) > 2 else ""
        role_arn = f"arn:{partition}:iam::{account}:role/{role}"
        return PrincipalInfo(arn, "AssumedRole", account, session, role_arn, role_name=role)
    return PrincipalInfo(arn, "Other", account, rest, arn)


def request_context(request: Request) -> dict[str, Any]:
    """The request context with lower-cased keys and the principal's keys filled in."""
    ctx = {k.lower(): v for k, v in request.context.items()}
    info = principal_info(request.principal_arn)
    ctx.setdefault("aws:principalarn", info.principal_arn)
    ctx.setdefault("aws:principaltype", info.type)
    if info.account:
        ctx.setdefault("aws:principalaccount", info.account)
    if info.type == "User":
        ctx.setdefault("aws:username", info.name)
    return ctx


def _principal_matches(principals: Mapping[str, tuple[str, ...]], info: PrincipalInfo,
                       effect: str) -> tuple[bool, bool]:
    """(matches, names the caller directly) for a Principal element."""
    direct = False
    matched = False
    for ptype, values in principals.items():
        for v in values:
            if v == "*":
                matched = True
            elif ptype != "AWS":
                if v == info.arn:
                    matched = direct = True
            elif v == info.arn:
                matched = direct = True
            elif re.fullmatch(r"\d{12}", v) or v.endswith(":root"):
                account = v if v.isdigit() else v.split(":")[4]
                # An account principal delegates to the account's own identity policies:
                # it grants nothing by itself (except to root), but its Deny covers everyone.
                if account == info.account and (effect == "Deny" or info.type == "Account"):
                    matched = True
            elif (info.type == "AssumedRole" and v.startswith("arn:") and ":role/" in v
                  and v.split(":")[4] == info.account
                  and v.rsplit("/", 1)[-1] == info.role_name):
                matched = True
    return matched, direct


def _applies(st: Statement, action_l: str, resource: str, info: PrincipalInfo,
             ctx: Mapping[str, Any], variables: bool) -> tuple[bool, bool]:
    """(action, resource and principal match, the principal was named directly)."""
    hit = st._action_re.fullmatch(action_l) is not None
    if hit == bool(st.not_actions):
        return False, False
    if st.resources or st.not_resources:
        if st._resource_vars:
            patterns = st.resources or st.not_resources
            rx = arn_matcher(patterns, ctx if variables else None)
        else:
            rx = st._resource_re
        hit = rx.fullmatch(resource) is not None
        if hit == bool(st.not_resources):
            return False, False
    direct = False
    if st.principals is not None:
        ok, direct = _principal_matches(st.principals, info, st.effect)
        if not ok:
            return False, False
    elif st.not_principals is not None:
        ok, _ = _principal_matches(st.not_principals, info, "Deny")
        if ok:
            return False, False
    return True, direct


def _why(st: Statement, request: Request, ctx: Mapping[str, Any], variables: bool,
         checks: Sequence[ConditionCheck]) -> str:
    parts = []
    if st.actions:
        pat = next((a for a in st.actions if match_action(a, request.action)), "?")
        parts.append(f"Action {pat!r} matches {request.action}")
    else:
        parts.append(f"{request.action} is not in NotAction {list(st.not_actions)}")
    if st.resources:
        vctx = ctx if variables else None
        pat = next((r for r in st.resources if match_arn(r, request.resource, vctx)), "?")
        parts.append(f"Resource {pat!r} matches {request.resource}")
    elif st.not_resources:
        parts.append(f"{request.resource} is not in NotResource {list(st.not_resources)}")
    if st.principals is not None:
        parts.append(f"Principal covers {request.principal_arn}")
    if checks:
        parts.append("conditions: " + "; ".join(str(c) for c in checks))
    return "; ".join(parts)


def evaluate(
    request: Request,
    identity: Sequence[PolicySource],
    *,
    resource_policies: Sequence[PolicySource] = (),
    boundaries: Sequence[PolicySource] = (),
) -> Decision:
    """Decide ``request`` with AWS's single-account evaluation logic (module docstring).

    Args:
        request: who does what on which resource, with its context.
        identity: the principal's identity-based policies (inline, managed, groups').
        resource_policies: resource-based policies of the resource (bucket policy, trust
            policy of a role being assumed).
        boundaries: the principal's permissions boundary, if it has one.

    Returns:
        A :class:`Decision`; ``decision.allowed`` is the answer.
    """
    ctx = request_context(request)
    info = principal_info(request.principal_arn)
    action_l = request.action.lower()
    is_root = info.type == "Account"
    denies: list[MatchedStatement] = []
    allows: dict[str, list[tuple[MatchedStatement, bool]]] = {
        "identity": [], "resource": [], "boundary": []}
    near: list[MatchedStatement] = []
    considered = 0
    groups = (("identity", identity), ("resource", resource_policies), ("boundary", boundaries))
    for group, sources in groups:
        if is_root and group != "resource":
            continue  # no identity policy or boundary can be attached to the root user
        for src in sources:
            pol = src.policy
            variables = pol.variables
            for idx, st in enumerate(pol.statements):
                considered += 1
                applies, direct = _applies(st, action_l, request.resource, info, ctx, variables)
                if not applies:
                    continue
                checks = tuple(c.check(ctx, variables=variables) for c in st.conditions)
                m = MatchedStatement(src, st, idx, _why(st, request, ctx, variables, checks),
                                     checks)
                if not all(c.ok for c in checks):
                    near.append(m)
                elif st.effect == "Deny":
                    denies.append(m)
                else:
                    allows[group].append((m, direct))
    if denies:
        return Decision(False, EXPLICIT_DENY, request, denies, considered, near)
    if is_root:
        return Decision(True, ALLOWED, request, [m for m, _ in allows["resource"]], considered,
                        near, note="The account root user has full access unless a resource "
                                   "policy denies it explicitly.")
    boundary_ok = not boundaries or bool(allows["boundary"])
    deciding: list[MatchedStatement] = []
    if boundary_ok:
        deciding += [m for m, _ in allows["identity"]]
        deciding += [m for m, _ in allows["resource"]]
        if boundaries and deciding:
            deciding += [m for m, _ in allows["boundary"]]
    else:
        deciding += [m for m, direct in allows["resource"] if direct]
    if deciding:
        return Decision(True, ALLOWED, request, deciding, considered, near)
    note = ""
    blocked = not boundary_ok and bool(allows["identity"] or allows["resource"])
    if blocked:
        names = ", ".join(b.label for b in boundaries)
        note = (f"A policy allows it, but the {names} does not: a permissions boundary "
                "caps what identity-based policies can grant.")
    return Decision(False, IMPLICIT_DENY, request, [], considered, near, note=note,
                    boundary_blocked=blocked)
