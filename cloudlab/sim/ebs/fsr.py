"""Fast snapshot restore (FSR): volumes that are fully initialised when they are created.

moto has no FSR API (``EnableFastSnapshotRestores`` raises ``NotImplementedError``), so the
mini cloud answers ``EnableFastSnapshotRestores``, ``DescribeFastSnapshotRestores`` and
``DisableFastSnapshotRestores`` itself. Semantics (Amazon EBS User Guide):

- FSR is enabled per snapshot *and* Availability Zone; each pair moves through ``enabling``,
  ``optimizing`` ("it takes 60 minutes per TiB to optimize a snapshot") and ``enabled``;
  disabling goes through ``disabling`` to ``disabled``.
- A volume created in an enabled AZ while the pair's credit bucket holds a credit is fully
  initialised at creation (``FastRestored``) and uses one credit. The bucket starts empty,
  fills at MIN(10, 1024 / snapshot_size_gib) credits per hour up to
  MAX(1, MIN(10, 1024 / snapshot_size_gib)) credits.
- It is billed per minute while enabled, one DSU-hour per snapshot per AZ (price in
  ``ebs_prices.json``).

https://docs.aws.amazon.com/ebs/latest/userguide/ebs-fast-snapshot-restore.html ,
https://docs.aws.amazon.com/ebs/latest/userguide/volume-creation-credits.html
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cloudlab.sim.ebs.catalog import model_figure

__all__ = ["FastRestore"]


@dataclass
class FastRestore:
    """Fast snapshot restore of one snapshot in one Availability Zone."""

    snapshot_id: str
    az: str
    region: str
    size_gib: int
    owner_id: str
    enabling_t: float
    disabling_t: float | None = None
    _credits: float = 0.0
    _credits_t: float | None = None  # when ``_credits`` was last brought up to date

    @property
    def optimizing_t(self) -> float:
        return self.enabling_t + float(model_figure("fast_snapshot_restore", "enabling_s"))

    @property
    def enabled_t(self) -> float:
        per_tib = 60.0 * float(model_figure("fast_snapshot_restore", "optimizing_min_per_tib"))
        return self.optimizing_t + per_tib * self.size_gib / 1024

    def state(self, t: float) -> str:
        if self.disabling_t is not None and t >= self.disabling_t:
            return "disabling" if t < self.disabling_t + 60 else "disabled"
        if t < self.optimizing_t:
            return "enabling"
        return "optimizing" if t < self.enabled_t else "enabled"

    @property
    def fill_per_hour(self) -> float:
        return min(10.0, 1024.0 / max(1, self.size_gib))

    @property
    def bucket_size(self) -> float:
        return max(1.0, min(10.0, 1024.0 / max(1, self.size_gib)))

    def credits(self, t: float) -> float:
        """Volume creation credits in the bucket at ``t`` (0 until FSR is enabled)."""
        if self.state(t) != "enabled":
            return 0.0
        since = self.enabled_t if self._credits_t is None else self._credits_t
        base = 0.0 if self._credits_t is None else self._credits
        return min(self.bucket_size, base + self.fill_per_hour * max(0.0, t - since) / 3600)

    def use_credit(self, t: float) -> bool:
        """Take one credit for a new volume; False when the bucket has less than one."""
        have = self.credits(t)
        if have < 1.0:
            return False
        self._credits, self._credits_t = have - 1.0, t
        return True

    def describe(self, t: float, when: Callable[[float], datetime]) -> dict[str, Any]:
        """The ``DescribeFastSnapshotRestores`` item at ``t`` (``when(t)`` gives a datetime)."""
        state = self.state(t)
        item: dict[str, Any] = {
            "SnapshotId": self.snapshot_id, "AvailabilityZone": self.az, "State": state,
            "StateTransitionReason": "Client.UserInitiated", "OwnerId": self.owner_id,
            "EnablingTime": when(self.enabling_t),
        }
        if t >= self.optimizing_t:
            item["OptimizingTime"] = when(self.optimizing_t)
        if t >= self.enabled_t and (self.disabling_t is None or self.disabling_t > self.enabled_t):
            item["EnabledTime"] = when(self.enabled_t)
        if self.disabling_t is not None and t >= self.disabling_t:
            item["DisablingTime"] = when(self.disabling_t)
            if state == "disabled":
                item["DisabledTime"] = when(self.disabling_t + 60)
        return item
