"""The ``cloudlab`` command: ``lab``, ``grade``, ``release``, ``doctor``.

Every subcommand is a thin layer over the Python API (:mod:`cloudlab.grading`,
:mod:`cloudlab.checks`, :mod:`cloudlab.cloud`); :func:`main` returns the exit code so tests
call it directly.

Exit codes: 0 success; 1 a grade below ``--min-score`` or stale labs (``release --check``);
2 bad input (missing file, not a notebook, unknown lab, bad markers).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from cloudlab.errors import CloudLabError

__all__ = ["build_parser", "jupyter_command", "main"]

_DESCRIPTION = """\
CloudLab: learn to architect applications on AWS in JupyterLab, on a mini cloud that runs
inside the notebook.

examples:
  cloudlab lab                           open the labs in JupyterLab (your copy: my-labs/)
  cloudlab grade my-labs/01-*.ipynb      grade your notebook as the instructor would
  cloudlab release --check               (authors) fail if labs/ is stale
  cloudlab doctor                        check the installation
"""

_GRADE_HELP = """\
Execute each notebook in a fresh kernel (a fresh mini cloud), continuing past cells that
raise, then run every check of its lab, public and hidden, and print a table per notebook.
The lab comes from the notebook metadata {"cloudlab": {"lab": "lab01"}}, else from the file
name (01-topic.ipynb -> lab01).

exit status: 0 ok; 1 some notebook scored below --min-score; 2 a notebook could not be read
(missing, not a notebook, unknown lab); the others are still graded.

examples:
  cloudlab grade my-labs/01-fixed-fleet.ipynb
  cloudlab grade submissions/*/01-*.ipynb --json results.json --junit grades.xml
  cloudlab grade submissions/*/01-*.ipynb --csv gradebook.csv
  cloudlab grade sub.ipynb --seed 7 --min-score 4 --timeout 120
"""

_RELEASE_HELP = """\
Write labs/NN-*.ipynb from solutions/NN-*.ipynb: code between '# BEGIN SOLUTION' and
'# END SOLUTION' becomes '# YOUR CODE HERE' plus 'name = ...' for each variable the block
assigned; outputs stripped; cells tagged solution-only dropped.

examples:
  cloudlab release                       regenerate labs/
  cloudlab release --check               exit 1 if labs/ is stale or missing a lab (CI)
"""

_LAB_HELP = """\
Copy the labs into my-labs/ (only files missing there: your edits are never overwritten),
then start JupyterLab on 127.0.0.1 with my-labs/00-*.ipynb open. Without a display,
no browser is opened: open the URL (with its token) that JupyterLab prints.

examples:
  cloudlab lab
  cloudlab lab --port 8890 --no-browser
  cloudlab lab --dry-run                 copy and print the command, do not start
"""

_DOCTOR_HELP = """\
Print the versions of Python, boto3, moto and JupyterLab, whether chromium (for the browser
tests) is installed, then start a mini cloud and time one S3 call.

example:
  cloudlab doctor
"""


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the ``cloudlab`` command."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="cloudlab", description=_DESCRIPTION,
                                     formatter_class=fmt)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    lab = sub.add_parser("lab", help="open the labs in JupyterLab (your copy in my-labs/)",
                         description=_LAB_HELP, formatter_class=fmt)
    lab.add_argument("--port", type=int, default=8888, help="port on 127.0.0.1 (default 8888)")
    lab.add_argument("--no-browser", action="store_true",
                     help="do not open a browser (default when there is no display)")
    lab.add_argument("--labs", type=Path, default=Path("labs"), metavar="DIR",
                     help="released labs to copy from (default labs/)")
    lab.add_argument("--dest", type=Path, default=Path("my-labs"), metavar="DIR",
                     help="your working copy (default my-labs/, git-ignored)")
    lab.add_argument("--dry-run", action="store_true",
                     help="copy the labs and print the JupyterLab command without starting it")

    grade = sub.add_parser("grade", help="execute and grade notebooks (table, JSON, JUnit)",
                           description=_GRADE_HELP, formatter_class=fmt)
    grade.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK")
    grade.add_argument("--json", type=Path, metavar="FILE",
                       help="write Gradescope results.json to FILE")
    grade.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML to FILE")
    grade.add_argument("--csv", type=Path, metavar="FILE",
                       help="write a gradebook to FILE: one row per notebook, one column "
                            "per question")
    grade.add_argument("--min-score", type=float, default=None, metavar="N",
                       help="exit 1 if any notebook scores below N points")
    grade.add_argument("--seed", type=int, default=None, metavar="N",
                       help="inject seed=N into the notebook's cell tagged 'parameters'")
    grade.add_argument("--timeout", type=float, default=600.0, metavar="S",
                       help="seconds a cell may run before it is interrupted (default 600)")

    rel = sub.add_parser("release", help="write labs/ from solutions/ (authors)",
                         description=_RELEASE_HELP, formatter_class=fmt)
    rel.add_argument("--check", action="store_true",
                     help="write nothing; exit 1 if any lab is stale or missing")
    rel.add_argument("--solutions", type=Path, default=Path("solutions"), metavar="DIR",
                     help="solution notebooks (default solutions/)")
    rel.add_argument("--labs", type=Path, default=Path("labs"), metavar="DIR",
                     help="released labs (default labs/)")

    sub.add_parser("doctor", help="check the installation and time the mini cloud",
                   description=_DOCTOR_HELP, formatter_class=fmt)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``cloudlab`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    handler = {"lab": _cmd_lab, "grade": _cmd_grade, "release": _cmd_release,
               "doctor": _cmd_doctor}[args.command]
    return int(handler(args))


def _err(message: str) -> None:
    print(f"cloudlab: error: {message}", file=sys.stderr)


# -- grade ----------------------------------------------------------------------------
def _cmd_grade(args: argparse.Namespace) -> int:
    from cloudlab.grading import (
        NotebookGrade,
        format_grade,
        grade_notebook,
        gradebook_csv,
        gradescope_results,
        junit_xml,
    )

    grades: list[NotebookGrade] = []
    bad = 0
    paths: list[Path] = args.notebooks
    bar = None
    if len(paths) > 1:
        from tqdm.auto import tqdm

        # disable=None: no bar when stderr is not a terminal (CI logs, pipes)
        bar = tqdm(total=len(paths), desc="grading", unit="notebook", file=sys.stderr,
                   disable=None)
    try:
        for path in paths:
            if bar is not None:
                bar.set_postfix_str(path.name)
            try:
                g = grade_notebook(path, seed=args.seed, timeout=args.timeout or None)
            except CloudLabError as exc:
                bad += 1
                if bar is not None:
                    bar.write(f"cloudlab: error: {exc}", file=sys.stderr)
                else:
                    _err(str(exc))
            else:
                grades.append(g)
                if bar is not None:
                    bar.write(format_grade(g), file=sys.stdout)
                else:
                    print(format_grade(g), flush=True)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    if args.json is not None:
        args.json.write_text(json.dumps(gradescope_results(grades), indent=2) + "\n",
                             encoding="utf-8")
    if args.junit is not None:
        args.junit.write_text(junit_xml(grades), encoding="utf-8")
    if args.csv is not None:
        args.csv.write_text(gradebook_csv(grades), encoding="utf-8")
    if bad:
        return 2
    if args.min_score is not None:
        low = [g for g in grades if g.score < args.min_score]
        for g in low:
            _err(f"{g.path} scored {g.score:g}, below --min-score {args.min_score:g}")
        if low:
            return 1
    return 0


# -- release --------------------------------------------------------------------------
def _cmd_release(args: argparse.Namespace) -> int:
    from cloudlab.grading import release

    try:
        report = release(args.solutions, args.labs, check=args.check)
    except CloudLabError as exc:
        _err(str(exc))
        return 2
    for p in report.orphans:
        print(f"note: {p} has no solution in {args.solutions}/")
    if args.check:
        for p in report.missing:
            print(f"missing: {p}")
        for p in report.stale:
            print(f"stale:   {p}")
        if not report.ok:
            print("labs/ is out of date with solutions/; run `cloudlab release`")
            return 1
        print(f"labs up to date ({len(report.unchanged)} notebooks)")
        return 0
    for p in report.written:
        print(f"wrote {p}")
    if not report.written:
        print(f"nothing to do ({len(report.unchanged)} labs already up to date)")
    return 0


# -- lab ------------------------------------------------------------------------------
def copy_missing(src: Path, dest: Path) -> list[Path]:
    """Copy files of ``src`` that ``dest`` lacks; never overwrite. Returns what was copied."""
    copied: list[Path] = []
    for f in sorted(src.rglob("*")):
        rel = f.relative_to(src)
        if not f.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        target = dest / rel
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target)
        copied.append(target)
    return copied


def _has_display() -> bool:
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def jupyter_command(dest: Path, port: int, *, no_browser: bool) -> list[str]:
    """The JupyterLab command ``cloudlab lab`` runs (root folder ``dest``)."""
    cmd = [sys.executable, "-m", "jupyter", "lab", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly", f"--ServerApp.root_dir={dest.resolve()}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    if no_browser or not _has_display():
        cmd.append("--no-browser")
    first = sorted(dest.glob("00-*.ipynb"))
    if first:  # the browser opens it, and the URL JupyterLab prints goes straight to it
        from urllib.parse import quote

        cmd.append(f"--LabApp.default_url=/lab/tree/{quote(first[0].name)}")
    return cmd


def _cmd_lab(args: argparse.Namespace) -> int:
    if not args.labs.is_dir():
        _err(f"labs folder {str(args.labs)!r} not found; run from the CloudLab repository "
             f"root or pass --labs DIR")
        return 2
    if not any(args.labs.glob("*.ipynb")):
        print(f"note: {args.labs}/ has no notebooks yet; authors: run `cloudlab release`")
    copied = copy_missing(args.labs, args.dest)
    for p in copied:
        print(f"copied {p}")
    if not copied:
        print(f"{args.dest}/ already has every lab (your edits are kept)")
    cmd = jupyter_command(args.dest, args.port, no_browser=args.no_browser)
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    sys.stdout.flush()
    os.execv(cmd[0], cmd)
    return 0  # pragma: no cover - execv does not return


# -- doctor ---------------------------------------------------------------------------
def _cmd_doctor(args: argparse.Namespace) -> int:
    from importlib.metadata import PackageNotFoundError, version

    print(f"python      {sys.version.split()[0]} ({sys.executable})")
    for dist in ("cloudlab", "boto3", "moto", "jupyterlab", "papermill", "ipykernel"):
        try:
            v = version(dist)
        except PackageNotFoundError:
            v = "not installed"
        print(f"{dist:<11} {v}")
    chromium = next((c for c in (shutil.which("chromium"), shutil.which("chromium-browser"))
                     if c), None)
    missing = "not found (needed only by the browser tests: make chromium)"
    print(f"chromium    {chromium or missing}")
    try:
        from cloudlab.cloud import Cloud

        t0 = time.perf_counter()
        with Cloud(seed=0) as cloud:
            t1 = time.perf_counter()
            s3 = cloud.client("s3")
            t2 = time.perf_counter()
            s3.create_bucket(Bucket="cloudlab-doctor")
            buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
            t3 = time.perf_counter()
        assert buckets == ["cloudlab-doctor"], f"unexpected buckets {buckets}"
    except Exception as exc:  # noqa: BLE001 - doctor reports, it does not crash
        print(f"mini cloud  FAILED: {type(exc).__name__}: {exc}")
        return 1
    print(f"mini cloud  ok: start {1000 * (t1 - t0):.0f} ms, client {1000 * (t2 - t1):.0f} ms, "
          f"S3 create+list {1000 * (t3 - t2):.1f} ms")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
