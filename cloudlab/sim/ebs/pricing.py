"""What EBS stores and costs: per volume, per snapshot, per Region, per month.

- Volumes are billed for their *provisioned* size (and gp3/io1/io2 provisioned performance),
  whatever they hold: a 100 GiB gp3 volume costs $8.00 a month empty or full.
- Standard-tier snapshots are billed for the data they *store*: a Region's snapshots store
  every block some snapshot references, once. The first snapshot of a volume stores all of
  its written blocks; later ones only the blocks changed since (incremental).
- Archived snapshots are billed in full at the archive rate; restoring one from the archive
  costs per GB once. Fast snapshot restore costs per DSU-hour (snapshot x AZ). A copy to
  another Region pays the transfer once.

Prices: ``cloudlab/data/ebs_prices.json`` (us-east-1 list prices, dated, with sources).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from cloudlab.errors import UnknownResource
from cloudlab.sim.ebs.catalog import BLOCKS_PER_GIB, HOURS_PER_MONTH, prices, volume_type
from cloudlab.sim.ebs.state import describe_volume, ebs_state

__all__ = [
    "EbsBill",
    "SnapshotStorage",
    "SnapshotUsage",
    "VolumeUsage",
    "ebs_bill",
    "ebs_cost_usd",
    "snapshot_storage",
    "snapshot_usage",
    "volume_usage",
]


def _snapshot_prices() -> dict[str, Any]:
    return prices()["snapshots"]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class VolumeUsage:
    """One volume: size, data, what changed since its last snapshot, initialisation, price.

    Attributes:
        size_gib / volume_type / iops / throughput_mibps: provisioned (``DescribeVolumes``).
        filesystem_gib: the file system's size (smaller than ``size_gib`` after a grow until
            the file system is extended).
        written_gib: data on the volume.
        changed_gib: data the next snapshot will store.
        initialized_pct: share of the blocks of its source snapshot already loaded (100 for a
            volume not restored from a snapshot).
        usd_per_month: what keeping it provisioned for a month costs.
    """

    volume_id: str
    region: str
    size_gib: int
    volume_type: str
    iops: int | None
    throughput_mibps: int | None
    filesystem_gib: float
    written_gib: float
    changed_gib: float
    initialized_pct: float
    usd_per_month: float


@dataclass(frozen=True)
class SnapshotUsage:
    """One snapshot: what it holds, stores and costs.

    Attributes:
        full_gib: every block written to the volume when it was taken (what a full copy
            would store; what the archive tier bills).
        stored_gib: what this snapshot stores and is billed for in the standard tier: the
            blocks no older snapshot of its Region stores (incremental size).
        transferred_gib: what it copied when it was made (to S3, or to its Region for a copy).
        billed_usd_month: monthly storage charge of this snapshot.
    """

    snapshot_id: str
    region: str
    state: str
    tier: str
    full_gib: float
    stored_gib: float
    transferred_gib: float
    billed_usd_month: float


@dataclass(frozen=True)
class SnapshotStorage:
    """The standard-tier snapshots of a Region together, against full copies.

    Attributes:
        snapshots: number of standard-tier snapshots.
        stored_gib: data stored once for all of them (what AWS bills).
        full_copies_gib: what storing each snapshot as a full copy would take.
        billed_usd_month / full_copies_usd_month: the two at the standard rate.
    """

    region: str
    snapshots: int
    stored_gib: float
    full_copies_gib: float
    billed_usd_month: float
    full_copies_usd_month: float

    @property
    def saved_usd_month(self) -> float:
        return self.full_copies_usd_month - self.billed_usd_month


@dataclass(frozen=True)
class EbsBill:
    """The monthly EBS bill of what exists now (plus one-time charges so far).

    Attributes:
        lines: ``(item, usd_per_month)`` for volumes, snapshot tiers and FSR.
        one_time: ``(item, usd)`` for cross-Region copy transfer and archive restores.
    """

    region: str | None
    lines: list[tuple[str, float]] = field(default_factory=list)
    one_time: list[tuple[str, float]] = field(default_factory=list)

    @property
    def usd_per_month(self) -> float:
        return sum(usd for _, usd in self.lines)

    @property
    def one_time_usd(self) -> float:
        return sum(usd for _, usd in self.one_time)

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(k)}</td><td style='text-align:right'>"
                       f"${v:,.2f}</td></tr>" for k, v in self.lines)
        once = "".join(f"<tr><td>{html.escape(k)} (once)</td><td style='text-align:right'>"
                       f"${v:,.2f}</td></tr>" for k, v in self.one_time)
        where = self.region or "all Regions"
        return (f"<table><caption>EBS per month, {html.escape(where)}</caption>{rows}"
                f"<tr><th>total per month</th><th style='text-align:right'>"
                f"${self.usd_per_month:,.2f}</th></tr>{once}</table>")

    def __str__(self) -> str:
        width = max([len(k) for k, _ in self.lines]
                    + [len(k) + 7 for k, _ in self.one_time] + [20])
        rows = [f"{k:<{width}}  ${v:>9,.2f}" for k, v in self.lines]
        rows.append(f"{'total per month':<{width}}  ${self.usd_per_month:>9,.2f}")
        rows += [f"{k + ' (once)':<{width}}  ${v:>9,.2f}" for k, v in self.one_time]
        return f"EBS per month, {self.region or 'all Regions'}\n" + "\n".join(rows)

    def __repr__(self) -> str:
        return (f"EbsBill({self.region or 'all Regions'}: ${self.usd_per_month:,.2f} per month"
                f", ${self.one_time_usd:,.2f} one-time)")


def volume_usage(cloud: Any, volume_id: str) -> VolumeUsage:
    """Size, data and monthly price of a volume (see :class:`VolumeUsage`)."""
    item, region = describe_volume(cloud, volume_id)
    vol = ebs_state(cloud).volumes.get(volume_id)
    spec = volume_type(item.get("VolumeType", "gp2"))
    size = int(item["Size"])
    iops = item.get("Iops") if spec.provisions_iops else None
    throughput = item.get("Throughput")
    return VolumeUsage(
        volume_id=volume_id, region=region, size_gib=size, volume_type=spec.name, iops=iops,
        throughput_mibps=throughput,
        filesystem_gib=vol.fs_gib if vol is not None else float(size),
        written_gib=vol.written_gib if vol is not None else 0.0,
        changed_gib=vol.changed_gib if vol is not None else 0.0,
        initialized_pct=100.0 * (vol.initialized_fraction(cloud.t) if vol is not None else 1.0),
        usd_per_month=spec.monthly_usd(size, iops=iops, throughput_mibps=throughput),
    )


def snapshot_usage(cloud: Any, snapshot_id: str) -> SnapshotUsage:
    """What one snapshot holds, stores and costs (see :class:`SnapshotUsage`).

    Raises:
        UnknownResource: not a snapshot of this cloud (or it was deleted).
    """
    book = ebs_state(cloud).book
    rec = book.records.get(snapshot_id)
    if rec is None:
        gone = " (it was deleted)" if snapshot_id in book.deleted else ""
        raise UnknownResource(f"no snapshot {snapshot_id!r} in the EBS simulation{gone}: pass "
                              f"a SnapshotId from create_snapshot or copy_snapshot")
    p = _snapshot_prices()
    if rec.tier == "archive":
        stored, usd = rec.full_gib, rec.full_gib * p["archive_usd_per_gb_month"]
    else:
        stored = book.stored_blocks(rec.region)[snapshot_id] / BLOCKS_PER_GIB
        usd = stored * p["standard_usd_per_gb_month"]
    return SnapshotUsage(snapshot_id=snapshot_id, region=rec.region, state=rec.state(cloud.t),
                         tier=rec.tier, full_gib=rec.full_gib, stored_gib=stored,
                         transferred_gib=rec.transferred_gib, billed_usd_month=usd)


def snapshot_storage(cloud: Any, region: str | None = None) -> SnapshotStorage:
    """The standard-tier snapshots of a Region (default: the cloud's) against full copies."""
    region = region or cloud.region
    book = ebs_state(cloud).book
    recs = [r for r in book.in_region(region) if r.tier == "standard"]
    stored = sum(book.stored_blocks(region).values()) / BLOCKS_PER_GIB
    full = sum(r.full_gib for r in recs)
    rate = _snapshot_prices()["standard_usd_per_gb_month"]
    return SnapshotStorage(region=region, snapshots=len(recs), stored_gib=stored,
                           full_copies_gib=full, billed_usd_month=stored * rate,
                           full_copies_usd_month=full * rate)


def ebs_bill(cloud: Any, region: str | None = None) -> EbsBill:
    """The monthly bill of the volumes, snapshots and fast snapshot restores that exist now,
    in one Region or (``region=None``) all of them, plus one-time charges so far."""
    state = ebs_state(cloud)
    t = cloud.t
    p = prices()
    bill = EbsBill(region=region)
    regions = sorted({v.region for v in state.volumes.values()}
                     | {r.region for r in state.book.records.values()})
    for reg in regions if region is None else [region]:
        for volume_id in sorted(v.volume_id for v in state.volumes.values() if v.region == reg):
            try:
                use = volume_usage(cloud, volume_id)
            except UnknownResource:
                continue
            bill.lines.append((f"{volume_id} {use.volume_type} {use.size_gib} GiB ({reg})",
                               use.usd_per_month))
        store = snapshot_storage(cloud, reg)
        if store.snapshots:
            bill.lines.append((f"snapshots, standard tier: {store.stored_gib:,.1f} GiB ({reg})",
                               store.billed_usd_month))
        archived = [r for r in state.book.in_region(reg) if r.tier == "archive"]
        if archived:
            gib = sum(r.full_gib for r in archived)
            bill.lines.append((f"snapshots, archive tier: {gib:,.1f} GiB ({reg})",
                               gib * p["snapshots"]["archive_usd_per_gb_month"]))
        fsr = [f for f in state.fast_restores.values()
               if f.region == reg and f.state(t) != "disabled"]
        if fsr:
            pairs = f"{len(fsr)} snapshot-AZ pair{'s' if len(fsr) != 1 else ''}"
            bill.lines.append((f"fast snapshot restore: {pairs} ({reg})",
                               len(fsr) * HOURS_PER_MONTH
                               * p["fast_snapshot_restore"]["usd_per_dsu_hour"]))
    if region is None:
        if state.transfer_gib:
            bill.one_time.append((f"cross-Region snapshot copy transfer, "
                                  f"{state.transfer_gib:,.1f} GiB",
                                  state.transfer_gib
                                  * p["snapshot_copy"]["inter_region_transfer_usd_per_gb"]))
        if state.archive_restore_gib:
            bill.one_time.append((f"archive restores, {state.archive_restore_gib:,.1f} GiB",
                                  state.archive_restore_gib
                                  * p["snapshots"]["archive_restore_usd_per_gb"]))
    return bill


def ebs_cost_usd(cloud: Any, *, region: str | None = None, months: float = 1.0) -> float:
    """USD to keep today's EBS resources for ``months`` months (``ebs_bill`` per month)."""
    return ebs_bill(cloud, region).usd_per_month * float(months)
