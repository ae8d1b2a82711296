from __future__ import annotations

import json
from importlib import resources

import pytest

from cloudlab.errors import InvalidScenario, UnknownInstanceType
from cloudlab.sim import InstanceType, catalog_info, instance_type, instance_types

REQUIRED = [
    "t3.micro", "t3.small", "t3.medium", "t3.large", "t3.xlarge",
    "m5.large", "m5.xlarge", "m5.2xlarge", "m5.4xlarge", "m5.8xlarge",
    "c5.large", "c5.xlarge", "c5.2xlarge", "c5.4xlarge",
    "r5.large", "r5.xlarge", "r5.2xlarge", "m7i.large",
]  # fmt: skip


def test_known_list_prices():
    # us-east-1 Linux on-demand list prices (https://aws.amazon.com/ec2/pricing/on-demand/)
    assert instance_type("t3.micro").price_per_hour == 0.0104
    assert instance_type("m5.large").price_per_hour == 0.096
    assert instance_type("c5.large").price_per_hour == 0.085
    assert instance_type("r5.large").price_per_hour == 0.126
    assert instance_type("m7i.large").price_per_hour == 0.1008


@pytest.mark.parametrize("name", REQUIRED)
def test_required_types_present_and_sane(name):
    it = instance_type(name)
    assert it.name == name
    assert it.family == name.split(".")[0]
    assert it.vcpu >= 1 and it.memory_gib > 0 and it.rps > 0 and it.price_per_hour > 0


def test_data_file_documents_source_date_and_model():
    doc = json.loads(
        resources.files("cloudlab").joinpath("data").joinpath("instance_types.json").read_text()
    )
    assert doc["source"] == "https://aws.amazon.com/ec2/pricing/on-demand/"
    assert "verify" in doc["as_of"].lower()
    assert doc["region"] == "us-east-1" and doc["os"] == "Linux"
    assert "MODEL" in doc["rps_model"]
    assert catalog_info()["source"] == doc["source"]
    assert "types" not in catalog_info()


def test_rps_model_is_per_vcpu_and_t3_is_baseline():
    assert instance_type("m5.large").rps == 200
    assert instance_type("c5.4xlarge").rps == 1600
    t3 = instance_type("t3.micro")
    assert t3.burstable and t3.rps == 20  # 2 vCPU x 10 % baseline x 100 req/s
    assert not instance_type("m5.large").burstable


def test_sizes_in_a_family_scale_linearly():
    m5 = [it for it in instance_types() if it.family == "m5"]
    per_vcpu = {round(it.price_per_hour / it.vcpu, 6) for it in m5}
    assert per_vcpu == {0.048}


def test_instance_types_sorted_by_price():
    prices = [it.price_per_hour for it in instance_types()]
    assert prices == sorted(prices)
    assert len(prices) >= len(REQUIRED)


def test_lookup_is_forgiving_about_case_and_passes_objects_through():
    it = instance_type("M5.Large")
    assert it is instance_type("m5.large")
    assert instance_type(it) is it
    assert isinstance(it, InstanceType)


def test_unknown_type_suggests_close_match():
    with pytest.raises(UnknownInstanceType) as err:
        instance_type("m5.larg")
    msg = str(err.value)
    assert "unknown instance type 'm5.larg'" in msg
    assert "did you mean 'm5.large'" in msg
    assert "instance_types.json" in msg
    assert isinstance(err.value, InvalidScenario) and isinstance(err.value, KeyError)


def test_unknown_type_without_close_match_lists_known():
    with pytest.raises(UnknownInstanceType, match="the simulation knows .*m5.large"):
        instance_type("zz")


def test_non_string_type_rejected():
    with pytest.raises(UnknownInstanceType, match="must be a name such as 'm5.large', got int 5"):
        instance_type(5)  # type: ignore[arg-type]


def test_derived_figures():
    it = instance_type("m5.large")
    assert it.price_per_second == pytest.approx(0.096 / 3600)
    assert it.usd_per_million_requests == pytest.approx(0.096 / (200 * 3600) * 1e6)
    assert str(it) == "m5.large (2 vCPU, 8 GiB, 200 req/s, 0.096 USD/h)"
