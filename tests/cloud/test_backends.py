"""Backend selection: clear errors for backends that do not exist yet."""

from __future__ import annotations

import os

import pytest

from cloudlab import Cloud
from cloudlab.cloud.backends import make_backend
from cloudlab.errors import BackendNotAvailable


def test_default_backend_is_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUDLAB_BACKEND", raising=False)
    assert make_backend(None).name == "embedded"


def test_planned_backend_names_what_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDLAB_BACKEND", "localstack")
    with pytest.raises(BackendNotAvailable, match="not built yet; available: embedded"):
        Cloud()


def test_unknown_backend_lists_planned_ones() -> None:
    expected = r"unknown backend 'gcp'.*planned: aws, localstack"
    with pytest.raises(BackendNotAvailable, match=expected):
        Cloud(backend="gcp")


def test_env_credentials_are_restored_after_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "my-real-profile")
    with Cloud():
        assert "AWS_PROFILE" not in os.environ
        assert os.environ["AWS_ACCESS_KEY_ID"].startswith("AKIACLOUDLAB")
    assert os.environ["AWS_PROFILE"] == "my-real-profile"


def test_stop_and_reset_rebuild_no_moto_backend() -> None:
    """moto's reset re-initialises every backend in use (EC2's default AMIs, IAM's managed
    policies: ~0.2-0.4 s); the mini cloud drops them first, as the next cloud starts from
    empty backends anyway."""
    import moto.ec2.models.amis as amis

    built = []
    original = amis.Ami.__init__

    def counting(self: object, *args: object, **kwargs: object) -> None:
        built.append(1)
        original(self, *args, **kwargs)

    try:
        with Cloud(seed=1) as cloud:
            cloud.client("ec2").describe_images(Owners=["amazon"], MaxResults=5)  # builds EC2
            amis.Ami.__init__ = counting  # type: ignore[method-assign]
            cloud.reset()
            assert not built  # nothing re-initialised by the reset
            cloud.client("ec2").describe_images(Owners=["amazon"], MaxResults=5)
            assert built  # built again on first use, after the seed
            built.clear()
        assert not built  # the stop re-initialised nothing either
    finally:
        amis.Ami.__init__ = original  # type: ignore[method-assign]


def test_a_stopped_cloud_leaves_no_moto_backend_behind() -> None:
    """moto caches some methods per object (every subnet, each account's Regions), which kept
    every stopped cloud's backends alive in the kernel (~22,000 objects each); after a stop
    they can be freed."""
    import gc
    import weakref

    from moto.ec2.models.subnets import Subnet

    with Cloud(seed=1) as cloud:
        ec2 = cloud.client("ec2")
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        ec2.create_subnet(VpcId=vpc, CidrBlock="172.31.96.0/20")
        ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)  # draws an IP
        subnets = [o for o in gc.get_objects() if isinstance(o, Subnet)]
        assert subnets
        backend = weakref.ref(subnets[0].ec2_backend)
        del subnets
    gc.collect()
    assert backend() is None
    with Cloud(seed=1) as cloud:  # and the next cloud still draws the same addresses
        ip = cloud.client("ec2").run_instances(ImageId="ami-12c6146b", MinCount=1,
                                               MaxCount=1)["Instances"][0]["PrivateIpAddress"]
    with Cloud(seed=1) as cloud:
        assert cloud.client("ec2").run_instances(
            ImageId="ami-12c6146b", MinCount=1, MaxCount=1)["Instances"][0][
                "PrivateIpAddress"] == ip
