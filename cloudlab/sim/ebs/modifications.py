"""Elastic Volumes: ModifyVolume's state machine over virtual time, and its rules.

A modification of size, type, IOPS or throughput happens in place, on an attached volume,
with no detach and no snapshot-and-restore. It moves through ``modifying`` (MODEL: a few
seconds), ``optimizing`` (MODEL: about 6 hours per fully used TiB, "Typically, a fully used
1-TiB volume takes about 6 hours to migrate to a new performance configuration") and
``completed``. The new size can be used once the modification is ``optimizing``; the file
system must then be extended (``growpart``, ``resize2fs``/``xfs_growfs``).
https://docs.aws.amazon.com/ebs/latest/userguide/monitoring-volume-modifications.html

Rules AWS enforces, and the errors the mini cloud returns (``ClientError`` codes):

- a volume never shrinks: ``InvalidParameterValue`` "New size cannot be smaller than existing
  size" (the EC2 API's own message);
- a modification must reach ``completed`` before the next one starts:
  ``IncorrectModificationState``;
- at most four modifications per volume in a rolling 24-hour period:
  ``VolumeModificationRateExceeded``. This replaced (2026) the older rule "after modifying a
  volume, you must wait at least six hours" that older study notes teach.
  https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyVolume.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cloudlab.sim.ebs.catalog import BLOCKS_PER_GIB, model_figure

__all__ = ["Modification", "modification_error", "start_modification"]

DAY_S = 86400.0


@dataclass
class Modification:
    """One ``ModifyVolume`` request and its progress over virtual time.

    Attributes:
        volume_id: the volume.
        start_t / optimizing_t / end_t: virtual seconds when it started, entered
            ``optimizing`` and completed.
        original / target: ``{"Size", "VolumeType", "Iops", "Throughput"}`` before and after
            (only the keys the request changed are in ``target``).
    """

    volume_id: str
    start_t: float
    optimizing_t: float
    end_t: float
    original: dict[str, Any]
    target: dict[str, Any]

    def state(self, t: float) -> str:
        if t < self.optimizing_t:
            return "modifying"
        return "optimizing" if t < self.end_t else "completed"

    def progress_pct(self, t: float) -> int:
        if t >= self.end_t:
            return 100
        span = self.end_t - self.start_t
        return 0 if span <= 0 else min(99, int(100 * (t - self.start_t) / span))

    def size_in_effect(self, t: float) -> bool:
        """The new size is usable once the modification is optimizing."""
        return t >= self.optimizing_t


def start_modification(volume_id: str, t: float, original: dict[str, Any],
                       target: dict[str, Any], written_blocks: int) -> Modification:
    """A modification starting at ``t`` for a volume holding ``written_blocks`` of data."""
    modifying = float(model_figure("modification", "modifying_s"))
    tib = written_blocks / BLOCKS_PER_GIB / 1024
    optimizing = max(float(model_figure("modification", "min_optimizing_s")),
                     3600.0 * float(model_figure("modification", "optimizing_h_per_tib")) * tib)
    return Modification(volume_id=volume_id, start_t=t, optimizing_t=t + modifying,
                        end_t=t + modifying + optimizing, original=dict(original),
                        target=dict(target))


def modification_error(volume_id: str, history: list[Modification], t: float,
                       when: Any) -> tuple[str, str] | None:
    """``(code, message)`` when a new modification of the volume is not allowed at ``t``.

    Args:
        history: earlier modifications of the volume, oldest first.
        when: ``f(t) -> datetime`` to show a virtual time in the message.
    """
    if history:
        last = history[-1]
        state = last.state(t)
        if state != "completed":
            return ("IncorrectModificationState",
                    f"Volume {volume_id} cannot be modified in modification state "
                    f"{state.upper()}")
    recent = [m for m in history if m.start_t > t - DAY_S]
    limit = int(model_figure("modification", "max_per_24h"))
    if len(recent) >= limit:
        again = when(recent[0].start_t + DAY_S)
        return ("VolumeModificationRateExceeded",
                f"You've reached the maximum modification rate per volume limit "
                f"({limit} modifications in a rolling 24-hour period). You can modify volume "
                f"{volume_id} again after {again:%Y-%m-%dT%H:%M:%SZ}.")
    return None
