"""Build the CloudLab course book offline (owner: course book).

This script owns the book build that ``make book`` runs:

1. copy the released learner notebooks ``labs/*.ipynb`` into ``book/labs/`` (a git-ignored
   copy) and write ``book/labs/index.md``, the "Labs" part of the table of contents;
2. run ``jupyter-book build`` from this virtual environment, which executes the chapters;
3. fail loudly on Sphinx warnings that matter and on any page that would make the reader's
   browser fetch a script, stylesheet, font, image or frame from another host;
4. print where the HTML is.

Usage::

    .venv/bin/python book/build.py            # full build (every chapter re-executed)
    .venv/bin/python book/build.py --quick    # let Sphinx rebuild only changed pages
    .venv/bin/python book/build.py --output /tmp/out   # HTML in /tmp/out/_build/html
    .venv/bin/python book/build.py --labs solutions     # preview with other notebooks

The scanner (:func:`external_refs`, :func:`scan_html_tree`) is also used by
``tests/book/test_book_offline.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

BOOK = Path(__file__).resolve().parent
REPO = BOOK.parent
LABS_SRC = REPO / "labs"
LABS_DST = BOOK / "labs"

#: Hosts a page may load from: none but the reader's own machine.
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})

#: Tag -> attributes whose URL the browser fetches by itself while showing the page.
#: Plain ``<a href>`` links are deliberately absent: links to AWS documentation are fine.
FETCHING_ATTRS: dict[str, tuple[str, ...]] = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "source": ("src", "srcset"),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "input": ("src",),
}

#: ``<link rel=...>`` values that are navigation, not a fetch (kept local anyway by Sphinx).
_NAV_RELS = frozenset({"canonical", "author", "license", "help"})

_URL_IN_TEXT = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'`)<>]*""")
_CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])((?:https?:)?//[^"')\s]+)""")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: Namespace identifiers that look like URLs but are never fetched.
_NAMESPACE_PREFIXES = ("http://www.w3.org/", "https://www.w3.org/")
_EXECUTABLE_SCRIPT_TYPES = frozenset(
    {"", "text/javascript", "application/javascript", "module", "text/x-thebe-config"}
)


@dataclass(frozen=True)
class ExternalRef:
    """One reference to another host found in a built page.

    Attributes:
        tag: the element (``script``, ``link``, ...), or ``css`` for a stylesheet rule.
        attr: the attribute holding the URL, ``"(inline)"`` for inline script text.
        url: the offending URL.
    """

    tag: str
    attr: str
    url: str

    def __str__(self) -> str:
        return f"<{self.tag} {self.attr}={self.url!r}>"


def is_external(url: str) -> bool:
    """Tell whether the browser would fetch ``url`` from another host.

    Args:
        url: an attribute value (relative paths, ``data:`` and ``#`` URLs are local).

    Returns:
        True for ``http(s)://host/...`` or protocol-relative ``//host/...`` with a host
        other than the reader's own machine.
    """
    url = url.strip()
    if not url or url.startswith(("data:", "#", "blob:", "about:", "mailto:", "javascript:")):
        return False
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") or (not parts.scheme and url.startswith("//")):
        return (parts.hostname or "") not in LOCAL_HOSTS
    return False


def _srcset_urls(value: str) -> list[str]:
    return [item.strip().split()[0] for item in value.split(",") if item.strip()]


class _RefScanner(HTMLParser):
    """Collect fetching references to other hosts from one HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[ExternalRef] = []
        self._script_type: str | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        tag = tag.lower()
        if tag == "script" and not values.get("src"):
            self._script_type = values.get("type", "").lower()
        if tag == "style":
            self._in_style = True
        if tag == "link" and values.get("rel", "").lower() in _NAV_RELS:
            return
        for attr in FETCHING_ATTRS.get(tag, ()):
            value = values.get(attr)
            if not value:
                continue
            urls = _srcset_urls(value) if attr == "srcset" else [value]
            self.refs.extend(ExternalRef(tag, attr, u) for u in urls if is_external(u))
        style = values.get("style", "")
        if "url(" in style:
            self.refs.extend(ExternalRef(tag, "style", u) for u in _css_urls(style))

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() == "script":
            self._script_type = None
        elif tag.lower() == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.refs.extend(ExternalRef("style", "(inline)", u) for u in _css_urls(data))
        elif self._script_type in _EXECUTABLE_SCRIPT_TYPES:
            for match in _URL_IN_TEXT.finditer(data):
                url = match.group(0)
                if is_external(url) and not url.startswith(_NAMESPACE_PREFIXES):
                    self.refs.append(ExternalRef("script", "(inline)", url))


def _css_urls(text: str) -> list[str]:
    return [u for u in _CSS_URL.findall(text) if is_external(u)]


def external_refs(html: str) -> list[ExternalRef]:
    """Find everything in an HTML page that would be fetched from another host.

    Checks ``src``/``href``/``srcset``/``data`` of script, link, img, iframe, source, embed,
    object, media and SVG image elements, ``url(...)`` in styles, and URLs named in
    executable inline scripts (a loader such as ``const LIB = "https://cdn..."``).
    Ordinary ``<a href>`` links are allowed.

    Args:
        html: the page's text.

    Returns:
        The external references, in document order (empty when the page is self-contained).
    """
    scanner = _RefScanner()
    scanner.feed(html)
    scanner.close()
    return scanner.refs


def scan_html_tree(root: Path) -> dict[str, list[ExternalRef]]:
    """Scan every ``.html`` and ``.css`` file below ``root``.

    Args:
        root: the built HTML folder (``book/_build/html``).

    Returns:
        Relative path -> external references, only for files that have some.
    """
    found: dict[str, list[ExternalRef]] = {}
    for path in sorted(root.rglob("*")):
        if path.suffix == ".html":
            refs = external_refs(path.read_text(encoding="utf-8", errors="replace"))
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8", errors="replace")
            refs = [ExternalRef("css", "url", u) for u in _css_urls(text)]
        else:
            continue
        if refs:
            found[path.relative_to(root).as_posix()] = refs
    return found


# --------------------------------------------------------------------------------- labs


def _lab_title(nb_path: Path) -> str:
    """The first Markdown heading of a notebook, else its file name."""
    try:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return nb_path.stem
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        for line in text.splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip() or nb_path.stem
    return nb_path.stem


def sync_labs(src: Path = LABS_SRC, dst: Path = LABS_DST) -> list[Path]:
    """Copy the released labs into the book and write the Labs index page.

    ``dst`` is a generated, git-ignored folder: notebooks no longer in ``src`` are removed.

    Args:
        src: the repository's ``labs/`` folder (may be missing or empty).
        dst: ``book/labs/``.

    Returns:
        The copied notebooks, sorted by name.
    """
    dst.mkdir(parents=True, exist_ok=True)
    wanted = sorted(src.glob("*.ipynb")) if src.is_dir() else []
    names = {p.name for p in wanted}
    for old in dst.glob("*.ipynb"):
        if old.name not in names:
            old.unlink()
    copied = []
    for nb in wanted:
        target = dst / nb.name
        shutil.copy2(nb, target)
        copied.append(target)

    lines = [
        "# Labs",
        "",
        "Each lab is a notebook you run in JupyterLab against the mini cloud: "
        "`make lab` copies them into `my-labs/` and opens the first one. "
        "In a lab, `check(\"...\")` cells tell you at once whether an answer is right, "
        "and `cloudlab grade` scores the whole notebook.",
        "",
        "The pages below are the learner copies, shown here unexecuted: the `...` "
        "placeholders are yours to fill in.",
        "",
    ]
    if copied:
        lines += ["| Lab | Title |", "|---|---|"]
        for nb in copied:
            lines.append(f"| [{nb.stem}]({nb.name}) | {_lab_title(nb)} |")
    else:
        lines.append("No labs have been released yet (the repository's `labs/` folder is empty).")
    index, text = dst / "index.md", "\n".join(lines) + "\n"
    if not index.exists() or index.read_text(encoding="utf-8") != text:
        index.write_text(text, encoding="utf-8")  # unchanged: keep mtime, no Sphinx re-read
    return copied


# -------------------------------------------------------------------------------- build


def _jupyter_book() -> str:
    candidate = Path(sys.executable).parent / "jupyter-book"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("jupyter-book")
    if found is None:
        raise SystemExit(
            "jupyter-book not found next to this Python or on PATH; run `make install` "
            "(it installs the [book] extra)."
        )
    return found


def _warning_allowed(line: str, *, have_labs: bool) -> bool:
    """Warnings that do not make the book wrong."""
    if line.startswith("[IPKernelApp] WARNING | Kernel is running over TCP"):
        return True  # the kernel's own notice about its local (127.0.0.1) transport
    if "[etoc.glob]" in line and "labs/" in line and not have_labs:
        return True  # no released labs yet: the Labs part is only its index page
    # Learner notebooks are owned by the labs; a skipped heading level there is cosmetic.
    return "/book/labs/" in line and "[myst.header]" in line


def build(*, output: Path | None = None, full: bool = True, labs: Path = LABS_SRC) -> Path:
    """Build the book and check it; raise SystemExit with a message on any problem.

    Args:
        output: folder for ``_build`` (default: ``book/``).
        full: rebuild every page (re-executing the chapters) instead of changed ones only.
        labs: folder of released lab notebooks to include (default: the repository's ``labs/``).

    Returns:
        The folder holding ``index.html``.
    """
    have_labs = bool(sync_labs(labs))
    cmd = [_jupyter_book(), "build", str(BOOK)]
    if full:
        cmd.append("--all")
    if output is not None:
        cmd += ["--path-output", str(output)]
    html_dir = (output or BOOK) / "_build" / "html"

    env = dict(os.environ)
    env.setdefault("MPLBACKEND", "Agg")
    env["PYTHONWARNINGS"] = env.get("PYTHONWARNINGS", "")
    # The kernel must import this checkout's cloudlab, whatever the kernel's cwd.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    # The kernel named "python3" in the chapters resolves to this venv's Python.
    env["PATH"] = os.pathsep.join((str(Path(sys.executable).parent), env.get("PATH", "")))

    started = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    elapsed = time.perf_counter() - started
    log = _ANSI.sub("", proc.stdout)
    log_path = (output or BOOK) / "_build" / "build.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(log, encoding="utf-8")

    problems = [
        line
        for line in log.splitlines()
        if re.search(r"\b(WARNING|ERROR|CRITICAL|SEVERE)\b", line)
        and not _warning_allowed(line, have_labs=have_labs)
    ]
    if proc.returncode != 0 or problems:
        print(log[-6000:], file=sys.stderr)
        print("\nbook build FAILED", file=sys.stderr)
        if proc.returncode != 0:
            print(f"  jupyter-book exited with {proc.returncode}", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        print(f"  full log: {log_path}", file=sys.stderr)
        raise SystemExit(1)

    offenders = scan_html_tree(html_dir)
    if offenders:
        print("book build FAILED: pages load from other hosts (the book must work offline):",
              file=sys.stderr)
        for page, refs in offenders.items():
            for ref in refs:
                print(f"  {page}: {ref}", file=sys.stderr)
        raise SystemExit(1)

    print(f"book built in {elapsed:.1f} s ({'full' if full else 'incremental'}), "
          f"{len(list(html_dir.rglob('*.html')))} HTML pages, no external hosts.")
    print(f"open {html_dir / 'index.html'}")
    return html_dir


def main(argv: list[str] | None = None) -> int:
    """Command line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Build the CloudLab book offline.")
    parser.add_argument("--quick", action="store_true",
                        help="rebuild only changed pages (chapters are not re-executed)")
    parser.add_argument("--output", type=Path, default=None,
                        help="folder for _build (default: book/)")
    parser.add_argument("--labs", type=Path, default=LABS_SRC,
                        help="folder of released lab notebooks (default: labs/)")
    args = parser.parse_args(argv)
    build(output=args.output, full=not args.quick, labs=args.labs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
