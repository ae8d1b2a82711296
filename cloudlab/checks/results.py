"""Check results: value objects that render themselves (``_repr_html_`` and ``__repr__``).

Pass and fail are shown with a symbol (✓/✗) and a word ("Passed"/"Not yet") as well as a
colour, so colour is never the only signal.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CheckResult", "CheckSummary", "QuestionResult"]

# -- results --------------------------------------------------------------------------
_PASS_COLOUR = "#1a7f37"
_FAIL_COLOUR = "#cf222e"


def _fmt_points(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


@dataclass
class CheckResult:
    """The outcome of checking one question (or one check of it). Renders itself.

    Attributes:
        name: question name, ``"lab01.fixed_fleet"``.
        title: the question's title.
        passed: every check run passed.
        points: points earned.
        max_points: points available in the checks that were run.
        hint: what to look at when it did not pass ("" when it passed).
        error: ``"your code raised TypeError: ..."`` when a check hit an unexpected exception.
    """

    name: str
    title: str
    passed: bool
    points: float
    max_points: float
    hint: str = ""
    error: str = ""

    @property
    def status(self) -> str:
        return "Passed" if self.passed else "Not yet"

    def __repr__(self) -> str:
        mark = "✓" if self.passed else "✗"
        title = f": {self.title}" if self.title else ""
        lines = [
            f"{mark} {self.status} {self.name}{title} "
            f"({_fmt_points(self.points)}/{_fmt_points(self.max_points)} points)"
        ]
        if self.error:
            lines.append(f"  {self.error}")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = _PASS_COLOUR if self.passed else _FAIL_COLOUR
        mark = "✓" if self.passed else "✗"
        title = f": {html.escape(self.title)}" if self.title else ""
        parts = [
            f'<div class="cloudlab-check {"passed" if self.passed else "failed"}" role="status" '
            f'style="border-left:6px solid {colour};padding:4px 10px;margin:4px 0;">',
            f'<strong style="color:{colour}">{mark} {self.status}</strong> '
            f"<code>{html.escape(self.name)}</code>{title} "
            f"({_fmt_points(self.points)}/{_fmt_points(self.max_points)} points)",
        ]
        if self.error:
            parts.append(f'<pre style="margin:4px 0;white-space:pre-wrap">'
                         f"{html.escape(self.error)}</pre>")
        if self.hint:
            parts.append(f'<div><em>Hint:</em> {html.escape(self.hint)}</div>')
        parts.append("</div>")
        return "".join(parts)


@dataclass
class QuestionResult:
    """A question graded with all its checks (public and hidden), for the grader.

    Attributes:
        name, title: the question.
        score, max_score: points earned / available over the checks run.
        checks: one :class:`CheckResult` per check, ``name`` suffixed ``[hidden]`` for hidden.
        hidden: per check in ``checks``, whether it is hidden.
    """

    name: str
    title: str
    score: float
    max_score: float
    checks: list[CheckResult]
    hidden: list[bool]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def hint(self) -> str:
        """The first failing check's hint (and error), or ""."""
        for c in self.checks:
            if not c.passed:
                return "; ".join(x for x in (c.error, c.hint) if x)
        return ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "checks": [
                {"passed": c.passed, "points": c.points, "max_points": c.max_points,
                 "hint": c.hint, "error": c.error, "hidden": h}
                for c, h in zip(self.checks, self.hidden, strict=True)
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionResult:
        checks = [
            CheckResult(name=data["name"], title=data["title"], passed=c["passed"],
                        points=c["points"], max_points=c["max_points"], hint=c["hint"],
                        error=c["error"])
            for c in data["checks"]
        ]
        return cls(name=data["name"], title=data["title"], score=data["score"],
                   max_score=data["max_score"], checks=checks,
                   hidden=[bool(c["hidden"]) for c in data["checks"]])


@dataclass
class CheckSummary:
    """What ``check_all(lab)`` returns: one :class:`CheckResult` per question."""

    lab: str
    results: list[CheckResult]

    @property
    def points(self) -> float:
        return sum(r.points for r in self.results)

    @property
    def max_points(self) -> float:
        return sum(r.max_points for r in self.results)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def __repr__(self) -> str:
        head = (f"{self.lab}: {_fmt_points(self.points)}/{_fmt_points(self.max_points)} points "
                f"from the public checks")
        return "\n".join([head, *(repr(r) for r in self.results)])

    def _repr_html_(self) -> str:
        head = (f"<p><strong>{html.escape(self.lab)}</strong>: "
                f"{_fmt_points(self.points)}/{_fmt_points(self.max_points)} points "
                f"from the public checks</p>")
        return head + "".join(r._repr_html_() for r in self.results)
