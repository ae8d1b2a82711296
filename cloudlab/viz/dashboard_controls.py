"""Replay controls of the scaling dashboard: checking slider specs and the values sent back.

This module owns what a control is (``{"value", "min", "max", "step", "label"}``, see
:func:`check_control`) and how a value from the view is checked and typed
(:func:`check_value`): integral sliders give ``int`` values, so ``replay(min_size=3)``
receives what a learner would type. Errors are ``traitlets.TraitError`` with a message that
says what to pass, as the widget's ``@validate`` methods raise them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import traitlets

__all__ = ["CONTROL_KEYS", "check_control", "check_value"]

#: The keys of one control, e.g. ``dict(value=75, min=10, max=100, step=5, label="...")``.
CONTROL_KEYS = ("value", "min", "max", "step", "label")


def _number(name: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise traitlets.TraitError(
            f"control {name!r}: {key} must be a number, got {type(value).__name__} {value!r}"
        )
    number = float(value)
    if not math.isfinite(number):
        raise traitlets.TraitError(f"control {name!r}: {key} must be finite, got {value!r}")
    return number


def _is_integral(spec: Mapping[str, Any]) -> bool:
    return all(float(spec[k]).is_integer() for k in ("min", "max", "step"))


def _as_control_value(spec: Mapping[str, Any], value: float) -> int | float:
    return int(value) if _is_integral(spec) and value.is_integer() else value


def check_control(name: Any, spec: Any) -> dict[str, Any]:
    """One control checked and completed: value, min, max, step and label."""
    if not isinstance(name, str) or not name.isidentifier():
        raise traitlets.TraitError(
            f"control names become keyword arguments of replay(), so they must be Python "
            f"identifiers, got {name!r}"
        )
    if not isinstance(spec, Mapping):
        raise traitlets.TraitError(
            f"control {name!r} must be a dict like dict(value=75, min=10, max=100, step=5, "
            f"label='Scale out above CPU %'), got {type(spec).__name__}"
        )
    unknown = sorted(set(spec) - set(CONTROL_KEYS))
    if unknown:
        raise traitlets.TraitError(
            f"control {name!r} has unknown keys {unknown}; use {', '.join(CONTROL_KEYS)}"
        )
    if "min" not in spec or "max" not in spec:
        raise traitlets.TraitError(f"control {name!r} needs min and max, got {dict(spec)}")
    lo, hi = _number(name, "min", spec["min"]), _number(name, "max", spec["max"])
    if not lo < hi:
        raise traitlets.TraitError(f"control {name!r}: min must be < max, got {lo:g} >= {hi:g}")
    value = _number(name, "value", spec.get("value", lo))
    step = _number(name, "step", spec.get("step", 1.0))
    if not step > 0:
        raise traitlets.TraitError(f"control {name!r}: step must be > 0, got {step:g}")
    if not lo <= value <= hi:
        raise traitlets.TraitError(
            f"control {name!r}: value must be between min {lo:g} and max {hi:g}, got {value:g}"
        )
    out: dict[str, Any] = {"min": lo, "max": hi, "step": step}
    out = {k: _as_control_value(out, v) for k, v in out.items()}
    out["value"] = _as_control_value(out, value)
    out["label"] = str(spec.get("label", name))
    return out


def check_value(controls: Mapping[str, Mapping[str, Any]], name: str, value: Any) -> int | float:
    """``value`` for the control ``name``, checked against its range and typed like it.

    Raises:
        traitlets.TraitError: no such control, not a number, or out of range.
    """
    spec = controls.get(name)
    if spec is None:
        known = ", ".join(controls) or "none"
        raise traitlets.TraitError(f"no control named {name!r}; the controls are {known}")
    number = _number(name, "value", value)
    if not spec["min"] <= number <= spec["max"]:
        raise traitlets.TraitError(
            f"{name} must be between {spec['min']:g} and {spec['max']:g}, got {number:g}"
        )
    return _as_control_value(spec, number)
