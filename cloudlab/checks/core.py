"""The checks framework: the ``@question`` registry, ``check()``, ``check_all()``, ``run_all()``.

A *check* is a function that raises ``AssertionError`` with a learner-facing hint when an
answer is wrong (otter-grader's shape). Its metadata (points, hidden) is declared in the
``@question`` decorator, and the student objects it needs are taken *by parameter name*
from the notebook's namespace::

    from cloudlab.checks import question

    @question("lab01.fixed_fleet", points=2, title="Fleet sized for the peak")
    def fixed_fleet(fixed_fleet_size, cloud):
        assert fixed_fleet_size >= 4, "4 m5.large serve 800 rps; the peak is 760 rps"

A question may have several checks (public and hidden); its score is the sum of the
points of its passing checks, so it gets full marks when all of them pass.

Where checks come from:

* ``cloudlab/checks/labNN.py`` is imported on the first use of a ``"labNN."`` name;
* extra modules (test fixtures, an instructor's own checks) are loaded from the ``.py``
  files listed in ``$CLOUDLAB_EXTRA_CHECKS`` (separated by ``os.pathsep``), or with
  :func:`register_module`. The grader passes every registered extra module on to the
  kernel that executes a notebook.

Name lookup for a check parameter: the explicit ``namespace=`` argument, else IPython's
``user_ns`` when running in a kernel, else the caller's module globals. A parameter
called ``cloud`` gets the notebook's ``cloud`` variable, else the active Cloud.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from cloudlab.checks.results import CheckResult, CheckSummary, QuestionResult
from cloudlab.errors import UnknownCheck

__all__ = [
    "EXTRA_CHECKS_ENV",
    "Check",
    "CheckResult",
    "CheckSummary",
    "Question",
    "QuestionResult",
    "available_labs",
    "check",
    "check_all",
    "extra_modules",
    "lab_questions",
    "question",
    "register_module",
    "run_all",
]

#: Environment variable listing extra check modules (``.py`` paths, ``os.pathsep``-separated).
EXTRA_CHECKS_ENV = "CLOUDLAB_EXTRA_CHECKS"

_NAME_RE = re.compile(r"^(?P<lab>[a-z][a-z0-9_]*)\.(?P<q>[A-Za-z_][A-Za-z0-9_]*)$")
_LAB_RE = re.compile(r"^[a-z][a-z0-9_]*$")

F = TypeVar("F", bound=Callable[..., Any])


# -- registry -------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One check function of a question, with its metadata."""

    question: str  # "lab01.fixed_fleet"
    func: Callable[..., Any]
    points: float
    hidden: bool
    title: str = ""

    @property
    def key(self) -> str:
        """Identity of the function (module + qualified name): re-registering replaces it."""
        return f"{self.func.__module__}.{self.func.__qualname__}"

    @property
    def params(self) -> list[inspect.Parameter]:
        return list(inspect.signature(self.func).parameters.values())


@dataclass
class Question:
    """A graded question: a name, a title and one or more checks."""

    name: str
    title: str = ""
    checks: list[Check] = field(default_factory=list)

    @property
    def lab(self) -> str:
        return self.name.split(".", 1)[0]

    def public_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.hidden]

    def hidden_checks(self) -> list[Check]:
        return [c for c in self.checks if c.hidden]

    @property
    def max_points(self) -> float:
        return sum(c.points for c in self.checks)


# lab id -> question name -> Question (insertion order = registration order)
_REGISTRY: dict[str, dict[str, Question]] = {}
_EXTRA_PATHS: list[str] = []  # resolved paths of registered extra modules, in order
_ENV_LOADED: set[str] = set()  # env entries already loaded


def question(
    name: str, *, points: float, title: str = "", hidden: bool = False
) -> Callable[[F], F]:
    """Register the decorated function as a check of question ``name`` (``"labNN.qname"``).

    Args:
        name: ``"<lab>.<question>"``, e.g. ``"lab01.fixed_fleet"``.
        points: points this check is worth (summed over the question's checks).
        title: short description shown to the learner (the first non-empty one wins).
        hidden: run only by the grader, never by ``check()`` in the notebook.

    Returns:
        The decorator; the function itself is returned unchanged.

    Raises:
        ValueError: on a malformed name or negative points.

    Example:
        >>> @question("lab00.hello", points=1, title="Say hello")   # doctest: +SKIP
        ... def hello(greeting):
        ...     assert greeting == "hello", "set greeting = 'hello'"
    """
    match = _NAME_RE.match(name)
    if match is None:
        raise ValueError(
            f"check name must look like 'lab01.fixed_fleet' (lab id, dot, question), got {name!r}"
        )
    if isinstance(points, bool) or not isinstance(points, int | float) or points < 0:
        raise ValueError(f"points must be a number >= 0, got {points!r}")

    def decorate(func: F) -> F:
        lab_q = _REGISTRY.setdefault(match["lab"], {})
        q = lab_q.setdefault(name, Question(name=name))
        new = Check(question=name, func=func, points=points, hidden=hidden, title=title)
        q.checks = [c for c in q.checks if c.key != new.key] + [new]
        if title and not q.title:
            q.title = title
        return func

    return decorate


def register_module(path: str | os.PathLike[str]) -> ModuleType:
    """Load a check module from a ``.py`` file so its ``@question`` checks are registered.

    Used for test fixtures and instructors' own labs. The grader re-registers every module
    loaded this way inside the kernel that executes a notebook. Loading the same file twice
    replaces its checks instead of duplicating them.

    Args:
        path: path of a Python file defining checks with ``@question``.

    Returns:
        The loaded module.

    Raises:
        FileNotFoundError: when the file does not exist.
    """
    p = Path(path).resolve()
    if not p.is_file():
        raise FileNotFoundError(f"check module {str(p)!r} does not exist; give a .py file path")
    mod_name = f"cloudlab_extra_checks.{re.sub(r'[^0-9A-Za-z_]', '_', p.stem)}"
    spec = importlib.util.spec_from_file_location(mod_name, p)
    if spec is None or spec.loader is None:  # pragma: no cover - only for odd suffixes
        raise ImportError(f"cannot load check module {str(p)!r}; give a .py file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    spec.loader.exec_module(module)
    if str(p) not in _EXTRA_PATHS:
        _EXTRA_PATHS.append(str(p))
    return module


def extra_modules() -> list[str]:
    """Paths of the extra check modules registered so far (env variable included)."""
    _load_env_extras()
    return list(_EXTRA_PATHS)


def _load_env_extras() -> None:
    for entry in os.environ.get(EXTRA_CHECKS_ENV, "").split(os.pathsep):
        entry = entry.strip()
        if entry and entry not in _ENV_LOADED:
            _ENV_LOADED.add(entry)
            register_module(entry)


def _builtin_labs() -> list[str]:
    here = Path(__file__).parent
    return sorted(p.stem for p in here.glob("lab*.py") if _LAB_RE.match(p.stem))


def available_labs() -> list[str]:
    """Lab ids that have checks: ``cloudlab/checks/labNN.py`` plus registered extra labs."""
    _load_env_extras()
    return sorted(set(_builtin_labs()) | {lab for lab, qs in _REGISTRY.items() if qs})


def _import_lab(lab: str) -> None:
    importlib.import_module(f"cloudlab.checks.{lab}")


def _ensure_lab(lab: str) -> dict[str, Question]:
    """The questions of ``lab``, importing ``cloudlab.checks.<lab>`` on first use."""
    _load_env_extras()
    if lab not in _REGISTRY and _LAB_RE.match(lab) and lab in _builtin_labs():
        _import_lab(lab)
    questions = _REGISTRY.get(lab)
    if not questions:
        labs = available_labs()
        raise UnknownCheck(
            f"no checks for lab {lab!r}{_suggest(lab, labs)}; "
            f"labs with checks: {', '.join(labs) or '(none)'}"
        )
    return questions


def lab_questions(lab: str) -> list[Question]:
    """Every question of ``lab`` in registration order.

    Raises:
        UnknownCheck: when no lab of that id has checks.
    """
    return list(_ensure_lab(lab).values())


def _lookup(name: str) -> Question:
    match = _NAME_RE.match(name) if isinstance(name, str) else None
    if match is None:
        raise UnknownCheck(
            f"check names look like 'lab01.fixed_fleet' (lab id, dot, question), got {name!r}"
        )
    questions = _ensure_lab(match["lab"])
    if name not in questions:
        names = list(questions)
        raise UnknownCheck(
            f"no check called {name!r}{_suggest(name, names)}; "
            f"checks of {match['lab']}: {', '.join(names)}"
        )
    return questions[name]


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# -- running --------------------------------------------------------------------------
class _Fail(Exception):
    """A check could not even start (missing or placeholder variable)."""


def _caller_namespace(depth: int) -> dict[str, Any]:
    """IPython's user namespace in a kernel, else the globals ``depth`` frames up."""
    try:
        from IPython import get_ipython  # type: ignore[attr-defined]

        shell = get_ipython()
    except Exception:  # noqa: BLE001 - IPython missing or broken: fall back to frames
        shell = None
    if shell is not None:
        return dict(shell.user_ns)
    frame = sys._getframe(depth + 1)
    return dict(frame.f_globals)


def _resolve_args(chk: Check, namespace: Mapping[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for p in chk.params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.name == "cloud":
            kwargs["cloud"] = _resolve_cloud(namespace)
            continue
        if p.name not in namespace:
            if p.default is not p.empty:
                continue
            raise _Fail(f"define `{p.name}` first (run the cells above)")
        value = namespace[p.name]
        if value is Ellipsis:
            raise _Fail(f"replace the `...` in `{p.name} = ...` with your answer, then run that "
                        f"cell again")
        kwargs[p.name] = value
    return kwargs


def _resolve_cloud(namespace: Mapping[str, Any]) -> Any:
    from cloudlab.cloud import Cloud, active_cloud

    candidate = namespace.get("cloud")
    if isinstance(candidate, Cloud):
        return candidate
    active = active_cloud()
    if active is None:
        raise _Fail("start the mini cloud first: run the cell with `cloud = Cloud(seed=...)`")
    return active


def _run_check(chk: Check, namespace: Mapping[str, Any], title: str) -> CheckResult:
    def result(passed: bool, hint: str = "", error: str = "") -> CheckResult:
        return CheckResult(name=chk.question, title=title, passed=passed,
                           points=chk.points if passed else 0, max_points=chk.points,
                           hint=hint, error=error)

    try:
        kwargs = _resolve_args(chk, namespace)
    except _Fail as fail:
        return result(False, hint=str(fail))
    except Exception as exc:  # noqa: BLE001 - a broken cloud lookup must not crash a notebook
        return result(False, error=f"your code raised {type(exc).__name__}: {exc}")
    try:
        chk.func(**kwargs)
    except AssertionError as exc:
        return result(False, hint=str(exc) or "not right yet; read the question again")
    except Exception as exc:  # noqa: BLE001 - any other exception is a fail, never a crash
        doc = inspect.getdoc(chk.func) or ""
        return result(False, hint=doc.splitlines()[0] if doc else "",
                      error=f"your code raised {type(exc).__name__}: {exc}")
    return result(True)


def _combine(name: str, title: str, results: list[CheckResult]) -> CheckResult:
    failed = [r for r in results if not r.passed]
    return CheckResult(
        name=name,
        title=title,
        passed=not failed,
        points=sum(r.points for r in results),
        max_points=sum(r.max_points for r in results),
        hint=failed[0].hint if failed else "",
        error=failed[0].error if failed else "",
    )


def _check_question(q: Question, namespace: Mapping[str, Any]) -> CheckResult:
    public = q.public_checks()
    if not public:
        return CheckResult(name=q.name, title=q.title, passed=True, points=0, max_points=0,
                           hint="this question is checked only by the grader (hidden checks)")
    return _combine(q.name, q.title, [_run_check(c, namespace, q.title) for c in public])


def check(name: str, *, namespace: Mapping[str, Any] | None = None) -> CheckResult:
    """Check one question with its public checks and return a result that renders itself.

    Never raises on a wrong answer: the result says "Not yet" with a hint.

    Args:
        name: ``"labNN.question"``.
        namespace: where to find the student's variables (default: the notebook's).

    Returns:
        A :class:`CheckResult`.

    Raises:
        UnknownCheck: when no lab or question has that name (with a suggestion).

    Example:
        >>> check("lab01.fixed_fleet")      # doctest: +SKIP
        ✓ Passed lab01.fixed_fleet: Fleet sized for the peak (2/2 points)
    """
    ns = namespace if namespace is not None else _caller_namespace(1)
    return _check_question(_lookup(name), ns)


def check_all(lab: str, *, namespace: Mapping[str, Any] | None = None) -> CheckSummary:
    """Run the public checks of every question of ``lab`` (a notebook's last cell).

    Raises:
        UnknownCheck: when ``lab`` has no checks.
    """
    ns = namespace if namespace is not None else _caller_namespace(1)
    return CheckSummary(lab=lab, results=[_check_question(q, ns) for q in lab_questions(lab)])


def run_all(
    lab: str, namespace: Mapping[str, Any], include_hidden: bool = True
) -> list[QuestionResult]:
    """Grade every question of ``lab`` against ``namespace`` (what the grader runs).

    Args:
        lab: lab id, e.g. ``"lab01"``.
        namespace: the executed notebook's variables.
        include_hidden: also run hidden checks (default).

    Returns:
        One :class:`QuestionResult` per question, in registration order.

    Raises:
        UnknownCheck: when ``lab`` has no checks.
    """
    out: list[QuestionResult] = []
    for q in lab_questions(lab):
        chosen = q.checks if include_hidden else q.public_checks()
        results = [_run_check(c, namespace, q.title) for c in chosen]
        out.append(QuestionResult(
            name=q.name, title=q.title,
            score=sum(r.points for r in results), max_score=sum(r.max_points for r in results),
            checks=results, hidden=[c.hidden for c in chosen],
        ))
    return out
