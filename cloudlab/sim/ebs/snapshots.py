"""Snapshots: incremental storage, completion over virtual time, copies, deletion.

AWS semantics modelled here (Amazon EBS User Guide):

- **Incremental.** "The first snapshot that you create from a volume is always a full
  snapshot. It includes all of the data blocks written to the volume ... Subsequent snapshots
  of the same volume are incremental snapshots. They include only changed and new data
  blocks written to the volume since the last snapshot." A snapshot of a volume restored from
  a snapshot is incremental to that snapshot too ("Snap B is an incremental snapshot of
  Snap A, even though it was created from a different volume").
  https://docs.aws.amazon.com/ebs/latest/userguide/how_snapshots_work.html
- **Deletion.** "When you delete a snapshot, only the data not needed for any other snapshot
  is removed": a snapshot's blocks are storage objects shared by reference, and a Region
  stores (and bills) every object some snapshot still references.
  https://docs.aws.amazon.com/ebs/latest/userguide/ebs-deleting-snapshot.html
- **Asynchronous.** A snapshot captures the volume when it is created but stays ``pending``
  while its changed blocks are copied to S3 (MODEL rate in ``ebs_model.json``), then turns
  ``completed``; ``Progress`` grows meanwhile.
- **Copies.** A copy within a Region copies no data. The first copy to another Region is a
  full copy; later copies of snapshots of the same volume are incremental "if the most recent
  snapshot copy still exists in the destination Region" and has the same encryption; a copy
  started while another is pending starts when that one finishes.
  https://docs.aws.amazon.com/ebs/latest/userguide/ebs-copy-snapshot.html
- **Archive tier.** An archived snapshot leaves the standard tier and is billed in full.

Storage objects have ids unique in the cloud. Which snapshot "stores" an object (its
``stored_gib``) is decided in creation order: the oldest snapshot of the Region that
references it. That is how the console's incremental sizes behave, and why deleting an old
snapshot moves its still-needed blocks to the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cloudlab.sim.ebs.blocks import BoolArray, IntArray, VolumeBlocks, digest_of
from cloudlab.sim.ebs.catalog import BLOCK_SIZE_KIB, BLOCKS_PER_GIB, model_figure

__all__ = ["SnapshotBook", "SnapshotRecord", "transfer_seconds"]


def transfer_seconds(blocks: int, mibps: float, fixed_s: float) -> float:
    """Seconds to move ``blocks`` 512 KiB blocks at ``mibps`` MiB/s, plus a fixed time."""
    return float(fixed_s) + blocks * (BLOCK_SIZE_KIB / 1024) / float(mibps)


@dataclass
class SnapshotRecord:
    """One snapshot as the simulation sees it (moto keeps its id, tags and description).

    Attributes:
        snapshot_id / region: where it is.
        lineage: id of the volume whose data it holds (copies keep their source's lineage).
        volume_id: the volume it was taken from (``vol-ffffffff`` for copies, as on AWS).
        created_t / start_t / done_t: request, start of the transfer and completion (virtual s).
        size_gib: the volume size when it was taken (``VolumeSize``).
        fs_gib: the file system size on that volume (a volume restored from it starts there).
        idx / ver / obj: its block map and the storage object of each block.
        new_blocks: blocks this snapshot transferred when it was made (incremental size).
        copy_of / source_region / transfer_type / completion_minutes: for copies.
        encryption: ``(encrypted, kms key or "")`` (copies stay incremental only when equal).
        tier: ``"standard"`` or ``"archive"``.
        deleted_t: when it was deleted (kept for the books).
    """

    snapshot_id: str
    region: str
    lineage: str
    volume_id: str
    created_t: float
    start_t: float
    done_t: float
    size_gib: int
    fs_gib: float
    idx: IntArray
    ver: IntArray
    obj: IntArray
    new_blocks: int
    owner_id: str = ""
    copy_of: str | None = None
    source_region: str | None = None
    transfer_type: str | None = None
    completion_minutes: int | None = None
    encryption: tuple[bool, str] = (False, "")
    tier: str = "standard"
    deleted_t: float | None = None

    def state(self, t: float) -> str:
        return "completed" if t >= self.done_t else "pending"

    def progress_pct(self, t: float) -> int:
        if t >= self.done_t:
            return 100
        if t <= self.start_t or self.done_t <= self.start_t:
            return 0
        return min(99, int(100 * (t - self.start_t) / (self.done_t - self.start_t)))

    @property
    def full_gib(self) -> float:
        """Every block written to the volume when the snapshot was taken."""
        return len(self.idx) / BLOCKS_PER_GIB

    @property
    def transferred_gib(self) -> float:
        return self.new_blocks / BLOCKS_PER_GIB

    def digest(self) -> str:
        return digest_of(self.idx, self.ver)


@dataclass
class SnapshotBook:
    """Every snapshot of one cloud, with the storage-object counter and per-Region views."""

    records: dict[str, SnapshotRecord] = field(default_factory=dict)
    deleted: dict[str, SnapshotRecord] = field(default_factory=dict)
    next_object: int = 1
    _live: dict[str, BoolArray] = field(default_factory=dict)

    # -- views ------------------------------------------------------------------------
    def in_region(self, region: str) -> list[SnapshotRecord]:
        """Existing snapshots of a Region, oldest first."""
        return sorted((r for r in self.records.values() if r.region == region),
                      key=lambda r: r.created_t)

    def live_table(self, region: str) -> BoolArray:
        """``table[obj]`` is True for the storage objects that standard-tier snapshots of
        ``region`` reference (object ids are small integers, so a table beats sets)."""
        table = self._live.get(region)
        if table is None or len(table) < self.next_object:
            table = np.zeros(self.next_object, dtype=bool)
            for rec in self.in_region(region):
                if rec.tier == "standard":
                    table[rec.obj] = True
            table[0] = False
            self._live[region] = table
        return table

    def is_live(self, region: str, objects: IntArray) -> BoolArray:
        table = self.live_table(region)
        inside = objects < len(table)
        out = np.zeros(len(objects), dtype=bool)
        out[inside] = table[objects[inside]]
        return out

    def stored_blocks(self, region: str) -> dict[str, int]:
        """Blocks each standard-tier snapshot of ``region`` stores (what no older one does).
        A snapshot's blocks are distinct objects, so one pass over a table counts them."""
        seen = np.zeros(self.next_object, dtype=bool)
        out: dict[str, int] = {}
        for rec in self.in_region(region):
            if rec.tier != "standard":
                out[rec.snapshot_id] = 0
                continue
            out[rec.snapshot_id] = int(np.count_nonzero(~seen[rec.obj]))
            seen[rec.obj] = True
        return out

    def _changed(self, region: str) -> None:
        self._live.pop(region, None)

    def _new_objects(self, n: int) -> IntArray:
        out = np.arange(self.next_object, self.next_object + n, dtype=np.int64)
        self.next_object += n
        return out

    def pending_for_volume(self, volume_id: str, t: float) -> int:
        return sum(1 for r in self.records.values()
                   if r.copy_of is None and r.volume_id == volume_id and r.state(t) == "pending")

    # -- operations -------------------------------------------------------------------
    def take(self, snapshot_id: str, volume: VolumeBlocks, size_gib: int, t: float, *,
             owner_id: str = "", encryption: tuple[bool, str] = (False, "")) -> SnapshotRecord:
        """Snapshot ``volume`` now: store the blocks no snapshot of its Region holds yet."""
        stored = (volume.obj != 0) & self.is_live(volume.region, volume.obj)
        obj = volume.obj.copy()
        fresh = ~stored
        obj[fresh] = self._new_objects(int(fresh.sum()))
        volume.obj = obj.copy()  # the volume's blocks are now stored
        n_new = int(fresh.sum())
        duration = transfer_seconds(n_new, model_figure("snapshot", "create_mibps"),
                                    model_figure("snapshot", "fixed_s"))
        rec = SnapshotRecord(
            snapshot_id=snapshot_id, region=volume.region, lineage=volume.volume_id,
            volume_id=volume.volume_id, created_t=t, start_t=t, done_t=t + duration,
            size_gib=int(size_gib), fs_gib=volume.fs_gib, idx=volume.idx.copy(),
            ver=volume.ver.copy(), obj=obj, new_blocks=n_new, owner_id=owner_id,
            encryption=encryption)
        self.records[snapshot_id] = rec
        self._changed(volume.region)
        return rec

    def copy(self, snapshot_id: str, source: SnapshotRecord, region: str, t: float, *,
             encryption: tuple[bool, str], completion_minutes: int | None = None,
             owner_id: str = "") -> SnapshotRecord:
        """Copy ``source`` to ``region`` (which may be its own Region)."""
        n = len(source.idx)
        if region == source.region and encryption == source.encryption:
            obj = source.obj.copy()  # same Region, same encryption: no data is copied
            n_new = 0
            start = t
        else:
            base = self._base_copy(source.lineage, region, encryption)
            obj = np.zeros(n, dtype=np.int64)
            if base is not None and len(base.idx):
                pos = np.minimum(np.searchsorted(base.idx, source.idx), len(base.idx) - 1)
                same = (base.idx[pos] == source.idx) & (base.ver[pos] == source.ver)
                obj[same] = base.obj[pos[same]]
            fresh = obj == 0
            obj[fresh] = self._new_objects(int(fresh.sum()))
            n_new = int(fresh.sum())
            # a copy started while another copy of the lineage is pending waits for it
            start = max([t] + [r.done_t for r in self.records.values()
                               if r.region == region and r.lineage == source.lineage
                               and r.copy_of is not None and r.done_t > t])
        if completion_minutes:
            cap = transfer_seconds(n_new, model_figure("copy", "time_based_max_mibps"), 0.0)
            duration = max(60.0 * completion_minutes, cap)
        elif n_new == 0 and region == source.region:
            duration = float(model_figure("snapshot", "fixed_s"))
        else:
            duration = transfer_seconds(n_new, model_figure("copy", "standard_mibps"),
                                        model_figure("copy", "fixed_s"))
        rec = SnapshotRecord(
            snapshot_id=snapshot_id, region=region, lineage=source.lineage,
            volume_id=str(model_figure("copy", "arbitrary_volume_id")), created_t=t,
            start_t=start, done_t=start + duration, size_gib=source.size_gib,
            fs_gib=source.fs_gib, idx=source.idx.copy(), ver=source.ver.copy(), obj=obj,
            new_blocks=n_new, owner_id=owner_id or source.owner_id, copy_of=source.snapshot_id,
            source_region=source.region,
            transfer_type="time-based" if completion_minutes else "standard",
            completion_minutes=completion_minutes, encryption=encryption)
        self.records[snapshot_id] = rec
        self._changed(region)
        return rec

    def _base_copy(self, lineage: str, region: str,
                   encryption: tuple[bool, str]) -> SnapshotRecord | None:
        """The most recent copy of ``lineage`` in ``region``, when a new copy may be
        incremental to it (it still exists, is not archived, has the same encryption)."""
        copies = [r for r in (*self.records.values(), *self.deleted.values())
                  if r.region == region and r.lineage == lineage and r.copy_of is not None]
        if not copies:
            return None
        last = max(copies, key=lambda r: r.created_t)
        if last.deleted_t is not None or last.tier != "standard" or last.encryption != encryption:
            return None  # "if the most recent snapshot copy was deleted, the next copy is full"
        return last

    def delete(self, snapshot_id: str, t: float) -> SnapshotRecord | None:
        rec = self.records.pop(snapshot_id, None)
        if rec is not None:
            rec.deleted_t = t
            self.deleted[snapshot_id] = rec
            self._changed(rec.region)
        return rec

    def set_tier(self, snapshot_id: str, tier: str) -> None:
        rec = self.records.get(snapshot_id)
        if rec is not None and rec.tier != tier:
            rec.tier = tier
            self._changed(rec.region)
