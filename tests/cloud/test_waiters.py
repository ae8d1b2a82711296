"""boto3 waiters sleep on the virtual clock while a mini cloud is active."""

from __future__ import annotations

import time

import botocore.waiter

from cloudlab import Cloud


def test_instance_running_waiter_moves_the_virtual_clock_not_real_time() -> None:
    with Cloud(seed=0) as cloud:
        ec2 = cloud.client("ec2")
        iid = ec2.run_instances(ImageId="ami-12c6146b", InstanceType="t3.micro", MinCount=1,
                                MaxCount=1)["Instances"][0]["InstanceId"]
        state = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        assert state["State"]["Name"] == "pending"
        before, started = cloud.t, time.monotonic()
        ec2.get_waiter("instance_running").wait(InstanceIds=[iid])
        assert time.monotonic() - started < 10           # a real sleep would take 15 s
        assert cloud.t - before == 30                    # two 15 s delays: running at 20 s
        state = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
        assert state["State"]["Name"] == "running"


def test_without_an_active_cloud_waiters_sleep_for_real(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    with Cloud(seed=0):
        pass                                             # installs the patch, then stops
    botocore.waiter.time.sleep(2.5)
    assert slept == [2.5]
