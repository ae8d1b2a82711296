"""Python's garbage collector during allocation-heavy work: :class:`BusyCollector`.

A run (and the first read of a long run's metrics) allocates hundreds of thousands of
objects while the objects made before it (moto's and botocore's, some 300,000) stay alive.
With the default settings the allocations trigger hundreds of young collections and a full
collection that walks every old object and can free none of them.
"""

from __future__ import annotations

import gc
from types import TracebackType

__all__ = ["BUSY_GC_ALLOCATIONS", "BusyCollector"]

#: Net allocations between two collections of the youngest generation during busy work.
BUSY_GC_ALLOCATIONS = 20_000


class BusyCollector:
    """The cyclic garbage collector tuned for a stretch of busy work, and put back as it was
    by :meth:`restore` (or at the end of a ``with`` block).

    - The objects that exist before the work are frozen (:func:`gc.freeze`) until it ends:
      a full collection walks them all (about 0.2 s in a kernel holding a cloud, once or
      twice in a virtual week) and can free none of them while the cloud is in use. Left
      as it is when someone else has frozen objects (their freeze is not ours to undo),
      or when the collector is disabled.
    - The youngest generation is collected after :data:`BUSY_GC_ALLOCATIONS` net
      allocations instead of the default 700: a week's run otherwise makes some 200 young
      collections and 17 middle ones (0.07 s); with the larger threshold, a few (0.02 s).
      The objects the work makes and drops (rows, routes, history items) hold no cycles
      worth collecting sooner, and 20,000 more objects is a megabyte or two.

    Objects made during the work are collected as usual, and afterwards every object is
    collectable again."""

    def __init__(self) -> None:
        self.frozen = not gc.get_freeze_count() and gc.isenabled()
        if self.frozen:
            gc.freeze()
        self.thresholds = gc.get_threshold()
        if self.thresholds[0] and self.thresholds[0] < BUSY_GC_ALLOCATIONS:
            gc.set_threshold(BUSY_GC_ALLOCATIONS, *self.thresholds[1:])

    def restore(self) -> None:
        gc.set_threshold(*self.thresholds)
        if self.frozen:
            gc.unfreeze()

    def __enter__(self) -> BusyCollector:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.restore()
