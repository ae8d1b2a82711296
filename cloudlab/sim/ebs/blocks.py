"""A volume's blocks: which 512 KiB blocks hold data, which version, which are stored.

moto keeps a volume's size and type; the data plane lives here. A :class:`VolumeBlocks` is a
*sparse* block map: only written blocks are kept, as three aligned, sorted numpy arrays

- ``idx``: block numbers (block ``i`` covers bytes ``i * 512 KiB`` onward),
- ``ver``: a data version per block, unique in the whole cloud (every write makes new ones),
  so two blocks hold the same data exactly when their versions are equal;
- ``obj``: the snapshot storage object the block's current data is already stored in
  (0 when no snapshot holds it yet). A write resets it to 0: that is how a block becomes
  *changed since the last snapshot*, and what the next (incremental) snapshot stores.

A volume restored from a snapshot also has a :class:`LoadPlan`: its blocks live in Amazon S3
until they are loaded (lazy loading). Blocks load in the background (in block order) at a
rate that a pre-warm read (``fio``/``dd``), a Provisioned Rate for Volume Initialization or
fast snapshot restore raises; a read or a write of a block loads it at once (the read is the
slow *first touch*).

Sources: how snapshots store blocks,
https://docs.aws.amazon.com/ebs/latest/userguide/how_snapshots_work.html ; lazy loading and
initialisation, https://docs.aws.amazon.com/ebs/latest/userguide/initalize-volume.html
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cloudlab.sim.ebs.catalog import BLOCKS_PER_GIB

__all__ = ["BoolArray", "IntArray", "LoadPlan", "VolumeBlocks", "digest_of", "merge_blocks"]

IntArray = np.ndarray[Any, np.dtype[np.int64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


def _empty() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def digest_of(idx: IntArray, ver: IntArray) -> str:
    """A short fingerprint of a block map: equal exactly when the data is the same."""
    h = hashlib.sha1(usedforsecurity=False)
    h.update(np.ascontiguousarray(idx, dtype=np.int64).tobytes())
    h.update(b"|")
    h.update(np.ascontiguousarray(ver, dtype=np.int64).tobytes())
    return h.hexdigest()[:16]


def merge_blocks(idx: IntArray, ver: IntArray, obj: IntArray, new_idx: IntArray,
                 new_ver: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """The block map after writing ``new_ver`` at ``new_idx`` (sorted, unique): written blocks
    take their new version and lose their stored object (``obj`` 0)."""
    keep = ~np.isin(idx, new_idx, assume_unique=True)
    all_idx = np.concatenate([idx[keep], new_idx])
    order = np.argsort(all_idx, kind="stable")
    return (all_idx[order],
            np.concatenate([ver[keep], new_ver])[order],
            np.concatenate([obj[keep], np.zeros(len(new_idx), dtype=np.int64)])[order])


@dataclass
class LoadPlan:
    """Lazy loading of a volume restored from a snapshot.

    Attributes:
        source_index: sorted block numbers that hold snapshot data (what must be loaded).
        touched: aligned with ``source_index``: loaded early by a read or a write.
        segments: ``(t, blocks_per_s)`` background loading rate from time ``t`` on.
        kind: ``"default"``, ``"provisioned-rate"`` or ``"fast-snapshot-restore"``.
    """

    source_index: IntArray
    touched: BoolArray
    segments: list[tuple[float, float]]
    kind: str = "default"
    rate_mibps: float | None = None  # VolumeInitializationRate, when provisioned

    @classmethod
    def start(cls, source_index: IntArray, t: float, blocks_per_s: float, kind: str,
              rate_mibps: float | None = None) -> LoadPlan:
        n = len(source_index)
        touched = np.zeros(n, dtype=bool)
        if kind == "fast-snapshot-restore":
            touched[:] = True
        return cls(source_index, touched, [(float(t), float(blocks_per_s))], kind, rate_mibps)

    @property
    def total(self) -> int:
        return len(self.source_index)

    def background_count(self, t: float) -> int:
        """Blocks the background process (and any pre-warm read) has loaded by time ``t``."""
        done = 0.0
        for i, (start, rate) in enumerate(self.segments):
            if t <= start:
                break
            end = self.segments[i + 1][0] if i + 1 < len(self.segments) else t
            done += rate * (min(end, t) - start)
        return int(min(self.total, done + 1e-6))  # 1e-6: float error of t = start + eta_s

    def loaded_count(self, t: float) -> int:
        k = self.background_count(t)
        return k + int(self.touched[k:].sum())

    def fraction(self, t: float) -> float:
        return 1.0 if self.total == 0 else self.loaded_count(t) / self.total

    def rate_at(self, t: float) -> float:
        rate = 0.0
        for start, r in self.segments:
            if start <= t:
                rate = r
        return rate

    def raise_rate(self, t: float, blocks_per_s: float) -> None:
        """From ``t`` on, load at least ``blocks_per_s`` (a pre-warm read never slows it)."""
        if blocks_per_s > self.rate_at(t):
            self.segments = [s for s in self.segments if s[0] < t] + [(float(t), blocks_per_s)]

    def eta_s(self, t: float) -> float:
        """Seconds from ``t`` until every block is loaded at the current rate."""
        missing = self.total - self.loaded_count(t)
        rate = self.rate_at(t)
        if missing <= 0:
            return 0.0
        return float("inf") if rate <= 0 else missing / rate

    def loaded(self, blocks: IntArray, t: float) -> BoolArray:
        """For each block number, whether it is on the volume (not waiting in S3) at ``t``."""
        pos = np.searchsorted(self.source_index, blocks)
        pos_c = np.minimum(pos, max(self.total - 1, 0))
        in_source = (pos < self.total) & (self.source_index[pos_c] == blocks) if self.total \
            else np.zeros(len(blocks), dtype=bool)
        k = self.background_count(t)
        early = np.zeros(len(blocks), dtype=bool)
        if self.total:
            early = self.touched[pos_c] | (pos_c < k)
        return ~in_source | early

    def touch(self, blocks: IntArray) -> None:
        """Mark blocks as loaded (they were read or overwritten)."""
        if not self.total:
            return
        pos = np.searchsorted(self.source_index, blocks)
        pos_c = np.minimum(pos, self.total - 1)
        hit = (pos < self.total) & (self.source_index[pos_c] == blocks)
        self.touched[pos_c[hit]] = True


@dataclass
class VolumeBlocks:
    """The block map of one EBS volume (see the module docstring).

    Attributes:
        volume_id / region / az: where the volume is.
        created_t: virtual seconds at creation.
        fs_gib: size of the file system on the volume: a volume grown with Elastic Volumes
            keeps its old file system size until the file system is extended.
        source_snapshot: the snapshot it was restored from, if any.
        plan: lazy loading state of a restored volume.
        detached_t: virtual times at which it was detached.
        reads: one record per :func:`~cloudlab.sim.ebs.read_blocks` call.
    """

    volume_id: str
    region: str
    az: str
    created_t: float
    fs_gib: float
    idx: IntArray = field(default_factory=_empty)
    ver: IntArray = field(default_factory=_empty)
    obj: IntArray = field(default_factory=_empty)
    source_snapshot: str | None = None
    plan: LoadPlan | None = None
    fast_restored: bool = False
    detached_t: list[float] = field(default_factory=list)
    reads: list[Any] = field(default_factory=list)

    @property
    def written_gib(self) -> float:
        return len(self.idx) / BLOCKS_PER_GIB

    @property
    def changed_gib(self) -> float:
        """Data no snapshot stores yet (written or overwritten since it was last stored)."""
        return int(np.count_nonzero(self.obj == 0)) / BLOCKS_PER_GIB

    def digest(self) -> str:
        return digest_of(self.idx, self.ver)

    def write(self, blocks: IntArray, versions: IntArray) -> None:
        """Write new data versions to sorted, unique block numbers."""
        self.idx, self.ver, self.obj = merge_blocks(self.idx, self.ver, self.obj, blocks,
                                                    versions)
        if self.plan is not None:
            self.plan.touch(blocks)

    def initialized_fraction(self, t: float) -> float:
        return 1.0 if self.plan is None else self.plan.fraction(t)
