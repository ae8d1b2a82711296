"""Every solution grades full marks; every released lab, unmodified, grades 0; nbval on
solutions; labs/ is in sync with solutions/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from course_notebooks import LABS, ROOT, SOLUTIONS

from cloudlab.grading import grade_notebook, release

pytestmark = pytest.mark.notebooks


def test_the_course_has_its_first_labs() -> None:
    assert [p.name[:2] for p in SOLUTIONS][:2] == ["00", "01"]
    assert [p.name for p in LABS] == [p.name for p in SOLUTIONS]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solution_scores_full_marks(path: Path) -> None:
    grade = grade_notebook(path, timeout=300)
    failing = [(q.name, q.hint) for q in grade.questions if q.score < q.max_score]
    assert not grade.problem, grade.problem
    assert not grade.cell_errors, grade.cell_errors
    assert failing == []
    assert grade.max_score > 0 and grade.score == grade.max_score


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_released_lab_scores_zero_and_says_why(path: Path) -> None:
    grade = grade_notebook(path, timeout=300)
    assert not grade.problem, grade.problem
    assert len(grade.questions) >= 2
    for q in grade.questions:
        assert q.score == 0, f"{q.name} gives points for an unanswered lab"
        assert q.hint, f"{q.name} fails without saying why"
    hints = " ".join(q.hint for q in grade.questions)
    assert "replace the `...`" in hints  # the learner is pointed at the placeholders


def test_released_labs_are_in_sync(tmp_path: Path) -> None:
    assert release(ROOT / "solutions", ROOT / "labs", check=True).ok, "run `make release`"
    report = release(ROOT / "solutions", tmp_path)
    assert len(report.written) == len(SOLUTIONS)
    for lab in LABS:
        assert (tmp_path / lab.name).read_bytes() == lab.read_bytes(), (
            f"labs/{lab.name} is stale: run `make release`"
        )


def test_nbval_on_solutions() -> None:
    """Stored outputs of the solutions are reproduced by a fresh run (volatile parts sanitised)."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
         "--nbval-current-env", "--nbval-sanitize-with", str(ROOT / "tests/nbval_sanitize.cfg"),
         *[str(p) for p in SOLUTIONS]],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "failed" not in proc.stdout
