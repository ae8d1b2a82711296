"""The EBS chapter (10-ebs) teaches what the course depends on, and its cells run.

Two levels, so the chapter is tested before and after it joins the table of contents:

- the MyST source: dated ("as of November 2026"), sourced (AWS documentation links), and
  teaching the corrections (gp3 over gp2 and the API default, incremental snapshots, lazy
  loading and initialisation, fast snapshot restore, Elastic Volumes instead of
  snapshot-and-restore, the 2026 modification rule, the prices); its code cells, executed in
  order in one namespace as the book build does, print the figures the text states;
- the built page (``book/_build/html/chapters/10-ebs.html``, built by the ``html_dir`` fixture
  when stale): the executed outputs are on the page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bookpages import CODE_CELL, check_dated_and_sourced, code_cells, page_text, run_cells, source

NAME = "10-ebs"


def _text() -> str:
    return source(NAME)


def _prose() -> str:
    return re.sub(r"\s+", " ", CODE_CELL.sub("", _text())).lower()


@pytest.fixture(scope="module")
def outputs() -> str:
    """What the chapter's code cells print, run in order in one namespace."""
    return run_cells(NAME)


def test_cell_pattern_finds_the_cells() -> None:
    sample = "text\n```{code-cell} ipython3\nprint(1)\n```\nmore\n```python\nx\n```\n"
    assert code_cells(sample) == ["print(1)\n"]
    assert len(code_cells(_text())) >= 6


def test_chapter_is_dated_and_sourced() -> None:
    text = _text()
    assert "as of November 2026" in text
    links = set(re.findall(r"https://docs\.aws\.amazon\.com/[^\s)]+", text))
    assert len(links) >= 10, sorted(links)
    assert "https://aws.amazon.com/ebs/pricing/" in text


@pytest.mark.parametrize("phrase", [
    "one availability zone", "invalidvolume.zonemismatch", "choose gp3",
    "api still defaults to gp2", "incremental", "only the data not needed for any other snapshot",
    "archive tier", "lazy loading", "initialise", "fio",
    "provisioned rate for volume initialization",
    "fast snapshot restore", "60 minutes per tib", "elastic volumes", "in place",
    "extend the file system", "new size cannot be smaller than existing size",
    "six hours", "four modifications per volume in a rolling 24 hours",
    "$0.08", "$0.05 per gb-month", "$0.0125", "$0.75 per hour",
])
def test_chapter_teaches(phrase: str) -> None:
    assert phrase in _prose()


def test_cells_print_the_figures_the_text_states(outputs: str) -> None:
    assert re.search(r"gp3\s+1-65,536 GiB\s+\$0\.080/GB-month", outputs)
    assert "snap A: restores 10.0 GiB, stores 10.0 GiB" in outputs
    assert "snap B: restores 10.0 GiB, stores  4.0 GiB" in outputs
    assert "snap C: restores 12.0 GiB, stores  2.0 GiB" in outputs
    assert "stored for all three: 16.0 GiB" in outputs
    assert "snap C right after the call: pending 0%" in outputs
    assert "after deleting B: 16.0 GiB stored" in outputs
    assert "after deleting A: 12.0 GiB stored" in outputs
    assert "holds C's data: True" in outputs
    assert "to an instance in us-east-1b: InvalidVolume.ZoneMismatch" in outputs
    assert "restored in us-east-1b from snap C, same data: True" in outputs
    assert "second change refused: IncorrectModificationState" in outputs
    assert "file system after extending:  28.0 GiB" in outputs
    assert "total per month" in outputs
    cold = float(re.search(r"cold: .*p99\s+([\d.]+) ms", outputs).group(1))  # type: ignore[union-attr]
    warm = float(re.search(r"pre-warmed: .*p99\s+([\d.]+) ms", outputs).group(1))  # type: ignore[union-attr]
    assert cold > 20 * warm


@pytest.mark.book
def test_built_page_carries_the_outputs(html_dir: Path) -> None:
    check_dated_and_sourced(html_dir, NAME)
    page = page_text(html_dir, NAME)
    assert "stored for all three: 16.0 gib" in page
    assert "second change refused: incorrectmodificationstate" in page
