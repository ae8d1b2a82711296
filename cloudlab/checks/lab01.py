"""Checks for lab 01 (why cloud): service models, a fleet for the peak, fixed vs elastic,
scale up vs out, test servers 40 hours a week.

The answers depend on the notebook's seed, so the checks recompute them: they rebuild the
lab's traffic of record (:func:`lab_traffic`) and replay runs on a private clock with the
same seed (:func:`_replay`), never touching the learner's cloud.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

from cloudlab.checks import question
from cloudlab.cloud.clock import VirtualClock
from cloudlab.cloud.session import seeded_rng
from cloudlab.sim import (
    BusinessHours,
    Comparison,
    ElasticFleet,
    Experiment,
    FixedFleet,
    Noise,
    ScheduledFleet,
    Spike,
    TrafficModel,
    instance_type,
    instances_needed,
    smallest_type_for,
)

AL2023_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
FIXED = "fixed for the peak"
ELASTIC = "elastic"


def lab_traffic() -> TrafficModel:
    """The lab's Monday: office hours plus a Diwali sale at 19:00 UTC, 8% noise."""
    return (
        BusinessHours(base_rps=150, peak_rps=900)
        + Spike(2400, at=19, duration_h=3, name="Diwali sale")
    ) * Noise(0.08)


def test_traffic() -> TrafficModel:
    """The testers' traffic: office hours only, Monday to Friday 09:00-17:00 UTC."""
    return BusinessHours(base_rps=0, peak_rps=20, open_h=9, close_h=17)


def _peak(cloud: Any) -> float:
    return lab_traffic().peak(days=1, start=cloud.clock.start, seed=cloud.seed)


def _replay(cloud: Any, experiment: Experiment, *, start_t: float, **duration: float) -> Comparison:
    """Run ``experiment`` on a private clock at ``start_t`` with the learner's seed."""
    clock = VirtualClock(cloud.clock.start)
    clock.run_until(start_t)
    ghost = SimpleNamespace(clock=clock, rng=lambda stream: seeded_rng(cloud.seed, stream))
    return experiment.run(ghost, progress=False, **duration)


def _number(name: str, value: Any) -> float:
    assert isinstance(value, int | float) and not isinstance(value, bool), (
        f"`{name}` should be a number, got {type(value).__name__} {value!r}"
    )
    assert math.isfinite(value), f"`{name}` should be a finite number, got {value!r}"
    return float(value)


def _close(a: float, b: float, rel: float = 1e-6) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


# -- Question 1 ------------------------------------------------------------------------------
SERVICE_MODELS = {"Amazon EC2": "IaaS", "AWS Elastic Beanstalk": "PaaS", "Gmail": "SaaS"}
OS_PATCHED_BY = {"IaaS": "you", "PaaS": "provider", "SaaS": "provider"}
_WHY = {
    "Amazon EC2": "you get a virtual server and run everything from the OS up",
    "AWS Elastic Beanstalk": "you upload code and AWS runs the platform under it",
    "Gmail": "you use a finished application",
}


@question("lab01.service_models", points=1, title="Service models")
def service_models(service_model: Any, os_patched_by: Any) -> None:
    assert isinstance(service_model, dict), "`service_model` should be a dict {service: model}"
    assert isinstance(os_patched_by, dict), "`os_patched_by` should be a dict {model: who}"
    for service, model in SERVICE_MODELS.items():
        given = service_model.get(service)
        assert given is not None, f"`service_model` has no entry for {service!r}"
        assert str(given).strip() == model, (
            f"{service} is not {given!r}: {_WHY[service]}. Which model is that?"
        )
    for model, who in OS_PATCHED_BY.items():
        given = os_patched_by.get(model)
        assert given is not None, f"`os_patched_by` has no entry for {model!r}"
        assert str(given).strip().lower() == who, (
            f"in {model}, who patches the operating system? Look at the 'operating system' "
            "row of the table"
        )


# -- Question 2 ------------------------------------------------------------------------------
def _running(cloud: Any) -> list[dict[str, Any]]:
    pages = cloud.client("ec2").get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": ["pending", "running"]}]
    )
    return [i for page in pages for r in page["Reservations"] for i in r["Instances"]]


@question("lab01.peak_fleet", points=1, title="Buy for the peak")
def peak_size(peak_rps: Any, fixed_size: Any, cloud: Any) -> None:
    peak = _number("peak_rps", peak_rps)
    true_peak = _peak(cloud)
    assert peak <= true_peak * 1.000001, (
        "`peak_rps` is higher than any second of the day; use traffic.peak(days=1, seed=seed)"
    )
    assert _close(peak, true_peak), (
        "`peak_rps` is below the day's busiest second: a fleet sized for it would drop requests "
        "at the peak. Use the *highest* demand (traffic.peak(days=1, seed=seed)), with the noise"
    )
    assert isinstance(fixed_size, int) and not isinstance(fixed_size, bool), (
        f"`fixed_size` should be a whole number of instances, got {fixed_size!r}"
    )
    per = instance_type("m5.large").rps
    need = instances_needed(true_peak, "m5.large")
    assert fixed_size >= need, (
        f"{fixed_size} x m5.large serve {fixed_size * per:,.0f} req/s, less than the peak "
        f"{true_peak:,.0f} req/s: round *up* (instances_needed does)"
    )
    assert fixed_size == need, (
        f"{fixed_size} instances serve the peak, but fewer would too: find the smallest number"
    )


@question("lab01.peak_fleet", points=1)
def peak_launched(fixed_size: Any, cloud: Any) -> None:
    instances = _running(cloud)
    m5 = [i for i in instances if i["InstanceType"] == "m5.large"]
    others = sorted({i["InstanceType"] for i in instances} - {"m5.large"})
    assert instances, "no instances are running in your cloud: launch them with ec2.run_instances"
    assert not others, f"launch only m5.large instances; found also {', '.join(others)}"
    assert len(m5) == fixed_size, (
        f"{len(m5)} m5.large instances are running, but `fixed_size` is {fixed_size}. If you "
        "ran the launch cell twice, restart the kernel and run all cells from the top"
    )


@question("lab01.peak_fleet", points=1, hidden=True)
def peak_from_al2023(cloud: Any) -> None:
    ami = cloud.client("ssm").get_parameter(Name=AL2023_PARAMETER)["Parameter"]["Value"]
    images = {i["ImageId"] for i in _running(cloud)}
    assert images == {ami}, (
        "launch the instances from the Amazon Linux 2023 AMI published in SSM (`ami_id`)"
    )


# -- Question 3 ------------------------------------------------------------------------------
def _day_result(day: Any, name: str) -> Any:
    assert isinstance(day, Comparison), (
        "`day` should be what cloud.run(Experiment(...), hours=24) returned"
    )
    assert name in day.names, f"`day` has no run named {name!r}; its runs: {day.names}"
    return day[name]


@question("lab01.elasticity_savings", points=1, title="What elasticity saves")
def savings(
    day: Any, fixed_cost: Any, elastic_cost: Any, elastic_unmet_pct: Any, savings_pct: Any
) -> None:
    fixed, elastic = _day_result(day, FIXED), _day_result(day, ELASTIC)
    f, e = _number("fixed_cost", fixed_cost), _number("elastic_cost", elastic_cost)
    assert _close(f, fixed.cost_usd), "`fixed_cost` should be the fixed fleet's cost_usd in `day`"
    assert _close(e, elastic.cost_usd), "`elastic_cost` should be the elastic run's cost_usd"
    u = _number("elastic_unmet_pct", elastic_unmet_pct)
    if _close(u, elastic.unmet_pct / 100):
        raise AssertionError("`elastic_unmet_pct` is a fraction; express it in percent")
    assert _close(u, elastic.unmet_pct), (
        "`elastic_unmet_pct` should be the share of requests the elastic fleet did not serve, "
        "in percent (.unmet_pct)"
    )
    s = _number("savings_pct", savings_pct)
    expected = 100 * (1 - elastic.cost_usd / fixed.cost_usd)
    if _close(s, expected, rel=1e-4):
        return
    if _close(s, 100 * (fixed.cost_usd - elastic.cost_usd) / elastic.cost_usd):
        raise AssertionError(
            "you divided by the elastic cost: savings are a share of what you paid before "
            "(the fixed fleet's cost)"
        )
    if _close(s, expected / 100):
        raise AssertionError("`savings_pct` is a fraction; multiply by 100 for percent")
    raise AssertionError("`savings_pct` should be 100 * (1 - elastic_cost / fixed_cost)")


@question("lab01.elasticity_savings", points=1, hidden=True)
def savings_day_is_honest(day: Any, cloud: Any) -> None:
    fixed, elastic = _day_result(day, FIXED), _day_result(day, ELASTIC)
    rec = fixed.recorder
    assert rec.t_s[0] == 0 and _close(rec.duration_s, 86400), (
        "`day` should cover the first Monday, 00:00 to 24:00: run it before other experiments"
    )
    need = instances_needed(_peak(cloud), "m5.large")
    replay = _replay(
        cloud,
        Experiment(lab_traffic(), {
            FIXED: FixedFleet("m5.large", need),
            ELASTIC: ElasticFleet("m5.large", target_utilization=0.7),
        }),
        start_t=0.0,
        hours=24,
    )
    assert _close(fixed.cost_usd, replay[FIXED].cost_usd), (
        "the fixed run in `day` is not the lab's fleet sized for the peak on the lab's traffic"
    )
    assert _close(elastic.cost_usd, replay[ELASTIC].cost_usd), (
        "the elastic run in `day` is not ElasticFleet('m5.large', target_utilization=0.7) on "
        "the lab's traffic"
    )


# -- Question 4 ------------------------------------------------------------------------------
@question("lab01.scale_up_vs_out", points=1, title="One big box or many small ones")
def scale_up_prices(
    scale_up_type: Any, scale_up_usd_per_h: Any, scale_out_usd_per_h: Any, cloud: Any
) -> None:
    peak = _peak(cloud)
    best = smallest_type_for(peak)
    assert best is not None  # the catalog has types above the lab's peak
    assert isinstance(scale_up_type, str), (
        f"`scale_up_type` should be an instance type name like 'm5.large', got {scale_up_type!r}"
    )
    chosen = instance_type(scale_up_type)
    assert chosen.rps >= peak, (
        f"one {chosen.name} serves {chosen.rps:,.0f} req/s, less than the peak {peak:,.0f} req/s"
    )
    assert chosen.name == best.name, (
        f"{chosen.name} serves the peak alone, but a cheaper single type does too "
        "(smallest_type_for picks the cheapest)"
    )
    up = _number("scale_up_usd_per_h", scale_up_usd_per_h)
    assert _close(up, best.price_per_hour), (
        f"`scale_up_usd_per_h` should be the hourly price of one {best.name}"
    )
    out = _number("scale_out_usd_per_h", scale_out_usd_per_h)
    need = instances_needed(peak, "m5.large")
    assert _close(out, need * instance_type("m5.large").price_per_hour), (
        "`scale_out_usd_per_h` should be the hourly price of all `fixed_size` m5.large together"
    )


@question("lab01.scale_up_vs_out", points=1)
def scale_out_no_spof(no_single_point_of_failure: Any) -> None:
    answer = str(no_single_point_of_failure).strip().lower()
    assert answer in {"scale up", "scale out"}, (
        f'answer "scale up" or "scale out", got {no_single_point_of_failure!r}'
    )
    assert answer == "scale out", (
        "if the one big instance fails, nothing is left to serve: which approach still has "
        "servers running after one fails?"
    )


# -- Question 5 ------------------------------------------------------------------------------
ALWAYS_ON, OFFICE_HOURS = "always on", "office hours"


def _week_result(week: Any, name: str) -> Any:
    assert isinstance(week, Comparison), (
        "`week` should be what cloud.run(Experiment(...), days=7) returned"
    )
    assert name in week.names, f"`week` has no run named {name!r}; its runs: {week.names}"
    result = week[name]
    assert _close(result.duration_h, 168), (
        f"the {name!r} run lasted {result.duration_h:g} hours; run the experiment for days=7"
    )
    return result


@question("lab01.test_servers", points=1, title="A week of test servers")
def test_servers(week: Any, test_savings_pct: Any) -> None:
    on, office = _week_result(week, ALWAYS_ON), _week_result(week, OFFICE_HOURS)
    assert office.instance_hours < on.instance_hours, (
        "the office-hours fleet ran as long as the always-on one: give ScheduledFleet the "
        'schedule days="Mon-Fri", start_h=9, end_h=17'
    )
    s = _number("test_savings_pct", test_savings_pct)
    expected = 100 * (1 - office.cost_usd / on.cost_usd)
    if _close(s, expected, rel=1e-4):
        return
    if _close(s, expected / 100):
        raise AssertionError("`test_savings_pct` is a fraction; multiply by 100 for percent")
    raise AssertionError(
        "`test_savings_pct` should be 100 * (1 - office-hours cost / always-on cost), from `week`"
    )


@question("lab01.test_servers", points=1, hidden=True)
def test_servers_honest(week: Any, cloud: Any) -> None:
    on, office = _week_result(week, ALWAYS_ON), _week_result(week, OFFICE_HOURS)
    replay = _replay(
        cloud,
        Experiment(test_traffic(), {
            ALWAYS_ON: FixedFleet("t3.medium", 4),
            OFFICE_HOURS: ScheduledFleet("t3.medium", 4, days="Mon-Fri", start_h=9, end_h=17),
        }),
        start_t=float(on.recorder.t_s[0]),
        days=7,
    )
    assert _close(on.cost_usd, replay[ALWAYS_ON].cost_usd), (
        "the always-on run should be FixedFleet('t3.medium', 4) on `test_traffic`"
    )
    assert _close(office.cost_usd, replay[OFFICE_HOURS].cost_usd), (
        'the office-hours run should be ScheduledFleet("t3.medium", 4, days="Mon-Fri", '
        "start_h=9, end_h=17) on `test_traffic`"
    )
