"""Incremental snapshots, deletion, completion over virtual time and copies
(cloudlab.sim.ebs.snapshots, .snapshot_calls)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cloudlab.sim.ebs import (
    data_digest,
    snapshot_storage,
    snapshot_usage,
    write_blocks,
)
from cloudlab.sim.ebs.state import ebs_state


def _snap(ebs: SimpleNamespace, vid: str) -> str:
    return ebs.ec2.create_snapshot(VolumeId=vid)["SnapshotId"]  # type: ignore[no-any-return]


def test_first_snapshot_is_full_then_incremental(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(200)
    write_blocks(ebs.cloud, vid, gib=50)        # 200 GiB volume holding 50 GiB of data
    a = _snap(ebs, vid)
    write_blocks(ebs.cloud, vid, gib=30)        # changes and additions
    b = _snap(ebs, vid)
    assert snapshot_usage(ebs.cloud, a).stored_gib == 50      # the data, not the volume size
    assert snapshot_usage(ebs.cloud, b).stored_gib == 30
    assert snapshot_usage(ebs.cloud, b).full_gib == pytest.approx(
        ebs_state(ebs.cloud).volumes[vid].written_gib)
    storage = snapshot_storage(ebs.cloud)
    assert storage.snapshots == 2
    assert storage.stored_gib == 80
    assert storage.billed_usd_month == pytest.approx(80 * 0.05)


def test_seven_daily_snapshots_store_first_plus_changes(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(100)
    write_blocks(ebs.cloud, vid, gib=100)
    snaps = []
    for day in range(7):
        if day:
            write_blocks(ebs.cloud, vid, gib=2)
        snaps.append(_snap(ebs, vid))
        ebs.cloud.advance(days=1)
    storage = snapshot_storage(ebs.cloud)
    assert storage.stored_gib == 112
    assert storage.full_copies_gib == 700
    assert storage.saved_usd_month == pytest.approx((700 - 112) * 0.05)
    # deleting the oldest frees only what no later snapshot needs: the 2 GiB changed on day 2
    ebs.ec2.delete_snapshot(SnapshotId=snaps[0])
    after = snapshot_storage(ebs.cloud)
    assert after.stored_gib == 110
    assert snapshot_usage(ebs.cloud, snaps[1]).stored_gib == 100   # its blocks moved to it
    # every remaining snapshot still restores all of its data
    for sid in snaps[1:]:
        new = ebs.ec2.create_volume(AvailabilityZone=ebs.az, SnapshotId=sid)["VolumeId"]
        assert data_digest(ebs.cloud, new) == data_digest(ebs.cloud, sid)
    assert data_digest(ebs.cloud, snaps[-1]) == data_digest(ebs.cloud, vid)


def test_deleting_a_middle_snapshot_keeps_neighbours_whole(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(10)
    write_blocks(ebs.cloud, vid, gib=10)
    a = _snap(ebs, vid)
    write_blocks(ebs.cloud, vid, gib=1, offset_gib=0)
    b = _snap(ebs, vid)
    write_blocks(ebs.cloud, vid, gib=1, offset_gib=0)   # overwrites what b stored
    c = _snap(ebs, vid)
    digests = {s: data_digest(ebs.cloud, s) for s in (a, c)}
    ebs.ec2.delete_snapshot(SnapshotId=b)
    assert snapshot_storage(ebs.cloud).stored_gib == 11       # b's unique GiB is gone
    assert {s: data_digest(ebs.cloud, s) for s in (a, c)} == digests


def test_snapshot_of_restored_volume_is_incremental_to_its_source(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(20)
    write_blocks(ebs.cloud, vid, gib=10, offset_gib=0)
    a = _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    vol2 = ebs.ec2.create_volume(AvailabilityZone=ebs.az, SnapshotId=a)["VolumeId"]
    ebs.ec2.attach_volume(VolumeId=vol2, InstanceId=ebs.instance, Device="/dev/sdz")
    write_blocks(ebs.cloud, vol2, gib=4, offset_gib=10)     # AWS's "Snap B" example
    b = _snap(ebs, vol2)
    assert snapshot_usage(ebs.cloud, b).stored_gib == 4
    assert snapshot_usage(ebs.cloud, b).full_gib == 14


def test_snapshot_is_pending_then_completed_with_progress(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(100)
    write_blocks(ebs.cloud, vid, gib=100)
    answer = ebs.ec2.create_snapshot(VolumeId=vid)
    assert answer["State"] == "pending" and answer["Progress"] == "0%"
    assert answer["StartTime"] == ebs.cloud.now
    sid = answer["SnapshotId"]
    ebs.cloud.advance(minutes=8)
    mid = ebs.ec2.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]
    assert mid["State"] == "pending" and 0 < int(mid["Progress"].rstrip("%")) < 100
    ebs.cloud.advance(minutes=11)       # 100 GiB at the MODEL 100 MiB/s + 60 s: 18.1 min
    done = ebs.ec2.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]
    assert done["State"] == "completed" and done["Progress"] == "100%"
    assert done["CompletionTime"] > done["StartTime"]
    assert done["FullSnapshotSizeInBytes"] == 100 * 2**30


def test_small_incremental_snapshot_completes_faster(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(100)
    write_blocks(ebs.cloud, vid, gib=100)
    _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    write_blocks(ebs.cloud, vid, gib=1)
    sid = _snap(ebs, vid)
    ebs.cloud.advance(seconds=75)       # 1 GiB: 60 s + about 10 s
    assert ebs.ec2.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]["State"] == "completed"


def test_snapshot_keeps_the_size_it_was_taken_at(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(10)
    sid = _snap(ebs, vid)
    ebs.ec2.modify_volume(VolumeId=vid, Size=20)    # moto would report 20 for the snapshot
    assert ebs.ec2.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]["VolumeSize"] == 10


def test_owner_self_and_status_filters(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(10)
    write_blocks(ebs.cloud, vid, gib=10)
    first = _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    second = _snap(ebs, vid)
    mine = ebs.ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]
    assert [s["SnapshotId"] for s in mine] == [first, second]   # no AMI snapshots of others
    pending = ebs.ec2.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": "status", "Values": ["pending"]}])["Snapshots"]
    assert [s["SnapshotId"] for s in pending] == [second]


def test_restore_from_pending_snapshot_is_refused(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(10)
    write_blocks(ebs.cloud, vid, gib=5)
    sid = _snap(ebs, vid)
    with pytest.raises(ClientError) as info:
        ebs.ec2.create_volume(AvailabilityZone=ebs.az, SnapshotId=sid)
    err = info.value.response["Error"]
    assert err["Code"] == "IncorrectState"
    assert err["Message"] == "Snapshot is in invalid state - pending"


def test_concurrent_snapshot_limit_per_volume(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(10)
    write_blocks(ebs.cloud, vid, gib=10)
    for _ in range(5):
        _snap(ebs, vid)
    with pytest.raises(ClientError) as info:
        _snap(ebs, vid)
    assert info.value.response["Error"]["Code"] == "SnapshotCreationPerVolumeRateExceeded"


# -- copies -----------------------------------------------------------------------------
def _copy(ebs: SimpleNamespace, sid: str, region: str = "us-west-2", **kw: Any) -> str:
    west = ebs.cloud.client("ec2", region=region)
    return west.copy_snapshot(SourceSnapshotId=sid,  # type: ignore[no-any-return]
                              SourceRegion="us-east-1", **kw)["SnapshotId"]


def test_cross_region_copy_full_then_incremental(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(50)
    write_blocks(ebs.cloud, vid, gib=50)
    a = _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    first = _copy(ebs, a)
    copy = ebs.cloud.client("ec2", region="us-west-2").describe_snapshots(
        SnapshotIds=[first])["Snapshots"][0]
    assert copy["VolumeId"] == "vol-ffffffff" and copy["State"] == "pending"
    assert copy["TransferType"] == "standard"
    ebs.cloud.advance(hours=1)
    write_blocks(ebs.cloud, vid, gib=3)
    b = _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    second = _copy(ebs, b)
    assert snapshot_usage(ebs.cloud, first).transferred_gib == 50
    assert snapshot_usage(ebs.cloud, second).transferred_gib == 3
    assert snapshot_storage(ebs.cloud, "us-west-2").stored_gib == 53
    assert data_digest(ebs.cloud, second) == data_digest(ebs.cloud, b)


def test_copy_after_latest_copy_deleted_is_full_again(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(10)
    write_blocks(ebs.cloud, vid, gib=10)
    a = _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    first = _copy(ebs, a)
    ebs.cloud.advance(hours=1)
    ebs.cloud.client("ec2", region="us-west-2").delete_snapshot(SnapshotId=first)
    write_blocks(ebs.cloud, vid, gib=1)
    b = _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    assert snapshot_usage(ebs.cloud, _copy(ebs, b)).transferred_gib == 10


def test_copy_within_region_copies_no_data(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(10)
    write_blocks(ebs.cloud, vid, gib=10)
    a = _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    same = ebs.ec2.copy_snapshot(SourceSnapshotId=a, SourceRegion="us-east-1")["SnapshotId"]
    assert snapshot_usage(ebs.cloud, same).transferred_gib == 0
    assert snapshot_storage(ebs.cloud).stored_gib == 10


def test_copy_of_pending_snapshot_is_refused(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(10)
    write_blocks(ebs.cloud, vid, gib=10)
    a = _snap(ebs, vid)
    with pytest.raises(ClientError) as info:
        _copy(ebs, a)
    assert info.value.response["Error"]["Code"] == "IncorrectState"


def test_time_based_copy_completes_in_the_requested_duration(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(10)
    write_blocks(ebs.cloud, vid, gib=10)
    a = _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    sid = _copy(ebs, a, CompletionDurationMinutes=30)
    west = ebs.cloud.client("ec2", region="us-west-2")
    ebs.cloud.advance(minutes=29)
    assert west.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]["State"] == "pending"
    ebs.cloud.advance(minutes=1)
    done = west.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]
    assert done["State"] == "completed" and done["TransferType"] == "time-based"
    assert done["CompletionDurationMinutes"] == 30
    with pytest.raises(ClientError) as info:
        _copy(ebs, a, CompletionDurationMinutes=20)
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_second_copy_waits_for_the_pending_one(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(100)
    write_blocks(ebs.cloud, vid, gib=100)
    a = _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    write_blocks(ebs.cloud, vid, gib=1)
    b = _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    first = _copy(ebs, a)                   # about 17 minutes for 100 GiB
    second = _copy(ebs, b)                  # starts when the first finishes
    book = ebs_state(ebs.cloud).book
    assert book.records[second].start_t == pytest.approx(book.records[first].done_t)
    assert snapshot_usage(ebs.cloud, second).transferred_gib == 1


def test_archived_snapshot_is_billed_in_full_at_archive_rate(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(100)
    write_blocks(ebs.cloud, vid, gib=100)
    _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    write_blocks(ebs.cloud, vid, gib=5)
    b = _snap(ebs, vid)
    ebs.cloud.advance(hours=1)
    ebs.ec2.modify_snapshot_tier(SnapshotId=b, StorageTier="archive")
    usage = snapshot_usage(ebs.cloud, b)
    assert usage.tier == "archive" and usage.stored_gib == 100
    assert usage.billed_usd_month == pytest.approx(100 * 0.0125)
    assert snapshot_storage(ebs.cloud).stored_gib == 100       # b's 5 GiB left the standard tier
