"""Helpers for course-notebook tests (imported by name): where the notebooks are, and
running a solution's code in-process with a few lines changed (to prove each check fails
on a plausible wrong answer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]-*.ipynb"))
LABS = sorted((ROOT / "labs").glob("[0-9][0-9]-*.ipynb"))


def solution(prefix: str) -> Path:
    """The solution notebook whose name starts with ``prefix`` (e.g. ``"01"``)."""
    matches = [p for p in SOLUTIONS if p.name.startswith(prefix)]
    assert len(matches) == 1, f"expected one solution starting with {prefix!r}, got {matches}"
    return matches[0]


def run_solution(path: Path, replace: dict[str, str] | None = None, *,
                 stop_after: str | None = None) -> dict[str, Any]:
    """Execute the code cells of a solution in a fresh namespace, after replacing each key of
    ``replace`` by its value (every key must occur in the notebook). Like the grader, a cell
    that raises does not stop the cells after it; the errors are kept in ``__errors__``.
    With ``stop_after="lab05.x"`` execution ends with the cell that runs ``check("lab05.x")``
    (what that question needs; the wrong-answer tests use it to save time).
    Returns the namespace."""
    nb = nbformat.read(path, as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    if stop_after is not None:
        ends = [i for i, src in enumerate(sources)
                if f'check("{stop_after}")' in src or f"check('{stop_after}')" in src]
        if ends:
            sources = sources[: ends[0] + 1]
    joined = "\n\n".join(sources)
    for old in replace or {}:
        assert old in joined, (f"{old!r} does not occur in {path.name}"
                               + (f" before check({stop_after!r})" if stop_after else "")
                               + ": a stale wrong-answer case")
    namespace: dict[str, Any] = {"__name__": "__main__"}
    errors: list[str] = []
    for i, source in enumerate(sources):
        for old, new in (replace or {}).items():
            source = source.replace(old, new)
        try:
            exec(compile(source, f"{path.name}[{i}]", "exec"), namespace)  # noqa: S102
        except Exception as exc:  # noqa: BLE001 - a wrong answer may make a cell raise
            errors.append(f"cell {i}: {type(exc).__name__}: {exc}")
    namespace["__errors__"] = errors
    return namespace
