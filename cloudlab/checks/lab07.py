"""Checks for lab 07: EBS snapshots (incremental storage, deletion, a cross-Region copy for
disaster recovery), restoring with lazy loading and pre-warming, and Elastic Volumes.

Answers are checked by behaviour, from the EBS simulation's books (what each snapshot stored
when it was taken, which data a restored volume holds, when a volume was read and how far it
was initialised then, the modification history) and from the EC2 API, so any sequence of
calls with the right effect passes.
"""

from __future__ import annotations

from typing import Any

from cloudlab.checks import question
from cloudlab.sim.ebs import BLOCKS_PER_GIB, data_digest, ebs_price_info
from cloudlab.sim.ebs.catalog import prices
from cloudlab.sim.ebs.snapshots import SnapshotRecord
from cloudlab.sim.ebs.state import ebs_state

DAY_S = 86400.0
DR_REGION = "us-west-2"
DR_AZ = "us-west-2b"
DAILY_CHANGE_GIB = 2
DAYS = 7


def _record(cloud: Any, snapshot_id: Any) -> SnapshotRecord | None:
    book = ebs_state(cloud).book
    key = str(snapshot_id)
    return book.records.get(key) or book.deleted.get(key)


def _gib(blocks: int) -> float:
    return blocks / BLOCKS_PER_GIB


def _volume(cloud: Any, volume_id: Any, region: str | None = None) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    try:
        found = cloud.client("ec2", region=region).describe_volumes(VolumeIds=[str(volume_id)])
    except ClientError:
        found = {"Volumes": []}
    assert found["Volumes"], f"there is no volume {volume_id!r} in {region or cloud.region}"
    return found["Volumes"][0]  # type: ignore[no-any-return]


def _daily(cloud: Any, daily_snapshots: Any, data_vol: Any) -> list[SnapshotRecord]:
    assert isinstance(daily_snapshots, list) and len(daily_snapshots) == DAYS, (
        f"`daily_snapshots` should be a list of the {DAYS} SnapshotIds, oldest first"
    )
    recs = [_record(cloud, s) for s in daily_snapshots]
    assert all(r is not None for r in recs), (
        "`daily_snapshots` should hold SnapshotIds returned by ec2.create_snapshot"
    )
    out = [r for r in recs if r is not None]
    assert all(r.copy_of is None and r.volume_id == data_vol for r in out), (
        "every daily snapshot should be a snapshot of `data_vol`"
    )
    return out


# -- Question 1 ------------------------------------------------------------------------------
@question("lab07.incremental", points=2, title="A week of incremental snapshots")
def incremental(daily_snapshots: Any, stored_gib: Any, full_copies_gib: Any,
                monthly_savings_usd: Any, data_vol: Any, cloud: Any) -> None:
    recs = _daily(cloud, daily_snapshots, data_vol)
    gaps = [b.created_t - a.created_t for a, b in zip(recs, recs[1:], strict=False)]
    assert all(abs(g - DAY_S) < 3600 for g in gaps), (
        "take one snapshot a day: cloud.advance(days=1) between two snapshots (the "
        f"snapshots are {', '.join(f'{g / 3600:.1f} h' for g in gaps)} apart)"
    )
    changed = [_gib(r.new_blocks) for r in recs[1:]]
    assert all(abs(c - DAILY_CHANGE_GIB) < 1e-9 for c in changed), (
        f"the application changes {DAILY_CHANGE_GIB} GiB a day: call write_blocks(cloud, "
        f"data_vol, gib={DAILY_CHANGE_GIB}) once before each daily snapshot after the first "
        f"(the snapshots stored {', '.join(f'{c:g}' for c in changed)} GiB)"
    )
    expected = sum(_gib(r.new_blocks) for r in recs)
    full = sum(r.full_gib for r in recs)
    if stored_gib == full:
        raise AssertionError(
            f"snapshots are incremental: {full:g} GiB is what {DAYS} full copies would hold. "
            "`stored_gib` is what they store together (snapshot_storage(cloud).stored_gib)")
    assert isinstance(stored_gib, int | float) and abs(stored_gib - expected) < 1e-6, (
        f"`stored_gib` should be what the {DAYS} snapshots store together right after the "
        f"last one (snapshot_storage(cloud).stored_gib), got {stored_gib!r}"
    )
    assert isinstance(full_copies_gib, int | float) and abs(full_copies_gib - full) < 1e-6, (
        f"`full_copies_gib` should be what {DAYS} full copies of the volume's data would "
        f"hold (snapshot_storage(cloud).full_copies_gib), got {full_copies_gib!r}"
    )
    rate = prices()["snapshots"]["standard_usd_per_gb_month"]
    savings = (full - expected) * rate
    if isinstance(monthly_savings_usd, int | float) and \
            abs(monthly_savings_usd - (full - expected)) < 1e-6:
        raise AssertionError(
            f"`monthly_savings_usd` is in GiB: multiply by the standard-tier snapshot price, "
            f"${rate} per GB-month")
    assert isinstance(monthly_savings_usd, int | float) and \
        abs(monthly_savings_usd - savings) < 0.01, (
            f"`monthly_savings_usd` should be (full_copies_gib - stored_gib) x ${rate} per "
            f"GB-month (snapshot storage, standard tier, {ebs_price_info()['region']}), got "
            f"{monthly_savings_usd!r}"
        )


@question("lab07.incremental", points=1, hidden=True)
def incremental_api(daily_snapshots: Any, data_vol: Any, cloud: Any) -> None:
    recs = _daily(cloud, daily_snapshots, data_vol)
    assert _gib(recs[0].new_blocks) >= 99, (
        "fill `data_vol` (write_blocks(cloud, data_vol, gib=100)) before the first snapshot: "
        "the first snapshot is a full copy of the data"
    )
    assert all(r.state(cloud.t) == "completed" for r in recs), "some daily snapshot is pending"


# -- Question 2 ------------------------------------------------------------------------------
@question("lab07.delete_oldest", points=2, title="Delete the oldest, restore the newest")
def delete_oldest(oldest_id: Any, freed_gib: Any, restored_vol: Any, daily_snapshots: Any,
                  data_vol: Any, cloud: Any) -> None:
    recs = _daily(cloud, daily_snapshots, data_vol)
    book = ebs_state(cloud).book
    assert oldest_id == recs[0].snapshot_id, (
        "`oldest_id` should be the snapshot with the earliest StartTime (sort "
        "describe_snapshots(OwnerIds=['self'])['Snapshots'] by StartTime)"
    )
    assert oldest_id in book.deleted, "delete the oldest snapshot: ec2.delete_snapshot(...)"
    alive = [r.snapshot_id for r in recs[1:] if r.snapshot_id in book.records]
    assert len(alive) == DAYS - 1, "delete only the oldest snapshot; keep the other six"
    expected = _gib(recs[1].new_blocks)  # what the oldest stored that no later one needs
    if isinstance(freed_gib, int | float) and abs(freed_gib - recs[0].full_gib) < 1e-6:
        raise AssertionError(
            "deleting the oldest snapshot does not free all its data: blocks that later "
            "snapshots still reference are kept. `freed_gib` is stored_gib before minus after")
    assert isinstance(freed_gib, int | float) and abs(freed_gib - expected) < 1e-6, (
        f"`freed_gib` should be snapshot_storage(cloud).stored_gib before the delete minus "
        f"after it, got {freed_gib!r}"
    )
    vol = ebs_state(cloud).volumes.get(str(restored_vol))
    assert vol is not None, "`restored_vol` should be the VolumeId of the restored volume"
    assert vol.source_snapshot == recs[-1].snapshot_id, (
        "restore from the newest snapshot (the latest StartTime): "
        "create_volume(SnapshotId=..., AvailabilityZone=az)"
    )
    assert data_digest(cloud, restored_vol) == recs[-1].digest(), (
        "`restored_vol` does not hold the data of the newest snapshot any more; leave it as "
        "it was restored"
    )


# -- Question 3 ------------------------------------------------------------------------------
@question("lab07.disaster_recovery", points=2, title="A copy in another Region")
def disaster_recovery(dr_snapshot: Any, dr_volume: Any, daily_snapshots: Any, data_vol: Any,
                      cloud: Any) -> None:
    recs = _daily(cloud, daily_snapshots, data_vol)
    rec = _record(cloud, dr_snapshot)
    assert rec is not None and rec.copy_of is not None, (
        "`dr_snapshot` should be the SnapshotId returned by copy_snapshot in the DR Region"
    )
    assert rec.region == DR_REGION, (
        f"the copy is in {rec.region}: call copy_snapshot on a client of the DR Region "
        f"({DR_REGION}) with SourceRegion={cloud.region!r}"
    )
    assert rec.copy_of == recs[-1].snapshot_id, (
        "copy the newest daily snapshot: a recovery should lose as little data as possible"
    )
    vol = ebs_state(cloud).volumes.get(str(dr_volume))
    assert vol is not None, (
        "`dr_volume` should be the VolumeId of the volume restored in the DR Region"
    )
    assert vol.region == DR_REGION, (
        f"`dr_volume` is in {vol.region}: restore it in the DR Region, from `dr_snapshot`"
    )
    assert vol.az == DR_AZ, (
        f"`dr_volume` is in the Availability Zone {vol.az}: create it in DR_AZ ({DR_AZ}), "
        "where the standby instances run (a volume attaches only in its own AZ)"
    )
    assert vol.source_snapshot == rec.snapshot_id, "restore `dr_volume` from `dr_snapshot`"
    assert data_digest(cloud, dr_volume) == recs[-1].digest(), (
        "`dr_volume` should hold exactly the data of the newest daily snapshot"
    )


@question("lab07.disaster_recovery", points=1, hidden=True)
def disaster_recovery_full_copy(dr_snapshot: Any, cloud: Any) -> None:
    rec = _record(cloud, dr_snapshot)
    assert rec is not None and rec.state(cloud.t) == "completed", (
        "wait (advance the clock) until the copy is completed"
    )
    assert abs(rec.transferred_gib - rec.full_gib) < 1e-9, (
        "the first copy to a Region is a full copy"
    )


# -- Question 4 ------------------------------------------------------------------------------
def _first_read(cloud: Any, volume_id: Any, name: str) -> Any:
    vol = ebs_state(cloud).volumes.get(str(volume_id))
    assert vol is not None and vol.source_snapshot, (
        f"`{name}` should be a volume restored from the newest snapshot of data_vol"
    )
    assert vol.reads, f"read 1 GiB of `{name}` with read_blocks(cloud, {name}, gib=1)"
    return vol.reads[0]


@question("lab07.prewarm", points=2, title="Pre-warm before putting a restore in service")
def prewarm(cold_vol: Any, cold_p99_ms: Any, warm_vol: Any, warm_p99_ms: Any,
            cloud: Any) -> None:
    cold = _first_read(cloud, cold_vol, "cold_vol")
    warm = _first_read(cloud, warm_vol, "warm_vol")
    assert cold_vol != warm_vol, "restore two volumes: `cold_vol` and `warm_vol`"
    assert cold.first_touch_reads > 0.9 * cold.reads, (
        "read `cold_vol` right after restoring it, before anything loaded its blocks"
    )
    assert isinstance(cold_p99_ms, int | float) and abs(cold_p99_ms - cold.p99_ms) < 1e-6, (
        f"`cold_p99_ms` should be the p99_ms of the first read of `cold_vol` "
        f"({cold.p99_ms:.2f} ms), got {cold_p99_ms!r}"
    )
    assert warm.initialized_pct >= 100, (
        f"`warm_vol` was read when it was only {int(warm.initialized_pct)}% initialised: call "
        "initialize_volume(cloud, warm_vol) and advance the clock by its eta_s before reading"
    )
    assert isinstance(warm_p99_ms, int | float) and abs(warm_p99_ms - warm.p99_ms) < 1e-6, (
        f"`warm_p99_ms` should be the p99_ms of the first read of `warm_vol` "
        f"({warm.p99_ms:.2f} ms), got {warm_p99_ms!r}"
    )


@question("lab07.prewarm", points=1, hidden=True)
def prewarm_effect(cold_p99_ms: Any, warm_p99_ms: Any) -> None:
    assert cold_p99_ms > 10 * warm_p99_ms, (
        "a pre-warmed volume should read at its normal latency, many times faster than a "
        "cold one"
    )


# -- Question 5 ------------------------------------------------------------------------------
@question("lab07.grow_in_place", points=2, title="Grow a volume with Elastic Volumes")
def grow_in_place(modification_state: Any, second_try_error: Any, filesystem_gib: Any,
                  data_vol: Any, instance_id: Any, cloud: Any) -> None:
    item = _volume(cloud, data_vol)
    assert item["Size"] == 200 and item.get("Iops") == 4000, (
        f"data_vol is {item['Size']} GiB with {item.get('Iops')} IOPS: grow it to 200 GiB and "
        "4,000 IOPS in one call, ec2.modify_volume(VolumeId=data_vol, Size=200, Iops=4000)"
    )
    vol = ebs_state(cloud).volumes[str(data_vol)]
    attached = [a["InstanceId"] for a in item.get("Attachments", [])]
    assert not vol.detached_t and attached == [instance_id], (
        "Elastic Volumes change a volume in place, attached and in use: no detach, no "
        "snapshot-and-restore"
    )
    history = ebs_state(cloud).history(str(data_vol))
    assert len(history) == 1, (
        f"data_vol was modified {len(history)} times: one modify_volume call should change "
        "size and IOPS together (the second try must fail)"
    )
    assert second_try_error == "IncorrectModificationState", (
        "`second_try_error` should be the error code of a second modify_volume sent while "
        f"the first is still modifying (e.response['Error']['Code']), got {second_try_error!r}"
    )
    assert modification_state == "completed" and history[0].state(cloud.t) == "completed", (
        "wait for the modification: advance the clock until describe_volumes_modifications "
        "says 'completed', and store that state in `modification_state`"
    )
    assert filesystem_gib == 200 and vol.fs_gib == 200, (
        "the volume grew but its file system did not: extend it (growpart + resize2fs; here "
        "extend_file_system(cloud, data_vol)) and store the new size in `filesystem_gib`"
    )
