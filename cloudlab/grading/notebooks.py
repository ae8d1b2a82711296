"""Reading notebooks for the grader and the release tool: validation and the lab id.

A notebook's lab id comes from its metadata ``{"cloudlab": {"lab": "lab01"}}``, else from
its file name (``01-fixed-fleet.ipynb`` -> ``lab01``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat

from cloudlab.errors import NotANotebook, UnknownCheck, UnknownLab

__all__ = ["lab_id", "read_notebook", "require_lab", "write_bytes"]

_FILE_LAB_RE = re.compile(r"^(\d{2})-")


def read_notebook(path: str | Path) -> Any:
    """Read ``path`` as an nbformat v4 notebook.

    Raises:
        NotANotebook: when the file is missing, not JSON, or not a notebook.
    """
    p = Path(path)
    if not p.exists():
        raise NotANotebook(f"{p}: no such file; give the path of a .ipynb notebook")
    if not p.is_file():
        raise NotANotebook(f"{p}: is a directory, not a notebook; give a .ipynb file")
    try:
        text = p.read_text(encoding="utf-8")
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotANotebook(f"{p}: not a Jupyter notebook (not JSON: {exc}); "
                           f"give a .ipynb file saved by Jupyter") from None
    if not isinstance(data, dict) or "cells" not in data or "nbformat" not in data:
        raise NotANotebook(f"{p}: not a Jupyter notebook (JSON without 'cells' and "
                           f"'nbformat'); give a .ipynb file saved by Jupyter")
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many types
        raise NotANotebook(f"{p}: not a valid Jupyter notebook ({exc})") from None


def lab_id(nb: Any, path: str | Path) -> str | None:
    """The lab id of a notebook: metadata ``cloudlab.lab``, else ``NN-`` in the file name."""
    meta = nb.get("metadata", {}).get("cloudlab", {})
    if isinstance(meta, dict) and isinstance(meta.get("lab"), str) and meta["lab"]:
        return str(meta["lab"])
    m = _FILE_LAB_RE.match(Path(path).name)
    return f"lab{m.group(1)}" if m else None


def require_lab(nb: Any, path: str | Path) -> str:
    """The lab id of a notebook whose lab has checks.

    Raises:
        UnknownLab: no lab id, or a lab with no checks.
    """
    from cloudlab.checks import lab_questions

    lab = lab_id(nb, path)
    if lab is None:
        raise UnknownLab(
            f"{path}: cannot tell which lab this is; set notebook metadata "
            f'{{"cloudlab": {{"lab": "lab01"}}}} or name the file like 01-topic.ipynb'
        )
    try:
        lab_questions(lab)
    except UnknownCheck as exc:
        raise UnknownLab(f"{path}: {exc}") from None
    return lab


def write_bytes(nb: Any) -> bytes:
    """The exact bytes nbformat writes for ``nb`` (trailing newline included)."""
    text = nbformat.writes(nb)
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")
