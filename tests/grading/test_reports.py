"""Tests of cloudlab.grading.reports on hand-made grades (no kernel)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from cloudlab.checks import CheckResult, QuestionResult
from cloudlab.grading import CellError, NotebookGrade, format_grade, gradescope_results, junit_xml


def _grade() -> NotebookGrade:
    q1 = QuestionResult(
        name="lab01.fleet", title="Fleet sized for the peak", score=2, max_score=3,
        checks=[CheckResult("lab01.fleet", "Fleet sized for the peak", True, 2, 2),
                CheckResult("lab01.fleet", "Fleet sized for the peak", False, 0, 1,
                            hint="use an int & <not> a float")],
        hidden=[False, True],
    )
    q2 = QuestionResult(
        name="lab01.cost", title="", score=0, max_score=1.5,
        checks=[CheckResult("lab01.cost", "", False, 0, 1.5, hint="cost is per second",
                            error="your code raised ZeroDivisionError: division by zero")],
        hidden=[False],
    )
    return NotebookGrade(path=Path("sub/01-fleet.ipynb"), lab="lab01", questions=[q1, q2],
                         cell_errors=[CellError(3, "NameError", "name 'x' is not defined",
                                                "y = x + 1")],
                         seconds=1.25)


def test_text_table() -> None:
    text = format_grade(_grade())
    lines = text.splitlines()
    assert lines[0] == "sub/01-fleet.ipynb  (lab01)"
    assert lines[1].split() == ["question", "title", "score", "result", "hint"]
    assert "lab01.fleet" in lines[2] and "2/3" in lines[2] and "FAIL" in lines[2]
    assert lines[2].endswith("use an int & <not> a float")
    assert "0/1.5" in lines[3]
    assert "your code raised ZeroDivisionError: division by zero; cost is per second" in lines[3]
    assert lines[4] == "  ! cell 3 (`y = x + 1`) raised NameError: name 'x' is not defined"
    assert lines[5] == "  total 2/4.5  (1.2 s)"


def test_gradescope_splits_hidden_checks() -> None:
    r = gradescope_results([_grade()])
    assert (r["score"], r["max_score"]) == (2, 4.5)
    assert r["tests"] == [
        {"name": "lab01.fleet: Fleet sized for the peak", "score": 2, "max_score": 2,
         "output": "Passed", "visibility": "visible"},
        {"name": "lab01.fleet (hidden): Fleet sized for the peak", "score": 0, "max_score": 1,
         "output": "Not yet: use an int & <not> a float", "visibility": "after_published"},
        {"name": "lab01.cost", "score": 0, "max_score": 1.5,
         "output": "Not yet: your code raised ZeroDivisionError: division by zero; "
                   "cost is per second", "visibility": "visible"},
    ]
    assert r["output"] == "01-fleet.ipynb: cell 3 (`y = x + 1`) raised NameError: " \
                          "name 'x' is not defined"


def test_junit_escapes_and_parses() -> None:
    root = ET.fromstring(junit_xml([_grade()]))
    [suite] = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("2", "2")
    failure = suite.find("testcase/failure")
    assert failure is not None
    assert failure.get("message") == "use an int & <not> a float"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props == {"lab": "lab01", "score": "2", "max_score": "4.5"}


def test_empty_grade_list() -> None:
    assert gradescope_results([])["tests"] == []
    assert ET.fromstring(junit_xml([])).tag == "testsuites"


def test_gradebook_csv_has_a_row_per_notebook_and_a_column_per_question() -> None:
    import csv
    import io

    from cloudlab.grading import gradebook_csv

    other = _grade()
    other.path = Path("sub/bob/01-fleet.ipynb")
    other.questions = other.questions[:1]
    rows = list(csv.reader(io.StringIO(gradebook_csv([_grade(), other]))))
    assert rows[0] == ["notebook", "lab", "score", "max_score", "lab01.fleet", "lab01.cost",
                       "cell_errors", "seconds"]
    assert rows[1] == ["sub/01-fleet.ipynb", "lab01", "2", "4.5", "2", "0", "1", "1.2"]
    assert rows[2][0] == "sub/bob/01-fleet.ipynb" and rows[2][4:6] == ["2", ""]
