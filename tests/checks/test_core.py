"""Tests of cloudlab.checks.core: registry, name lookup, failure paths, rendering."""

from __future__ import annotations

import itertools
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudlab.checks import (
    EXTRA_CHECKS_ENV,
    CheckResult,
    available_labs,
    check,
    check_all,
    core,
    extra_modules,
    lab_questions,
    question,
    register_module,
    run_all,
)
from cloudlab.errors import UnknownCheck

_counter = itertools.count()


def ensure(condition: object, hint: str = "") -> None:
    """``assert condition, hint`` without pytest's rewriting (which would extend the hint)."""
    if not condition:
        raise AssertionError(hint) if hint else AssertionError


@pytest.fixture
def lab() -> Iterator[str]:
    """A fresh lab id, removed from the registry afterwards."""
    name = f"labtest{next(_counter)}"
    yield name
    core._REGISTRY.pop(name, None)


def _define_fleet(lab: str) -> None:
    @question(f"{lab}.fleet", points=2, title="Fleet <sized>")
    def fleet(fixed_fleet_size: Any) -> None:
        ensure(fixed_fleet_size == 4, "4 m5.large serve the 760 rps peak")

    @question(f"{lab}.fleet", points=1, hidden=True)
    def fleet_hidden(fixed_fleet_size: Any) -> None:
        ensure(isinstance(fixed_fleet_size, int), "use an int")


# -- registry -------------------------------------------------------------------------
def test_question_registers_checks_in_order(lab: str) -> None:
    _define_fleet(lab)

    @question(f"{lab}.other", points=1)
    def other() -> None:
        pass

    qs = lab_questions(lab)
    assert [q.name for q in qs] == [f"{lab}.fleet", f"{lab}.other"]
    assert qs[0].title == "Fleet <sized>"
    assert qs[0].max_points == 3
    assert [c.hidden for c in qs[0].checks] == [False, True]


def test_registering_the_same_function_again_replaces_it(lab: str) -> None:
    _define_fleet(lab)
    _define_fleet(lab)
    assert len(lab_questions(lab)[0].checks) == 2


@pytest.mark.parametrize("name", ["fleet", "lab01", "Lab01.x", "lab01.x.y", "lab01.1x", ""])
def test_malformed_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="check name must look like 'lab01.fixed_fleet'"):
        question(name, points=1)


@pytest.mark.parametrize("points", [-1, True, "2"])
def test_bad_points_are_refused(points: Any) -> None:
    with pytest.raises(ValueError, match=r"points must be a number >= 0, got"):
        question("lab01.x", points=points)


def test_decorator_returns_the_function_unchanged(lab: str) -> None:
    def f() -> None:
        pass

    assert question(f"{lab}.f", points=1)(f) is f


# -- unknown names --------------------------------------------------------------------
def test_unknown_question_suggests_a_close_name(lab: str) -> None:
    _define_fleet(lab)
    with pytest.raises(UnknownCheck) as err:
        check(f"{lab}.flet", namespace={})
    msg = str(err.value)
    assert f"no check called '{lab}.flet'" in msg
    assert f"did you mean '{lab}.fleet'?" in msg
    assert f"checks of {lab}: {lab}.fleet" in msg


def test_unknown_lab_lists_available_labs(lab: str) -> None:
    _define_fleet(lab)
    with pytest.raises(UnknownCheck) as err:
        check("labzz99.x", namespace={})
    assert "no checks for lab 'labzz99'" in str(err.value)
    assert lab in str(err.value)
    assert isinstance(err.value, KeyError)


def test_unknown_lab_close_match(lab: str) -> None:
    _define_fleet(lab)
    with pytest.raises(UnknownCheck, match=rf"did you mean '{lab}'\?"):
        lab_questions(lab + "x")


def test_malformed_check_name_is_unknown() -> None:
    with pytest.raises(UnknownCheck, match="check names look like 'lab01.fixed_fleet'"):
        check("fixed_fleet", namespace={})


def test_builtin_lab_module_is_imported_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    imported: list[str] = []

    def fake_import(lab: str) -> None:
        imported.append(f"cloudlab.checks.{lab}")

        @question("lab97.hello", points=1)
        def hello() -> None:
            pass

    monkeypatch.setattr(core, "_builtin_labs", lambda: ["lab97"])
    monkeypatch.setattr(core, "_import_lab", fake_import)
    try:
        assert "lab97" not in core._REGISTRY
        assert check("lab97.hello", namespace={}).passed
        check("lab97.hello", namespace={})
        assert imported == ["cloudlab.checks.lab97"]  # once, on first use
    finally:
        core._REGISTRY.pop("lab97", None)


# -- running: pass, fail, missing, Ellipsis, exceptions -------------------------------
def test_pass_and_fail_with_hint(lab: str) -> None:
    _define_fleet(lab)
    ok = check(f"{lab}.fleet", namespace={"fixed_fleet_size": 4})
    assert (ok.passed, ok.points, ok.max_points, ok.hint, ok.error) == (True, 2, 2, "", "")
    bad = check(f"{lab}.fleet", namespace={"fixed_fleet_size": 3})
    assert (bad.passed, bad.points, bad.max_points) == (False, 0, 2)
    assert bad.hint == "4 m5.large serve the 760 rps peak"


def test_check_runs_only_public_checks(lab: str) -> None:
    _define_fleet(lab)
    # 4.0 fails only the hidden int check, which check() must not run
    assert check(f"{lab}.fleet", namespace={"fixed_fleet_size": 4.0}).passed


def test_missing_variable_hint(lab: str) -> None:
    _define_fleet(lab)
    r = check(f"{lab}.fleet", namespace={})
    assert not r.passed
    assert r.hint == "define `fixed_fleet_size` first (run the cells above)"


def test_ellipsis_placeholder_hint(lab: str) -> None:
    _define_fleet(lab)
    r = check(f"{lab}.fleet", namespace={"fixed_fleet_size": ...})
    assert not r.passed
    assert r.hint.startswith("replace the `...` in `fixed_fleet_size = ...`")


def test_unexpected_exception_is_a_fail_with_error_and_docstring_hint(lab: str) -> None:
    @question(f"{lab}.call", points=1)
    def call(size_for: Any) -> None:
        """size_for(rps) should return an int number of instances."""
        size_for(100)

    def learner(rps: int) -> int:
        return rps + "1"  # type: ignore[operator]

    r = check(f"{lab}.call", namespace={"size_for": learner})
    assert not r.passed
    assert r.error.startswith("your code raised TypeError: unsupported operand")
    assert r.hint == "size_for(rps) should return an int number of instances."


def test_bare_assert_gets_a_generic_hint(lab: str) -> None:
    @question(f"{lab}.bare", points=1)
    def bare(x: Any) -> None:
        ensure(x)

    assert check(f"{lab}.bare", namespace={"x": 0}).hint.startswith("not right yet")


def test_parameter_default_used_when_missing(lab: str) -> None:
    @question(f"{lab}.opt", points=1)
    def opt(x: Any, note: str = "default") -> None:
        ensure(note == "default", "default not used")

    assert check(f"{lab}.opt", namespace={"x": 1}).passed


def test_run_all_includes_hidden_and_sums_points(lab: str) -> None:
    _define_fleet(lab)
    [q] = run_all(lab, {"fixed_fleet_size": 4.0})
    assert (q.score, q.max_score, q.passed) == (2, 3, False)
    assert q.hidden == [False, True]
    assert q.hint == "use an int"
    [q] = run_all(lab, {"fixed_fleet_size": 4})
    assert (q.score, q.max_score, q.passed, q.hint) == (3, 3, True, "")
    [q] = run_all(lab, {"fixed_fleet_size": 4.0}, include_hidden=False)
    assert (q.score, q.max_score, q.passed) == (2, 2, True)


def test_question_result_round_trips_through_dict(lab: str) -> None:
    _define_fleet(lab)
    [q] = run_all(lab, {"fixed_fleet_size": ...})
    again = type(q).from_dict(q.to_dict())
    assert again == q


def test_hidden_only_question_in_notebook(lab: str) -> None:
    @question(f"{lab}.secret", points=1, hidden=True)
    def secret() -> None:
        raise AssertionError("never run by check()")

    r = check(f"{lab}.secret", namespace={})
    assert r.passed and r.max_points == 0
    assert "only by the grader" in r.hint


def test_check_all_summarises_public_checks(lab: str) -> None:
    _define_fleet(lab)

    @question(f"{lab}.two", points=1, title="Two")
    def two(y: Any) -> None:
        ensure(y == 2, "y is 2")

    s = check_all(lab, namespace={"fixed_fleet_size": 4, "y": 1})
    assert (s.points, s.max_points, s.passed) == (2, 3, False)
    assert f"{lab}: 2/3 points" in repr(s)
    assert "✗ Not yet" in s._repr_html_()


# -- where the names come from ------------------------------------------------------
def test_namespace_defaults_to_the_callers_globals(lab: str) -> None:
    _define_fleet(lab)
    globals()["fixed_fleet_size"] = 4
    try:
        assert check(f"{lab}.fleet").passed
    finally:
        del globals()["fixed_fleet_size"]
    assert check(f"{lab}.fleet").hint.startswith("define `fixed_fleet_size`")


def test_namespace_is_ipython_user_ns_in_a_kernel(
    lab: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import IPython

    _define_fleet(lab)
    shell = types.SimpleNamespace(user_ns={"fixed_fleet_size": 4})
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert check(f"{lab}.fleet").passed
    assert check_all(lab).passed


def test_cloud_parameter_uses_notebook_cloud_then_active(lab: str, cloud: Any) -> None:
    seen: list[Any] = []

    @question(f"{lab}.cloudy", points=1)
    def cloudy(cloud: Any) -> None:
        seen.append(cloud)

    assert check(f"{lab}.cloudy", namespace={"cloud": cloud}).passed
    assert check(f"{lab}.cloudy", namespace={"cloud": "not a cloud"}).passed
    assert seen == [cloud, cloud]  # the active Cloud when the name is not a Cloud


def test_cloud_parameter_without_any_cloud_hints(lab: str) -> None:
    from cloudlab.cloud import active_cloud

    if active := active_cloud():
        active.stop()

    @question(f"{lab}.cloudy", points=1)
    def cloudy(cloud: Any) -> None:
        pass

    r = check(f"{lab}.cloudy", namespace={})
    assert not r.passed
    assert r.hint.startswith("start the mini cloud first")


# -- extra modules ------------------------------------------------------------------
def test_register_module_and_env_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mod = tmp_path / "my_checks.py"
    mod.write_text(
        "from cloudlab.checks import question\n"
        "@question('labextra1.q', points=1)\n"
        "def q(v):\n    assert v == 1, 'v is 1'\n"
    )
    monkeypatch.setenv(EXTRA_CHECKS_ENV, str(mod))
    try:
        assert "labextra1" in available_labs()
        assert str(mod.resolve()) in extra_modules()
        assert check("labextra1.q", namespace={"v": 1}).passed
        register_module(mod)  # again: replaced, not duplicated
        assert len(lab_questions("labextra1")[0].checks) == 1
    finally:
        core._REGISTRY.pop("labextra1", None)
        core._EXTRA_PATHS.remove(str(mod.resolve()))
        sys.modules.pop("cloudlab_extra_checks.my_checks", None)


def test_real_lab_module_is_importable() -> None:
    # the lead's lab00 (when present) imports lazily through the real path
    if "lab00" not in core._builtin_labs():
        pytest.skip("cloudlab/checks/lab00.py not written yet")
    assert [q.name for q in lab_questions("lab00")][:1] == ["lab00.first_bucket"]
    assert "lab00" in available_labs()


def test_register_missing_module() -> None:
    with pytest.raises(FileNotFoundError, match="does not exist; give a .py file path"):
        register_module("/nonexistent/checks.py")


# -- rendering ----------------------------------------------------------------------
def test_html_and_repr_use_words_and_symbols_not_only_colour() -> None:
    ok = CheckResult("lab01.q", "Title", True, 2, 2)
    bad = CheckResult("lab01.q", "Title", False, 0, 2, hint="look <here>",
                      error="your code raised ValueError: x")
    assert "✓ Passed" in ok._repr_html_() and "#1a7f37" in ok._repr_html_()
    html = bad._repr_html_()
    assert "✗ Not yet" in html and "#cf222e" in html
    assert "look &lt;here&gt;" in html and "<here>" not in html
    assert "your code raised ValueError: x" in html
    assert repr(ok) == "✓ Passed lab01.q: Title (2/2 points)"
    assert repr(bad).splitlines() == [
        "✗ Not yet lab01.q: Title (0/2 points)",
        "  your code raised ValueError: x",
        "  hint: look <here>",
    ]


@given(st.text())
def test_any_hint_is_escaped_in_html(hint: str) -> None:
    import html as html_mod

    out = CheckResult("lab01.q", "", False, 0, 1, hint=hint)._repr_html_()
    assert html_mod.escape(hint) in out
    assert out.count("<div") == out.count("</div>")
