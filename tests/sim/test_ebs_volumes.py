"""Volumes: validation, attachment, Elastic Volumes, restores with lazy loading, initialisation,
fast snapshot restore and the data plane (cloudlab.sim.ebs.volume_calls, .dataplane, .fsr)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cloudlab import Cloud
from cloudlab.errors import InvalidScenario, UnknownResource
from cloudlab.sim.ebs import (
    data_digest,
    extend_file_system,
    initialize_volume,
    read_blocks,
    volume_usage,
    write_blocks,
)
from cloudlab.sim.ebs.state import ebs_state


def _error(info: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    err = info.value.response["Error"]
    return err["Code"], err["Message"]


# -- CreateVolume ----------------------------------------------------------------------
@pytest.mark.parametrize(("kw", "code", "message"), [
    ({"Size": 0, "VolumeType": "gp3"}, "InvalidParameterValue",
     "Volume of 0GiB is too small; minimum is 1GiB."),
    ({"Size": 70000, "VolumeType": "gp3"}, "InvalidParameterValue",
     "Volume of 70000GiB is too large; maximum is 65536GiB."),
    ({"Size": 20000, "VolumeType": "gp2"}, "InvalidParameterValue",
     "Volume of 20000GiB is too large; maximum is 16384GiB."),
    ({"Size": 100, "VolumeType": "st1"}, "InvalidParameterValue",
     "Volume of 100GiB is too small; minimum is 125GiB."),
    ({"Size": 20, "VolumeType": "gp3", "Iops": 15000}, "InvalidParameterValue",
     "Iops to volume size ratio of 750.000000 is too high; maximum is 500"),
    ({"Size": 100, "VolumeType": "gp3", "Iops": 2000}, "InvalidParameterValue",
     "Volume iops of 2000 is outside the valid range for gp3: 3,000 - 80,000."),
    ({"Size": 100, "VolumeType": "gp3", "Throughput": 3000}, "InvalidParameterValue",
     "Throughput of 3000 MiB/s is outside the valid range for gp3: 125 - 2000 MiB/s."),
])
def test_create_volume_refuses_what_aws_refuses(ebs: SimpleNamespace, kw: dict[str, Any],
                                                code: str, message: str) -> None:
    with pytest.raises(ClientError) as info:
        ebs.ec2.create_volume(AvailabilityZone=ebs.az, **kw)
    assert _error(info) == (code, message)


def test_new_volume_is_on_the_virtual_clock_and_defaults_to_gp2(ebs: SimpleNamespace) -> None:
    ebs.cloud.advance(hours=3)
    answer = ebs.ec2.create_volume(AvailabilityZone=ebs.az, Size=8)
    assert answer["VolumeType"] == "gp2"     # the API default; pass VolumeType="gp3"
    assert answer["CreateTime"] == ebs.cloud.now
    listed = ebs.ec2.describe_volumes(VolumeIds=[answer["VolumeId"]])["Volumes"][0]
    assert listed["CreateTime"] == ebs.cloud.now
    ebs.ec2.delete_volume(VolumeId=answer["VolumeId"])


def test_attach_across_availability_zones_is_refused(ebs: SimpleNamespace) -> None:
    other = ebs.cloud.azs()[1]
    vid = ebs.ec2.create_volume(AvailabilityZone=other, Size=10, VolumeType="gp3")["VolumeId"]
    with pytest.raises(ClientError) as info:
        ebs.ec2.attach_volume(VolumeId=vid, InstanceId=ebs.instance, Device="/dev/sdz")
    assert _error(info) == ("InvalidVolume.ZoneMismatch",
                            f"The volume '{vid}' is not in the same availability zone as "
                            f"instance '{ebs.instance}'")
    ebs.ec2.delete_volume(VolumeId=vid)


def test_restore_smaller_than_snapshot_is_refused(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(50)
    sid = ebs.snapshot(vid)
    with pytest.raises(ClientError) as info:
        ebs.ec2.create_volume(AvailabilityZone=ebs.az, SnapshotId=sid, Size=20)
    assert _error(info) == ("InvalidParameterValue",
                            "Volume of 20GiB is too small; minimum is 50GiB.")


def test_snapshot_is_regional(ebs: SimpleNamespace) -> None:
    sid = ebs.snapshot(ebs.volume(10))
    west = ebs.cloud.client("ec2", region="us-west-2")
    with pytest.raises(ClientError) as info:
        west.create_volume(AvailabilityZone="us-west-2a", SnapshotId=sid)
    assert _error(info)[0] == "InvalidSnapshot.NotFound"


# -- the data plane ----------------------------------------------------------------------
def test_io_needs_an_attached_volume(ebs: SimpleNamespace) -> None:
    vid = ebs.ec2.create_volume(AvailabilityZone=ebs.az, Size=10, VolumeType="gp3")["VolumeId"]
    with pytest.raises(InvalidScenario, match=r"is available, not attached to an instance"):
        write_blocks(ebs.cloud, vid, gib=1)
    with pytest.raises(UnknownResource, match=r"no volume vol-0000 in the mini cloud"):
        read_blocks(ebs.cloud, "vol-0000")
    with pytest.raises(UnknownResource, match=r"is not a volume id"):
        read_blocks(ebs.cloud, "i-123")
    ebs.ec2.delete_volume(VolumeId=vid)


def test_writes_mark_changes_and_must_fit(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(10)
    first = write_blocks(ebs.cloud, vid, gib=4)
    assert (first.written_gib, first.changed_gib, first.total_gib) == (4, 4, 4)
    ebs.snapshot(vid)
    assert volume_usage(ebs.cloud, vid).changed_gib == 0
    again = write_blocks(ebs.cloud, vid, gib=1, offset_gib=0)
    assert again.changed_gib == 1 and again.total_gib <= 5
    with pytest.raises(InvalidScenario, match=r"file system on .* holds 10 GiB"):
        write_blocks(ebs.cloud, vid, gib=11)
    with pytest.raises(InvalidScenario, match=r"gib must be >="):
        write_blocks(ebs.cloud, vid, gib=0)


def test_new_volume_reads_fast(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(10)
    write_blocks(ebs.cloud, vid, gib=10)
    result = read_blocks(ebs.cloud, vid, gib=1)
    assert result.reads == 2048 and result.first_touch_reads == 0
    assert 0.5 < result.p50_ms < 1.5 and result.p99_ms < 3


def test_restored_volume_is_slow_on_first_touch_until_initialised(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(100)
    write_blocks(ebs.cloud, vid, gib=100)
    sid = ebs.snapshot(vid)
    cold_vol = ebs.restore(sid)
    cold = read_blocks(ebs.cloud, cold_vol, gib=1)
    assert cold.first_touch_reads > 0.95 * cold.reads
    assert cold.p50_ms > 20 and cold.p99_ms > 60
    again = read_blocks(ebs.cloud, cold_vol, gib=1, offset_gib=None)
    assert again.first_touch_reads < again.reads       # some blocks were loaded by the first pass
    warm_vol = ebs.restore(sid)
    init = initialize_volume(ebs.cloud, warm_vol)
    assert init.rate_mibps == 125                      # gp3 baseline throughput
    assert init.eta_s == pytest.approx(100 * 1024 / 125, rel=0.01)
    status = ebs.ec2.describe_volume_status(VolumeIds=[warm_vol])["VolumeStatuses"][0]
    assert status["InitializationStatusDetails"]["InitializationType"] == "default"
    assert status["InitializationStatusDetails"]["Progress"] < 5
    ebs.cloud.advance(seconds=init.eta_s + 1)
    status = ebs.ec2.describe_volume_status(VolumeIds=[warm_vol])["VolumeStatuses"][0]
    assert status["InitializationStatusDetails"]["Progress"] == 100
    warm = read_blocks(ebs.cloud, warm_vol, gib=1)
    assert warm.first_touch_reads == 0 and warm.p99_ms < 3
    assert volume_usage(ebs.cloud, warm_vol).initialized_pct == 100
    assert data_digest(ebs.cloud, warm_vol) == data_digest(ebs.cloud, sid)


def test_background_loading_moves_with_the_clock(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(10)
    write_blocks(ebs.cloud, vid, gib=10)
    rid = ebs.restore(ebs.snapshot(vid))
    before = volume_usage(ebs.cloud, rid).initialized_pct
    ebs.cloud.advance(minutes=4)                        # MODEL 20 MiB/s: 4.7 GiB
    during = volume_usage(ebs.cloud, rid).initialized_pct
    ebs.cloud.advance(minutes=10)
    assert before < 1 and 40 < during < 55 and volume_usage(ebs.cloud, rid).initialized_pct == 100


def test_provisioned_initialization_rate(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(30)
    write_blocks(ebs.cloud, vid, gib=30)
    sid = ebs.snapshot(vid)
    rid = ebs.restore(sid, VolumeInitializationRate=300)
    listed = ebs.ec2.describe_volumes(VolumeIds=[rid])["Volumes"][0]
    assert listed["VolumeInitializationRate"] == 300
    details = ebs.ec2.describe_volume_status(VolumeIds=[rid])["VolumeStatuses"][0][
        "InitializationStatusDetails"]
    assert details["InitializationType"] == "provisioned-rate"
    assert details["EstimatedTimeToCompleteInSeconds"] == pytest.approx(30 * 1024 / 300, abs=1)
    with pytest.raises(ClientError) as info:
        ebs.ec2.create_volume(AvailabilityZone=ebs.az, SnapshotId=sid,
                              VolumeInitializationRate=50)
    assert _error(info)[0] == "InvalidParameterValue"


def test_fast_snapshot_restore(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(128)
    write_blocks(ebs.cloud, vid, gib=64)
    sid = ebs.snapshot(vid)
    answer = ebs.ec2.enable_fast_snapshot_restores(AvailabilityZones=[ebs.az],
                                                   SourceSnapshotIds=[sid])
    assert answer["Successful"][0]["State"] == "enabling" and not answer["Unsuccessful"]
    ebs.cloud.advance(minutes=2)
    state = ebs.ec2.describe_fast_snapshot_restores()["FastSnapshotRestores"][0]
    assert state["State"] == "optimizing"               # 60 min per TiB: 7.5 min for 128 GiB
    ebs.cloud.advance(minutes=10)
    state = ebs.ec2.describe_fast_snapshot_restores(
        Filters=[{"Name": "state", "Values": ["enabled"]}])["FastSnapshotRestores"]
    assert [s["SnapshotId"] for s in state] == [sid]
    ebs.cloud.advance(hours=1)                          # 8 credits per hour for 128 GiB
    fast = ebs.restore(sid)
    assert ebs.ec2.describe_volumes(VolumeIds=[fast])["Volumes"][0]["FastRestored"] is True
    assert read_blocks(ebs.cloud, fast, gib=1).first_touch_reads == 0
    other = ebs.cloud.azs()[1]
    slow = ebs.ec2.create_volume(AvailabilityZone=other, SnapshotId=sid)["VolumeId"]
    assert ebs.ec2.describe_volumes(VolumeIds=[slow])["Volumes"][0]["FastRestored"] is False
    bad = ebs.ec2.enable_fast_snapshot_restores(AvailabilityZones=[ebs.az],
                                                SourceSnapshotIds=["snap-00000000"])
    assert bad["Unsuccessful"][0]["FastSnapshotRestoreStateErrors"][0]["Error"]["Code"] == \
        "InvalidSnapshot.NotFound"
    ebs.ec2.disable_fast_snapshot_restores(AvailabilityZones=[ebs.az], SourceSnapshotIds=[sid])
    ebs.cloud.advance(minutes=2)
    assert ebs.ec2.describe_fast_snapshot_restores()["FastSnapshotRestores"][0]["State"] == \
        "disabled"


def test_fsr_credits_run_out(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(1024)
    write_blocks(ebs.cloud, vid, gib=1)
    sid = ebs.snapshot(vid)
    ebs.ec2.enable_fast_snapshot_restores(AvailabilityZones=[ebs.az], SourceSnapshotIds=[sid])
    ebs.cloud.advance(hours=3)            # 1 TiB: one credit per hour, a bucket of one
    kinds = [ebs.ec2.describe_volumes(VolumeIds=[ebs.restore(sid)])["Volumes"][0]["FastRestored"]
             for _ in range(2)]
    assert kinds == [True, False]


# -- Elastic Volumes -----------------------------------------------------------------------
def test_grow_in_place_through_the_states(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(100)
    write_blocks(ebs.cloud, vid, gib=100)
    mod = ebs.ec2.modify_volume(VolumeId=vid, Size=200, Iops=6000)["VolumeModification"]
    assert mod["ModificationState"] == "modifying" and mod["Progress"] == 0
    assert mod["StartTime"] == ebs.cloud.now and "EndTime" not in mod
    with pytest.raises(InvalidScenario, match="not in effect yet"):
        extend_file_system(ebs.cloud, vid)
    ebs.cloud.advance(minutes=1)
    mod = ebs.ec2.describe_volumes_modifications(VolumeIds=[vid])["VolumesModifications"][0]
    assert mod["ModificationState"] == "optimizing" and 0 < mod["Progress"] < 100
    assert volume_usage(ebs.cloud, vid).filesystem_gib == 100
    assert extend_file_system(ebs.cloud, vid) == 200
    ebs.cloud.advance(hours=1)            # 100 GiB written: about 35 min optimizing
    done = ebs.ec2.describe_volumes_modifications(
        VolumeIds=[vid], Filters=[{"Name": "modification-state", "Values": ["completed"]}]
    )["VolumesModifications"]
    assert done[0]["Progress"] == 100 and done[0]["EndTime"] > done[0]["StartTime"]
    usage = volume_usage(ebs.cloud, vid)
    assert (usage.size_gib, usage.iops, usage.filesystem_gib) == (200, 6000, 200)
    assert ebs.ec2.describe_volumes(VolumeIds=[vid])["Volumes"][0]["State"] == "in-use"


def test_modification_rules(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(100)
    with pytest.raises(ClientError) as info:
        ebs.ec2.modify_volume(VolumeId=vid, Size=50)
    assert _error(info) == ("InvalidParameterValue",
                            "New size cannot be smaller than existing size")
    ebs.ec2.modify_volume(VolumeId=vid, Size=110)
    with pytest.raises(ClientError) as info:
        ebs.ec2.modify_volume(VolumeId=vid, Size=120)
    assert _error(info) == ("IncorrectModificationState",
                            f"Volume {vid} cannot be modified in modification state MODIFYING")
    for size in (120, 130, 140):
        ebs.cloud.advance(minutes=5)
        ebs.ec2.modify_volume(VolumeId=vid, Size=size)
    ebs.cloud.advance(minutes=5)
    with pytest.raises(ClientError) as info:            # a fifth change within 24 hours
        ebs.ec2.modify_volume(VolumeId=vid, Size=150)
    code, message = _error(info)
    assert code == "VolumeModificationRateExceeded" and "2026-01-" in message
    ebs.cloud.advance(hours=24)
    ebs.ec2.modify_volume(VolumeId=vid, Size=150)       # the rolling window moved on


def test_change_type_checks_the_new_type_limits(ebs: SimpleNamespace) -> None:
    vid = ebs.volume(100)
    with pytest.raises(ClientError) as info:
        ebs.ec2.modify_volume(VolumeId=vid, VolumeType="sc1")
    assert _error(info)[1] == "Volume of 100GiB is too small; minimum is 125GiB."
    ebs.ec2.modify_volume(VolumeId=vid, VolumeType="io2", Iops=5000)
    assert volume_usage(ebs.cloud, vid).volume_type == "io2"


def test_reset_drops_the_simulation_state() -> None:
    with Cloud(seed=1) as cloud:
        ec2 = cloud.client("ec2")
        vid = ec2.create_volume(AvailabilityZone=cloud.azs()[0], Size=5)["VolumeId"]
        assert vid in ebs_state(cloud).volumes
        cloud.reset()
        assert ebs_state(cloud).volumes == {}
