"""Pattern matching of IAM policy elements: actions, resource ARNs, principals, variables.

Owns the wildcard rules of the IAM policy language:

- **Actions** match case-insensitively; ``*`` is any run of characters and ``?`` one
  character (``"s3:Get*"`` matches ``"S3:GetObject"``).
- **Resource ARNs** match case-sensitively. An ARN has six colon-separated parts
  (``arn:partition:service:region:account:resource``); a wildcard in one of the first five
  stays inside its part, a wildcard in the resource part (or in the last part of a shorter
  pattern such as ``"arn:aws:ec2:*"``) may run on to the end of the ARN.
- **Policy variables** (policy language version ``2012-10-17`` only): ``${aws:username}``
  and any other key of the request context, ``${key, 'default'}``, and the escapes
  ``${*}``, ``${?}``, ``${$}``. A substituted value is taken literally (a ``*`` in a user
  name is not a wildcard). A variable with no value and no default makes the pattern match
  nothing.

Source: AWS IAM User Guide, "IAM JSON policy elements: Action / Resource" and
"IAM policy elements: Variables and tags" (docs.aws.amazon.com, read 2026-05).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

__all__ = [
    "action_matcher",
    "arn_matcher",
    "has_variables",
    "match_action",
    "match_arn",
    "substitute",
]

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}
_DEFAULT = re.compile(r"""^\s*([^,]+?)\s*,\s*'([^']*)'\s*$""")


class _Missing:
    """Marker: a policy variable without a value in the request context."""


MISSING = _Missing()


def has_variables(text: str) -> bool:
    """Whether ``text`` contains a ``${...}`` policy variable."""
    return "${" in text


def _lookup(body: str, context: Mapping[str, Any]) -> str | _Missing:
    """The value of the variable ``${body}`` from a lower-cased request context."""
    if body in _ESCAPES:
        return _ESCAPES[body]
    default: str | None = None
    m = _DEFAULT.match(body)
    key = body.strip()
    if m:
        key, default = m.group(1), m.group(2)
    value = context.get(key.lower())
    if value is None or isinstance(value, (list, tuple, set, frozenset)):
        # multivalued keys cannot be policy variables (IAM User Guide)
        return default if default is not None else MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def substitute(text: str, context: Mapping[str, Any] | None) -> str | None:
    """``text`` with its policy variables replaced by context values.

    Args:
        text: a policy string, e.g. ``"arn:aws:s3:::home/${aws:username}"``.
        context: the request context with lower-cased keys, or ``None`` to take
            ``${...}`` literally (policy version ``2008-10-17``).

    Returns:
        The substituted text, or ``None`` when a variable has no value and no default.
    """
    if context is None or "${" not in text:
        return text
    out: list[str] = []
    pos = 0
    for m in _VARIABLE.finditer(text):
        out.append(text[pos : m.start()])
        value = _lookup(m.group(1), context)
        if isinstance(value, _Missing):
            return None
        out.append(value)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _glob_chunk(chunk: str, star: str) -> str:
    """Regex source for a literal stretch of a pattern, with ``*`` and ``?`` as wildcards."""
    parts: list[str] = []
    for ch in chunk:
        if ch == "*":
            parts.append(star)
        elif ch == "?":
            parts.append("." if star == ".*" else "[^:]")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


def _tokens(pattern: str, context: Mapping[str, Any] | None) -> list[tuple[bool, str]] | None:
    """Split ``pattern`` into (is_literal_value, text) tokens, substituting variables."""
    if context is None or "${" not in pattern:
        return [(False, pattern)]
    tokens: list[tuple[bool, str]] = []
    pos = 0
    for m in _VARIABLE.finditer(pattern):
        if m.start() > pos:
            tokens.append((False, pattern[pos : m.start()]))
        value = _lookup(m.group(1), context)
        if isinstance(value, _Missing):
            return None
        tokens.append((True, value))
        pos = m.end()
    if pos < len(pattern):
        tokens.append((False, pattern[pos:]))
    return tokens


def _arn_regex(tokens: list[tuple[bool, str]]) -> str:
    """Regex source for an ARN pattern: wildcards stay inside the first five parts."""
    colons = sum(text.count(":") for literal, text in tokens if not literal)
    spanning_from = min(5, colons)
    seen = 0
    out: list[str] = []
    for literal, text in tokens:
        if literal:
            out.append(re.escape(text))
            continue
        for i, piece in enumerate(text.split(":")):
            if i:
                out.append(":")
                seen += 1
            out.append(_glob_chunk(piece, ".*" if seen >= spanning_from else "[^:]*"))
    return "".join(out)


@lru_cache(maxsize=4096)
def _compile(source: str, flags: int) -> re.Pattern[str]:
    return re.compile(source, flags | re.DOTALL)


def action_matcher(patterns: Iterable[str]) -> re.Pattern[str]:
    """One compiled regex matching (``fullmatch``) any of the action ``patterns``.

    Match lower-cased action names against it: IAM action names are case-insensitive.
    """
    source = "|".join(f"(?:{_glob_chunk(p.lower(), '.*')})" for p in patterns) or "(?!)"
    return _compile(source, 0)


def arn_matcher(
    patterns: Iterable[str], context: Mapping[str, Any] | None = None
) -> re.Pattern[str]:
    """One compiled regex matching (``fullmatch``) any of the resource ARN ``patterns``.

    Args:
        patterns: ARN patterns from a policy (``"*"``, ``"arn:aws:s3:::bucket/*"``).
        context: lower-cased request context to substitute policy variables from, or
            ``None`` to take ``${...}`` literally.
    """
    pats = tuple(patterns)
    if context is None:
        return _arn_matcher_bound(pats, (), ())
    if not any("${" in p for p in pats):
        return _arn_matcher_bound(pats, (), ())
    keys = _variable_keys(pats)
    values = tuple(_hashable(context.get(k)) for k in keys)
    return _arn_matcher_bound(pats, keys, values, True)


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return None  # multivalued keys are never substituted
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value


@lru_cache(maxsize=4096)
def _variable_keys(patterns: tuple[str, ...]) -> tuple[str, ...]:
    keys: list[str] = []
    for p in patterns:
        for m in _VARIABLE.finditer(p):
            body = m.group(1)
            d = _DEFAULT.match(body)
            key = (d.group(1) if d else body.strip()).lower()
            if body not in _ESCAPES and key not in keys:
                keys.append(key)
    return tuple(keys)


@lru_cache(maxsize=8192)
def _arn_matcher_bound(patterns: tuple[str, ...], keys: tuple[str, ...],
                       values: tuple[Any, ...], variables: bool = False) -> re.Pattern[str]:
    context = dict(zip(keys, values, strict=True)) if variables else None
    sources = []
    for p in patterns:
        if p == "*":
            sources.append(".*")
            continue
        tokens = _tokens(p, context)
        if tokens is not None:  # an unresolved variable matches nothing
            sources.append(_arn_regex(tokens))
    source = "|".join(f"(?:{s})" for s in sources) or "(?!)"
    return _compile(source, 0)


def match_action(pattern: str, action: str) -> bool:
    """Whether the action ``pattern`` (``"s3:Get*"``) covers ``action`` (any case)."""
    return action_matcher((pattern,)).fullmatch(action.lower()) is not None


def match_arn(pattern: str, arn: str, context: Mapping[str, Any] | None = None) -> bool:
    """Whether the ARN ``pattern`` covers ``arn`` (case-sensitive, see module docstring)."""
    return arn_matcher((pattern,), context).fullmatch(arn) is not None
