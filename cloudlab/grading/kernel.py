"""The grader's side inside the kernel: run every check and write the results as JSON.

The grader appends one cell to the notebook it executes; that cell calls
:func:`write_results` with the notebook's own namespace, so checks see exactly the
objects the learner's cells created (including the ``cloud``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["injected_source", "write_results"]

#: Tag of the cell the grader appends (removed again from what it reports).
GRADER_TAG = "cloudlab-grader"


def write_results(
    lab: str, out_path: str, namespace: Mapping[str, Any], extra: Sequence[str] = ()
) -> None:
    """Run all checks of ``lab`` (public and hidden) against ``namespace``; write JSON.

    Args:
        lab: lab id.
        out_path: file to write ``{"lab": ..., "questions": [...]}`` to.
        namespace: the notebook's variables.
        extra: extra check modules to register first (paths).
    """
    from cloudlab.checks import register_module, run_all

    for path in extra:
        register_module(path)
    results = run_all(lab, namespace, include_hidden=True)
    with open(out_path, "w", encoding="utf-8") as fh:
        json.dump({"lab": lab, "questions": [r.to_dict() for r in results]}, fh)


def injected_source(lab: str, out_path: str, extra: Sequence[str]) -> str:
    """Source of the cell the grader appends to a notebook."""
    return (
        "# added by `cloudlab grade`: run every check of this lab, public and hidden\n"
        "from cloudlab.grading.kernel import write_results as _cloudlab_write_results\n"
        f"_cloudlab_write_results({lab!r}, {out_path!r}, globals(), {list(extra)!r})\n"
    )
