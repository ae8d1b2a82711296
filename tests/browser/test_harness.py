"""The harness itself can fail: it reports external requests, cell errors and unrun cells."""

from __future__ import annotations

from typing import Any

import pytest
from lab_harness import LabServer, run_notebook

pytestmark = pytest.mark.browser


def test_run_notebook_reports_external_requests_and_errors(
    page: Any, lab_server: LabServer
) -> None:
    run = run_notebook(page, lab_server, "fixtures/harness_failing.ipynb")
    assert not run.ok
    assert any("example.com/cloudlab-harness-probe.png" in url for url in run.blocked_requests)
    assert [(e.cell, e.kind) for e in run.errors] == [(2, "error")]
    assert "ValueError: harness probe" in run.errors[0].text
    assert (run.code_cells, run.executed_cells) == (3, 2)
    with pytest.raises(AssertionError, match="blocked external request: https://example.com"):
        run.assert_ok()
