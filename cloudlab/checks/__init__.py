"""Checks: ``check()`` for learners, ``@question`` for lab authors, ``run_all()`` for the grader.

The framework lives in :mod:`cloudlab.checks.core`; each lab's checks live in
``cloudlab/checks/labNN.py`` and are imported on first use of a ``"labNN."`` name.
"""

from __future__ import annotations

from cloudlab.checks.core import (
    EXTRA_CHECKS_ENV,
    Check,
    CheckResult,
    CheckSummary,
    Question,
    QuestionResult,
    available_labs,
    check,
    check_all,
    extra_modules,
    lab_questions,
    question,
    register_module,
    run_all,
)

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
