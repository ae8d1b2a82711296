"""Least privilege: record what code actually calls, write the minimal policy, lint policies.

``CallRecorder(cloud)`` watches every boto3 call that reaches the mini cloud while it is
active (a ``before-call`` hook, so calls that later fail count too) and maps each to its
IAM action and resource ARN (``cloudlab.iam.actions.action_for`` / ``resource_for``).
``recorder.policy()`` is the smallest policy that allows exactly those calls::

    with CallRecorder(cloud) as rec:
        my_app(cloud)
    rec.policy()   # {"Version": "2012-10-17", "Statement": [{"Sid": "S3", ...}]}

``lint_policy(doc)`` lists what makes a policy broader than it needs to be (``"*"``
actions and resources, ``NotAction`` with ``Allow``, ``iam:PassRole`` without a
condition, public principals, ...).
"""

from __future__ import annotations

import json
import sys
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NamedTuple

from cloudlab.errors import MalformedPolicy
from cloudlab.iam.matching import match_action
from cloudlab.iam.policy import Policy

__all__ = ["Call", "CallRecorder", "Finding", "lint_policy", "not_recorded"]

ACCOUNT = "123456789012"
_PAUSED: ContextVar[bool] = ContextVar("cloudlab_iam_not_recorded", default=False)


@contextmanager
def not_recorded() -> Iterator[None]:
    """Calls made inside this block are CloudLab's own (reading policies for an
    explanation, enforcement look-ups) and are not recorded by any :class:`CallRecorder`."""
    token = _PAUSED.set(True)
    try:
        yield
    finally:
        _PAUSED.reset(token)


class Call(NamedTuple):
    """One recorded call: the IAM action and the resource ARN (``"*"`` when none)."""

    action: str
    resource: str


def _call_frames() -> list[Any]:
    """The ``_make_api_call`` frames of botocore on the stack, innermost first."""
    found = []
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "_make_api_call" and "api_params" in frame.f_locals:
            found.append(frame)
        frame = frame.f_back  # type: ignore[assignment]
    return found


def _mapping() -> tuple[Callable[..., str] | None, Callable[..., str] | None]:
    try:
        from cloudlab.iam.actions import action_for, resource_for
    except ImportError:  # engineer B's catalogue not there: plain fallbacks
        return None, None
    return action_for, resource_for


class _Hub:
    """One ``before-call`` hook per Cloud, fanning calls out to its active recorders."""

    def __init__(self, cloud: Any) -> None:
        self.active: list[CallRecorder] = []
        cloud.on("before-call", self._on_call)

    def _on_call(self, event_name: str, model: Any = None, params: Any = None,
                 context: Any = None, **_: Any) -> None:
        params_dict = params
        if not self.active or _PAUSED.get() or model is None:
            return None
        frames = _call_frames()
        if len(frames) > 1:
            return None  # a call made while handling another call: CloudLab's own look-up
        service = model.service_model.service_name
        operation = model.name
        region = (context or {}).get("client_region") or "us-east-1"
        action_for, resource_for = _mapping()
        if action_for is not None and resource_for is not None:
            raw = frames[0].f_locals["api_params"] if frames else None
            if isinstance(raw, Mapping):
                params = dict(raw)
            else:  # pragma: no cover - botocore without that frame: decode the request
                from cloudlab.iam.enforce import request_params

                params = request_params(model, params_dict or {}, context or {})
            action = action_for(service, operation)
            resource = resource_for(service, operation, params, region=region, account=ACCOUNT)
        else:
            action = f"{model.service_model.signing_name}:{operation}"
            resource = "*"
        for rec in list(self.active):
            rec.calls.append(Call(action, resource))
        return None


_HUBS: weakref.WeakKeyDictionary[Any, _Hub] = weakref.WeakKeyDictionary()


class CallRecorder:
    """Record the (action, resource) of every call to ``cloud`` made inside ``with``.

    Example:
        >>> with CallRecorder(cloud) as rec:                  # doctest: +SKIP
        ...     cloud.client("s3").list_buckets()
        >>> rec.calls
        [Call(action='s3:ListAllMyBuckets', resource='*')]
    """

    def __init__(self, cloud: Any) -> None:
        self.cloud = cloud
        self.calls: list[Call] = []

    def __enter__(self) -> CallRecorder:
        hub = _HUBS.get(self.cloud)
        if hub is None:
            hub = _HUBS[self.cloud] = _Hub(self.cloud)
        hub.active.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        hub = _HUBS.get(self.cloud)
        if hub is not None and self in hub.active:
            hub.active.remove(self)

    def __repr__(self) -> str:
        return f"<CallRecorder {len(self.calls)} call(s), {len(set(self.calls))} distinct>"

    def policy(self) -> dict[str, Any]:
        """The minimal identity policy allowing every recorded call.

        One statement per service with the exact actions and resource ARNs it used, and a
        second statement (Sid ending in ``NoResource``) for that service's actions that
        take no resource (``"Resource": "*"``). Sorted, so the same calls always give the
        same document.
        """
        scoped: dict[str, tuple[set[str], set[str]]] = {}
        unscoped: dict[str, set[str]] = {}
        for action, resource in self.calls:
            prefix = action.split(":", 1)[0]
            if resource == "*":
                unscoped.setdefault(prefix, set()).add(action)
            else:
                acts, res = scoped.setdefault(prefix, (set(), set()))
                acts.add(action)
                res.add(resource)
        statements: list[dict[str, Any]] = []
        for prefix in sorted(set(scoped) | set(unscoped)):
            sid = "".join(ch for ch in prefix.title() if ch.isalnum()) or "Service"
            if prefix in scoped:
                acts, res = scoped[prefix]
                statements.append({"Sid": sid, "Effect": "Allow", "Action": sorted(acts),
                                   "Resource": sorted(res)})
            if prefix in unscoped:
                statements.append({"Sid": f"{sid}NoResource", "Effect": "Allow",
                                   "Action": sorted(unscoped[prefix]), "Resource": "*"})
        return {"Version": "2012-10-17", "Statement": statements}

    def policy_json(self) -> str:
        """:meth:`policy` as indented JSON (ready for ``iam.put_user_policy``)."""
        return json.dumps(self.policy(), indent=2)


# -- lint ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One lint finding. ``severity`` is ``"error"``, ``"warning"`` or ``"info"``;
    ``sid`` the statement's Sid (or ``"#n"``, 1-based, when it has none; ``""`` for the
    whole policy)."""

    severity: str
    sid: str
    message: str

    def __str__(self) -> str:
        where = f" [{self.sid}]" if self.sid else ""
        return f"{self.severity}{where}: {self.message}"


# actions AWS authorizes only on "*" (no resource-level permissions); a "*" resource is
# expected for them. Source: Service Authorization Reference (docs.aws.amazon.com, 2026-05).
_RESOURCELESS = ("ec2:describe*", "s3:listallmybuckets", "sts:getcalleridentity",
                 "dynamodb:listtables", "sqs:listqueues", "iam:listusers", "iam:listroles",
                 "cloudwatch:putmetricdata", "ce:*")


def _resourceless(action: str) -> bool:
    return action != "*" and any(match_action(p, action) for p in _RESOURCELESS)


def lint_policy(doc: str | Mapping[str, Any] | Policy) -> list[Finding]:
    """What makes ``doc`` broader than least privilege, most serious kinds first per
    statement, statements in order. A malformed document gives one ``"error"`` finding."""
    try:
        policy = Policy.parse(doc)
    except MalformedPolicy as e:
        return [Finding("error", "", f"malformed policy: {e}")]
    findings: list[Finding] = []
    if policy.version != "2012-10-17":
        findings.append(Finding("warning", "", 'Version is not "2012-10-17": policy '
                                "variables such as ${aws:username} are taken literally"))
    if all(st.effect == "Deny" for st in policy.statements):
        findings.append(Finding("info", "", "only Deny statements: this policy grants nothing "
                                "by itself"))
    for i, st in enumerate(policy.statements, start=1):
        if st.effect != "Allow":
            continue
        sid = st.sid or f"#{i}"

        def add(severity: str, message: str, sid: str = sid) -> None:
            findings.append(Finding(severity, sid, message))

        everything = "*" in st.actions
        if st.principals is not None and "*" in st.principals.get("AWS", ()) \
                and not st.conditions:
            add("error", 'Principal "*" with no Condition lets anyone, including anonymous '
                         "callers, use this resource")
        if everything and st.resources == ("*",) and not st.conditions:
            add("error", 'Action "*" on Resource "*" is full administrator access; list the '
                         "actions your code calls")
        elif everything:
            add("warning", 'Action "*" allows every action of every service')
        if st.not_actions:
            add("warning", f"NotAction {list(st.not_actions)} with Allow grants every other "
                           "action, including ones AWS adds later; list the allowed actions")
        if st.not_resources:
            add("warning", f"NotResource {list(st.not_resources)} with Allow grants every "
                           "other resource; list the resources instead")
        for a in st.actions:
            if a != "*" and a.endswith(":*"):
                add("warning", f'action "{a}" allows every {a.split(":")[0]} action, '
                               "including deletes; list the ones you call")
            elif a != "*" and ("*" in a or "?" in a) and not _resourceless(a):
                add("info", f'action "{a}" is a wildcard: it also covers actions AWS adds '
                            "later")
        if st.resources == ("*",) and not everything and st.actions and \
                not all(_resourceless(a) for a in st.actions):
            add("warning", 'Resource "*" applies to every resource of these actions; name '
                           "the ARNs (only actions without resource-level permissions need "
                           '"*")')
        passrole = [a for a in st.actions if a != "*" and match_action(a, "iam:PassRole")]
        if passrole and not any(c.key.lower() == "iam:passedtoservice" for c in st.conditions):
            add("warning", "iam:PassRole without a Condition on iam:PassedToService lets the "
                           "holder hand roles to any service")
    return findings
