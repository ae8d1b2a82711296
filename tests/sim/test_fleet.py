from __future__ import annotations

import numpy as np
import pytest

from cloudlab.cloud import DEFAULT_START
from cloudlab.errors import InvalidScenario, UnknownInstanceType
from cloudlab.sim import (
    ElasticFleet,
    FixedFleet,
    ScheduledFleet,
    instance_type,
    instances_needed,
    smallest_type_for,
)

AMI = "ami-12c6146b"  # moto's default Amazon Linux image id


def run_fleet(fleet, demand, step_s=1.0, chunks=1):
    demand = np.asarray(demand, dtype=float)
    t = np.arange(len(demand)) * step_s
    fr = fleet.start_run(t_s=t, demand_rps=demand, step_s=step_s, start=DEFAULT_START)
    edges = np.linspace(0, len(demand), chunks + 1).astype(int)
    for i0, i1 in zip(edges[:-1], edges[1:], strict=True):
        fr.advance(int(i0), int(i1))
    return fr


# -- helpers ------------------------------------------------------------------------------
def test_instances_needed():
    assert instances_needed(1000, "m5.large") == 5
    assert instances_needed(1001, "m5.large") == 6
    assert instances_needed(1400, "m5.large", target_utilization=0.7) == 10  # not 11
    assert instances_needed(0, "c5.large") == 0
    with pytest.raises(InvalidScenario, match="rps must be >= 0, got -3"):
        instances_needed(-3, "m5.large")
    with pytest.raises(InvalidScenario, match="target_utilization must be > 0 and <= 1, got 0"):
        instances_needed(10, "m5.large", target_utilization=0)
    with pytest.raises(UnknownInstanceType, match="did you mean 'm5.large'"):
        instances_needed(10, "m5.lrage")


def test_smallest_type_for():
    assert smallest_type_for(150).name == "c5.large"           # cheapest with >= 150 req/s
    assert smallest_type_for(150, family="t3").name == "t3.xlarge"  # 160 at baseline
    assert smallest_type_for(150, family="m5").name == "m5.large"
    assert smallest_type_for(2000, family="m5").name == "m5.8xlarge"
    assert smallest_type_for(10**7) is None
    with pytest.raises(InvalidScenario, match="unknown family 'x9'; known families: c5, m5"):
        smallest_type_for(10, family="x9")


# -- fixed --------------------------------------------------------------------------------
def test_fixed_fleet_figures_and_run():
    fleet = FixedFleet({"m5.large": 2, "c5.xlarge": 1})
    assert fleet.count == 3
    assert fleet.capacity_rps == 800
    assert fleet.price_per_hour == pytest.approx(0.362)
    fr = run_fleet(fleet, np.zeros(3600))
    assert fr.capacity_rps.tolist() == [800] * 3600
    assert fr.instances.tolist() == [3] * 3600
    assert fr.charge_usd.sum() == pytest.approx(0.362)
    assert repr(fleet) == "FixedFleet(2 x m5.large, 1 x c5.xlarge)"


def test_fixed_fleet_zero_is_valid():
    for fleet in (FixedFleet({}), FixedFleet("m5.large", 0)):
        fr = run_fleet(fleet, [10, 20])
        assert fr.capacity_rps.tolist() == [0, 0] and fr.charge_usd.tolist() == [0, 0]
        assert repr(fleet) == "FixedFleet(no instances)"


def test_fixed_fleet_validation():
    with pytest.raises(InvalidScenario, match=r"FixedFleet\('m5.large'\) needs a count"):
        FixedFleet("m5.large")
    with pytest.raises(InvalidScenario, match="count of m5.large must be >= 0, got -1"):
        FixedFleet("m5.large", -1)
    with pytest.raises(InvalidScenario, match="count of m5.large must be a whole number, got 1.5"):
        FixedFleet("m5.large", 1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidScenario, match="not both"):
        FixedFleet({"m5.large": 1}, 2)
    with pytest.raises(UnknownInstanceType, match="unknown instance type 'm9.huge'"):
        FixedFleet({"m9.huge": 1})


def test_from_cloud_counts_running_instances(cloud):
    ec2 = cloud.client("ec2")
    assert FixedFleet.from_cloud(cloud).count == 0
    ec2.run_instances(ImageId=AMI, MinCount=3, MaxCount=3, InstanceType="m5.large")
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="c5.xlarge")
    stopped = ec2.run_instances(ImageId=AMI, MinCount=2, MaxCount=2, InstanceType="r5.large")
    ec2.stop_instances(InstanceIds=[i["InstanceId"] for i in stopped["Instances"]])
    fleet = FixedFleet.from_cloud(cloud)
    assert {it.name: n for it, n in fleet.counts.items()} == {"c5.xlarge": 1, "m5.large": 3}
    assert fleet.capacity_rps == 3 * 200 + 400


def test_from_cloud_unknown_type(cloud):
    ec2 = cloud.client("ec2")
    r = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="x1e.xlarge")
    iid = r["Instances"][0]["InstanceId"]
    with pytest.raises(UnknownInstanceType) as err:
        FixedFleet.from_cloud(cloud)
    msg = str(err.value)
    assert f"instance {iid} is a x1e.xlarge" in msg
    assert "unknown instance type 'x1e.xlarge'" in msg
    assert "ec2.terminate_instances" in msg


def test_from_cloud_other_region(cloud):
    cloud.client("ec2", region="eu-west-1").run_instances(
        ImageId=AMI, MinCount=2, MaxCount=2, InstanceType="t3.micro"
    )
    assert FixedFleet.from_cloud(cloud).count == 0
    assert FixedFleet.from_cloud(cloud, region="eu-west-1").count == 2


# -- scheduled ----------------------------------------------------------------------------
def test_scheduled_fleet_on_only_in_schedule():
    fleet = ScheduledFleet("m5.large", 2, days="Mon-Fri", start_h=9, end_h=17)
    assert fleet.hours_per_week == 40
    t = np.array([8.99, 9, 16.99, 17, 24 + 12, 5 * 24 + 12]) * 3600  # Mon.., Tue noon, Sat noon
    assert fleet.is_on(t, DEFAULT_START).tolist() == [False, True, True, False, True, False]
    fr = run_fleet(fleet, np.zeros(86400))
    assert fr.instances.sum() == 2 * 8 * 3600
    assert fr.capacity_rps.max() == 400
    assert fr.charge_usd.sum() == pytest.approx(2 * 8 * 0.096)
    assert "Mon-Fri 9-17h UTC, 40 h/week" in repr(fleet)


def test_scheduled_fleet_validation():
    with pytest.raises(InvalidScenario, match="days must be like 'Mon-Fri'.*got 'Mon-Fry'"):
        ScheduledFleet("m5.large", 1, days="Mon-Fry")
    with pytest.raises(InvalidScenario, match="start_h must be before end_h .*start_h=17, end_h=9"):
        ScheduledFleet("m5.large", 1, start_h=17, end_h=9)
    with pytest.raises(InvalidScenario, match="count must be >= 0, got -1"):
        ScheduledFleet("m5.large", -1)


# -- elastic ------------------------------------------------------------------------------
def test_elastic_desired_formula_and_clamp():
    fleet = ElasticFleet("m5.large", min_size=2, max_size=10, target_utilization=0.5)
    assert fleet.desired(np.array([0, 100, 201, 1000, 5000])).tolist() == [2, 2, 3, 10, 10]


def test_elastic_scale_out_waits_for_boot_but_bills_from_launch():
    fleet = ElasticFleet("m5.large", min_size=1, target_utilization=1.0, boot_s=180,
                         evaluation_s=60)
    demand = np.r_[np.full(600, 100.0), np.full(1200, 1000.0)]  # jump at t=600
    fr = run_fleet(fleet, demand)
    assert fr.instances[599] == 1 and fr.instances[600] == 5       # launched at once
    assert fr.capacity_rps[600] == 200 and fr.capacity_rps[779] == 200  # still booting
    assert fr.capacity_rps[780] == 1000                               # served after boot_s
    price_s = instance_type("m5.large").price_per_second
    assert fr.charge_usd[600] == pytest.approx(5 * price_s)


def test_elastic_scale_in_immediate_with_cooldown():
    fleet = ElasticFleet("m5.large", min_size=1, target_utilization=1.0, boot_s=0,
                         evaluation_s=60, scale_in_cooldown_s=300)
    demand = np.r_[np.full(600, 1000.0), np.full(120, 800.0), np.full(1000, 200.0)]
    fr = run_fleet(fleet, demand)
    assert fr.instances[599] == 5
    assert fr.instances[600] == 4      # first scale-in at t=600, immediate
    assert fr.instances[720] == 4      # cooldown: no second scale-in before t=900
    assert fr.instances[899] == 4 and fr.instances[900] == 1
    assert fr.capacity_rps[900] == 200


def test_elastic_never_outside_min_max():
    fleet = ElasticFleet("c5.large", min_size=2, max_size=4)
    fr = run_fleet(fleet, np.r_[np.zeros(1000), np.full(2000, 1e6)])
    assert fr.instances.min() == 2 and fr.instances.max() == 4


def test_elastic_minimum_charge_for_short_lived_instances():
    fleet = ElasticFleet("m5.large", min_size=0, target_utilization=1.0, boot_s=0,
                         evaluation_s=10, scale_in_cooldown_s=0)
    demand = np.r_[np.zeros(10), np.full(10, 200.0), np.zeros(40)]
    fr = run_fleet(fleet, demand)
    assert fr.instances.tolist() == [0] * 10 + [1] * 10 + [0] * 40
    # ran 10 s, billed 60 s
    assert fr.charge_usd.sum() == pytest.approx(60 * instance_type("m5.large").price_per_second)


def test_elastic_booting_instances_removed_first():
    fleet = ElasticFleet("m5.large", min_size=1, target_utilization=1.0, boot_s=300,
                         evaluation_s=60, scale_in_cooldown_s=0)
    demand = np.r_[np.full(60, 200.0), np.full(60, 1000.0), np.full(600, 200.0)]
    fr = run_fleet(fleet, demand)
    assert fr.instances[60] == 5 and fr.instances[120] == 1
    assert fr.capacity_rps.tolist() == [200.0] * 720  # the boots were cancelled, warm one serves


def test_elastic_chunking_gives_identical_arrays():
    fleet = ElasticFleet("m5.large", boot_s=150, evaluation_s=45, scale_in_cooldown_s=200)
    rng = np.random.default_rng(3)
    demand = np.repeat(rng.uniform(0, 3000, 200), 60)
    a, b = run_fleet(fleet, demand), run_fleet(fleet, demand, chunks=7)
    for name in ("capacity_rps", "instances", "charge_usd"):
        assert np.array_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_size": -1}, "min_size must be >= 0, got -1"),
        ({"min_size": 5, "max_size": 3},
         "max_size must be >= min_size, got max_size=3, min_size=5"),
        ({"max_size": 0, "min_size": 0}, "max_size must be >= 1, got 0"),
        ({"target_utilization": 1.5}, "target_utilization must be <= 1, got 1.5"),
        ({"target_utilization": 0}, "target_utilization must be > 0 and <= 1, got 0"),
        ({"boot_s": -1}, "boot_s must be >= 0, got -1"),
        ({"evaluation_s": 0}, "evaluation_s must be > 0, got 0"),
        ({"scale_in_cooldown_s": -5}, "scale_in_cooldown_s must be >= 0, got -5"),
    ],
)
def test_elastic_validation(kwargs, message):
    with pytest.raises(InvalidScenario) as err:
        ElasticFleet("m5.large", **kwargs)
    assert str(err.value).startswith(message)
