"""End-to-end tests of ``cloudlab grade`` on the fixture lab ``lab90`` (real kernels).

Each module-scoped fixture runs the grader once; the tests read what it produced.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest

from cloudlab.cli import main
from cloudlab.errors import NotANotebook, UnknownLab
from cloudlab.grading import NotebookGrade, grade_notebook
from cloudlab.grading.notebooks import lab_id, write_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SOLUTION = FIXTURES / "solutions" / "90-fixture.ipynb"
LAB = FIXTURES / "labs" / "90-fixture.ipynb"
MIDDLE = FIXTURES / "notebooks" / "90-middle-error.ipynb"


@dataclass
class Run:
    rc: int
    out: str
    err: str
    results: dict[str, Any]
    junit: ET.Element


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One `cloudlab grade` over good and bad notebooks, with JSON and JUnit."""
    tmp = tmp_path_factory.mktemp("grade")
    not_nb = tmp / "notes.ipynb"
    not_nb.write_text("these are my notes, not JSON")
    unknown = tmp / "unknown.ipynb"
    nb = nbformat.v4.new_notebook(metadata={"cloudlab": {"lab": "lab98"}})
    unknown.write_bytes(write_bytes(nb))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["grade", str(SOLUTION), str(tmp / "missing.ipynb"), str(not_nb),
                   str(MIDDLE), str(unknown), "--json", str(tmp / "results.json"),
                   "--junit", str(tmp / "junit.xml")])
    return Run(rc=rc, out=out.getvalue(), err=err.getvalue(),
               results=json.loads((tmp / "results.json").read_text()),
               junit=ET.parse(tmp / "junit.xml").getroot())


def test_bad_inputs_exit_2_with_one_line_each(cli_run: Run) -> None:
    assert cli_run.rc == 2
    lines = [ln for ln in cli_run.err.splitlines() if ln.startswith("cloudlab: error:")]
    assert len(lines) == 3
    assert "missing.ipynb: no such file" in lines[0]
    assert "notes.ipynb: not a Jupyter notebook (not JSON" in lines[1]
    assert "unknown.ipynb: no checks for lab 'lab98'" in lines[2]
    assert "Traceback" not in cli_run.err


def test_good_notebooks_still_graded(cli_run: Run) -> None:
    assert "90-fixture.ipynb  (lab90)" in cli_run.out
    assert "total 5/5" in cli_run.out
    assert "90-middle-error.ipynb  (lab90)" in cli_run.out
    assert "total 4/5" in cli_run.out


def test_cell_errors_reported_and_later_questions_graded(cli_run: Run) -> None:
    assert ("cell 5 (`raise RuntimeError(\"boom in the middle\")`) raised RuntimeError: "
            "boom in the middle") in cli_run.out
    assert ("cell 7 (`doubled = undefined_helper(seed)  # noqa: F821`) raised NameError"
            in cli_run.out)
    assert "define `doubled` first (run the cells above)" in cli_run.out


def test_gradescope_json_shape(cli_run: Run) -> None:
    r = cli_run.results
    assert (r["score"], r["max_score"]) == (9, 10)
    assert isinstance(r["execution_time"], float)
    assert "RuntimeError: boom in the middle" in r["output"]
    for t in r["tests"]:
        assert set(t) == {"name", "score", "max_score", "output", "visibility"}
    hidden = [t for t in r["tests"] if t["visibility"] == "after_published"]
    assert [t["name"] for t in hidden] == [
        "90-fixture.ipynb lab90.total (hidden): Add up the fleet",
        "90-middle-error.ipynb lab90.total (hidden): Add up the fleet",
    ]
    failed = [t for t in r["tests"] if t["score"] < t["max_score"]]
    assert [t["name"] for t in failed] == ["90-middle-error.ipynb lab90.doubled: Double the seed"]
    assert failed[0]["output"] == "Not yet: define `doubled` first (run the cells above)"
    assert sum(t["score"] for t in r["tests"]) == r["score"]


def test_junit_one_suite_per_notebook(cli_run: Run) -> None:
    suites = cli_run.junit.findall("testsuite")
    assert [Path(s.get("name", "")).name for s in suites] == [
        "90-fixture.ipynb", "90-middle-error.ipynb"]
    assert [s.get("failures") for s in suites] == ["0", "1"]
    cases = suites[1].findall("testcase")
    assert [c.get("name") for c in cases] == ["lab90.total", "lab90.bucket", "lab90.doubled"]
    failure = cases[2].find("failure")
    assert failure is not None
    assert failure.get("message") == "define `doubled` first (run the cells above)"
    assert "NameError" in (suites[1].findtext("system-err") or "")


# -- Python API ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lab_grade() -> NotebookGrade:
    return grade_notebook(LAB, seed=3)


def test_released_lab_scores_zero_with_hints(lab_grade: NotebookGrade) -> None:
    assert (lab_grade.score, lab_grade.max_score, lab_grade.lab) == (0, 5, "lab90")
    hints = {q.name: q.hint for q in lab_grade.questions}
    assert hints["lab90.total"].startswith("replace the `...` in `total_instances = ...`")
    assert hints["lab90.bucket"] == "create the bucket 'cloudlab-fixture' with s3.create_bucket"
    # seed 3 was injected through the cell tagged `parameters`
    assert hints["lab90.doubled"] == "doubled should be 2 * seed = 6, got None"
    assert lab_grade.cell_errors == [] and lab_grade.problem == ""


def test_seed_without_parameters_cell_and_timeout(tmp_path: Path) -> None:
    nb = nbformat.read(SOLUTION, as_version=4)
    nb.cells[1].metadata["tags"] = []  # no parameters cell
    nb.cells.insert(3, nbformat.v4.new_code_cell("import time\ntime.sleep(600)"))
    path = tmp_path / "90-slow.ipynb"
    path.write_bytes(write_bytes(nb))
    # a timeout every other cell keeps well within, even on a loaded machine
    g = grade_notebook(path, seed=1, timeout=20)
    assert "--seed ignored: the notebook has no cell tagged `parameters`" in g.problem
    assert (g.score, g.max_score) == (5, 5)  # later cells ran after the interrupt
    assert [(e.cell, e.ename) for e in g.cell_errors] == [(4, "KeyboardInterrupt")]


def test_lab_id_from_metadata_then_file_name() -> None:
    nb = nbformat.v4.new_notebook()
    assert lab_id(nb, "submissions/07-caching.ipynb") == "lab07"
    assert lab_id(nb, "mine.ipynb") is None
    nb.metadata["cloudlab"] = {"lab": "lab90"}
    assert lab_id(nb, "07-caching.ipynb") == "lab90"


def test_api_errors_for_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(NotANotebook, match="no such file"):
        grade_notebook(tmp_path / "nope.ipynb")
    (tmp_path / "x.ipynb").write_text('{"a": 1}')
    with pytest.raises(NotANotebook, match="JSON without 'cells'"):
        grade_notebook(tmp_path / "x.ipynb")
    shutil.copy(LAB, tmp_path / "mine.ipynb")
    nb = nbformat.read(tmp_path / "mine.ipynb", as_version=4)
    del nb.metadata["cloudlab"]
    (tmp_path / "mine.ipynb").write_bytes(write_bytes(nb))
    with pytest.raises(UnknownLab, match="cannot tell which lab this is"):
        grade_notebook(tmp_path / "mine.ipynb")
    with pytest.raises(NotANotebook, match="is a directory"):
        grade_notebook(tmp_path)


def test_min_score_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(MIDDLE), "--min-score", "4.5"]) == 1
    err = capsys.readouterr().err
    assert "90-middle-error.ipynb scored 4, below --min-score 4.5" in err
