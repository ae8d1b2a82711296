"""Patches 8 and 9 (cloudlab.cloud.patch_stamps): moto's EC2 ids drawn without a call per
digit are the very ids moto draws, from the same generator state, leaving the same state;
``utcnow`` is moto's expression; both are wherever moto's modules name them."""

from __future__ import annotations

import datetime
import random
import sys
from typing import Any

import moto.core.utils as core_utils
import moto.ec2.utils as ec2_utils
import pytest
from moto.moto_api._internal.moto_random import MotoRandom

from cloudlab import Cloud
from cloudlab.cloud import patch_stamps


def _moto_functions(name: str) -> list[tuple[str, Any]]:
    """Every loaded moto module's object named ``name``."""
    return [(m.__name__, vars(m)[name]) for m in list(sys.modules.values())
            if getattr(m, "__name__", "").startswith("moto.") and name in vars(m)]


def test_ids_are_the_ones_moto_draws_from_an_identically_seeded_generator(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert patch_stamps.install_direct_ids() is True
    patched = ec2_utils.random_resource_id
    original = patched.__wrapped__  # type: ignore[attr-defined]
    sizes = [17, 8, 1, 0, 32, 4, 12, 100, 17, 17]
    for seed in (0, 1, 42, 2**40 + 3):
        theirs, ours = MotoRandom(seed), MotoRandom(seed)
        got: dict[str, list[Any]] = {"theirs": [], "ours": []}
        for rng, function, out in ((theirs, original, got["theirs"]),
                                   (ours, patched, got["ours"])):
            monkeypatch.setattr(ec2_utils, "random", rng)  # what both functions draw from
            for k in range(400):
                out.append(function(sizes[k % len(sizes)]))
                out.append(rng.randint(0, 255))  # other draws in between stay in step
                if k % 50 == 0:
                    out.append(ec2_utils.random_id(prefix="i"))  # moto's callers
        assert got["ours"] == got["theirs"], seed
        assert ours.getstate() == theirs.getstate(), seed
    assert len(set(got["ours"][::2])) > 300  # ids, not one repeated value


def test_moto_s_callers_and_importers_use_the_patched_function() -> None:
    with Cloud(seed=0):
        assert hasattr(ec2_utils.random_resource_id, "__wrapped__")
        for module, function in _moto_functions("random_resource_id"):
            if module.startswith("moto.ec2"):  # iam has a function of its own by that name
                assert function is ec2_utils.random_resource_id, module
        assert ec2_utils.random_id.__globals__ is vars(ec2_utils)  # it reads the module's name


def test_a_cloud_s_resource_ids_are_the_same_with_and_without_the_patch(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def ids() -> list[str]:
        with Cloud(seed=7) as cloud:
            ec2 = cloud.client("ec2")
            subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
            made = ec2.run_instances(ImageId="ami-12c6146b", MinCount=3, MaxCount=3,
                                     InstanceType="t3.micro", SubnetId=subnet)
            volume = ec2.create_volume(Size=8, AvailabilityZone=cloud.azs()[0])
            described = ec2.describe_instances()["Reservations"]
            return ([made["ReservationId"], volume["VolumeId"]]
                    + [i["InstanceId"] for r in described for i in r["Instances"]]
                    + [n["NetworkInterfaceId"] + n["Attachment"]["AttachmentId"]
                       for r in described for i in r["Instances"]
                       for n in i["NetworkInterfaces"]]
                    + [b["Ebs"]["VolumeId"] for r in described for i in r["Instances"]
                       for b in i["BlockDeviceMappings"]])

    patched = ids()
    assert hasattr(ec2_utils.random_resource_id, "__wrapped__")
    monkeypatch.setattr(ec2_utils, "random_resource_id",
                        ec2_utils.random_resource_id.__wrapped__)  # type: ignore[attr-defined]
    assert ids() == patched


def test_a_generator_that_draws_through_random_is_left_to_moto() -> None:
    class Floats(MotoRandom):
        def random(self) -> float:  # makes choice() use _randbelow_without_getrandbits
            return super().random()

    assert patch_stamps._draws_as_moto(MotoRandom(0)) is True
    assert patch_stamps._draws_as_moto(Floats(0)) is False
    assert patch_stamps._draws_as_moto(random.SystemRandom()) is False


def test_utcnow_is_moto_s_expression_wherever_moto_names_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert patch_stamps.install_utcnow() is True
    with Cloud(seed=0):
        for module, function in _moto_functions("utcnow"):
            assert function is core_utils.utcnow, module
    original = core_utils.utcnow.__wrapped__  # type: ignore[attr-defined]
    before = original()
    now = core_utils.utcnow()
    after = original()
    assert now.tzinfo is None and before <= now <= after

    class Fixed(datetime.datetime):  # a library that swaps the class (a frozen clock)
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=tz)

    monkeypatch.setattr(datetime, "datetime", Fixed)
    assert core_utils.utcnow() == original() == datetime.datetime(2030, 1, 2, 3, 4, 5)
