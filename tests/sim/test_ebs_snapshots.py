"""Incremental snapshots, deletion, completion over virtual time and copies
(cloudlab.sim.ebs.snapshots, .snapshot_calls)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cloudlab import Cloud
from cloudlab.sim.ebs import (
    data_digest,
    snapshot_storage,
    snapshot_usage,
    write_blocks,
)
from cloudlab.sim.ebs.state import STATE_KEY, ebs_state

AMI = "ami-12c6146b"


@pytest.fixture(scope="module")
def base() -> Iterator[SimpleNamespace]:
    """One cloud and instance for the module (moto's first RunInstances costs about 1.5 s)."""
    with Cloud(seed=0) as cloud:
        ec2 = cloud.client("ec2")
        az = cloud.azs()[0]
        inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                 Placement={"AvailabilityZone": az})["Instances"][0]["InstanceId"]
        yield SimpleNamespace(cloud=cloud, ec2=ec2, az=az, instance=inst)


@pytest.fixture
def env(base: SimpleNamespace) -> Iterator[SimpleNamespace]:
    """The module's cloud with no EBS resources of earlier tests, and a helper that makes
    attached gp3 volumes. Afterwards every snapshot and volume the test made is deleted and
    the EBS simulation's state is dropped (as ``cloud.reset()`` would)."""
    cloud, ec2 = base.cloud, base.ec2
    devices = iter("fghijklmnopqrstuvwxy")

    def volume(size: int = 100, **kw: Any) -> str:
        vid = ec2.create_volume(AvailabilityZone=base.az, Size=size, VolumeType="gp3",
                                **kw)["VolumeId"]
        ec2.attach_volume(VolumeId=vid, InstanceId=base.instance,
                          Device=f"/dev/sd{next(devices)}")
        return vid  # type: ignore[no-any-return]

    yield SimpleNamespace(cloud=cloud, ec2=ec2, az=base.az, instance=base.instance,
                          volume=volume)
    state = ebs_state(cloud)
    for rec in list(state.book.records.values()):
        cloud.client("ec2", region=rec.region).delete_snapshot(SnapshotId=rec.snapshot_id)
    for vol in list(state.volumes.values()):
        client = cloud.client("ec2", region=vol.region)
        for att in client.describe_volumes(VolumeIds=[vol.volume_id])["Volumes"][0][
                "Attachments"]:
            client.detach_volume(VolumeId=vol.volume_id, InstanceId=att["InstanceId"],
                                 Device=att["Device"])
        client.delete_volume(VolumeId=vol.volume_id)
    cloud._state.pop(STATE_KEY, None)


def _snap(env: SimpleNamespace, vid: str) -> str:
    return env.ec2.create_snapshot(VolumeId=vid)["SnapshotId"]  # type: ignore[no-any-return]


def test_first_snapshot_is_full_then_incremental(env: SimpleNamespace) -> None:
    vid = env.volume(200)
    write_blocks(env.cloud, vid, gib=50)        # 200 GiB volume holding 50 GiB of data
    a = _snap(env, vid)
    write_blocks(env.cloud, vid, gib=30)        # changes and additions
    b = _snap(env, vid)
    assert snapshot_usage(env.cloud, a).stored_gib == 50      # the data, not the volume size
    assert snapshot_usage(env.cloud, b).stored_gib == 30
    assert snapshot_usage(env.cloud, b).full_gib == pytest.approx(
        ebs_state(env.cloud).volumes[vid].written_gib)
    storage = snapshot_storage(env.cloud)
    assert storage.snapshots == 2
    assert storage.stored_gib == 80
    assert storage.billed_usd_month == pytest.approx(80 * 0.05)


def test_seven_daily_snapshots_store_first_plus_changes(env: SimpleNamespace) -> None:
    vid = env.volume(100)
    write_blocks(env.cloud, vid, gib=100)
    snaps = []
    for day in range(7):
        if day:
            write_blocks(env.cloud, vid, gib=2)
        snaps.append(_snap(env, vid))
        env.cloud.advance(days=1)
    storage = snapshot_storage(env.cloud)
    assert storage.stored_gib == 112
    assert storage.full_copies_gib == 700
    assert storage.saved_usd_month == pytest.approx((700 - 112) * 0.05)
    # deleting the oldest frees only what no later snapshot needs: the 2 GiB changed on day 2
    env.ec2.delete_snapshot(SnapshotId=snaps[0])
    after = snapshot_storage(env.cloud)
    assert after.stored_gib == 110
    assert snapshot_usage(env.cloud, snaps[1]).stored_gib == 100   # its blocks moved to it
    # every remaining snapshot still restores all of its data
    for sid in snaps[1:]:
        new = env.ec2.create_volume(AvailabilityZone=env.az, SnapshotId=sid)["VolumeId"]
        assert data_digest(env.cloud, new) == data_digest(env.cloud, sid)
    assert data_digest(env.cloud, snaps[-1]) == data_digest(env.cloud, vid)


def test_deleting_a_middle_snapshot_keeps_neighbours_whole(env: SimpleNamespace) -> None:
    vid = env.volume(10)
    write_blocks(env.cloud, vid, gib=10)
    a = _snap(env, vid)
    write_blocks(env.cloud, vid, gib=1, offset_gib=0)
    b = _snap(env, vid)
    write_blocks(env.cloud, vid, gib=1, offset_gib=0)   # overwrites what b stored
    c = _snap(env, vid)
    digests = {s: data_digest(env.cloud, s) for s in (a, c)}
    env.ec2.delete_snapshot(SnapshotId=b)
    assert snapshot_storage(env.cloud).stored_gib == 11       # b's unique GiB is gone
    assert {s: data_digest(env.cloud, s) for s in (a, c)} == digests


def test_snapshot_of_restored_volume_is_incremental_to_its_source(env: SimpleNamespace) -> None:
    vid = env.volume(20)
    write_blocks(env.cloud, vid, gib=10, offset_gib=0)
    a = _snap(env, vid)
    env.cloud.advance(hours=1)
    vol2 = env.ec2.create_volume(AvailabilityZone=env.az, SnapshotId=a)["VolumeId"]
    env.ec2.attach_volume(VolumeId=vol2, InstanceId=env.instance, Device="/dev/sdz")
    write_blocks(env.cloud, vol2, gib=4, offset_gib=10)     # AWS's "Snap B" example
    b = _snap(env, vol2)
    assert snapshot_usage(env.cloud, b).stored_gib == 4
    assert snapshot_usage(env.cloud, b).full_gib == 14


def test_snapshot_is_pending_then_completed_with_progress(env: SimpleNamespace) -> None:
    vid = env.volume(100)
    write_blocks(env.cloud, vid, gib=100)
    answer = env.ec2.create_snapshot(VolumeId=vid)
    assert answer["State"] == "pending" and answer["Progress"] == "0%"
    assert answer["StartTime"] == env.cloud.now
    sid = answer["SnapshotId"]
    env.cloud.advance(minutes=8)
    mid = env.ec2.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]
    assert mid["State"] == "pending" and 0 < int(mid["Progress"].rstrip("%")) < 100
    env.cloud.advance(minutes=11)       # 100 GiB at the MODEL 100 MiB/s + 60 s: 18.1 min
    done = env.ec2.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]
    assert done["State"] == "completed" and done["Progress"] == "100%"
    assert done["CompletionTime"] > done["StartTime"]
    assert done["FullSnapshotSizeInBytes"] == 100 * 2**30


def test_small_incremental_snapshot_completes_faster(env: SimpleNamespace) -> None:
    vid = env.volume(100)
    write_blocks(env.cloud, vid, gib=100)
    _snap(env, vid)
    env.cloud.advance(hours=1)
    write_blocks(env.cloud, vid, gib=1)
    sid = _snap(env, vid)
    env.cloud.advance(seconds=75)       # 1 GiB: 60 s + about 10 s
    assert env.ec2.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]["State"] == "completed"


def test_snapshot_keeps_the_size_it_was_taken_at(env: SimpleNamespace) -> None:
    vid = env.volume(10)
    sid = _snap(env, vid)
    env.ec2.modify_volume(VolumeId=vid, Size=20)    # moto would report 20 for the snapshot
    assert env.ec2.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]["VolumeSize"] == 10


def test_owner_self_and_status_filters(env: SimpleNamespace) -> None:
    vid = env.volume(10)
    write_blocks(env.cloud, vid, gib=10)
    first = _snap(env, vid)
    env.cloud.advance(hours=1)
    second = _snap(env, vid)
    mine = env.ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]
    assert [s["SnapshotId"] for s in mine] == [first, second]   # no AMI snapshots of others
    pending = env.ec2.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": "status", "Values": ["pending"]}])["Snapshots"]
    assert [s["SnapshotId"] for s in pending] == [second]


def test_restore_from_pending_snapshot_is_refused(env: SimpleNamespace) -> None:
    vid = env.volume(10)
    write_blocks(env.cloud, vid, gib=5)
    sid = _snap(env, vid)
    with pytest.raises(ClientError) as info:
        env.ec2.create_volume(AvailabilityZone=env.az, SnapshotId=sid)
    err = info.value.response["Error"]
    assert err["Code"] == "IncorrectState"
    assert err["Message"] == "Snapshot is in invalid state - pending"


def test_concurrent_snapshot_limit_per_volume(env: SimpleNamespace) -> None:
    vid = env.volume(10)
    write_blocks(env.cloud, vid, gib=10)
    for _ in range(5):
        _snap(env, vid)
    with pytest.raises(ClientError) as info:
        _snap(env, vid)
    assert info.value.response["Error"]["Code"] == "SnapshotCreationPerVolumeRateExceeded"


# -- copies -----------------------------------------------------------------------------
def _copy(env: SimpleNamespace, sid: str, region: str = "us-west-2", **kw: Any) -> str:
    west = env.cloud.client("ec2", region=region)
    return west.copy_snapshot(SourceSnapshotId=sid,  # type: ignore[no-any-return]
                              SourceRegion="us-east-1", **kw)["SnapshotId"]


def test_cross_region_copy_full_then_incremental(env: SimpleNamespace) -> None:
    vid = env.volume(50)
    write_blocks(env.cloud, vid, gib=50)
    a = _snap(env, vid)
    env.cloud.advance(hours=1)
    first = _copy(env, a)
    copy = env.cloud.client("ec2", region="us-west-2").describe_snapshots(
        SnapshotIds=[first])["Snapshots"][0]
    assert copy["VolumeId"] == "vol-ffffffff" and copy["State"] == "pending"
    assert copy["TransferType"] == "standard"
    env.cloud.advance(hours=1)
    write_blocks(env.cloud, vid, gib=3)
    b = _snap(env, vid)
    env.cloud.advance(hours=1)
    second = _copy(env, b)
    assert snapshot_usage(env.cloud, first).transferred_gib == 50
    assert snapshot_usage(env.cloud, second).transferred_gib == 3
    assert snapshot_storage(env.cloud, "us-west-2").stored_gib == 53
    assert data_digest(env.cloud, second) == data_digest(env.cloud, b)


def test_copy_after_latest_copy_deleted_is_full_again(env: SimpleNamespace) -> None:
    vid = env.volume(10)
    write_blocks(env.cloud, vid, gib=10)
    a = _snap(env, vid)
    env.cloud.advance(hours=1)
    first = _copy(env, a)
    env.cloud.advance(hours=1)
    env.cloud.client("ec2", region="us-west-2").delete_snapshot(SnapshotId=first)
    write_blocks(env.cloud, vid, gib=1)
    b = _snap(env, vid)
    env.cloud.advance(hours=1)
    assert snapshot_usage(env.cloud, _copy(env, b)).transferred_gib == 10


def test_copy_within_region_copies_no_data(env: SimpleNamespace) -> None:
    vid = env.volume(10)
    write_blocks(env.cloud, vid, gib=10)
    a = _snap(env, vid)
    env.cloud.advance(hours=1)
    same = env.ec2.copy_snapshot(SourceSnapshotId=a, SourceRegion="us-east-1")["SnapshotId"]
    assert snapshot_usage(env.cloud, same).transferred_gib == 0
    assert snapshot_storage(env.cloud).stored_gib == 10


def test_copy_of_pending_snapshot_is_refused(env: SimpleNamespace) -> None:
    vid = env.volume(10)
    write_blocks(env.cloud, vid, gib=10)
    a = _snap(env, vid)
    with pytest.raises(ClientError) as info:
        _copy(env, a)
    assert info.value.response["Error"]["Code"] == "IncorrectState"


def test_time_based_copy_completes_in_the_requested_duration(env: SimpleNamespace) -> None:
    vid = env.volume(10)
    write_blocks(env.cloud, vid, gib=10)
    a = _snap(env, vid)
    env.cloud.advance(hours=1)
    sid = _copy(env, a, CompletionDurationMinutes=30)
    west = env.cloud.client("ec2", region="us-west-2")
    env.cloud.advance(minutes=29)
    assert west.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]["State"] == "pending"
    env.cloud.advance(minutes=1)
    done = west.describe_snapshots(SnapshotIds=[sid])["Snapshots"][0]
    assert done["State"] == "completed" and done["TransferType"] == "time-based"
    assert done["CompletionDurationMinutes"] == 30
    with pytest.raises(ClientError) as info:
        _copy(env, a, CompletionDurationMinutes=20)
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_second_copy_waits_for_the_pending_one(env: SimpleNamespace) -> None:
    vid = env.volume(100)
    write_blocks(env.cloud, vid, gib=100)
    a = _snap(env, vid)
    env.cloud.advance(hours=1)
    write_blocks(env.cloud, vid, gib=1)
    b = _snap(env, vid)
    env.cloud.advance(hours=1)
    first = _copy(env, a)                   # about 17 minutes for 100 GiB
    second = _copy(env, b)                  # starts when the first finishes
    book = ebs_state(env.cloud).book
    assert book.records[second].start_t == pytest.approx(book.records[first].done_t)
    assert snapshot_usage(env.cloud, second).transferred_gib == 1


def test_archived_snapshot_is_billed_in_full_at_archive_rate(env: SimpleNamespace) -> None:
    vid = env.volume(100)
    write_blocks(env.cloud, vid, gib=100)
    _snap(env, vid)
    env.cloud.advance(hours=1)
    write_blocks(env.cloud, vid, gib=5)
    b = _snap(env, vid)
    env.cloud.advance(hours=1)
    env.ec2.modify_snapshot_tier(SnapshotId=b, StorageTier="archive")
    usage = snapshot_usage(env.cloud, b)
    assert usage.tier == "archive" and usage.stored_gib == 100
    assert usage.billed_usd_month == pytest.approx(100 * 0.0125)
    assert snapshot_storage(env.cloud).stored_gib == 100       # b's 5 GiB left the standard tier
