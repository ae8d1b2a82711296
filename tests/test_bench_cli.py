"""`python -m benchmarks --help` lists what can be run; an unknown name is refused."""

from __future__ import annotations

from pathlib import Path

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


def test_several_benchmarks_run_each_in_a_fresh_process(
        capfd: pytest.CaptureFixture[str]) -> None:
    # latency and iam are the quickest; each child prints its own section
    assert main(["latency", "iam"]) == 0
    out = capfd.readouterr().out
    assert out.index("-- latency:") < out.index("-- iam:")
    assert "latency_day_1min_20_servers_s" in out
    assert "iam_decision_200_statements_ms" in out and "<= 1 ms" in out


def test_a_failing_benchmark_fails_the_run(capfd: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    # a copy of the benchmarks whose latency benchmark raises: the children import it
    # first, the run goes on to the next benchmark and then says which one failed
    import shutil

    import benchmarks.__main__ as cli

    copy = tmp_path / "benchmarks"
    copy.mkdir()
    for name in ("__init__.py", "__main__.py", "_timing.py", "bench_iam.py"):
        shutil.copy(cli._ROOT / "benchmarks" / name, copy / name)
    (copy / "bench_latency.py").write_text(
        "def bench():\n    raise RuntimeError('the latency model broke')\n")
    monkeypatch.setattr(cli, "_ROOT", tmp_path)
    assert main(["latency", "iam"]) == 1
    out, err = capfd.readouterr()
    assert "the latency model broke" in err and "iam_decision_200_statements_ms" in out
    assert "benchmark(s) ['latency'] failed" in err
