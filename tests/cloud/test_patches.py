"""The speed patches of cloudlab.cloud.patches: the caches give the same data as
moto/botocore, fresh objects every time; the lookups give what moto's scans give; and each
fails loudly if an upgrade moves what it patches."""

from __future__ import annotations

import inspect
from pathlib import Path

import botocore.exceptions
import botocore.loaders
import moto.utilities.utils as moto_utils
import pytest

from cloudlab import Cloud
from cloudlab.cloud import patches

RESOURCE = "ec2/resources/instance_types.json"


def test_moto_still_loads_catalogues_through_the_function_we_patch() -> None:
    import moto.ec2.models.amis as amis
    import moto.ec2.models.instance_types as it

    for module in (amis, it):  # the catalogues the first EC2 call loads
        assert "from moto.utilities.utils import" in inspect.getsource(module)
        assert "load_resource" in inspect.getsource(module)
    assert list(inspect.signature(patches._original or moto_utils.load_resource).parameters) == [
        "resource"
    ]


def test_resource_cache_gives_moto_data_and_fresh_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDLAB_CACHE_DIR", str(tmp_path))
    with Cloud():
        assert moto_utils.load_resource is patches._cached_load_resource
        assert patches._original is not None
        expected = patches._original(RESOURCE)
        first = moto_utils.load_resource(RESOURCE)
        cached = list(patches.cache_dir().glob("*.marshal"))
        second = moto_utils.load_resource(RESOURCE)
    assert first == expected and second == expected
    assert second is not first
    assert len(cached) == 1 and cached[0].is_relative_to(tmp_path)


def test_a_corrupt_cache_file_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDLAB_CACHE_DIR", str(tmp_path))
    with Cloud():
        expected = moto_utils.load_resource(RESOURCE)
        for f in patches.cache_dir().glob("*.marshal"):
            f.write_bytes(b"\x00not marshal")
        assert moto_utils.load_resource(RESOURCE) == expected


def test_botocore_memo_returns_equal_fresh_models() -> None:
    with Cloud():
        load_file = botocore.loaders.JSONFileLoader.load_file
        assert hasattr(load_file, "__wrapped__"), "the botocore memo is not installed"
        loader = botocore.loaders.create_loader()
        a = loader.load_service_model("sqs", "service-2")
        b = loader.load_service_model("sqs", "service-2")
        fresh = botocore.loaders.create_loader().load_service_model("sqs", "service-2")
    assert a == b == fresh
    a["metadata"]["serviceId"] = "mutated"
    assert fresh["metadata"]["serviceId"] == "SQS"


def test_one_ami_by_id_is_what_moto_s_scan_gives() -> None:
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.amis import AmiBackend

    assert patches.install_ami_lookup() is True
    scan = AmiBackend.describe_images.__wrapped__  # type: ignore[attr-defined]
    with Cloud(seed=0) as cloud:
        ec2 = cloud.client("ec2")
        backend = ec2_backends["123456789012"][cloud.region]
        some = next(iter(backend.amis))
        for filters in ({"image-id": some}, {"image-id": [some]}, {"image-id": "ami-00000000"},
                        {"image-id": some[:-2] + "*"}):
            fast = backend.describe_images(filters=filters)
            assert [a.id for a in fast] == [a.id for a in scan(backend, filters=filters)]
        iid = ec2.run_instances(ImageId=some, MinCount=1, MaxCount=1)["Instances"][0]
        assert iid["ImageId"] == some


def test_instances_by_id_are_what_moto_s_copying_lookups_give() -> None:
    from moto.ec2.exceptions import InvalidInstanceIdError
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.instances import InstanceBackend

    assert patches.install_instance_lookup() is True
    by_id = InstanceBackend.get_instance_by_id.__wrapped__  # type: ignore[attr-defined]
    one = InstanceBackend.get_instance.__wrapped__  # type: ignore[attr-defined]
    many = InstanceBackend.get_multi_instances_by_id.__wrapped__  # type: ignore[attr-defined]
    with Cloud(seed=0) as cloud:
        ec2 = cloud.client("ec2")
        backend = ec2_backends["123456789012"][cloud.region]

        def launch(count: int) -> list[str]:
            return [i["InstanceId"] for i in ec2.run_instances(
                ImageId="ami-12c6146b", MinCount=count, MaxCount=count)["Instances"]]

        def same_as_moto(ids: list[str]) -> None:
            for iid in ids:
                assert backend.get_instance_by_id(iid) is by_id(backend, iid)
                if by_id(backend, iid) is not None:
                    assert backend.get_instance(iid) is one(backend, iid)
                else:
                    for lookup in (backend.get_instance, lambda i: one(backend, i)):
                        with pytest.raises(InvalidInstanceIdError):
                            lookup(iid)

        ids = launch(3)
        ec2.terminate_instances(InstanceIds=ids[:1])
        same_as_moto([*ids, "i-0000000000000000"])  # builds the index
        assert by_id(backend, "i-0000000000000000") is None
        ids += launch(2) + launch(1)  # launched after the index was built
        same_as_moto(ids[::-1])
        # an indexed instance counts only while moto still holds it: in its reservation,
        # and that reservation still among the backend's
        reservation = next(r for r in backend.reservations.values()
                           if r.instances[0].id == ids[3])
        reservation.instances.remove(backend.get_instance_by_id(ids[4]))
        same_as_moto(ids)
        assert backend.get_instance_by_id(ids[4]) is None
        del backend.reservations[reservation.id]
        same_as_moto(ids)
        assert backend.get_instance_by_id(ids[3]) is None
        backend.reservations[reservation.id] = reservation  # back: found again
        same_as_moto(ids)
        assert backend.get_instance_by_id(ids[3]) is not None

        alive = [iid for iid in ids if by_id(backend, iid) is not None]
        running = [{"name": "instance-state-name", "values": ["running"]}]
        for filters in (None, running):
            fast = backend.get_multi_instances_by_id(alive[::-1], filters)
            assert fast == many(backend, alive[::-1], filters)
        assert len(backend.get_multi_instances_by_id(alive, running)) == len(alive) - 1
        for lookup in (backend.get_multi_instances_by_id, lambda i: many(backend, i)):
            with pytest.raises(InvalidInstanceIdError) as refused:
                lookup([ids[1], "i-0000000000000000", ids[4]])
            assert refused.value.message == InvalidInstanceIdError(  # type: ignore[attr-defined]
                ["i-0000000000000000", ids[4]]).message


def test_tags_of_one_resource_are_what_moto_s_scan_gives() -> None:
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.tags import TagBackend

    assert patches.install_tag_lookup() is True
    scan = TagBackend.describe_tags.__wrapped__  # type: ignore[attr-defined]
    with Cloud(seed=0) as cloud:
        ec2 = cloud.client("ec2")
        backend = ec2_backends["123456789012"][cloud.region]
        ids = [i["InstanceId"] for i in ec2.run_instances(
            ImageId="ami-12c6146b", MinCount=2, MaxCount=2, TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}])[
            "Instances"]]
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        ec2.create_tags(Resources=[ids[0], vpc], Tags=[{"Key": "team", "Value": "a"}])

        def same_as_moto() -> None:
            for filters in ({"resource-id": [ids[0]]}, {"resource-id": [ids[1]]},
                            {"resource-id": [vpc]}, {"resource-id": ["i-0000000000000000"]},
                            {"resource-id": [ids[0][:-3] + "*"]}, {"resource-id": ["i-*"]},
                            {"resource-id": [ids[0][:-1] + "?"]}, {"resource-id": ids},
                            {"resource-id": [ids[0]], "key": ["team"]}, {"key": ["Name"]},
                            None):
                assert backend.describe_tags(filters=filters) == scan(backend, filters=filters)

        same_as_moto()
        assert [t["key"] for t in backend.describe_tags({"resource-id": [ids[0]]})] == [
            "Name", "team"]
        ec2.delete_tags(Resources=[ids[0]], Tags=[{"Key": "Name"}])
        ec2.create_tags(Resources=[ids[1]], Tags=[{"Key": "team", "Value": "b"}])
        same_as_moto()
        ec2.delete_tags(Resources=[ids[0]], Tags=[{"Key": "team"}])  # no tag left
        same_as_moto()
        assert backend.describe_tags({"resource-id": [ids[0]]}) == []
        assert ec2.describe_instances(InstanceIds=ids[1:])["Reservations"][0]["Instances"][0][
            "Tags"] == [{"Key": "Name", "Value": "web"}, {"Key": "team", "Value": "b"}]


def test_instance_type_match_is_what_moto_s_filter_gives() -> None:
    from moto.ec2.models.instance_types import INSTANCE_TYPE_OFFERINGS, InstanceTypeOfferingBackend

    assert patches.install_instance_type_check() is True
    slow = InstanceTypeOfferingBackend.matches_filters.__wrapped__  # type: ignore[attr-defined]
    backend = InstanceTypeOfferingBackend()
    offerings = INSTANCE_TYPE_OFFERINGS["region"]["us-east-1"][:200]
    cases = [({"instance-type": ["m5.large"]}, "region"),
             ({"instance-type": ["m5.large", "t3.micro"]}, "region"),
             ({"instance-type": ["no.such"]}, "region"),
             ({"location": ["us-east-1"]}, "region"),
             ({"instance-type": ["t3.micro"], "location": ["us-east-1"]}, "region")]
    for filters, location in cases:
        fast = [backend.matches_filters(o, filters, location) for o in offerings]
        assert fast == [slow(backend, o, filters, location) for o in offerings]
    with Cloud(seed=0) as cloud:  # run_instances still refuses an unknown type when asked to
        ec2 = cloud.client("ec2")
        assert ec2.run_instances(ImageId="ami-12c6146b", InstanceType="m5.large", MinCount=1,
                                 MaxCount=1)["Instances"][0]["InstanceType"] == "m5.large"


def test_a_launched_type_is_found_first_and_the_offerings_stay_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """run_instances checks a type against its own copy of the offerings, in which a
    launched type comes first: the same offerings (moto's lists keep their order), one
    match call for a type launched before, and an unknown type is still refused when moto's
    instance-type validation is on."""
    import collections

    import moto.ec2.models.instance_types as instance_types
    import moto.ec2.models.instances as instances
    from moto import settings

    with Cloud(seed=1) as cloud:
        assert patches.install_offering_order() is True
        moto_lists = instance_types.INSTANCE_TYPE_OFFERINGS
        before = [o["InstanceType"] for o in moto_lists["region"]["us-east-1"]]
        ec2 = cloud.client("ec2")
        image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
        calls = collections.Counter()
        match = instance_types.InstanceTypeOfferingBackend.matches_filters

        def counted(self, offering, filters, location):  # type: ignore[no-untyped-def]
            calls["n"] += 1
            return match(self, offering, filters, location)

        monkeypatch.setattr(instance_types.InstanceTypeOfferingBackend, "matches_filters",
                            counted)
        for kind in ("m5.large", "t3.micro", "m5.large"):
            for placement in ({}, {"Placement": {"AvailabilityZone": "us-east-1b"}}):
                # launched once (how far it is from the front depends on what this
                # process launched before), then again: found first
                ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType=kind,
                                  **placement)
                calls.clear()
                ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType=kind,
                                  **placement)
                assert calls["n"] <= 2, (kind, placement, calls["n"])  # not ~500
        ours = instances.INSTANCE_TYPE_OFFERINGS
        assert ours is not moto_lists
        assert [o["InstanceType"] for o in moto_lists["region"]["us-east-1"]] == before
        for location, by_region in moto_lists.items():
            assert ours[location].keys() == by_region.keys()
            for region, items in by_region.items():
                assert sorted(map(id, ours[location][region])) == sorted(map(id, items))
        monkeypatch.setattr(settings, "EC2_ENABLE_INSTANCE_TYPE_VALIDATION", True)
        with pytest.raises(botocore.exceptions.ClientError, match="InvalidInstanceType"):
            ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="m5.huge")
        ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="m5.large")


def test_managed_policies_are_moto_s_from_data_decoded_once() -> None:
    import moto.iam.models as iam_models
    from moto.moto_api._internal import mock_random

    from cloudlab.cloud import patch_iam

    def described(policies: list) -> list[tuple]:
        return [(p.name, p.id, p.arn, p.path, p.default_version_id, p.next_version_num,
                 p.create_date, p.update_date, p.partition,
                 [(v.document, v.version_id, v.is_default, v.create_date) for v in p.versions])
                for p in policies]

    with Cloud(seed=3):
        assert patch_iam.install_policy_data()
        patched = iam_models.IAMBackend._init_aws_policies
        original = patched.__wrapped__
        backend = iam_models.iam_backends[iam_models.DEFAULT_ACCOUNT_ID]["aws"]
        mock_random.seed(7)
        theirs = original(backend)
        mock_random.seed(7)
        ours = patched(backend)
        again = patched(backend)  # from the data decoded once: fresh objects every time
    assert len(ours) > 1000
    assert described(ours) == described(theirs)  # same ids from the same seed, same data
    assert all(a is not b for a, b in zip(ours, again, strict=True))
    assert patch_iam._POLICIES  # the decoded data is kept
