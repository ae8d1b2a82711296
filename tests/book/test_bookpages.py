"""The book tests' helpers (``bookpages.py``) read pages and chapters correctly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bookpages import TextOnly, code_cells, has_svg_chart, stale_pages, toc_chapters


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Security groups are <b>stateful</b></p><script>var x='stateless';</script>",
         "Security groups are stateful"),
        ("<p>Set <code>HealthCheckType=ELB</code></p><script>var t='EC2';</script>",
         "Set HealthCheckType=ELB"),
        ("<style>p { color: red }</style><p>only this</p>", "only this"),
    ],
)
def test_text_extraction_drops_markup_and_scripts(html: str, text: str) -> None:
    parser = TextOnly()
    parser.feed(html)
    assert re.sub(r"\s+", " ", "".join(parser.parts)) == text


def test_code_cells_drop_cell_options_but_keep_the_code() -> None:
    sample = (
        "text\n```{code-cell} ipython3\n:tags: [hide-input]\n\nimport os\n```\n"
        "```{code-cell} ipython3\nprint(1)\n```\n```python\nnot executed\n```\n"
        "```{code-cell} ipython3\n:tags: [hide-output]\n:other: 1\nx = {':a:': 1}\n```\n"
    )
    assert code_cells(sample) == ["import os\n", "print(1)\n", "x = {':a:': 1}\n"]


def test_svg_chart_inline_or_as_an_image_file() -> None:
    assert has_svg_chart('<div><svg viewBox="0 0 1 1"></svg></div>')
    assert has_svg_chart('<img alt="" src="../_images/chart.svg" />')
    assert not has_svg_chart('<img alt="" src="../_images/chart.png" />')


def test_toc_lists_the_chapters_in_order() -> None:
    chapters = toc_chapters()
    assert chapters[0] == "01-cloud-computing"
    assert chapters.index("09-design-for-failure") < chapters.index("10-ebs")
    assert chapters == sorted(chapters)


def test_missing_pages_are_stale(tmp_path: Path) -> None:
    assert stale_pages(tmp_path) == ["index", *toc_chapters()]
