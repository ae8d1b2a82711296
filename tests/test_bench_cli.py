"""`python -m benchmarks --help` lists what can be run; an unknown name is refused."""

from __future__ import annotations

import pytest

from benchmarks.__main__ import MODULES, main


def test_help_lists_every_benchmark(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage: python -m benchmarks [NAME ...]" in out
    assert all(name in out for name in MODULES)


def test_an_unknown_benchmark_is_refused_with_the_choices(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["computer"]) == 2
    err = capsys.readouterr().err
    assert "unknown benchmark(s) ['computer']" in err and "compute" in err
