"""Grade reports: a text table for people, Gradescope ``results.json``, JUnit XML for CI,
and a CSV gradebook with one row per notebook for a whole class.

Gradescope: one test per question for its public checks (visibility ``"visible"``) and,
when the question has hidden checks, one more test ``"<question> (hidden)"`` with
visibility ``"after_published"``, so learners see hidden results only once grades are
published. JUnit: one ``testsuite`` per notebook, one ``testcase`` per question, the
failure message being the hint.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from cloudlab.checks import QuestionResult
from cloudlab.grading.grader import NotebookGrade

__all__ = ["format_grade", "gradescope_results", "junit_xml"]


def _pts(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."


def format_grade(grade: NotebookGrade, *, hint_width: int = 100) -> str:
    """A per-question table, the cells that raised, and the total, as plain text."""
    rows = [("question", "title", "score", "result", "hint")]
    for q in grade.questions:
        rows.append((q.name, _cut(q.title, 30), f"{_pts(q.score)}/{_pts(q.max_score)}",
                     "pass" if q.passed else "FAIL", _cut(q.hint, hint_width)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [f"{grade.path}  ({grade.lab})"]
    for r in rows:
        lines.append("  " + "  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])
    for err in grade.cell_errors:
        text = " | ".join(ln for ln in str(err).splitlines() if ln.strip())
        lines.append(f"  ! {text if len(text) <= 240 else text[:237] + '...'}")
    if grade.problem:
        lines.append(f"  ! {grade.problem}")
    lines.append(f"  total {_pts(grade.score)}/{_pts(grade.max_score)}"
                 f"  ({grade.seconds:.1f} s)")
    return "\n".join(lines)


def _split(q: QuestionResult, hidden: bool) -> tuple[float, float, str] | None:
    chosen = [c for c, h in zip(q.checks, q.hidden, strict=True) if h == hidden]
    if not chosen:
        return None
    score = sum(c.points for c in chosen)
    max_score = sum(c.max_points for c in chosen)
    failed = [c for c in chosen if not c.passed]
    output = ("Passed" if not failed else
              "Not yet: " + "; ".join(x for x in (failed[0].error, failed[0].hint) if x))
    return score, max_score, output


def gradescope_results(grades: Sequence[NotebookGrade]) -> dict[str, Any]:
    """Gradescope ``results.json`` for one submission (usually one notebook).

    With several notebooks, test names are prefixed with the notebook's file name.
    """
    tests: list[dict[str, Any]] = []
    prefix = len(grades) > 1
    for g in grades:
        for q in g.questions:
            for hidden in (False, True):
                part = _split(q, hidden)
                if part is None:
                    continue
                score, max_score, output = part
                name = q.name + (" (hidden)" if hidden else "")
                if q.title:
                    name += f": {q.title}"
                if prefix:
                    name = f"{g.path.name} {name}"
                tests.append({
                    "name": name, "score": score, "max_score": max_score, "output": output,
                    "visibility": "after_published" if hidden else "visible",
                })
    messages = [f"{g.path.name}: {e}" for g in grades for e in g.cell_errors]
    messages += [f"{g.path.name}: {g.problem}" for g in grades if g.problem]
    result: dict[str, Any] = {
        "score": sum(g.score for g in grades),
        "max_score": sum(g.max_score for g in grades),
        "execution_time": round(sum(g.seconds for g in grades), 3),
        "visibility": "visible",
        "tests": tests,
    }
    if messages:
        result["output"] = "\n".join(messages)
    return result


def junit_xml(grades: Sequence[NotebookGrade]) -> str:
    """JUnit XML: one testsuite per notebook, one testcase per question."""
    root = ET.Element("testsuites", {"name": "cloudlab grade"})
    for g in grades:
        failures = sum(1 for q in g.questions if not q.passed)
        suite = ET.SubElement(root, "testsuite", {
            "name": str(g.path), "tests": str(len(g.questions)), "failures": str(failures),
            "errors": "0", "time": f"{g.seconds:.3f}",
        })
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", {"name": "lab", "value": g.lab})
        ET.SubElement(props, "property", {"name": "score", "value": _pts(g.score)})
        ET.SubElement(props, "property", {"name": "max_score", "value": _pts(g.max_score)})
        for q in g.questions:
            case = ET.SubElement(suite, "testcase", {
                "classname": f"{g.lab}.{g.path.stem}", "name": q.name,
            })
            if not q.passed:
                fail = ET.SubElement(case, "failure", {
                    "message": q.hint or "not passed", "type": "CheckFailed",
                })
                fail.text = f"{_pts(q.score)}/{_pts(q.max_score)} points. {q.hint}"
        extra = [str(e) for e in g.cell_errors] + ([g.problem] if g.problem else [])
        if extra:
            ET.SubElement(suite, "system-err").text = "\n".join(extra)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def gradebook_csv(grades: Sequence[NotebookGrade]) -> str:
    """CSV gradebook: one row per notebook (student), one column per question.

    Columns: ``notebook, lab, score, max_score, <question>..., cell_errors, seconds``;
    questions of every lab graded appear, in first-seen order (blank where not graded).
    """
    import csv
    import io

    questions: list[str] = []
    for g in grades:
        for q in g.questions:
            if q.name not in questions:
                questions.append(q.name)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["notebook", "lab", "score", "max_score", *questions, "cell_errors",
                     "seconds"])
    for g in grades:
        by_name = {q.name: _pts(q.score) for q in g.questions}
        writer.writerow([str(g.path), g.lab, _pts(g.score), _pts(g.max_score),
                         *[by_name.get(name, "") for name in questions],
                         len(g.cell_errors), f"{g.seconds:.1f}"])
    return out.getvalue()
