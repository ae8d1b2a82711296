"""The security and networking chapters (04-07) are in the built book (owner: course book).

Uses the book built by the ``html_dir`` fixture (``conftest.py``: built once per session when a
page is missing or older than its source, or always with ``CLOUDLAB_BOOK_REBUILD=1``) and checks
that each page exists, is listed in the table of contents, dates its facts ("as of November
2026") and teaches the corrections the course depends on: EC2-Classic is retired (August 2023),
AWS reserves 5 addresses in every subnet, security groups are stateful and network ACLs
stateless. The CIDR chapters' ``ipaddress`` cells must have run (their outputs are on the page).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bookpages import check_dated_and_sourced, page_text, toc_positions

pytestmark = pytest.mark.book

CHAPTERS = (
    "04-security-shared-responsibility",
    "05-iam",
    "06-security-groups-and-cidr",
    "07-vpc",
)


# ------------------------------------------------------------------- the built pages


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_page_exists_and_is_dated(html_dir: Path, name: str) -> None:
    check_dated_and_sourced(html_dir, name)


def test_chapters_are_in_the_table_of_contents_in_order(html_dir: Path) -> None:
    toc_positions(html_dir, ("03-elasticity", *CHAPTERS))


def test_shared_responsibility_chapter_covers_account_protection(html_dir: Path) -> None:
    text = page_text(html_dir, "04-security-shared-responsibility")
    for phrase in ("security of the cloud", "security in the cloud", "root user", "mfa",
                   "aws:securetransport", "kms", "rotate"):
        assert phrase in text, phrase


def test_iam_chapter_teaches_evaluation_order_and_roles(html_dir: Path) -> None:
    text = page_text(html_dir, "05-iam")
    assert "explicit deny" in text and "implicit" in text
    for phrase in ("notaction", "trust policy", "external id", "instance profile",
                   "temporary credentials", "access analyzer", "billing"):
        assert phrase in text, phrase


def test_cidr_chapter_teaches_reserved_addresses_and_state(html_dir: Path) -> None:
    text = page_text(html_dir, "06-security-groups-and-cidr")
    assert "reserves 5 addresses" in text or "five ipv4 addresses" in text
    assert "stateful" in text and "stateless" in text
    assert "chmod 400" in text
    # Outputs of the executed ipaddress cells.
    assert "251 usable" in text and "11 usable" in text
    assert "65,536" in text and "4,294,967,296" in text


def test_vpc_chapter_teaches_the_corrections(html_dir: Path) -> None:
    text = page_text(html_dir, "07-vpc")
    assert "ec2-classic" in text and "retired" in text and "august 2023" in text
    assert "1 february 2024" in text and "$0.005" in text
    assert "longest prefix" in text and "internet gateway" in text and "nat gateway" in text
    assert "172.31.0.0/16" in text
    # Outputs of the executed cells: route lookup and the address plan check.
    assert "overlapping subnets: none" in text
    assert "nat-0aaa" in text
