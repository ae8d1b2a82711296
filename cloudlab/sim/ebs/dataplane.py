"""The data plane: an application writing and reading a volume, and pre-warming a restore.

boto3 has no call that writes bytes to an EBS volume: an instance does that through the
block device. These functions stand for the instance's I/O:

- :func:`write_blocks` changes data (marks blocks changed since the last snapshot);
- :func:`read_blocks` reads data and reports per-read latency. On a volume restored from a
  snapshot, the first read of a block that is not loaded yet fetches it from Amazon S3 first:
  slow (MODEL: median 35 ms with a long tail) instead of about 1 ms on gp3;
- :func:`initialize_volume` reads every block, as ``fio`` or ``dd`` would, so the volume
  loads at its full throughput: the way to put a restored volume in service with no slow
  first reads (or restore with fast snapshot restore instead);
- :func:`extend_file_system` grows the file system after Elastic Volumes grew the volume
  (``growpart`` then ``resize2fs``/``xfs_growfs``);
- :func:`data_digest` fingerprints the data of a volume or snapshot, to prove a restore holds
  exactly the data it should.

The volume must be attached to an instance (``in-use``): only an instance does I/O.
Reads and writes take no virtual time; loading and initialisation happen as the clock moves.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np

from cloudlab.errors import InvalidScenario, UnknownResource
from cloudlab.sim._validate import number
from cloudlab.sim.ebs.blocks import IntArray, VolumeBlocks
from cloudlab.sim.ebs.catalog import BLOCKS_PER_GIB, model_figure, volume_type
from cloudlab.sim.ebs.state import describe_volume, ebs_rng, ebs_state, virtual_time
from cloudlab.sim.ebs.volume_calls import register_volume

__all__ = [
    "Initialization",
    "ReadResult",
    "WriteResult",
    "data_digest",
    "extend_file_system",
    "initialize_volume",
    "read_blocks",
    "write_blocks",
]


@dataclass(frozen=True)
class WriteResult:
    """What :func:`write_blocks` did.

    Attributes:
        volume_id: the volume.
        written_gib: data written by this call.
        changed_gib: data on the volume that the next snapshot will store.
        total_gib: all data on the volume.
    """

    volume_id: str
    written_gib: float
    changed_gib: float
    total_gib: float

    def __repr__(self) -> str:
        return (f"WriteResult({self.volume_id}: wrote {self.written_gib:g} GiB; "
                f"{self.changed_gib:g} GiB changed since the last snapshot, "
                f"{self.total_gib:g} GiB of data on the volume)")


@dataclass(frozen=True)
class ReadResult:
    """The latency of one pass of reads (one read per 512 KiB block).

    Attributes:
        volume_id: the volume.
        reads: number of reads.
        first_touch_reads: reads that had to fetch their block from S3 first.
        p50_ms / p99_ms / mean_ms / max_ms: latency figures of the pass.
        initialized_pct: share of the volume's snapshot blocks loaded before the pass.
        t: virtual seconds when the pass ran.
        latencies_ms: every read's latency (for charts).
    """

    volume_id: str
    reads: int
    first_touch_reads: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    initialized_pct: float
    t: float
    latencies_ms: np.ndarray[Any, np.dtype[np.float64]]

    def __repr__(self) -> str:
        return (f"ReadResult({self.volume_id}: {self.reads} reads, "
                f"{self.first_touch_reads} first touches; p50 {self.p50_ms:.2f} ms, "
                f"p99 {self.p99_ms:.2f} ms, max {self.max_ms:.1f} ms)")

    def _repr_html_(self) -> str:
        slow = self.first_touch_reads / self.reads if self.reads else 0.0
        colour = "#b42318" if slow > 0.01 else "#1a7f37"
        return (f"<div><b>{html.escape(self.volume_id)}</b>: {self.reads:,} reads, "
                f"<span style='color:{colour}'>{self.first_touch_reads:,} first touches "
                f"({slow:.0%})</span><br>p50 <b>{self.p50_ms:.2f} ms</b> · "
                f"p99 <b>{self.p99_ms:.2f} ms</b> · max {self.max_ms:.1f} ms · "
                f"volume {self.initialized_pct:.0f}% initialised before the pass</div>")


@dataclass(frozen=True)
class Initialization:
    """A pre-warm read started by :func:`initialize_volume`.

    Attributes:
        volume_id: the volume.
        rate_mibps: loading rate from now on.
        eta_s: virtual seconds until every block is loaded (0 when already initialised).
        done_at: calendar time at which it completes.
    """

    volume_id: str
    rate_mibps: float
    eta_s: float
    done_at: Any

    def __repr__(self) -> str:
        if self.eta_s == 0:
            return f"Initialization({self.volume_id}: already fully initialised)"
        return (f"Initialization({self.volume_id}: reading every block at "
                f"{self.rate_mibps:g} MiB/s; done in {self.eta_s / 60:.1f} min, at "
                f"{self.done_at:%Y-%m-%d %H:%M} UTC)")


def _attached_volume(cloud: Any, volume_id: str) -> tuple[VolumeBlocks, dict[str, Any]]:
    item, region = describe_volume(cloud, volume_id)
    if item.get("State") != "in-use":
        raise InvalidScenario(
            f"volume {volume_id} is {item.get('State')}, not attached to an instance: only an "
            f"instance reads and writes a volume. Attach it first with ec2.attach_volume("
            f"VolumeId=..., InstanceId=..., Device='/dev/sdf') (same Availability Zone)")
    state = ebs_state(cloud)
    vol = state.volumes.get(volume_id)
    if vol is None:
        vol = register_volume(cloud, volume_id, region, item["AvailabilityZone"],
                              int(item["Size"]))
    return vol, item


def _positions(cloud: Any, vol: VolumeBlocks, gib: float, offset_gib: float | None, *,
               among_data: bool) -> IntArray:
    n = int(round(gib * BLOCKS_PER_GIB))
    if offset_gib is not None:
        start = int(offset_gib * BLOCKS_PER_GIB)
        return np.arange(start, start + n, dtype=np.int64)
    if among_data and len(vol.idx):
        pool = vol.idx
        pick = ebs_rng(cloud, "ebs.reads.positions").choice(len(pool), size=min(n, len(pool)),
                                                        replace=False)
        return np.sort(pool[pick])
    total = int(vol.fs_gib * BLOCKS_PER_GIB)
    pick = ebs_rng(cloud, "ebs.writes").choice(total, size=min(n, total), replace=False)
    return np.sort(pick.astype(np.int64))


def write_blocks(cloud: Any, volume_id: str, *, gib: float,
                 offset_gib: float | None = None) -> WriteResult:
    """Simulate the application on the instance writing ``gib`` GiB to an attached volume.

    Args:
        gib: data to write (new or changed), in GiB (> 0, at most the file system size).
        offset_gib: write sequentially from this offset; by default the writes land on
            random blocks of the file system (a seeded choice: same seed, same blocks).

    Returns:
        A :class:`WriteResult`; the changed blocks are what the next snapshot stores.

    Raises:
        InvalidScenario: the volume is not attached, or ``gib`` does not fit.
    """
    vol, _ = _attached_volume(cloud, volume_id)
    gib = number("gib", gib, minimum=1 / BLOCKS_PER_GIB)
    end = gib + (offset_gib or 0.0)
    if end > vol.fs_gib + 1e-9:
        raise InvalidScenario(
            f"cannot write {gib:g} GiB{f' at {offset_gib:g} GiB' if offset_gib else ''}: the "
            f"file system on {volume_id} holds {vol.fs_gib:g} GiB. Grow the volume with "
            f"ec2.modify_volume(...) and extend_file_system(cloud, volume_id) first")
    blocks = _positions(cloud, vol, gib, offset_gib, among_data=False)
    vol.write(blocks, ebs_state(cloud).new_versions(len(blocks)))
    return WriteResult(volume_id, len(blocks) / BLOCKS_PER_GIB, vol.changed_gib, vol.written_gib)


def read_blocks(cloud: Any, volume_id: str, *, gib: float = 1.0,
                offset_gib: float | None = None) -> ReadResult:
    """Simulate the application reading ``gib`` GiB of the volume's data, one read per block.

    A block of a restored volume that is not loaded yet is fetched from S3 on this first
    read (slow), then stays loaded. Latencies are drawn from the seeded stream
    ``cloud.rng("ebs.reads")`` (continued from call to call): same seed and same calls, same
    figures.

    Args:
        gib: data to read (default 1 GiB = 2,048 reads), chosen at random among the blocks
            holding data unless ``offset_gib`` asks for a sequential read.

    Raises:
        InvalidScenario: the volume is not attached.
    """
    vol, item = _attached_volume(cloud, volume_id)
    gib = number("gib", gib, minimum=1 / BLOCKS_PER_GIB)
    t = cloud.t
    blocks = _positions(cloud, vol, gib, offset_gib, among_data=True)
    before = 100.0 * vol.initialized_fraction(t)
    cold = (~vol.plan.loaded(blocks, t)) if vol.plan is not None \
        else np.zeros(len(blocks), dtype=bool)
    spec = volume_type(item.get("VolumeType", "gp2"))
    rng = ebs_rng(cloud, "ebs.reads")
    warm_ms = spec.read_ms_median * rng.lognormal(
        0.0, model_figure("latency", "read_sigma"), len(blocks))
    cold_ms = model_figure("latency", "first_touch_ms_median") * rng.lognormal(
        0.0, model_figure("latency", "first_touch_sigma"), len(blocks))
    latencies = np.where(cold, cold_ms, warm_ms)
    if vol.plan is not None:
        vol.plan.touch(blocks)
    result = ReadResult(
        volume_id=volume_id, reads=len(blocks), first_touch_reads=int(cold.sum()),
        p50_ms=float(np.percentile(latencies, 50)) if len(blocks) else 0.0,
        p99_ms=float(np.percentile(latencies, 99)) if len(blocks) else 0.0,
        mean_ms=float(latencies.mean()) if len(blocks) else 0.0,
        max_ms=float(latencies.max()) if len(blocks) else 0.0,
        initialized_pct=before, t=t, latencies_ms=latencies)
    vol.reads.append(result)
    return result


def initialize_volume(cloud: Any, volume_id: str) -> Initialization:
    """Start reading every block of an attached volume (``fio``/``dd`` pre-warm).

    A restored volume then loads at its throughput (gp3: provisioned MiB/s, 125 by default)
    instead of the slow background rate. Advance the clock past ``eta_s`` before putting the
    volume in service; ``ec2.describe_volume_status`` shows the progress.
    """
    vol, item = _attached_volume(cloud, volume_id)
    t = cloud.t
    spec = volume_type(item.get("VolumeType", "gp2"))
    mibps = float(item.get("Throughput") or spec.default_throughput_mibps)
    if vol.plan is None or vol.plan.fraction(t) >= 1.0:
        return Initialization(volume_id, mibps, 0.0, virtual_time(cloud, t))
    vol.plan.raise_rate(t, mibps * BLOCKS_PER_GIB / 1024)
    rate = vol.plan.rate_at(t) * 1024 / BLOCKS_PER_GIB
    eta = vol.plan.eta_s(t)
    return Initialization(volume_id, rate, eta, virtual_time(cloud, t + eta))


def extend_file_system(cloud: Any, volume_id: str) -> float:
    """Grow the file system to the volume's size (``sudo growpart`` + ``sudo resize2fs``).

    Returns:
        The new file system size in GiB.

    Raises:
        InvalidScenario: the volume is not attached, or its new size is not in effect yet
            (the modification is still ``modifying``).
    """
    vol, item = _attached_volume(cloud, volume_id)
    history = ebs_state(cloud).history(volume_id)
    if history and not history[-1].size_in_effect(cloud.t):
        raise InvalidScenario(
            f"the new size of {volume_id} is not in effect yet: its modification is still "
            f"'modifying'. Advance the clock until describe_volumes_modifications says "
            f"'optimizing' or 'completed'")
    vol.fs_gib = float(item["Size"])
    return vol.fs_gib


def data_digest(cloud: Any, resource_id: str) -> str:
    """A fingerprint of the data on a volume or in a snapshot: two are equal exactly when
    they hold the same data (same blocks, same versions)."""
    state = ebs_state(cloud)
    if resource_id in state.volumes:
        return state.volumes[resource_id].digest()
    rec = state.book.records.get(resource_id) or state.book.deleted.get(resource_id)
    if rec is not None:
        return rec.digest()
    if isinstance(resource_id, str) and resource_id.startswith("vol-"):
        describe_volume(cloud, resource_id)  # raises UnknownResource when there is none
        return VolumeBlocks(resource_id, "", "", 0.0, 0.0).digest()  # no simulated data
    raise UnknownResource(
        f"no volume or snapshot {resource_id!r} known to the EBS simulation: pass a VolumeId or "
        f"SnapshotId created in this cloud")
