"""The two caches in cloudlab.cloud.patches: same data as moto/botocore give, fresh objects
every time, and loud failure if an upgrade moves what they patch."""

from __future__ import annotations

import inspect
from pathlib import Path

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
