"""Policy documents: parsing, validation with precise messages, and the parsed model.

``Policy.parse(doc)`` turns a JSON string or dict into a :class:`Policy` of
:class:`Statement` objects, or raises :class:`~cloudlab.errors.MalformedPolicy` saying
exactly what is wrong and where, for everything AWS would reject: bad JSON, a wrong
``Version``, a missing or misspelt ``Effect``, ``Action`` together with ``NotAction``, an
unknown condition operator, a resource that is not an ARN, ...

Grammar followed: AWS IAM User Guide, "IAM JSON policy element reference" and "Grammar of
the IAM JSON policy language" (docs.aws.amazon.com, read 2026-05).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudlab.errors import MalformedPolicy
from cloudlab.iam.conditions import Condition, parse_operator, validate_value
from cloudlab.iam.matching import action_matcher, arn_matcher, has_variables

__all__ = ["POLICY_KINDS", "VERSIONS", "Policy", "Statement"]

#: the two versions of the policy language; only 2012-10-17 has policy variables
VERSIONS = ("2012-10-17", "2008-10-17")
#: what ``Policy.parse(kind=...)`` accepts
POLICY_KINDS = ("auto", "identity", "resource", "trust")

_TOP_KEYS = ("Version", "Id", "Statement")
_STATEMENT_KEYS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                   "Resource", "NotResource", "Condition")
_ACTION = re.compile(r"^[A-Za-z0-9*?-]+:[A-Za-z0-9*?]+$")
_PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")


@dataclass(frozen=True)
class Statement:
    """One parsed statement. Element lists are tuples; an absent element is empty/None.

    ``principals`` maps a principal type (``"AWS"``, ``"Service"``, ...) to its values;
    ``"Principal": "*"`` becomes ``{"AWS": ("*",)}``.
    """

    sid: str | None
    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principals: Mapping[str, tuple[str, ...]] | None = None
    not_principals: Mapping[str, tuple[str, ...]] | None = None
    conditions: tuple[Condition, ...] = ()
    _action_re: Any = field(default=None, init=False, repr=False, compare=False)
    _resource_re: Any = field(default=None, init=False, repr=False, compare=False)
    _resource_vars: bool = field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_action_re", action_matcher(self.actions or self.not_actions))
        patterns = self.resources or self.not_resources
        object.__setattr__(self, "_resource_vars", any(has_variables(p) for p in patterns))
        object.__setattr__(self, "_resource_re", arn_matcher(patterns))

    @property
    def label(self) -> str:
        """``"sid 'S3Read'"`` or ``"no sid"``, for messages."""
        return f"sid {self.sid!r}" if self.sid else "no sid"

    def to_dict(self) -> dict[str, Any]:
        """The statement as a JSON-ready dict (lists for multi-valued elements)."""
        out: dict[str, Any] = {}
        if self.sid:
            out["Sid"] = self.sid
        out["Effect"] = self.effect
        for name, value in (("Principal", self.principals),
                            ("NotPrincipal", self.not_principals)):
            if value is not None:
                out[name] = {k: list(v) for k, v in value.items()}
        for name, values in (("Action", self.actions), ("NotAction", self.not_actions),
                             ("Resource", self.resources),
                             ("NotResource", self.not_resources)):
            if values:
                out[name] = list(values)
        if self.conditions:
            block: dict[str, dict[str, list[Any]]] = {}
            for c in self.conditions:
                block.setdefault(c.operator, {})[c.key] = list(c.values)
            out["Condition"] = block
        return out


@dataclass(frozen=True)
class Policy:
    """A parsed policy document.

    Example:
        >>> p = Policy.parse('{"Version": "2012-10-17", "Statement": '
        ...                  '{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}')
        >>> p.statements[0].actions
        ('s3:Get*',)
    """

    statements: tuple[Statement, ...]
    version: str | None = "2012-10-17"
    name: str = ""
    id: str | None = None

    @property
    def variables(self) -> bool:
        """Whether ``${...}`` policy variables are substituted (version 2012-10-17 only)."""
        return self.version == "2012-10-17"

    def to_dict(self) -> dict[str, Any]:
        """The policy as a JSON-ready dict."""
        out: dict[str, Any] = {}
        if self.version:
            out["Version"] = self.version
        if self.id:
            out["Id"] = self.id
        out["Statement"] = [s.to_dict() for s in self.statements]
        return out

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        return f"<Policy{name} {len(self.statements)} statement(s)>"

    @classmethod
    def parse(cls, doc: str | bytes | Mapping[str, Any] | Policy, *, name: str = "",
              kind: str = "auto") -> Policy:
        """Parse and validate a policy document.

        Args:
            doc: JSON text or an already decoded dict (as boto3 returns policies).
            name: shown in error messages and explanations.
            kind: ``"identity"`` (no ``Principal``, ``Resource`` required),
                ``"resource"`` (``Principal`` and ``Resource`` required), ``"trust"``
                (``Principal`` required) or ``"auto"`` (default: a statement with a
                ``Principal`` may omit ``Resource``; one without must have it).

        Raises:
            MalformedPolicy: the document AWS would reject, with what is wrong and where.
        """
        if isinstance(doc, Policy):
            return doc
        if kind not in POLICY_KINDS:
            raise ValueError(f"kind must be one of {POLICY_KINDS}, got {kind!r}")
        where = f"policy {name!r}: " if name else ""
        data: Any = doc
        if isinstance(doc, (str, bytes)):
            try:
                data = json.loads(doc)
            except json.JSONDecodeError as e:
                raise MalformedPolicy(
                    f"{where}not valid JSON: {e.msg} at line {e.lineno} column {e.colno}; "
                    "check for a missing comma, a trailing comma or single quotes"
                ) from None
        if not isinstance(data, Mapping):
            raise MalformedPolicy(
                f"{where}a policy must be a JSON object with \"Version\" and \"Statement\", "
                f"got {type(data).__name__}"
            )
        _unknown_keys(data, _TOP_KEYS, "top level", where)
        version = data.get("Version")
        if version is not None and version not in VERSIONS:
            raise MalformedPolicy(
                f'{where}Version must be "2012-10-17" or "2008-10-17", got {version!r} '
                '(it is a fixed string naming the policy language, not today\'s date)'
            )
        if "Statement" not in data:
            raise MalformedPolicy(f"{where}missing \"Statement\" (a statement or a list of them)")
        raw = data["Statement"]
        items = [raw] if isinstance(raw, Mapping) else raw
        if not isinstance(items, list) or not items:
            raise MalformedPolicy(
                f"{where}Statement must be a statement object or a non-empty list of them"
            )
        statements = []
        sids: set[str] = set()
        for i, item in enumerate(items, start=1):
            st = _parse_statement(item, i, where, kind)
            if st.sid is not None:
                if st.sid in sids:
                    raise MalformedPolicy(
                        f"{where}statement {i}: duplicate Sid {st.sid!r}; Sids in one policy "
                        "must be unique"
                    )
                sids.add(st.sid)
            statements.append(st)
        pid = data.get("Id")
        return cls(tuple(statements), version=version, name=name,
                   id=pid if isinstance(pid, str) else None)


def _unknown_keys(data: Mapping[str, Any], allowed: tuple[str, ...], what: str,
                  where: str) -> None:
    for key in data:
        if key in allowed:
            continue
        lowered = {a.lower(): a for a in allowed}
        close = lowered.get(str(key).lower()) or next(
            iter(difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)), None)
        hint = f'; did you mean "{close}"?' if close else f"; allowed: {', '.join(allowed)}"
        raise MalformedPolicy(f"{where}{what}: unknown element {key!r}{hint}")


def _strings(value: Any, element: str, loc: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values:
        raise MalformedPolicy(f"{loc}: {element} must be a string or a non-empty list of "
                              f"strings, got {value!r}")
    for v in values:
        if not isinstance(v, str) or not v:
            raise MalformedPolicy(f"{loc}: {element} entries must be non-empty strings, "
                                  f"got {v!r}")
    return tuple(values)


def _principals(value: Any, element: str, loc: str) -> dict[str, tuple[str, ...]]:
    if value == "*":
        return {"AWS": ("*",)}
    if not isinstance(value, Mapping) or not value:
        raise MalformedPolicy(
            f'{loc}: {element} must be "*" or an object such as '
            f'{{"AWS": "arn:aws:iam::123456789012:user/alice"}} or '
            f'{{"Service": "ec2.amazonaws.com"}}, got {value!r}'
        )
    out = {}
    for ptype, pvalue in value.items():
        if ptype not in _PRINCIPAL_TYPES:
            lowered = {t.lower(): t for t in _PRINCIPAL_TYPES}
            close = lowered.get(str(ptype).lower()) or next(iter(
                difflib.get_close_matches(str(ptype), _PRINCIPAL_TYPES, n=1, cutoff=0.5)), None)
            hint = f'; did you mean "{close}"?' if close else ""
            raise MalformedPolicy(f"{loc}: {element} type {ptype!r} is not one of "
                                  f"{', '.join(_PRINCIPAL_TYPES)}{hint}")
        out[ptype] = _strings(pvalue, f"{element} {ptype}", loc)
    return out


def _parse_statement(item: Any, i: int, where: str, kind: str) -> Statement:
    if not isinstance(item, Mapping):
        raise MalformedPolicy(f"{where}statement {i}: must be a JSON object, got {item!r}")
    sid = item.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise MalformedPolicy(f"{where}statement {i}: Sid must be a string, got {sid!r}")
    loc = f"{where}statement {i}" + (f" (sid {sid!r})" if sid else "")
    _unknown_keys(item, _STATEMENT_KEYS, loc.removeprefix(where), where)
    effect = item.get("Effect")
    if effect is None:
        raise MalformedPolicy(f'{loc}: missing Effect; it must be "Allow" or "Deny"')
    if effect not in ("Allow", "Deny"):
        raise MalformedPolicy(f'{loc}: Effect must be "Allow" or "Deny", got {json.dumps(effect)}')

    def pair(a: str, b: str, required: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if a in item and b in item:
            raise MalformedPolicy(f"{loc}: {a} and {b} both present; use one of them")
        if required and a not in item and b not in item:
            raise MalformedPolicy(f"{loc}: missing {a} (or {b})")
        return (_strings(item[a], a, loc) if a in item else (),
                _strings(item[b], b, loc) if b in item else ())

    if "Principal" in item and "NotPrincipal" in item:
        raise MalformedPolicy(f"{loc}: Principal and NotPrincipal both present; use one of them")
    principals = (_principals(item["Principal"], "Principal", loc)
                  if "Principal" in item else None)
    not_principals = (_principals(item["NotPrincipal"], "NotPrincipal", loc)
                      if "NotPrincipal" in item else None)
    has_principal = principals is not None or not_principals is not None
    if kind == "identity" and has_principal:
        raise MalformedPolicy(
            f"{loc}: Principal is not allowed in an identity-based policy (the principal is "
            "whoever the policy is attached to); it belongs in resource and trust policies"
        )
    if kind in ("resource", "trust") and not has_principal:
        raise MalformedPolicy(f"{loc}: missing Principal; a {kind} policy must say whom "
                              "it applies to")
    actions, not_actions = pair("Action", "NotAction", True)
    for a in actions + not_actions:
        if a != "*" and not _ACTION.match(a):
            raise MalformedPolicy(
                f'{loc}: action {a!r} must look like "service:Action" (e.g. "s3:GetObject") '
                'or be "*"'
            )
    need_resource = kind in ("identity", "resource") or (kind == "auto" and not has_principal)
    resources, not_resources = pair("Resource", "NotResource", need_resource)
    for r in resources + not_resources:
        if r != "*" and not r.startswith("arn:"):
            raise MalformedPolicy(
                f'{loc}: resource {r!r} is not an ARN; write "*" or an ARN such as '
                f'"arn:aws:s3:::{r}" for an S3 bucket'
            )
    conditions: list[Condition] = []
    block = item.get("Condition")
    if block is not None:
        if not isinstance(block, Mapping):
            raise MalformedPolicy(f"{loc}: Condition must be an object "
                                  '{"Operator": {"key": value}}, got ' f"{block!r}")
        for op, pairs in block.items():
            try:
                spec = parse_operator(op)
            except ValueError as e:
                raise MalformedPolicy(f"{loc}: {e}") from None
            if not isinstance(pairs, Mapping) or not pairs:
                raise MalformedPolicy(f"{loc}: Condition {op} must map condition keys to "
                                      f'values, e.g. {{"aws:SourceIp": "203.0.113.0/24"}}, '
                                      f"got {pairs!r}")
            for key, values in pairs.items():
                vals = tuple(values) if isinstance(values, list) else (values,)
                if not vals:
                    raise MalformedPolicy(f"{loc}: Condition {op} {key}: no values given")
                for v in vals:
                    problem = validate_value(spec, v)
                    if problem:
                        raise MalformedPolicy(f"{loc}: Condition {op} {key}: {problem}")
                conditions.append(Condition(op, key, vals))
    return Statement(sid, effect, actions, not_actions, resources, not_resources,
                     principals, not_principals, tuple(conditions))
