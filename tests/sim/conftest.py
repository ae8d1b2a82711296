"""Fixtures for the simulation tests: a real Cloud, a clock-only stand-in for
Hypothesis examples (a real Cloud per example would be slow), and the EBS tests' cloud with
one instance (shared by a module) and its per-test cleanup."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from cloudlab.cloud import DEFAULT_START, Cloud, VirtualClock
from cloudlab.sim.ebs.state import STATE_KEY, ebs_state

#: Image of the EBS tests' instance.
AMI = "ami-12c6146b"


class ClockOnlyCloud:
    """Just what Scenario.run uses: ``clock``, ``t`` and ``rng(stream)`` (derived like Cloud's)."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.clock = VirtualClock(DEFAULT_START)

    @property
    def t(self) -> float:
        return self.clock.t

    def rng(self, stream: str = "default") -> np.random.Generator:
        key = zlib.crc32(stream.encode("utf-8"))
        return np.random.default_rng(np.random.SeedSequence(entropy=self.seed, spawn_key=(key,)))


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    with Cloud(seed=0) as c:
        yield c


@pytest.fixture
def light() -> ClockOnlyCloud:
    return ClockOnlyCloud(seed=0)


@pytest.fixture
def make_light() -> type[ClockOnlyCloud]:
    """Build more clock-only clouds in one test: ``make_light(seed)``."""
    return ClockOnlyCloud


@pytest.fixture(scope="module")
def ebs_cloud() -> Iterator[SimpleNamespace]:
    """One cloud and instance for a module (moto's first RunInstances costs about 1.5 s)."""
    with Cloud(seed=0) as cloud:
        ec2 = cloud.client("ec2")
        az = cloud.azs()[0]
        inst = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                 Placement={"AvailabilityZone": az})["Instances"][0]["InstanceId"]
        yield SimpleNamespace(cloud=cloud, ec2=ec2, az=az, instance=inst)


@pytest.fixture
def ebs(ebs_cloud: SimpleNamespace) -> Iterator[SimpleNamespace]:
    """The module's cloud with no EBS resources of earlier tests; ``volume(...)`` makes an
    attached gp3 volume, ``restore(snapshot)`` an attached restored one, ``snapshot(vid)`` a
    completed snapshot (one virtual hour later). Afterwards every snapshot and volume the
    test made is deleted and the EBS simulation's state is dropped (as ``cloud.reset()``
    would)."""
    cloud, ec2 = ebs_cloud.cloud, ebs_cloud.ec2
    devices = iter("fghijklmnopqrstuvwxy")

    def attach(vid: str) -> str:
        ec2.attach_volume(VolumeId=vid, InstanceId=ebs_cloud.instance,
                          Device=f"/dev/sd{next(devices)}")
        return vid

    def volume(size: int = 100, **kw: Any) -> str:
        kw.setdefault("VolumeType", "gp3")
        return attach(ec2.create_volume(AvailabilityZone=ebs_cloud.az, Size=size,
                                        **kw)["VolumeId"])

    def restore(snapshot_id: str, **kw: Any) -> str:
        kw.setdefault("VolumeType", "gp3")
        return attach(ec2.create_volume(AvailabilityZone=ebs_cloud.az, SnapshotId=snapshot_id,
                                        **kw)["VolumeId"])

    def snapshot(vid: str) -> str:
        sid = ec2.create_snapshot(VolumeId=vid)["SnapshotId"]
        cloud.advance(hours=1)  # completed
        return sid  # type: ignore[no-any-return]

    yield SimpleNamespace(cloud=cloud, ec2=ec2, az=ebs_cloud.az, instance=ebs_cloud.instance,
                          volume=volume, restore=restore, snapshot=snapshot)
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
