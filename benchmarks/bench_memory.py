"""Memory of the embedded cloud: a kernel's RSS after it has run a lab's solution notebook.

Target (issue: "report RSS of the embedded cloud after lab 09"): <= 400 MiB. Each lab in
``LABS`` runs in a fresh kernel (nbclient, as the notebook tests and ``cloudlab grade`` do,
in the notebook's folder); two cells are appended that read the kernel's own
``/proc/self/status``: one right after the learner's cells, one after every check of the
lab (public and hidden) has run as the grader runs them, since some checks re-run a
simulation. ``VmRSS`` is what the kernel holds then, ``VmHWM`` its peak so far; the RSS of
the kernel's child processes (lab 09 runs its sale day in a worker process with a cloud of
its own) is reported after grading. A fresh kernel that has only imported cloudlab and
started a ``Cloud`` is the baseline. Figures are printed in MiB, never asserted (Linux
only: they come from ``/proc``).

Run: ``.venv/bin/python -m benchmarks.bench_memory`` (or ``python -m benchmarks memory``).
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Solution notebooks measured, by number (one fresh kernel each).
LABS = ("06", "08", "09")

#: Seconds a cell may run before the benchmark gives up on the notebook.
CELL_TIMEOUT_S = 600

#: Marks the line a measuring cell prints, so the figures are found among other output.
MARK = "cloudlab-bench-memory:"

_READ_STATUS = (
    "import json as _json, os as _os\n"
    "def _status(pid):\n"
    "    with open(f'/proc/{{pid}}/status', encoding='utf-8', errors='replace') as fh:\n"
    "        return {{k: v.split()[0] for k, v in (ln.split(':', 1) for ln in fh) if v.split()}}\n"
    "_procs = {{}}\n"
    "for _pid in filter(str.isdigit, _os.listdir('/proc')):\n"
    "    try:\n"
    "        _procs[int(_pid)] = _status(_pid)\n"
    "    except OSError:\n"
    "        pass\n"
    "_tree, _new = set(), {{_os.getpid()}}\n"
    "while _new:\n"
    "    _tree |= _new\n"
    "    _new = {{p for p, st in _procs.items() if int(st['PPid']) in _new}} - _tree\n"
    "_tree.discard(_os.getpid())\n"
    "_me = _procs[_os.getpid()]\n"
    "print({mark!r} + _json.dumps({{'VmRSS': int(_me['VmRSS']) / 1024,\n"
    "    'VmHWM': int(_me['VmHWM']) / 1024,\n"
    "    'children': sum(int(_procs[p].get('VmRSS', 0)) for p in _tree) / 1024}}))\n"
)

_RUN_CHECKS = (
    "from cloudlab.checks import run_all as _run_all\n"
    "_results = _run_all({lab!r}, globals(), include_hidden=True)\n"
    "assert _results and all(q.score == q.max_score for q in _results), \\\n"
    "    [q.name for q in _results if q.score < q.max_score]\n"
)

_BASELINE = "from cloudlab import Cloud\ncloud = Cloud(seed=0)\n"


def _measure(cells: list[str], *, before: list[str] | None = None,
             cwd: Path = ROOT) -> list[dict[str, float]]:
    """Run the code ``cells`` in a fresh python3 kernel; return the MiB figures each
    measuring cell printed, in order."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in [*(before or []), *cells]]
    NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    figures = []
    for cell in nb.cells[len(before or []):]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                raise RuntimeError(f"a measuring cell failed: {out['ename']}: {out['evalue']}")
            for line in out.get("text", "").splitlines():
                if line.startswith(MARK):
                    figures.append(json.loads(line[len(MARK):]))
    return figures


def _solution(number: str) -> Path:
    (path,) = sorted((ROOT / "solutions").glob(f"{number}-*.ipynb"))
    return path


def lab_rss(number: str) -> dict[str, float]:
    """RSS and peak RSS (MiB) of a kernel after solution ``number``, then after its checks."""
    import nbformat

    path = _solution(number)
    nb = nbformat.read(path, as_version=4)
    learner = [c.source for c in nb.cells if c.cell_type == "code"]
    read = _READ_STATUS.format(mark=MARK)
    measured = _measure([read, _RUN_CHECKS.format(lab=f"lab{number}"), read],
                        before=learner, cwd=path.parent)
    if len(measured) != 2:
        raise RuntimeError(f"{path.name}: expected 2 memory readings, got {len(measured)}")
    after_cells, after_checks = measured
    return {
        f"lab{number}_kernel_rss_mib": after_cells["VmRSS"],
        f"lab{number}_kernel_peak_rss_mib": after_cells["VmHWM"],
        f"lab{number}_kernel_rss_graded_mib": after_checks["VmRSS"],
        f"lab{number}_kernel_peak_rss_graded_mib": after_checks["VmHWM"],
        f"lab{number}_child_processes_rss_mib": after_checks["children"],
    }


def baseline_rss() -> dict[str, float]:
    """RSS (MiB) of a fresh kernel that imported cloudlab and started one Cloud."""
    (measured,) = _measure([_BASELINE, _READ_STATUS.format(mark=MARK)])
    return {"kernel_cloud_only_rss_mib": measured["VmRSS"]}


def bench() -> dict[str, float]:
    figures = baseline_rss()
    for number in LABS:
        figures.update(lab_rss(number))
    return figures


if __name__ == "__main__":
    for name, value in bench().items():
        print(f"{name:36s} {value:10.1f}")
