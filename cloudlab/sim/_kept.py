"""A value the simulation keeps while nothing it depends on changes: :class:`Kept`.

The router's route and cost, and Auto Scaling's running instances, are recomputed only when
a generation counter moves (the instance book's, a target group's) or the virtual time
reaches the next instance state change; this one small holder says when that is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["Kept"]


@dataclass
class Kept:
    """A value computed at ``since`` that holds while its ``key`` (generation counters) is
    unchanged and the time is in ``[since, until)`` (``until``: the next state change)."""

    key: tuple[int, ...] = ()
    since: float = math.inf
    until: float = -math.inf
    value: Any = None

    def holds(self, key: tuple[int, ...], t: float) -> bool:
        return key == self.key and self.since <= t < self.until

    def keep(self, key: tuple[int, ...], since: float, until: float, value: Any) -> None:
        self.key, self.since, self.until, self.value = key, since, until, value
