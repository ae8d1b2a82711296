"""Release: turn ``solutions/NN-*.ipynb`` into the learners' ``labs/NN-*.ipynb``.

In code cells, every block from ``# BEGIN SOLUTION`` to ``# END SOLUTION`` (inclusive, any
indentation) becomes, at the marker's indentation, ``# YOUR CODE HERE`` plus one line
``name = ...`` per simple top-level assignment in the removed block, so the check for that
question says "replace the `...`" instead of "define it first". An indented block with no
assignment also gets a ``...`` line so the cell stays valid Python (a function body made
only of a comment is a syntax error). Cells tagged ``solution-only`` are dropped; outputs,
execution counts and execution metadata are stripped; cell ids and notebook metadata are
kept, except the ``widgets`` and ``papermill`` entries (state of a past run).

Output bytes are deterministic (nbformat, trailing newline), so ``--check`` compares files
exactly.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudlab.errors import GradingError
from cloudlab.grading.notebooks import read_notebook, write_bytes

__all__ = ["ReleaseReport", "release", "release_notebook", "release_source"]

_BEGIN = re.compile(r"^(?P<indent>[ \t]*)#\s*BEGIN SOLUTION\b.*$")
_END = re.compile(r"^[ \t]*#\s*END SOLUTION\b.*$")
_SOLUTION_FILE = re.compile(r"^\d{2}-.*\.ipynb$")
_DROP_NB_META = ("widgets", "papermill")
_DROP_CELL_META = ("execution", "papermill", "collapsed", "scrolled")


def _assigned_names(block: list[str], indent: str) -> list[str]:
    """Names bound by simple top-level assignments (``x = ...``, ``x: int = ...``).

    "Top-level" means at the indentation of the ``# BEGIN SOLUTION`` marker.
    """
    src = "\n".join(ln[len(indent):] if ln.startswith(indent) else ln for ln in block)
    names: list[str] = []
    try:
        tree = ast.parse(src)
    except SyntaxError:
        # a partial block (e.g. a branch of an if/elif): fall back to unindented lines
        for line in src.splitlines():
            m = re.match(r"^([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)", line)
            if m and m.group(1) not in names:
                names.append(m.group(1))
        return names
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        for t in targets:
            if isinstance(t, ast.Name) and t.id not in names:
                names.append(t.id)
    return names


def release_source(source: str, *, where: str = "cell") -> str:
    """Replace every solution block of one cell's source by a prompt.

    Raises:
        GradingError: unbalanced or nested markers (message names ``where``).
    """
    lines = source.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        begin = _BEGIN.match(line)
        if _END.match(line):
            raise GradingError(f"{where}: line {i + 1} has '# END SOLUTION' without a "
                               f"'# BEGIN SOLUTION' before it; add or remove a marker")
        if not begin:
            out.append(line)
            i += 1
            continue
        indent = begin["indent"]
        j = i + 1
        while j < len(lines) and not _END.match(lines[j]):
            if _BEGIN.match(lines[j]):
                raise GradingError(f"{where}: line {j + 1} opens '# BEGIN SOLUTION' inside "
                                   f"the block opened on line {i + 1}; close it with "
                                   f"'# END SOLUTION' first")
            j += 1
        if j == len(lines):
            raise GradingError(f"{where}: '# BEGIN SOLUTION' on line {i + 1} is never closed; "
                               f"add '# END SOLUTION'")
        names = _assigned_names(lines[i + 1 : j], indent)
        out.append(f"{indent}# YOUR CODE HERE")
        out.extend(f"{indent}{name} = ..." for name in names)
        if indent and not names:
            out.append(f"{indent}...")
        i = j + 1
    return "\n".join(out)


def _stable_id(notebook: str, index: int) -> str:
    return hashlib.sha1(f"{notebook}:{index}".encode()).hexdigest()[:8]


def release_notebook(nb: Any, *, name: str = "notebook") -> Any:
    """The learners' version of a solution notebook (a new object; ``nb`` is untouched).

    Args:
        nb: an nbformat v4 notebook.
        name: the notebook's name, used in error messages and for ids of cells without one.

    Raises:
        GradingError: unbalanced solution markers.
    """
    lab = copy.deepcopy(nb)
    lab.nbformat, lab.nbformat_minor = 4, max(5, int(lab.get("nbformat_minor", 5)))
    for key in _DROP_NB_META:
        lab.metadata.pop(key, None)
    cells = []
    for index, cell in enumerate(lab.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if "solution-only" in tags:
            continue
        if not cell.get("id"):
            cell["id"] = _stable_id(name, index)
        for key in _DROP_CELL_META:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            where = f"{name}: cell {index + 1} (id {cell['id']})"
            cell.source = release_source(cell.source, where=where)
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    lab.cells = cells
    return lab


@dataclass
class ReleaseReport:
    """What :func:`release` did or, with ``check=True``, would do."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    stale: list[Path] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)
    orphans: list[Path] = field(default_factory=list)  # labs with no solution

    @property
    def ok(self) -> bool:
        """True when, for ``--check``, every lab is up to date."""
        return not self.stale and not self.missing


def release(
    solutions: str | Path = "solutions", labs: str | Path = "labs", *, check: bool = False
) -> ReleaseReport:
    """Write (or, with ``check``, compare) ``labs/NN-*.ipynb`` from ``solutions/NN-*.ipynb``.

    Raises:
        GradingError: ``solutions`` is not a directory, or a notebook has bad markers.
        NotANotebook: a solution file is not a notebook.
    """
    src_dir, dst_dir = Path(solutions), Path(labs)
    if not src_dir.is_dir():
        raise GradingError(f"solutions folder {str(src_dir)!r} does not exist; run from the "
                           f"repository root or pass --solutions DIR")
    report = ReleaseReport()
    sources = sorted(p for p in src_dir.iterdir() if _SOLUTION_FILE.match(p.name))
    for src in sources:
        data = write_bytes(release_notebook(read_notebook(src), name=str(src)))
        dst = dst_dir / src.name
        current = dst.read_bytes() if dst.is_file() else None
        if current == data:
            report.unchanged.append(dst)
            continue
        if check:
            (report.missing if current is None else report.stale).append(dst)
            continue
        dst_dir.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(data)
        report.written.append(dst)
    if dst_dir.is_dir():
        names = {p.name for p in sources}
        report.orphans = sorted(p for p in dst_dir.iterdir()
                                if _SOLUTION_FILE.match(p.name) and p.name not in names)
    return report
