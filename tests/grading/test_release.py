"""Tests of cloudlab.grading.release: solution blocks, notebook transform, --check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudlab.cli import main
from cloudlab.errors import GradingError
from cloudlab.grading import release, release_notebook, release_source
from cloudlab.grading.notebooks import read_notebook, write_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


# -- one cell -------------------------------------------------------------------------
def test_block_becomes_prompt_with_placeholders() -> None:
    src = (
        "import math\n"
        "# BEGIN SOLUTION\n"
        "peak_rps = 760\n"
        "fixed_fleet_size: int = math.ceil(peak_rps / 200)\n"
        "web, workers = 2, 4\n"
        "peak_rps = 761\n"
        "print(fixed_fleet_size)\n"
        "# END SOLUTION\n"
        "check('lab01.fixed_fleet')"
    )
    assert release_source(src) == (
        "import math\n"
        "# YOUR CODE HERE\n"
        "peak_rps = ...\n"
        "fixed_fleet_size = ...\n"
        "check('lab01.fixed_fleet')"
    )


def test_indented_block_keeps_indentation_and_stays_valid() -> None:
    src = (
        "def size_for(rps):\n"
        "    # BEGIN SOLUTION\n"
        "    n = rps // 200\n"
        "    if rps % 200:\n"
        "        n += 1\n"
        "    return n\n"
        "    # END SOLUTION\n"
        "\n"
        "class A:\n"
        "    def f(self):\n"
        "        # BEGIN SOLUTION\n"
        "        return 1\n"
        "        # END SOLUTION\n"
    )
    out = release_source(src)
    assert out == (
        "def size_for(rps):\n"
        "    # YOUR CODE HERE\n"
        "    n = ...\n"
        "\n"
        "class A:\n"
        "    def f(self):\n"
        "        # YOUR CODE HERE\n"
        "        ...\n"
    )
    compile(out, "cell", "exec")


def test_partial_block_falls_back_to_unindented_assignments() -> None:
    src = (
        "if x:\n"
        "    # BEGIN SOLUTION\n"
        "    answer = 1\n"
        "    if y:\n"
        "        inner = 2\n"
        "else:\n"
        "    # END SOLUTION\n"
    )
    # the block is not valid Python on its own (it ends in an `else:`)
    assert release_source(src) == "if x:\n    # YOUR CODE HERE\n    answer = ...\n"


def test_markers_tolerate_spacing_and_trailing_text() -> None:
    src = "#BEGIN SOLUTION (part a)\nx = 1\n#  END SOLUTION\ny = 2"
    assert release_source(src) == "# YOUR CODE HERE\nx = ...\ny = 2"


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("# BEGIN SOLUTION\nx = 1", "'# BEGIN SOLUTION' on line 1 is never closed"),
        ("x = 1\n# END SOLUTION", "line 2 has '# END SOLUTION' without a '# BEGIN SOLUTION'"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION",
         "line 2 opens '# BEGIN SOLUTION' inside the block opened on line 1"),
    ],
)
def test_unbalanced_markers_name_the_place(src: str, message: str) -> None:
    with pytest.raises(GradingError, match="^nb.ipynb: cell 3: ") as err:
        release_source(src, where="nb.ipynb: cell 3")
    assert message in str(err.value)


_plain_lines = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n"))
    .filter(lambda s: "SOLUTION" not in s),
    max_size=8,
)


@given(_plain_lines)
def test_cells_without_markers_are_unchanged(lines: list[str]) -> None:
    src = "\n".join(lines)
    assert release_source(src) == src


# -- notebooks ------------------------------------------------------------------------
def _solution() -> nbformat.NotebookNode:
    return read_notebook(FIXTURES / "solutions" / "90-fixture.ipynb")


def test_release_notebook_strips_drops_and_keeps() -> None:
    sol = _solution()
    sol.metadata["widgets"] = {"state": {}}
    sol.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-01-01"}
    before = json.dumps(sol, sort_keys=True)
    lab = release_notebook(sol, name="90-fixture.ipynb")
    assert json.dumps(sol, sort_keys=True) == before  # input untouched
    assert [c.id for c in lab.cells] == [c.id for c in sol.cells
                                         if "solution-only" not in c.metadata.get("tags", [])]
    assert len(lab.cells) == len(sol.cells) - 1
    assert all(c.outputs == [] and c.execution_count is None
               for c in lab.cells if c.cell_type == "code")
    assert lab.metadata["cloudlab"] == {"lab": "lab90"}
    assert "widgets" not in lab.metadata
    assert "execution" not in lab.cells[0].metadata
    assert lab.cells[1].metadata["tags"] == ["parameters"]
    assert "BEGIN SOLUTION" not in write_bytes(lab).decode()


def test_cell_error_names_notebook_and_cell() -> None:
    sol = _solution()
    sol.cells[3].source = "# BEGIN SOLUTION\nx = 1"
    with pytest.raises(GradingError, match=r"^sol\.ipynb: cell 4 \(id fx-03\): '# BEGIN"):
        release_notebook(sol, name="sol.ipynb")


def test_cells_without_ids_get_stable_ids() -> None:
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 4
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_markdown_cell("hi")]
    for c in nb.cells:
        del c["id"]
    a = write_bytes(release_notebook(nb, name="a.ipynb"))
    b = write_bytes(release_notebook(nb, name="a.ipynb"))
    assert a == b and a.endswith(b"}\n")
    assert len({c["id"] for c in json.loads(a)["cells"]}) == 2


def test_fixture_labs_are_up_to_date() -> None:
    report = release(FIXTURES / "solutions", FIXTURES / "labs", check=True)
    assert report.ok, (report.stale, report.missing)
    assert [p.name for p in report.unchanged] == ["90-fixture.ipynb"]


# -- folders and --check --------------------------------------------------------------
@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "solutions").mkdir()
    shutil.copy(FIXTURES / "solutions" / "90-fixture.ipynb", tmp_path / "solutions")
    (tmp_path / "solutions" / "README.md").write_text("not a lab")
    return tmp_path


def test_release_writes_then_check_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sol, labs = str(repo / "solutions"), str(repo / "labs")
    assert main(["release", "--check", "--solutions", sol, "--labs", labs]) == 1
    out = capsys.readouterr().out
    assert f"missing: {labs}/90-fixture.ipynb" in out
    assert "run `cloudlab release`" in out

    assert main(["release", "--solutions", sol, "--labs", labs]) == 0
    assert f"wrote {labs}/90-fixture.ipynb" in capsys.readouterr().out
    assert (repo / "labs" / "90-fixture.ipynb").read_bytes() == (
        FIXTURES / "labs" / "90-fixture.ipynb").read_bytes()
    assert main(["release", "--check", "--solutions", sol, "--labs", labs]) == 0
    assert "labs up to date (1 notebooks)" in capsys.readouterr().out
    assert main(["release", "--solutions", sol, "--labs", labs]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_check_reports_stale_lab(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release(repo / "solutions", repo / "labs")
    path = repo / "solutions" / "90-fixture.ipynb"
    nb = read_notebook(path)
    nb.cells[0].source += "\nA new sentence."
    path.write_bytes(write_bytes(nb))
    report = release(repo / "solutions", repo / "labs", check=True)
    assert [p.name for p in report.stale] == ["90-fixture.ipynb"] and not report.ok
    assert main(["release", "--check", "--solutions", str(repo / "solutions"),
                 "--labs", str(repo / "labs")]) == 1
    assert "stale:" in capsys.readouterr().out


def test_orphan_lab_is_noted(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release(repo / "solutions", repo / "labs")
    (repo / "labs" / "07-old.ipynb").write_text("{}")
    assert main(["release", "--check", "--solutions", str(repo / "solutions"),
                 "--labs", str(repo / "labs")]) == 0
    assert "07-old.ipynb has no solution" in capsys.readouterr().out


def test_missing_solutions_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["release", "--solutions", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cloudlab: error: solutions folder") and err.count("\n") == 1


def test_bad_markers_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "solutions" / "90-fixture.ipynb"
    nb = read_notebook(path)
    nb.cells[4].source = "x = 1\n# END SOLUTION"
    path.write_bytes(write_bytes(nb))
    assert main(["release", "--solutions", str(repo / "solutions"),
                 "--labs", str(repo / "labs")]) == 2
    err = capsys.readouterr().err
    assert "90-fixture.ipynb: cell 5 (id fx-04): line 2 has '# END SOLUTION'" in err
    assert not (repo / "labs").exists()
