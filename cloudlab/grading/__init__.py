"""The grader (``cloudlab grade``) and the release tool (``cloudlab release``) as a Python API.

* :func:`grade_notebook` executes one notebook in a fresh kernel and grades it;
* :func:`format_grade`, :func:`gradescope_results`, :func:`junit_xml`,
  :func:`gradebook_csv` report grades;
* :func:`release` writes ``labs/`` from ``solutions/``.

Names are imported lazily: the kernel side (:mod:`cloudlab.grading.kernel`) must not pay
for importing papermill (~2 s) inside every graded notebook.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cloudlab.grading.grader import (
        DEFAULT_TIMEOUT_S,
        CellError,
        NotebookGrade,
        grade_notebook,
    )
    from cloudlab.grading.notebooks import lab_id, read_notebook
    from cloudlab.grading.releaser import (
        ReleaseReport,
        release,
        release_notebook,
        release_source,
    )
    from cloudlab.grading.reports import (
        format_grade,
        gradebook_csv,
        gradescope_results,
        junit_xml,
    )

_EXPORTS = {
    "DEFAULT_TIMEOUT_S": "grader",
    "CellError": "grader",
    "NotebookGrade": "grader",
    "grade_notebook": "grader",
    "lab_id": "notebooks",
    "read_notebook": "notebooks",
    "ReleaseReport": "releaser",
    "release": "releaser",
    "release_notebook": "releaser",
    "release_source": "releaser",
    "format_grade": "reports",
    "gradebook_csv": "reports",
    "gradescope_results": "reports",
    "junit_xml": "reports",
}

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "CellError",
    "NotebookGrade",
    "ReleaseReport",
    "format_grade",
    "grade_notebook",
    "gradebook_csv",
    "gradescope_results",
    "junit_xml",
    "lab_id",
    "read_notebook",
    "release",
    "release_notebook",
    "release_source",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cloudlab.grading' has no attribute {name!r}")
    return getattr(importlib.import_module(f"cloudlab.grading.{module}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
