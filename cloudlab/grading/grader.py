"""Grade a notebook: execute it in a fresh kernel with papermill, then run every check.

The notebook runs top to bottom in a new ``python3`` kernel of the current environment
(so a fresh mini cloud), *continuing past cell errors* so one broken cell costs only the
questions that depend on it. A cell appended by the grader runs all checks of the lab,
public and hidden, in the kernel's namespace and writes the results to a temporary JSON
file, which the grader reads back.

Example:
    >>> g = grade_notebook("submissions/alice/01-fixed-fleet.ipynb", seed=3)  # doctest: +SKIP
    >>> g.score, g.max_score
    (5.0, 6.0)
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from cloudlab.checks import QuestionResult, extra_modules, lab_questions
from cloudlab.grading.kernel import GRADER_TAG, injected_source
from cloudlab.grading.notebooks import read_notebook, require_lab

__all__ = ["DEFAULT_TIMEOUT_S", "CellError", "NotebookGrade", "grade_notebook"]

#: Seconds a single cell may run before it is interrupted (``--timeout``).
DEFAULT_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class CellError:
    """An exception a cell raised while the grader ran the notebook."""

    cell: int  # 1-based position in the notebook (markdown cells counted)
    ename: str
    evalue: str
    source_line: str = ""

    def __str__(self) -> str:
        where = f"cell {self.cell}"
        if self.source_line:
            where += f" (`{self.source_line}`)"
        return f"{where} raised {self.ename}: {self.evalue}"


@dataclass
class NotebookGrade:
    """The grade of one notebook.

    Attributes:
        path: the notebook graded.
        lab: its lab id.
        questions: one result per question (public and hidden checks).
        cell_errors: exceptions raised by the notebook's own cells.
        seconds: wall time to execute and grade.
        problem: why no check results came back (kernel died, timeout), or "".
    """

    path: Path
    lab: str
    questions: list[QuestionResult]
    cell_errors: list[CellError] = field(default_factory=list)
    seconds: float = 0.0
    problem: str = ""

    @property
    def score(self) -> float:
        return sum(q.score for q in self.questions)

    @property
    def max_score(self) -> float:
        return sum(q.max_score for q in self.questions)


def _has_parameters_cell(nb: Any) -> bool:
    return any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells)


# cells papermill or the grader add: not counted when numbering the learner's cells
_ADDED_TAGS = {GRADER_TAG, "injected-parameters", "papermill-error-cell-tag"}


def _cell_errors(nb: Any) -> list[CellError]:
    errors: list[CellError] = []
    cells = [c for c in nb.cells if not _ADDED_TAGS & set(c.get("metadata", {}).get("tags", []))]
    for index, cell in enumerate(cells, start=1):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                first = next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")
                if len(first) > 60:
                    first = first[:57] + "..."
                errors.append(CellError(cell=index, ename=out.get("ename", "Error"),
                                        evalue=out.get("evalue", ""), source_line=first))
    return errors


def _zero_results(lab: str, why: str) -> list[QuestionResult]:
    """Every question failed with ``why`` (when the checks never ran)."""
    from cloudlab.checks import CheckResult

    out = []
    for q in lab_questions(lab):
        checks = [CheckResult(name=q.name, title=q.title, passed=False, points=0,
                              max_points=c.points, hint=why) for c in q.checks]
        out.append(QuestionResult(name=q.name, title=q.title, score=0, max_score=q.max_points,
                                  checks=checks, hidden=[c.hidden for c in q.checks]))
    return out


def grade_notebook(
    path: str | Path,
    *,
    seed: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT_S,
    kernel_name: str = "python3",
) -> NotebookGrade:
    """Execute ``path`` in a fresh kernel and grade it with every check of its lab.

    Args:
        path: the notebook (``.ipynb``).
        seed: value for ``seed`` injected through papermill when the notebook has a cell
            tagged ``parameters`` (ignored otherwise, with a note in ``problem``).
        timeout: seconds a cell may run before it is interrupted (None: no limit).
        kernel_name: Jupyter kernel to run (default ``python3`` of this environment).

    Returns:
        A :class:`NotebookGrade`.

    Raises:
        NotANotebook: missing file or not a notebook.
        UnknownLab: the notebook's lab has no checks.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    p = Path(path)
    nb = read_notebook(p)
    lab = require_lab(nb, p)
    notes: list[str] = []
    parameters: dict[str, Any] = {}
    if seed is not None:
        if _has_parameters_cell(nb):
            parameters["seed"] = seed
        else:
            notes.append("--seed ignored: the notebook has no cell tagged `parameters`")

    with tempfile.TemporaryDirectory(prefix="cloudlab-grade-") as tmp:
        results_path = Path(tmp) / "results.json"
        out_path = Path(tmp) / "executed.ipynb"
        cell = nbformat.v4.new_code_cell(
            injected_source(lab, str(results_path), extra_modules()),
            metadata={"tags": [GRADER_TAG]},
        )
        nb.cells.append(cell)
        nb.metadata.setdefault("kernelspec", {"name": kernel_name, "display_name": "Python 3",
                                              "language": "python"})
        logging.getLogger("papermill").setLevel(logging.WARNING)
        executed: Any = None
        try:
            executed = pm.execute_notebook(
                nb, str(out_path), parameters=parameters or None, kernel_name=kernel_name,
                language="python", progress_bar=False, log_output=False,
                cwd=str(p.resolve().parent), execution_timeout=timeout,
                allow_errors=True, interrupt_on_timeout=True,
                # the kernel's own log (e.g. ipykernel's TCP notice) is noise in a grade report
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
        except PapermillExecutionError:
            pass  # a cell raised; the executed notebook was written, read it below
        except Exception as exc:  # noqa: BLE001 - kernel death, startup failure...
            notes.append(f"the notebook could not be run to the end: "
                         f"{type(exc).__name__}: {exc}")
        if executed is None and out_path.exists():
            executed = nbformat.read(str(out_path), as_version=4)
        cell_errors = _cell_errors(executed) if executed is not None else []
        if results_path.exists():
            data = json.loads(results_path.read_text(encoding="utf-8"))
            questions = [QuestionResult.from_dict(q) for q in data["questions"]]
        else:
            why = "the grader's checks did not run: " + (
                "; ".join(notes) or "the kernel stopped before the end of the notebook")
            questions = _zero_results(lab, why)
            notes.append(why)
    return NotebookGrade(path=p, lab=lab, questions=questions, cell_errors=cell_errors,
                         seconds=time.perf_counter() - started, problem="; ".join(notes))
