"""Helpers for course-notebook tests: where the notebooks are, and running a solution's code
in-process with a few lines changed (to prove each check fails on a plausible wrong answer)."""

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


def run_solution(path: Path, replace: dict[str, str] | None = None) -> dict[str, Any]:
    """Execute the code cells of a solution in a fresh namespace, after replacing each key of
    ``replace`` by its value (every key must occur in the notebook). Returns the namespace."""
    nb = nbformat.read(path, as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    code = "\n\n".join(sources)
    for old, new in (replace or {}).items():
        assert old in code, f"{old!r} does not occur in {path.name}; the wrong-answer case is stale"
        code = code.replace(old, new)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile(code, str(path), "exec"), namespace)  # noqa: S102 - our own course notebook
    return namespace
