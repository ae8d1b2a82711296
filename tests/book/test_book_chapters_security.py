"""The security and networking chapters (04-07) are in the built book (owner: course book).

Builds the book with ``book/build.py`` when one of the four pages is missing or older than its
source (or always, with ``CLOUDLAB_BOOK_REBUILD=1``), then checks that each page exists, is
listed in the table of contents, dates its facts ("as of November 2026") and teaches the
corrections the course depends on: EC2-Classic is retired (August 2023), AWS reserves 5
addresses in every subnet, security groups are stateful and network ACLs stateless. The CIDR
chapters' ``ipaddress`` cells must have run (their outputs are on the page).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.book

REPO = Path(__file__).resolve().parents[2]
BOOK = REPO / "book"
HTML = BOOK / "_build" / "html"
CHAPTERS = (
    "04-security-shared-responsibility",
    "05-iam",
    "06-security-groups-and-cidr",
    "07-vpc",
)


def _stale() -> bool:
    for name in CHAPTERS:
        page = HTML / "chapters" / f"{name}.html"
        source = BOOK / "chapters" / f"{name}.md"
        if not page.exists() or source.stat().st_mtime > page.stat().st_mtime:
            return True
    return not (HTML / "index.html").exists()


@pytest.fixture(scope="module")
def html_dir() -> Path:
    """The built HTML folder, building the book first when a security chapter is missing."""
    if os.environ.get("CLOUDLAB_BOOK_REBUILD") == "1" or _stale():
        proc = subprocess.run(
            [sys.executable, str(BOOK / "build.py")],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, f"book build failed:\n{proc.stdout}\n{proc.stderr}"
    return HTML


class _TextOnly(HTMLParser):
    """The visible text of the page's main article (no scripts, styles or navigation)."""

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


def _page_text(html_dir: Path, name: str) -> str:
    raw = (html_dir / "chapters" / f"{name}.html").read_text(encoding="utf-8")
    main = re.search(r"<main\b.*?</main>", raw, re.S)
    parser = _TextOnly()
    parser.feed(main.group(0) if main else raw)
    return re.sub(r"\s+", " ", "".join(parser.parts)).lower()


# ------------------------------------------------------------------ helpers unit test


def test_text_extraction_drops_markup_and_scripts() -> None:
    parser = _TextOnly()
    parser.feed("<p>Security groups are <b>stateful</b></p><script>var x='stateless';</script>")
    assert re.sub(r"\s+", " ", "".join(parser.parts)) == "Security groups are stateful"


# ------------------------------------------------------------------- the built pages


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_page_exists_and_is_dated(html_dir: Path, name: str) -> None:
    page = html_dir / "chapters" / f"{name}.html"
    assert page.exists(), f"missing chapter page {page}"
    text = _page_text(html_dir, name)
    assert "as of november 2026" in text, f"{name}: facts are not dated"
    # Sourced: every chapter links to AWS documentation.
    assert "docs.aws.amazon.com" in page.read_text(encoding="utf-8"), name


def test_chapters_are_in_the_table_of_contents_in_order(html_dir: Path) -> None:
    index = (html_dir / "intro.html").read_text(encoding="utf-8")
    positions = [index.find(f"chapters/{name}.html") for name in CHAPTERS]
    assert all(p >= 0 for p in positions), dict(zip(CHAPTERS, positions, strict=True))
    assert positions == sorted(positions)
    assert index.find("chapters/03-elasticity.html") < positions[0]


def test_shared_responsibility_chapter_covers_account_protection(html_dir: Path) -> None:
    text = _page_text(html_dir, "04-security-shared-responsibility")
    for phrase in ("security of the cloud", "security in the cloud", "root user", "mfa",
                   "aws:securetransport", "kms", "rotate"):
        assert phrase in text, phrase


def test_iam_chapter_teaches_evaluation_order_and_roles(html_dir: Path) -> None:
    text = _page_text(html_dir, "05-iam")
    assert "explicit deny" in text and "implicit" in text
    for phrase in ("notaction", "trust policy", "external id", "instance profile",
                   "temporary credentials", "access analyzer", "billing"):
        assert phrase in text, phrase


def test_cidr_chapter_teaches_reserved_addresses_and_state(html_dir: Path) -> None:
    text = _page_text(html_dir, "06-security-groups-and-cidr")
    assert "reserves 5 addresses" in text or "five ipv4 addresses" in text
    assert "stateful" in text and "stateless" in text
    assert "chmod 400" in text
    # Outputs of the executed ipaddress cells.
    assert "251 usable" in text and "11 usable" in text
    assert "65,536" in text and "4,294,967,296" in text


def test_vpc_chapter_teaches_the_corrections(html_dir: Path) -> None:
    text = _page_text(html_dir, "07-vpc")
    assert "ec2-classic" in text and "retired" in text and "august 2023" in text
    assert "1 february 2024" in text and "$0.005" in text
    assert "longest prefix" in text and "internet gateway" in text and "nat gateway" in text
    assert "172.31.0.0/16" in text
    # Outputs of the executed cells: route lookup and the address plan check.
    assert "overlapping subnets: none" in text
    assert "nat-0aaa" in text
