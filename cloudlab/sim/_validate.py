"""Boundary validation shared by the simulation modules: numbers and datetimes.

Each helper raises :class:`~cloudlab.errors.InvalidScenario` with a message that names the
argument, says what was expected and what was given: ``"duration_h must be >= 0, got -2"``.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

from cloudlab.errors import InvalidScenario

__all__ = ["integer", "number", "require_aware"]


def number(
    name: str, value: object, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """``value`` as a finite float within ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidScenario(f"{name} must be a number, got {type(value).__name__} {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise InvalidScenario(f"{name} must be a finite number, got {value!r}")
    if minimum is not None and v < minimum:
        raise InvalidScenario(f"{name} must be >= {minimum:g}, got {v:g}")
    if maximum is not None and v > maximum:
        raise InvalidScenario(f"{name} must be <= {maximum:g}, got {v:g}")
    return v


def integer(name: str, value: object, *, minimum: int | None = None) -> int:
    """``value`` as an int (whole floats such as ``3.0`` are accepted) >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidScenario(
            f"{name} must be a whole number, got {type(value).__name__} {value!r}"
        )
    if not float(value).is_integer():
        raise InvalidScenario(f"{name} must be a whole number, got {value!r}")
    v = int(value)
    if minimum is not None and v < minimum:
        raise InvalidScenario(f"{name} must be >= {minimum}, got {v}")
    return v


def require_aware(when: object, name: str = "start") -> None:
    """Raise unless ``when`` is a timezone-aware ``datetime``."""
    if not isinstance(when, datetime) or when.tzinfo is None:
        raise InvalidScenario(
            f"{name} must be a timezone-aware datetime, got {when!r}; "
            "e.g. datetime(2026, 1, 9, 18, tzinfo=timezone.utc)"
        )
