"""EBS simulation: block writes, incremental snapshots, restores, reads and the call overhead.

Prints figures; never asserts on them (a benchmark is not a test). Run with
``.venv/bin/python -m benchmarks.bench_ebs`` (or ``python -m benchmarks ebs``). The scenario is
lab 07's: a 100 GiB gp3 volume (204,800 blocks of 512 KiB) filled, then a week of daily
snapshots with 2 GiB changed a day.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks._timing import median_s
from cloudlab import Cloud
from cloudlab.sim.ebs import (
    initialize_volume,
    read_blocks,
    snapshot_storage,
    snapshot_usage,
    write_blocks,
)

AMI = "ami-12c6146b"
SIZE_GIB = 100


def _attached_volume(cloud: Cloud, ec2: Any, az: str, instance: str, device: str,
                     **kw: Any) -> str:
    vid = ec2.create_volume(AvailabilityZone=az, VolumeType="gp3", **kw)["VolumeId"]
    ec2.attach_volume(VolumeId=vid, InstanceId=instance, Device=device)
    return vid  # type: ignore[no-any-return]


def bench() -> dict[str, float]:
    with Cloud(seed=0) as cloud:
        ec2 = cloud.client("ec2")
        az = cloud.azs()[0]
        instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                                     Placement={"AvailabilityZone": az})["Instances"][0][
            "InstanceId"]
        devices = iter(f"/dev/sd{c}" for c in "fghijklmnopqrstuvwxyz")
        vol = _attached_volume(cloud, ec2, az, instance, next(devices), Size=SIZE_GIB)

        t0 = time.perf_counter()
        write_blocks(cloud, vol, gib=SIZE_GIB)
        fill_ms = (time.perf_counter() - t0) * 1000
        change_ms = median_s(lambda: write_blocks(cloud, vol, gib=2)) * 1000

        t0 = time.perf_counter()
        snaps = []
        for day in range(7):
            if day:
                write_blocks(cloud, vol, gib=2)
            snaps.append(ec2.create_snapshot(VolumeId=vol)["SnapshotId"])
            cloud.advance(days=1)
        week_s = time.perf_counter() - t0
        snapshot_call_ms = median_s(lambda: ec2.create_snapshot(VolumeId=vol), repeats=3) * 1000
        cloud.advance(hours=1)
        storage_ms = median_s(lambda: snapshot_storage(cloud)) * 1000
        usage_ms = median_s(lambda: snapshot_usage(cloud, snaps[-1])) * 1000
        describe_ms = median_s(lambda: ec2.describe_snapshots(OwnerIds=["self"])) * 1000
        # without OwnerIds: every snapshot you may read (moto's ~1,300 AMI snapshots)
        describe_all_ms = median_s(lambda: ec2.describe_snapshots(), repeats=3) * 1000
        describe_volume_ms = median_s(lambda: ec2.describe_volumes(VolumeIds=[vol])) * 1000

        t0 = time.perf_counter()
        restored = _attached_volume(cloud, ec2, az, instance, next(devices),
                                    SnapshotId=snaps[-1])
        restore_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        cold = read_blocks(cloud, restored, gib=1)
        cold_read_ms = (time.perf_counter() - t0) * 1000
        prewarm = initialize_volume(cloud, restored)
        cloud.advance(seconds=prewarm.eta_s)
        warm_read_ms = median_s(lambda: read_blocks(cloud, restored, gib=1)) * 1000

        t0 = time.perf_counter()
        ec2.modify_volume(VolumeId=vol, Size=200)
        modify_ms = (time.perf_counter() - t0) * 1000
        stored = snapshot_storage(cloud).stored_gib
        return {
            "ebs_fill_100gib_write_ms": fill_ms,
            "ebs_write_2gib_ms": change_ms,
            "ebs_week_of_daily_snapshots_s": week_s,
            "ebs_create_snapshot_100gib_ms": snapshot_call_ms,
            "ebs_snapshot_storage_ms": storage_ms,
            "ebs_snapshot_usage_ms": usage_ms,
            "ebs_describe_snapshots_self_ms": describe_ms,
            "ebs_describe_snapshots_all_ms": describe_all_ms,
            "ebs_describe_volumes_ms": describe_volume_ms,
            "ebs_restore_create_attach_ms": restore_ms,
            "ebs_read_1gib_cold_ms": cold_read_ms,
            "ebs_read_1gib_warm_ms": warm_read_ms,
            "ebs_modify_volume_ms": modify_ms,
            "ebs_cold_p99_ms (model)": cold.p99_ms,
            "ebs_prewarm_100gib_min (virtual)": prewarm.eta_s / 60,
            "ebs_week_stored_gib": stored,
        }


def main() -> None:
    """Print every figure, one per line."""
    for figure, value in bench().items():
        print(f"{figure:34s} {value:10.3f}")


if __name__ == "__main__":
    main()
