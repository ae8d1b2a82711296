"""Tests of the ``cloudlab`` command: help texts, ``lab --dry-run``, ``doctor``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cloudlab import cli
from cloudlab.cli import main


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    return capsys.readouterr().out


def test_top_level_help_lists_commands_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    out = _help(["--help"], capsys)
    for word in ("lab", "grade", "release", "doctor", "examples:", "cloudlab grade my-labs/"):
        assert word in out


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("grade", ["--json FILE", "--junit FILE", "--min-score N", "--seed N", "--timeout S",
                   "examples:", "fresh kernel", "exit status"]),
        ("release", ["--check", "--solutions DIR", "--labs DIR", "# BEGIN SOLUTION",
                     "examples:"]),
        ("lab", ["--port", "--no-browser", "--dry-run", "never overwritten", "examples:"]),
        ("doctor", ["S3 call", "example:"]),
    ],
)
def test_subcommand_help(command: str, words: list[str],
                         capsys: pytest.CaptureFixture[str]) -> None:
    out = _help([command, "--help"], capsys)
    for word in words:
        assert word in out, word


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: cloudlab" in capsys.readouterr().out


def test_grade_needs_a_notebook(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["grade"])
    assert exc.value.code == 2
    assert "the following arguments are required: NOTEBOOK" in capsys.readouterr().err


# -- lab --------------------------------------------------------------------------------
@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "labs" / "data").mkdir(parents=True)
    (tmp_path / "labs" / "00-welcome.ipynb").write_text("released 00")
    (tmp_path / "labs" / "01-fleet.ipynb").write_text("released 01")
    (tmp_path / "labs" / "data" / "prices.csv").write_text("a,b")
    (tmp_path / "labs" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "labs" / ".ipynb_checkpoints" / "x.ipynb").write_text("junk")
    (tmp_path / "my-labs").mkdir()
    (tmp_path / "my-labs" / "00-welcome.ipynb").write_text("my edits")
    return tmp_path


def test_lab_dry_run_copies_only_missing_files(
    course: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["lab", "--dry-run", "--port", "8899"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["copied my-labs/01-fleet.ipynb", "copied my-labs/data/prices.csv"]
    assert (course / "my-labs" / "00-welcome.ipynb").read_text() == "my edits"
    assert (course / "my-labs" / "01-fleet.ipynb").read_text() == "released 01"
    assert not (course / "my-labs" / ".ipynb_checkpoints").exists()
    cmd = out[2]
    for flag in ("-m jupyter lab", "--ip=127.0.0.1", "--port=8899", "--ServerApp.port_retries=0",
                 "--LabApp.news_url=None",
                 "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                 "--LabApp.extension_manager=readonly", "--no-browser",
                 f"--ServerApp.root_dir={course / 'my-labs'}"):
        assert flag in cmd, flag
    assert cmd.startswith(sys.executable)
    assert cmd.endswith(" --LabApp.default_url=/lab/tree/00-welcome.ipynb")

    assert main(["lab", "--dry-run"]) == 0
    assert "already has every lab (your edits are kept)" in capsys.readouterr().out


def test_lab_browser_and_root_flags(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli.sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(cli.os, "geteuid", lambda: 1000, raising=False)
    cmd = cli.jupyter_command(course / "my-labs", 8888, no_browser=False)
    assert "--no-browser" not in cmd and "--allow-root" not in cmd
    assert "--no-browser" in cli.jupyter_command(course / "my-labs", 8888, no_browser=True)
    monkeypatch.setattr(cli.os, "geteuid", lambda: 0, raising=False)
    assert "--allow-root" in cli.jupyter_command(course / "my-labs", 8888, no_browser=False)


def test_lab_without_labs_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["lab", "--dry-run"]) == 2
    assert "labs folder 'labs' not found" in capsys.readouterr().err
    assert not (tmp_path / "my-labs").exists()


def test_lab_execs_jupyter(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(cli.os, "execv", lambda path, argv: seen.append(argv))
    assert main(["lab", "--no-browser"]) == 0
    assert seen and seen[0][1:4] == ["-m", "jupyter", "lab"]


# -- doctor -----------------------------------------------------------------------------
def test_doctor_reports_versions_and_times_s3(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    for word in ("python", "boto3", "moto", "jupyterlab", "chromium"):
        assert word in out
    assert "mini cloud  ok: start" in out and "S3 create+list" in out
