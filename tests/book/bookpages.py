"""Helpers shared by the book tests (owner: course book).

- where things are: :data:`BOOK`, :data:`HTML`, the chapter sources;
- building: :func:`build_book` runs ``book/build.py`` when a chapter page is missing or older
  than its source (or always, with ``CLOUDLAB_BOOK_REBUILD=1``); the ``html_dir`` fixture in
  ``conftest.py`` calls it once per session;
- reading a built page: :func:`page_text` (the visible text of its main article, lower case,
  white space folded), :func:`cell_outputs` (only what the executed cells printed) and
  :func:`has_svg_chart`;
- reading a chapter's code: :func:`code_cells` (executed ``{code-cell}`` blocks, cell options
  such as ``:tags: [hide-input]`` removed), :func:`python_blocks` (non-executed ``python``
  snippets) and :func:`run_cells` (what the cells print, run in order in one namespace as the
  book build does).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BOOK = REPO / "book"
CHAPTERS = BOOK / "chapters"
HTML = BOOK / "_build" / "html"

CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
#: MyST cell options at the top of a cell (``:tags: [hide-input]``), then an optional blank line.
_CELL_OPTIONS = re.compile(r"\A(?::[\w-]+:[^\n]*\n)+\n?")
_TOC_CHAPTER = re.compile(r"^\s*-\s*file:\s*(chapters/\S+)\s*$", re.M)


def source(name: str) -> str:
    """The MyST source of chapter ``name`` (e.g. ``"10-ebs"``)."""
    return (CHAPTERS / f"{name}.md").read_text(encoding="utf-8")


def code_cells(text: str) -> list[str]:
    """The code of every executed cell in a MyST ``text``, cell options removed."""
    return [_CELL_OPTIONS.sub("", code, count=1) for code in CODE_CELL.findall(text)]


def python_blocks(name: str) -> list[str]:
    """The non-executed ``python`` snippets of chapter ``name``."""
    return PYTHON_BLOCK.findall(source(name))


def run_cells(name: str) -> str:
    """What chapter ``name``'s cells print, run in order in one namespace (then its cloud stops)."""
    namespace: dict[str, object] = {"__name__": "__main__"}
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            for i, code in enumerate(code_cells(source(name))):
                exec(compile(code, f"{name}.md[cell {i}]", "exec"), namespace)  # noqa: S102
    finally:
        cloud = namespace.get("cloud")
        if cloud is not None:
            cloud.stop()  # type: ignore[attr-defined]
    return buffer.getvalue()


# ------------------------------------------------------------------------------- building


def toc_chapters() -> list[str]:
    """Chapter names in the table of contents, in order."""
    toc = (BOOK / "_toc.yml").read_text(encoding="utf-8")
    return [Path(entry).name for entry in _TOC_CHAPTER.findall(toc)]


def stale_pages(html_dir: Path = HTML) -> list[str]:
    """Chapters whose built page is missing or older than the source (plus a missing index)."""
    stale = [] if (html_dir / "index.html").exists() else ["index"]
    for name in toc_chapters():
        page = html_dir / "chapters" / f"{name}.html"
        if not page.exists() or (CHAPTERS / f"{name}.md").stat().st_mtime > page.stat().st_mtime:
            stale.append(name)
    return stale


def build_book() -> Path:
    """The built HTML folder, building the book first when a page is stale (or asked to)."""
    if os.environ.get("CLOUDLAB_BOOK_REBUILD") == "1" or stale_pages():
        proc = subprocess.run(
            [sys.executable, str(BOOK / "build.py")],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, f"book build failed:\n{proc.stdout}\n{proc.stderr}"
    return HTML


# --------------------------------------------------------------------------- built pages


class TextOnly(HTMLParser):
    """The visible text of an HTML fragment (no scripts or styles)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


class OutputsOnly(HTMLParser):
    """The text of executed cells' outputs (``<div class="cell_output ...">``), one per output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outputs: list[str] = []
        self._depth = 0  # open <div>s inside the current output; 0: not in an output

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "div":
            return
        if self._depth:
            self._depth += 1
        elif "cell_output" in (dict(attrs).get("class") or "").split():
            self._depth = 1
            self.outputs.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.outputs[-1] += data


def page_html(html_dir: Path, name: str) -> str:
    """The raw HTML of chapter ``name``'s page."""
    return (html_dir / "chapters" / f"{name}.html").read_text(encoding="utf-8")


def page_text(html_dir: Path, name: str) -> str:
    """The visible text of the page's main article, lower case, white space folded."""
    raw = page_html(html_dir, name)
    main = re.search(r"<main\b.*?</main>", raw, re.S)
    parser = TextOnly()
    parser.feed(main.group(0) if main else raw)
    return re.sub(r"\s+", " ", "".join(parser.parts)).lower()


def cell_outputs(html_dir: Path, name: str) -> list[str]:
    """The text of each executed cell's output on the page, lower case, white space folded."""
    parser = OutputsOnly()
    parser.feed(page_html(html_dir, name))
    return [re.sub(r"\s+", " ", text).strip().lower() for text in parser.outputs]


def has_svg_chart(html: str) -> bool:
    """Whether a page shows an SVG, inline or as an image file written next to it."""
    return "<svg" in html or re.search(r'<img[^>]+src="[^"]+\.svg"', html) is not None


def check_dated_and_sourced(html_dir: Path, name: str) -> None:
    """Chapter ``name``'s page exists, dates its facts and links to AWS documentation."""
    page = html_dir / "chapters" / f"{name}.html"
    assert page.exists(), f"missing chapter page {page}"
    assert "as of november 2026" in page_text(html_dir, name), f"{name}: facts are not dated"
    assert "docs.aws.amazon.com" in page.read_text(encoding="utf-8"), f"{name}: no AWS source"


def toc_positions(html_dir: Path, names: tuple[str, ...]) -> list[int]:
    """Where the book's home page links to each chapter; asserts all are there, in this order."""
    index = (html_dir / "intro.html").read_text(encoding="utf-8")
    positions = [index.find(f"chapters/{name}.html") for name in names]
    assert all(p >= 0 for p in positions), dict(zip(names, positions, strict=True))
    assert positions == sorted(positions), dict(zip(names, positions, strict=True))
    return positions
