"""Explanations: decide a request for a principal of the mini cloud, and show why.

``explain(cloud, "alice", "s3:GetObject", "arn:aws:s3:::bucket/key")`` reads the
principal's policies from the backend through boto3, exactly as a learner could: inline
and attached managed policies, for users also their groups' policies, the permissions
boundary, and the bucket policy when the resource is an S3 ARN. It then evaluates the
request with :func:`cloudlab.iam.evaluate.evaluate` and returns the :class:`Decision`,
which renders as a table in a notebook (:func:`render_decision_html`).
"""

from __future__ import annotations

import difflib
import html
import json
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any

from cloudlab.errors import UnknownPrincipal
from cloudlab.iam.evaluate import (
    ALLOWED,
    EXPLICIT_DENY,
    Decision,
    MatchedStatement,
    PolicySource,
    Request,
    evaluate,
    principal_info,
)
from cloudlab.iam.policy import Policy

__all__ = ["DEFAULT_ACCOUNT", "DEFAULT_SOURCE_IP", "explain", "policies_of",
           "render_decision_html"]

#: moto's account id: every ARN of the mini cloud carries it
DEFAULT_ACCOUNT = "123456789012"
#: aws:SourceIp of requests when nothing else is said (an RFC 5737 documentation address)
DEFAULT_SOURCE_IP = "198.51.100.10"


def _paginate(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(key, [])


def _document(doc: Any) -> Any:
    """A policy document as boto3 returns it: usually a dict, sometimes URL-encoded JSON."""
    if isinstance(doc, str):
        text = doc if doc.lstrip().startswith("{") else urllib.parse.unquote(doc)
        return json.loads(text)
    return doc


def _managed(cloud: Any, iam: Any, arn: str) -> Policy:
    meta = iam.get_policy(PolicyArn=arn)["Policy"]
    version = meta["DefaultVersionId"]
    cache: dict[tuple[str, str], Policy] = cloud.state("iam.managed-policies", dict)
    if (arn, version) not in cache:
        doc = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
        cache[(arn, version)] = Policy.parse(_document(doc["Document"]), name=arn)
    return cache[(arn, version)]


def _not_found(iam: Any, what: str, name: str) -> UnknownPrincipal:
    users = sorted(u["UserName"] for u in _paginate(iam, "list_users", "Users"))
    roles = sorted(r["RoleName"] for r in _paginate(iam, "list_roles", "Roles"))
    close = difflib.get_close_matches(name, users + roles, n=1, cutoff=0.6)
    hint = f' Did you mean "{close[0]}"?' if close else ""
    known = (f" Users: {', '.join(users) or '(none)'}; roles: {', '.join(roles) or '(none)'}.")
    make = ('iam.create_user(UserName=...)' if what == "user"
            else 'iam.create_role(RoleName=..., AssumeRolePolicyDocument=...)')
    return UnknownPrincipal(
        f"no IAM {what} named {name!r} in the mini cloud.{hint}{known} Create one with {make}."
    )


def _resolve(iam: Any, principal: str) -> tuple[str, str, str]:
    """(kind "user" | "role" | "root", name, principal ARN) for a principal reference."""
    from botocore.exceptions import ClientError

    if principal.startswith("arn:"):
        info = principal_info(principal)
        kinds = {"User": "user", "Role": "role", "AssumedRole": "role", "Account": "root"}
        if info.type not in kinds:
            raise UnknownPrincipal(
                f"{principal!r} is not a user, role, role session or root ARN; expected e.g. "
                f"arn:aws:iam::{DEFAULT_ACCOUNT}:user/alice"
            )
        kind = kinds[info.type]
        name = info.role_name if kind == "role" else info.name
        candidates = [(kind, name)]
    elif principal == "root":
        candidates = [("root", "root")]
    elif principal.startswith(("user/", "role/")):
        kind, _, name = principal.partition("/")
        candidates = [(kind, name.rsplit("/", 1)[-1])]
    else:
        candidates = [("user", principal), ("role", principal)]
    for kind, name in candidates:
        if kind == "root":
            arn = principal if principal.startswith("arn:") else \
                f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"
            return "root", "root", arn
        try:
            if kind == "user":
                arn = iam.get_user(UserName=name)["User"]["Arn"]
            else:
                arn = iam.get_role(RoleName=name)["Role"]["Arn"]
        except ClientError as e:
            if e.response["Error"]["Code"] != "NoSuchEntity":
                raise
            continue
        if principal.startswith("arn:") and principal_info(principal).type == "AssumedRole":
            arn = principal  # the session asks, with the role's permissions
        return kind, name, arn
    raise _not_found(iam, candidates[0][0], candidates[0][1])


def policies_of(cloud: Any, principal: str) -> tuple[str, list[PolicySource], list[PolicySource]]:
    """The principal's ARN, identity policies and permissions boundary, read through boto3.

    Raises:
        UnknownPrincipal: no such user or role (with the names that do exist).
    """
    from cloudlab.iam.least_privilege import not_recorded

    with not_recorded():
        iam = cloud.client("iam")
        kind, name, arn = _resolve(iam, principal)
        identity: list[PolicySource] = []
        boundaries: list[PolicySource] = []
        if kind == "root":
            return arn, identity, boundaries
        entity = "User" if kind == "user" else "Role"
        arg = {f"{entity}Name": name}
        lower = entity.lower()
        for pname in _paginate(iam, f"list_{lower}_policies", "PolicyNames", **arg):
            doc = getattr(iam, f"get_{lower}_policy")(PolicyName=pname, **arg)["PolicyDocument"]
            identity.append(PolicySource(Policy.parse(_document(doc), name=pname), "inline",
                                         pname))
        for att in _paginate(iam, f"list_attached_{lower}_policies", "AttachedPolicies", **arg):
            identity.append(PolicySource(_managed(cloud, iam, att["PolicyArn"]), "managed",
                                         att["PolicyArn"]))
        if kind == "user":
            for group in _paginate(iam, "list_groups_for_user", "Groups", UserName=name):
                g = group["GroupName"]
                for pname in _paginate(iam, "list_group_policies", "PolicyNames", GroupName=g):
                    doc = iam.get_group_policy(GroupName=g, PolicyName=pname)["PolicyDocument"]
                    label = f"{g}/{pname}"
                    identity.append(PolicySource(Policy.parse(_document(doc), name=label),
                                                 "group-inline", label))
                for att in _paginate(iam, "list_attached_group_policies", "AttachedPolicies",
                                     GroupName=g):
                    label = f"{g}/{att['PolicyArn']}"
                    identity.append(PolicySource(_managed(cloud, iam, att["PolicyArn"]),
                                                 "group-managed", label))
        details = iam.get_user(UserName=name)["User"] if kind == "user" else \
            iam.get_role(RoleName=name)["Role"]
        boundary = details.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        if boundary:
            boundaries.append(PolicySource(_managed(cloud, iam, boundary), "boundary", boundary))
    return arn, identity, boundaries


def _bucket_policy(cloud: Any, resource: str) -> list[PolicySource]:
    from botocore.exceptions import ClientError

    from cloudlab.iam.least_privilege import not_recorded

    if not resource.startswith("arn:aws:s3:::") or resource == "arn:aws:s3:::":
        return []
    bucket = resource[len("arn:aws:s3:::"):].split("/", 1)[0]
    if not bucket or "*" in bucket or "?" in bucket:
        return []
    with not_recorded():
        try:
            text = cloud.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]
        except ClientError as e:
            if e.response["Error"]["Code"] in ("NoSuchBucketPolicy", "NoSuchBucket"):
                return []
            raise
    name = f"bucket policy of {bucket}"
    return [PolicySource(Policy.parse(text, name=name), "resource", name)]


def explain(cloud: Any, principal: str, action: str, resource: str = "*", *,
            context: Mapping[str, Any] | None = None) -> Decision:
    """Would ``principal`` be allowed ``action`` on ``resource``? And why?

    Args:
        cloud: the :class:`~cloudlab.cloud.Cloud` whose IAM users, roles and policies count.
        principal: ``"alice"`` (a user, else a role of that name), ``"user/alice"``,
            ``"role/name"``, ``"root"``, or an ARN (user, role, role session, root).
        action: ``"s3:GetObject"``.
        resource: an ARN, or ``"*"`` for actions without a resource.
        context: request context keys; defaults are ``aws:CurrentTime`` (the virtual
            clock), ``aws:RequestedRegion`` (the cloud's Region), ``aws:SecureTransport``
            (true) and ``aws:SourceIp`` (198.51.100.10). ``aws:MultiFactorAuthPresent`` is
            absent unless given, as for access-key requests on AWS.

    Returns:
        The :class:`Decision` (renders as a table in a notebook).

    Raises:
        UnknownPrincipal: no user or role by that name.
        MalformedPolicy: a stored policy this engine cannot read.
    """
    arn, identity, boundaries = policies_of(cloud, principal)
    now = cloud.now
    ctx: dict[str, Any] = {
        "aws:CurrentTime": now,
        "aws:EpochTime": int(now.timestamp()),
        "aws:RequestedRegion": cloud.region,
        "aws:SecureTransport": True,
        "aws:SourceIp": DEFAULT_SOURCE_IP,
    }
    ctx.update(context or {})
    request = Request(arn, action, resource, ctx)
    return evaluate(request, identity, resource_policies=_bucket_policy(cloud, resource),
                    boundaries=boundaries)


# -- rendering -------------------------------------------------------------------------
_STYLES = {
    ALLOWED: ("#1b6e36", "#e7f5ec", "&#10004;"),       # green, check mark
    EXPLICIT_DENY: ("#a4161a", "#fdeaea", "&#10008;"),  # red, cross
}
_IMPLICIT = ("#7a4a00", "#fff3e0", "&#9888;")          # amber, warning sign


def _checks_table(m: MatchedStatement) -> str:
    if not m.checks:
        return ""
    esc = html.escape
    rows = []
    for c in m.checks:
        expected = ", ".join(json.dumps(v, default=str) for v in c.expected)
        actual = json.dumps(c.actual, default=str) if c.present else "(not in request)"
        result = "matched" if c.ok else "did not match"
        colour = "#1b6e36" if c.ok else "#a4161a"
        note = f" ({esc(c.note)})" if c.note else ""
        rows.append(
            f"<tr><td><code>{esc(c.key)}</code></td><td><code>{esc(c.operator)}</code></td>"
            f"<td><code>{esc(expected)}</code></td><td><code>{esc(actual)}</code></td>"
            f'<td style="color:{colour}">{result}{note}</td></tr>'
        )
    return ('<table style="margin:4px 0"><thead><tr><th>condition key</th><th>operator</th>'
            "<th>expected</th><th>actual</th><th>result</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _statements_table(title: str, matches: list[MatchedStatement]) -> str:
    if not matches:
        return ""
    esc = html.escape
    rows = []
    for m in matches:
        st = m.statement
        rows.append(
            f"<tr><td><strong>{esc(st.effect)}</strong></td>"
            f"<td>statement {m.index + 1}<br><code>{esc(st.sid or '(no sid)')}</code></td>"
            f"<td>{esc(m.source.kind)}<br><code>{esc(m.source.name)}</code></td>"
            f"<td>{esc(m.why.split('; conditions:')[0])}{_checks_table(m)}</td></tr>"
        )
    return (f"<h4 style=\"margin:8px 0 4px\">{esc(title)}</h4>"
            '<table class="cloudlab-decision-statements"><thead><tr><th>effect</th>'
            "<th>statement</th><th>policy</th><th>why</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def render_decision_html(d: Decision) -> str:
    """A Decision as HTML: verdict in words, colour and symbol, then the reasons."""
    esc = html.escape
    fg, bg, mark = _STYLES.get(d.reason, _IMPLICIT)
    words = {ALLOWED: "ALLOWED", EXPLICIT_DENY: "DENIED: an explicit Deny applies"}.get(
        d.reason, "DENIED: implicit deny (no statement allows this request)")
    r = d.request
    ctx = "".join(
        f"<tr><th style=\"text-align:left\">{esc(k)}</th><td><code>"
        f"{esc(json.dumps(v, default=str))}</code></td></tr>"
        for k, v in sorted(r.context.items())
    )
    parts = [
        '<div class="cloudlab-decision">',
        f'<div style="border-left:6px solid {fg};background:{bg};color:{fg};'
        f'padding:6px 10px;font-weight:bold">{mark} {esc(words)}</div>',
        '<table style="margin-top:4px">',
        f"<tr><th style=\"text-align:left\">principal</th><td><code>{esc(r.principal_arn)}"
        "</code></td></tr>",
        f"<tr><th style=\"text-align:left\">action</th><td><code>{esc(r.action)}</code></td></tr>",
        f"<tr><th style=\"text-align:left\">resource</th><td><code>{esc(r.resource)}</code>"
        "</td></tr>",
        ctx,
        "</table>",
    ]
    title = {ALLOWED: "Statements that allow it", EXPLICIT_DENY: "Statements that deny it"}
    parts.append(_statements_table(title.get(d.reason, ""), d.deciding))
    parts.append(_statements_table(
        "Statements that would apply, but a condition did not match", d.near_misses))
    if d.note:
        parts.append(f"<p>{esc(d.note)}</p>")
    parts.append(f"<p style=\"color:#555\">{d.considered} statement(s) considered.</p></div>")
    return "".join(parts)
