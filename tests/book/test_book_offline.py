"""The built course book works offline (owner: course book).

Uses the book built by the ``html_dir`` fixture (``conftest.py``: built once per session when a
page is missing or older than its source, or always with ``CLOUDLAB_BOOK_REBUILD=1``) and checks
that no page makes the browser fetch anything from another host, that the chapter pages exist,
and that the Elasticity chapter carries the SVG charts its executed cells produced. The scanner
itself is unit-tested on small HTML strings so this test can fail.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from bookpages import BOOK, has_svg_chart

pytestmark = pytest.mark.book

CHAPTERS = ("01-cloud-computing", "02-why-cloud", "03-elasticity")


def _load_build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cloudlab_book_build", BOOK / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = _load_build_module()


# ----------------------------------------------------------------- scanner unit tests


def test_scanner_flags_cdn_script_stylesheet_font_image_and_frame() -> None:
    page = """<html><head>
      <script src="https://cdn.jsdelivr.net/npm/require.js"></script>
      <link rel="stylesheet" href="//fonts.googleapis.com/css?family=Lato">
      <style>@font-face { src: url("https://fonts.gstatic.com/x.woff2"); }</style>
      </head><body>
      <img srcset="local.png 1x, https://img.example.org/a.png 2x" src="local.png">
      <iframe src="http://www.youtube.com/embed/x"></iframe>
      <script>const LIB = "https://unpkg.com/thebe@0.8.2/lib/index.js";</script>
      </body></html>"""
    refs = build.external_refs(page)
    assert [(r.tag, r.attr) for r in refs] == [
        ("script", "src"),
        ("link", "href"),
        ("style", "(inline)"),
        ("img", "srcset"),
        ("iframe", "src"),
        ("script", "(inline)"),
    ]
    assert refs[0].url == "https://cdn.jsdelivr.net/npm/require.js"


def test_scanner_allows_local_assets_prose_links_and_svg_namespaces() -> None:
    page = """<html><head>
      <script src="_static/doctools.js?v=1"></script>
      <link rel="stylesheet" href="../_static/styles/theme.css">
      <script type="application/vnd.jupyter.widget-state+json">{"u": "https://x.org"}</script>
      </head><body>
      <p>See <a href="https://docs.aws.amazon.com/whitepapers/">the whitepaper</a>.</p>
      <img src="data:image/png;base64,AAAA"><img src="http://127.0.0.1:8888/a.png">
      <svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>
      <script>var ns = "http://www.w3.org/2000/svg";</script>
      </body></html>"""
    assert build.external_refs(page) == []


@pytest.mark.parametrize(
    ("url", "external"),
    [
        ("https://cdn.example.com/a.js", True),
        ("//cdn.example.com/a.js", True),
        ("http://localhost:8000/a.js", False),
        ("_static/a.js", False),
        ("#top", False),
        ("data:font/woff2;base64,AA", False),
    ],
)
def test_is_external(url: str, external: bool) -> None:
    assert build.is_external(url) is external


def test_scan_html_tree_reports_css_and_html(tmp_path: Path) -> None:
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "a.css").write_text("@import 'https://fonts.example.com/f.css';")
    (tmp_path / "ok.html").write_text('<script src="_static/x.js"></script>')
    (tmp_path / "bad.html").write_text('<img src="https://example.com/a.png">')
    found = build.scan_html_tree(tmp_path)
    assert sorted(found) == ["_static/a.css", "bad.html"]


def test_sync_labs_copies_notebooks_and_indexes_them(tmp_path: Path) -> None:
    src, dst = tmp_path / "labs", tmp_path / "book-labs"
    src.mkdir()
    dst.mkdir()
    (dst / "99-stale.ipynb").write_text("{}")
    nb = '{"cells": [{"cell_type": "markdown", "source": ["# Lab 1: Fixed fleets\\n"]}]}'
    (src / "01-fixed.ipynb").write_text(nb)
    copied = build.sync_labs(src, dst)
    assert [p.name for p in copied] == ["01-fixed.ipynb"]
    assert not (dst / "99-stale.ipynb").exists()
    assert "| [01-fixed](01-fixed.ipynb) | Lab 1: Fixed fleets |" in (dst / "index.md").read_text()


def test_sync_labs_without_labs_writes_a_placeholder_index(tmp_path: Path) -> None:
    assert build.sync_labs(tmp_path / "missing", tmp_path / "out") == []
    assert "No labs have been released yet" in (tmp_path / "out" / "index.md").read_text()


# ------------------------------------------------------------------- the built book


def test_built_book_references_no_external_host(html_dir: Path) -> None:
    pages = list(html_dir.rglob("*.html"))
    assert len(pages) >= len(CHAPTERS) + 1
    assert build.scan_html_tree(html_dir) == {}


def test_chapter_pages_exist(html_dir: Path) -> None:
    for name in CHAPTERS:
        page = html_dir / "chapters" / f"{name}.html"
        assert page.exists(), f"missing chapter page {page}"
        # Facts are dated in every chapter.
        assert "as of november 2026" in page.read_text(encoding="utf-8").lower(), page
    assert (html_dir / "labs" / "index.html").exists()


def test_no_widget_javascript_or_mathjax_is_loaded(html_dir: Path) -> None:
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "require.min.js" not in text and "embed-amd.js" not in text, page
        # No page uses math (dollarmath is off), so Sphinx must not load MathJax at all.
        assert "mathjax" not in text.lower(), page


def test_elasticity_page_shows_svg_charts_from_executed_cells(html_dir: Path) -> None:
    page = (html_dir / "chapters" / "03-elasticity.html").read_text(encoding="utf-8")
    outputs = re.findall(r'<div class="cell_output[^"]*"', page)
    assert outputs, "the Elasticity chapter has no executed cell output"
    # The chart's mime bundle offers a widget view and an SVG; the book must pick the SVG,
    # inline or as an image file written next to the page.
    assert has_svg_chart(page), "no SVG chart in the Elasticity chapter"
    assert "application/vnd.jupyter.widget-view+json" not in page
