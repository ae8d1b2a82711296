"""The ``Condition`` element: operators, their parsing, and checking them against a request.

A statement's ``Condition`` block is ``{operator: {key: value-or-values}}``. Every
operator-key pair must hold (AND); the values listed for one key are alternatives (OR).
Keys are matched case-insensitively against the request context.

Rules implemented (AWS IAM User Guide, "IAM JSON policy elements: Condition operators" and
"Single-valued vs. multivalued context keys", docs.aws.amazon.com, read 2026-05):

- A key missing from the request context makes a condition **false**, except for negated
  operators (``StringNotEquals``, ``StringNotLike``, ``NumericNotEquals``,
  ``DateNotEquals``, ``NotIpAddress``, ``ArnNotEquals``, ``ArnNotLike``), which are
  **true** when the key is missing, ``...IfExists`` operators (true when missing), and
  ``Null`` (which tests presence itself: ``"true"`` means the key must be absent).
- ``ForAnyValue:`` is true when at least one request value satisfies the operator (false
  when the key is missing or empty); ``ForAllValues:`` is true when every request value
  does (true when the key is missing or empty).
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cloudlab.iam.matching import _compile, _glob_chunk, _tokens, arn_matcher, substitute

__all__ = [
    "BASE_OPERATORS",
    "Condition",
    "ConditionCheck",
    "OperatorSpec",
    "parse_operator",
]

# base operator -> (category, negated)
BASE_OPERATORS: dict[str, tuple[str, bool]] = {
    "StringEquals": ("string", False),
    "StringNotEquals": ("string", True),
    "StringEqualsIgnoreCase": ("string-ci", False),
    "StringNotEqualsIgnoreCase": ("string-ci", True),
    "StringLike": ("string-like", False),
    "StringNotLike": ("string-like", True),
    "NumericEquals": ("numeric", False),
    "NumericNotEquals": ("numeric", True),
    "NumericLessThan": ("numeric", False),
    "NumericLessThanEquals": ("numeric", False),
    "NumericGreaterThan": ("numeric", False),
    "NumericGreaterThanEquals": ("numeric", False),
    "DateEquals": ("date", False),
    "DateNotEquals": ("date", True),
    "DateLessThan": ("date", False),
    "DateLessThanEquals": ("date", False),
    "DateGreaterThan": ("date", False),
    "DateGreaterThanEquals": ("date", False),
    "Bool": ("bool", False),
    "BinaryEquals": ("binary", False),
    "IpAddress": ("ip", False),
    "NotIpAddress": ("ip", True),
    "ArnEquals": ("arn", False),
    "ArnLike": ("arn", False),
    "ArnNotEquals": ("arn", True),
    "ArnNotLike": ("arn", True),
    "Null": ("null", False),
}

_SET_PREFIXES = ("ForAnyValue", "ForAllValues")
_ALL_NAMES = sorted(
    [*BASE_OPERATORS, *(f"{b}IfExists" for b in BASE_OPERATORS if b != "Null")]
    + [f"{p}:{b}" for p in _SET_PREFIXES for b in BASE_OPERATORS if b != "Null"]
)


@dataclass(frozen=True)
class OperatorSpec:
    """A parsed condition operator such as ``ForAnyValue:StringLikeIfExists``."""

    name: str
    base: str
    category: str
    negated: bool
    if_exists: bool
    set_op: str  # "", "ForAnyValue" or "ForAllValues"


def parse_operator(name: str) -> OperatorSpec:
    """Parse an operator name.

    Raises:
        ValueError: unknown operator, with the closest known name when there is one.
    """
    set_op, _, rest = name.rpartition(":")
    if set_op and set_op not in _SET_PREFIXES:
        raise ValueError(_unknown(name, f'"{set_op}:" is not a set operator; use '
                                        '"ForAnyValue:" or "ForAllValues:"'))
    base, if_exists = rest, False
    if rest.endswith("IfExists") and rest != "IfExists":
        base, if_exists = rest[: -len("IfExists")], True
    if base not in BASE_OPERATORS or (base == "Null" and (if_exists or set_op)):
        raise ValueError(_unknown(name))
    category, negated = BASE_OPERATORS[base]
    return OperatorSpec(name, base, category, negated, if_exists, set_op)


def _unknown(name: str, extra: str = "") -> str:
    lowered = {n.lower(): n for n in _ALL_NAMES}
    close = lowered.get(name.lower())
    if close is None:
        near = difflib.get_close_matches(name, _ALL_NAMES, n=1, cutoff=0.6)
        close = near[0] if near else None
    hint = f'; did you mean "{close}"?' if close else ""
    tail = f" ({extra})" if extra else ""
    return f'unknown condition operator "{name}"{tail}{hint}'


# -- value conversion ------------------------------------------------------------------
def _as_bool(v: Any) -> bool | None:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    return None


def _as_number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v))
    except ValueError:
        return None


def _as_date(v: Any) -> datetime | None:
    if isinstance(v, datetime):
        return v if v.tzinfo else v.replace(tzinfo=UTC)
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return datetime.fromtimestamp(v, tz=UTC)
    if isinstance(v, str):
        text = v.strip()
        if text.isdigit():
            return datetime.fromtimestamp(int(text), tz=UTC)
        try:
            d = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return d if d.tzinfo else d.replace(tzinfo=UTC)
    return None


def _as_network(v: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(str(v).strip(), strict=False)
    except ValueError:
        return None


def _as_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        return v.isoformat()
    return str(v)


def validate_value(spec: OperatorSpec, value: Any) -> str | None:
    """Why ``value`` cannot be a policy value of ``spec`` (``None`` when it can)."""
    if isinstance(value, (dict, list)) or value is None:
        return f"values must be strings, numbers or booleans, got {value!r}"
    cat = spec.category
    if cat in ("bool", "null") and _as_bool(value) is None:
        return f'{spec.base} needs "true" or "false", got {value!r}'
    if cat == "numeric" and _as_number(value) is None:
        return f"{spec.base} needs a number, got {value!r}"
    if cat == "date" and _as_date(value) is None:
        return (f"{spec.base} needs an ISO 8601 date such as \"2026-01-31T00:00:00Z\" "
                f"or epoch seconds, got {value!r}")
    if cat == "ip" and _as_network(value) is None:
        return f"{spec.base} needs an IP address or CIDR block such as \"203.0.113.0/24\", " \
               f"got {value!r}"
    return None


# -- checking --------------------------------------------------------------------------
@dataclass(frozen=True)
class ConditionCheck:
    """The outcome of one operator-key pair for one request, for explanations."""

    ok: bool
    operator: str
    key: str
    expected: tuple[Any, ...]
    actual: Any  # None when the key is absent from the request context
    present: bool
    note: str = ""

    def __str__(self) -> str:
        expected = ", ".join(_as_text(v) for v in self.expected)
        actual = _as_text(self.actual) if self.present else "(not in request)"
        verdict = "matched" if self.ok else "did not match"
        note = f"; {self.note}" if self.note else ""
        return f"{self.operator} {self.key} [{expected}] vs {actual}: {verdict}{note}"


@dataclass(frozen=True)
class Condition:
    """One operator-key pair of a ``Condition`` block, e.g.
    ``Condition("IpAddress", "aws:SourceIp", ("203.0.113.0/24",))``."""

    operator: str
    key: str
    values: tuple[Any, ...]
    spec: OperatorSpec = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spec", parse_operator(self.operator))

    def check(
        self, context: Mapping[str, Any], *, variables: bool = True
    ) -> ConditionCheck:
        """Evaluate against a request context whose keys are lower-cased.

        Args:
            context: lower-cased request context.
            variables: substitute ``${...}`` policy variables in string values.
        """
        spec = self.spec
        raw = context.get(self.key.lower())
        present = raw is not None and not (
            isinstance(raw, (list, tuple, set, frozenset)) and len(raw) == 0
        )

        def result(ok: bool, note: str = "") -> ConditionCheck:
            return ConditionCheck(ok, self.operator, self.key, self.values, raw, present, note)

        if spec.category == "null":
            want_absent = any(_as_bool(v) for v in self.values)
            want_present = any(_as_bool(v) is False for v in self.values)
            return result((want_absent and not present) or (want_present and present))
        if not present:
            if spec.if_exists:
                return result(True, "key absent, so ...IfExists holds")
            if spec.set_op == "ForAllValues":
                return result(True, "key absent, so ForAllValues holds")
            if spec.set_op == "ForAnyValue":
                return result(False, "key absent")
            if spec.negated:
                return result(True, "key absent, so the negated operator holds")
            return result(False, "key absent")
        actuals = list(raw) if isinstance(raw, (list, tuple, set, frozenset)) else [raw]
        ctx = context if variables else None
        positive = [self._match_one(a, ctx) for a in actuals]
        satisfied = [(not p) if spec.negated else p for p in positive]
        if spec.set_op == "ForAllValues":
            return result(all(satisfied))
        if spec.set_op == "ForAnyValue":
            return result(any(satisfied))
        if spec.negated:  # the request value must match none of the listed values
            return result(not any(positive))
        return result(any(positive))

    def _match_one(self, actual: Any, ctx: Mapping[str, Any] | None) -> bool:
        """Whether ``actual`` matches at least one policy value (the positive operator)."""
        cat, base = self.spec.category, self.spec.base
        if cat in ("string", "string-ci"):
            text = _as_text(actual)
            for v in self.values:
                want = substitute(_as_text(v), ctx)
                if want is None:
                    continue
                if cat == "string" and text == want:
                    return True
                if cat == "string-ci" and text.lower() == want.lower():
                    return True
            return False
        if cat == "string-like":
            text = _as_text(actual)
            for v in self.values:
                pattern = _like_matcher(_as_text(v), ctx)
                if pattern is not None and pattern.fullmatch(text):
                    return True
            return False
        if cat == "arn":
            return arn_matcher([_as_text(v) for v in self.values], ctx).fullmatch(
                _as_text(actual)
            ) is not None
        if cat == "bool":
            a = _as_bool(actual)
            return a is not None and any(_as_bool(v) == a for v in self.values)
        if cat == "binary":
            return any(_as_text(v) == _as_text(actual) for v in self.values)
        if cat == "ip":
            try:
                addr = ipaddress.ip_address(_as_text(actual).strip())
            except ValueError:
                return False
            for v in self.values:
                net = _as_network(v)
                if net is not None and addr.version == net.version and addr in net:
                    return True
            return False
        if cat == "numeric":
            n = _as_number(actual)
            return n is not None and any(
                _compare(base, n, _as_number(v)) for v in self.values
            )
        if cat == "date":
            d = _as_date(actual)
            return d is not None and any(_compare(base, d, _as_date(v)) for v in self.values)
        return False  # pragma: no cover - every category is handled above


def _compare(base: str, actual: Any, wanted: Any) -> bool:
    if wanted is None:
        return False
    if base.endswith("NotEquals"):  # negation is applied by the caller
        return bool(actual == wanted)
    if base.endswith("LessThanEquals"):
        return bool(actual <= wanted)
    if base.endswith("LessThan"):
        return bool(actual < wanted)
    if base.endswith("GreaterThanEquals"):
        return bool(actual >= wanted)
    if base.endswith("GreaterThan"):
        return bool(actual > wanted)
    return bool(actual == wanted)


def _like_matcher(pattern: str, ctx: Mapping[str, Any] | None) -> re.Pattern[str] | None:
    """StringLike: ``*`` and ``?`` anywhere (no ARN segments), case-sensitive."""
    tokens = _tokens(pattern, ctx)
    if tokens is None:
        return None
    source = "".join(re.escape(t) if lit else _glob_chunk(t, ".*") for lit, t in tokens)
    return _compile(source, 0)


def conditions_from_block(block: Mapping[str, Any]) -> Sequence[Condition]:
    """All operator-key pairs of an already validated ``Condition`` block, in order."""
    out: list[Condition] = []
    for op, pairs in block.items():
        for key, values in pairs.items():
            vals = tuple(values) if isinstance(values, list) else (values,)
            out.append(Condition(op, key, vals))
    return out
