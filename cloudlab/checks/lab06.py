"""Checks for lab 06: design for failure. One server behind an Elastic IP (a single point of
failure), failover to a warm standby by remapping the address, availability arithmetic, a
load balancer with an Auto Scaling group across three Availability Zones, and an AZ-outage
drill with an error and latency objective and a budget.

Answers are checked by behaviour, from what the runs recorded (errors, healthy hosts and
instances per AZ each sample, failure markers) and from the simulation's books, so any
sequence of calls with the right effect passes. Numbers a learner computes are recomputed
from the same recorder they measured.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cloudlab.checks import question
from cloudlab.sim.autoscaling.groups import GroupView, auto_scaling
from cloudlab.sim.ec2.instances import instance_book
from cloudlab.sim.elbv2.balancers import Balancer, load_balancing
from cloudlab.sim.failures import failure_log
from cloudlab.sim.recorder import Marker, Recorder
from cloudlab.sim.scenario import RunResult

# Section 1 and 2: one server behind an Elastic IP
RUN_S = 3600.0          # each Elastic IP run lasts one hour
FAIL_AFTER_S = 900.0    # the server fails 15 minutes into the run
DETECT_S = 120.0        # the notebook's DETECT_S: monitoring notices a dead server
# Section 3: model availabilities (the notebook's LB, WEB, DB)
LB, WEB, DB = 0.9999, 0.995, 0.9995
HOURS_PER_YEAR = 365.25 * 24
# Section 4: the three-AZ stack
MULTI_AZ_MAX_ERROR_PCT = 2.0
# Section 5: the drill
DRILL_RPS = 900.0
DRILL_TYPE = "m5.large"
OUTAGE_ERROR_PCT_MAX = 0.5
OUTAGE_P95_MS_MAX = 200.0
BUDGET_INSTANCE_HOURS = 17.0
#: Error rates below this are floating-point residue (shares of 1/n summed), not errors.
ERRORS_EPS_RPS = 1e-6


# -- helpers ---------------------------------------------------------------------------------
def _web_run(result: Any, name: str) -> Recorder:
    assert isinstance(result, RunResult) and "healthy_hosts" in result.recorder, (
        f"`{name}` should be what cloud.run(WebTraffic(...), ...) returned"
    )
    return result.recorder


def _offset_min(rec: Recorder, t_s: float) -> float:
    return (t_s - float(rec.t_s[0])) / 60.0


def _markers(rec: Recorder, kind: str, text: str) -> list[Marker]:
    return [m for m in rec.events if m.kind == kind and text in m.label]


def _error_seconds(rec: Recorder) -> float:
    return float(np.count_nonzero(rec["errors_rps"] > 0)) * rec.step_s


def _close(value: Any, expected: float, tol: float = 1e-6) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and \
        math.isfinite(value) and abs(value - expected) <= tol


def _downtime_hint(name: str, value: Any, rec: Recorder) -> str:
    samples = float(np.count_nonzero(rec["errors_rps"] > 0))
    if _close(value, samples):
        return (f"`{name}` counts samples, not seconds: each sample of a run with "
                f"step_s={rec.step_s:g} stands for {rec.step_s:g} seconds, so multiply by "
                "rec.step_s")
    return (f"`{name}` should be the seconds with errors in the run: "
            f"(rec['errors_rps'] > 0).sum() * rec.step_s, got {value!r}")


def _eip_run(result: Any, name: str, eip_public_ip: Any, instance: Any,
             instance_name: str, cloud: Any) -> tuple[Recorder, float]:
    """The run's recorder and the time its server failed (checked against the brief)."""
    rec = _web_run(result, name)
    assert result.fleet == str(eip_public_ip), (
        f"send the traffic to the Elastic IP, the address your users know: WebTraffic(TRAFFIC, "
        f"to=eip_public_ip, step_s=5); `{name}` went to {result.fleet!r}"
    )
    assert abs(rec.duration_s - RUN_S) < 1e-6, (
        f"run the traffic for one hour (hours=1); `{name}` lasted "
        f"{rec.duration_s / 60:g} minutes"
    )
    failed = [m for m in _markers(rec, "failure", "host of ") if str(instance) in m.label]
    early = [t for t, label, _ in failure_log(cloud).entries
             if f"host of {instance} " in label and t <= float(rec.t_s[0])]
    assert failed or not early, (
        f"`{instance_name}` failed before the run started, so the whole hour is errors: pass "
        f"at=cloud.t + 15 * 60 to fail_instance, so that it fails 15 minutes into the run"
    )
    assert failed, (
        f"fail the host of `{instance_name}` during the run: call fail_instance(cloud, "
        f"{instance_name}, at=cloud.t + 15 * 60) just before cloud.run(...)"
    )
    t_fail = failed[0].t_s
    assert abs(t_fail - float(rec.t_s[0]) - FAIL_AFTER_S) <= rec.step_s, (
        f"fail `{instance_name}` 15 minutes into the run (at=cloud.t + 15 * 60); it failed "
        f"{_offset_min(rec, t_fail):.1f} minutes in"
    )
    before = rec.t_s < t_fail
    assert not np.any(rec["errors_rps"][before] > ERRORS_EPS_RPS), (
        f"requests failed before `{instance_name}` did: it should serve before the run "
        "starts (advance the clock a few minutes after launching it)"
    )
    return rec, t_fail


def _balancer(cloud: Any, result: Any, name: str) -> Balancer:
    target = str(result.fleet)
    lbs = load_balancing(cloud)
    try:
        return lbs.balancer(target)
    except Exception:  # noqa: BLE001 - an unknown name is the learner's mistake to explain
        raise AssertionError(
            f"send `{name}`'s traffic to the load balancer (to=\"web-alb\"), not to "
            f"{target!r}: users reach a multi-AZ web tier through its load balancer"
        ) from None


def _group_behind(cloud: Any, lb: Balancer) -> GroupView:
    scaler = auto_scaling(cloud)
    scaler.refresh(force=True)
    groups = [g for g in scaler.groups.values() if set(g.target_groups) & set(lb.target_groups)]
    assert groups, (
        "no Auto Scaling group registers its instances with the load balancer's target group: "
        "create the group with TargetGroupARNs=[tg_arn]"
    )
    return groups[0]


def _az_counts(rec: Recorder, azs: list[str], i: int) -> dict[str, int]:
    return {az: int(rec[f"instances:{az}"][i]) if f"instances:{az}" in rec else 0
            for az in azs}


def _window(rec: Recorder, start: float, end: float) -> np.ndarray:
    return (rec.t_s >= start) & (rec.t_s < end)


def _error_pct(rec: Recorder, window: np.ndarray) -> float:
    demand = float(rec["demand_rps"][window].sum())
    return 100.0 * float(rec["errors_rps"][window].sum()) / demand if demand > 0 else 0.0


def _az_outage(rec: Recorder, name: str) -> tuple[str, float, float]:
    """The AZ a run took down, when, and when it came back (from the run's markers)."""
    down = [m for m in rec.events if m.kind == "failure" and m.label.endswith(" down")]
    assert down, (
        f"take an Availability Zone down during `{name}`: fail_az(cloud, az, at=...) before "
        "cloud.run(...)"
    )
    az = down[0].label[: -len(" down")]
    back = [m for m in rec.events if m.kind == "recovery" and m.label == f"{az} restored"
            and m.t_s > down[0].t_s]
    assert back, (
        f"bring {az} back during `{name}`: restore_az(cloud, {az!r}, at=...) before "
        "cloud.run(...), so you can watch the group rebalance"
    )
    return az, down[0].t_s, back[0].t_s


# -- Question 1 ------------------------------------------------------------------------------
@question("lab06.single_point", points=2, title="One server is a single point of failure")
def single_point(spof_run: Any, spof_downtime_s: Any, spof_availability_pct: Any, web1: Any,
                 eip_public_ip: Any, cloud: Any) -> None:
    rec, t_fail = _eip_run(spof_run, "spof_run", eip_public_ip, web1, "web1", cloud)
    after = rec.t_s >= t_fail
    assert np.all(rec["errors_rps"][after] > 0), (
        "users should get errors from the failure to the end of the run: with one server "
        "there is nothing to fail over to. Leave the Elastic IP on web1"
    )
    measured = _error_seconds(rec)
    assert _close(spof_downtime_s, measured), _downtime_hint("spof_downtime_s", spof_downtime_s,
                                                             rec)
    expected = 100.0 * (1.0 - measured / rec.duration_s)
    if _close(spof_availability_pct, expected / 100.0):
        raise AssertionError(
            "`spof_availability_pct` is a fraction: give it in percent (multiply by 100)")
    assert _close(spof_availability_pct, expected), (
        "`spof_availability_pct` should be the share of the hour without errors, in percent: "
        f"100 * (1 - spof_downtime_s / 3600), got {spof_availability_pct!r}"
    )


# -- Question 2 ------------------------------------------------------------------------------
@question("lab06.warm_standby", points=2, title="Fail over to a warm standby")
def warm_standby(standby_run: Any, standby_downtime_s: Any, standby: Any, primary: Any,
                 eip_public_ip: Any, cloud: Any) -> None:
    detect_s = DETECT_S
    rec, _ = _eip_run(standby_run, "standby_run", eip_public_ip, primary, "primary", cloud)
    book = instance_book(cloud)
    try:
        standby_az = book.get(str(standby)).az
    except Exception:  # noqa: BLE001 - not an instance id
        raise AssertionError("`standby` should be the InstanceId of your standby server") \
            from None
    assert standby_az != book.get(str(primary)).az, (
        f"the standby is in {standby_az}, the primary's AZ: one AZ outage would take both. "
        "Launch the standby in another AZ (SubnetId=subnets[AZS[1]])"
    )
    measured = _error_seconds(rec)
    assert rec["errors_rps"][-1] == 0, (
        "users still got errors at the end of the run: the Elastic IP never moved to a "
        "serving standby. Schedule ec2.associate_address(AllocationId=eip_alloc, "
        "InstanceId=standby, AllowReassociation=True) with cloud.clock.schedule_at(fail time "
        "+ DETECT_S, ...)"
    )
    assert measured > 0, (
        "no request failed: the Elastic IP moved as soon as the primary failed, or before. A "
        "failover happens after your monitoring notices: schedule it at the failure time + "
        "DETECT_S"
    )
    assert measured >= detect_s - rec.step_s, (
        f"the outage lasted only {measured:g} s: your monitoring needs DETECT_S = "
        f"{detect_s:g} s to notice, so move the address at the failure time + DETECT_S"
    )
    assert measured <= detect_s + rec.step_s, (
        f"the outage lasted {measured:g} s, longer than the {detect_s:g} s it takes to notice: "
        "was the standby serving when the address moved? A *warm* standby is launched and "
        "booted before the failure (advance the clock after launching it), and the address "
        "moves at the failure time + DETECT_S"
    )
    assert _close(standby_downtime_s, measured), _downtime_hint(
        "standby_downtime_s", standby_downtime_s, rec)


# -- Question 3 ------------------------------------------------------------------------------
@question("lab06.availability", points=2, title="Availability in series and in parallel")
def availability(web_pair: Any, chain_one_web: Any, chain_web_pair: Any,
                 downtime_one_web_h: Any, downtime_web_pair_h: Any) -> None:
    pair = 1 - (1 - WEB) ** 2
    if _close(web_pair, WEB * WEB, 1e-9):
        raise AssertionError(
            "`web_pair`: WEB * WEB is two web servers in series (both needed). In parallel "
            "either one is enough: the pair is down only when both are, 1 - (1 - WEB) ** 2")
    assert _close(web_pair, pair, 1e-9), (
        "`web_pair` should be the availability of two web servers in parallel: "
        f"1 - (1 - WEB) ** 2, got {web_pair!r}"
    )
    one = LB * WEB * DB
    if _close(chain_one_web, min(LB, WEB, DB), 1e-9):
        raise AssertionError(
            "`chain_one_web` is not the weakest part alone: a request needs the load balancer "
            "AND the web server AND the database, so multiply: LB * WEB * DB")
    assert _close(chain_one_web, one, 1e-9), (
        "`chain_one_web` should be load balancer, one web server and database in series: "
        f"LB * WEB * DB, got {chain_one_web!r}"
    )
    two = LB * pair * DB
    assert _close(chain_web_pair, two, 1e-9), (
        "`chain_web_pair` should be the same chain with the web pair in place of one web "
        f"server: LB * web_pair * DB, got {chain_web_pair!r}"
    )
    for name, value, chain in (("downtime_one_web_h", downtime_one_web_h, one),
                               ("downtime_web_pair_h", downtime_web_pair_h, two)):
        expected = (1 - chain) * HOURS_PER_YEAR
        if _close(value, expected * 60, expected * 60 * 1e-3):
            raise AssertionError(f"`{name}` is in minutes: give hours per year")
        if _close(value, 1 - chain, 1e-9):
            raise AssertionError(
                f"`{name}` is the unavailability (a fraction): multiply by HOURS_PER_YEAR")
        # 365 or 365.25 days: both are fine
        assert _close(value, expected, expected * 1e-3), (
            f"`{name}` should be the hours per year the chain is down: "
            f"(1 - chain) * HOURS_PER_YEAR, got {value!r}"
        )


# -- Question 4 ------------------------------------------------------------------------------
@question("lab06.multi_az", points=3, title="Survive an AZ outage with a load balancer")
def multi_az(multi_az_run: Any, cloud: Any) -> None:
    rec = _web_run(multi_az_run, "multi_az_run")
    lb = _balancer(cloud, multi_az_run, "multi_az_run")
    assert len(lb.azs) >= 3, (
        f"the load balancer is in {len(lb.azs)} AZ(s): create it with subnets of three AZs "
        "(Subnets=[subnets[az] for az in AZS])"
    )
    group = _group_behind(cloud, lb)
    azs = sorted(group.azs)
    assert len(azs) >= 3, (
        f"the Auto Scaling group launches only in {', '.join(azs)}: give VPCZoneIdentifier "
        "the subnets of all three AZs, comma-separated"
    )
    az, t_down, t_back = _az_outage(rec, "multi_az_run")
    crashed = _markers(rec, "failure", "crashed")
    assert crashed and crashed[0].t_s < t_down, (
        "crash the web server on one instance (crash_web_server(cloud, ..., at=start + 10 * "
        "60)) before the AZ goes down"
    )
    assert t_back - t_down >= 20 * 60 and rec.t_s[-1] - t_back >= 20 * 60, (
        "keep the AZ down for at least 20 minutes and the run going for 20 minutes after it "
        "comes back (AZ down 30 minutes in, back 75 minutes in, a 2-hour run)"
    )
    i_down = int(np.searchsorted(rec.t_s, t_down)) - 1
    assert i_down >= 0 and rec["healthy_hosts"][i_down] >= rec["desired"][i_down] > 0, (
        f"when {az} went down only {int(rec['healthy_hosts'][max(i_down, 0)])} of "
        f"{int(rec['desired'][max(i_down, 0)])} targets were healthy: the instance whose web "
        "server crashed stayed in service. Auto Scaling replaces it only with "
        "HealthCheckType='ELB' (the default EC2 check sees a running instance)"
    )
    outage = _window(rec, t_down, t_back)
    pct = _error_pct(rec, outage)
    assert pct <= MULTI_AZ_MAX_ERROR_PCT, (
        f"{pct:.1f}% of the requests failed while {az} was down: the group should keep "
        "serving from the other AZs (instances in three AZs, behind the load balancer, "
        "replaced when unhealthy)"
    )
    down_az = rec[f"instances:{az}"] if f"instances:{az}" in rec else np.zeros(len(rec))
    back = outage & (down_az == 0) & (rec["healthy_hosts"] >= rec["desired"]) & \
        (rec["desired"] > 0)
    assert np.any(back), (
        f"while {az} was down the group never got back to its desired capacity in the "
        "other AZs: Auto Scaling should replace the lost instances there"
    )
    last = _az_counts(rec, azs, len(rec) - 1)
    assert min(last.values()) >= 1 and max(last.values()) - min(last.values()) <= 1, (
        f"at the end of the run the instances per AZ were {last}: after {az} came back the "
        "group should rebalance (run long enough after restore_az)"
    )


@question("lab06.multi_az", points=1, hidden=True)
def multi_az_elb_health(multi_az_run: Any, cloud: Any) -> None:
    lb = _balancer(cloud, multi_az_run, "multi_az_run")
    group = _group_behind(cloud, lb)
    assert group.health_check_type == "ELB", (
        f"the group uses HealthCheckType={group.health_check_type!r}: use 'ELB' so a server "
        "that stops answering is replaced"
    )


# -- Question 5 ------------------------------------------------------------------------------
@question("lab06.drill", points=3, title="An AZ-outage drill within budget")
def drill(drill_run: Any, outage_error_pct: Any, outage_p95_ms: Any, drill_instance_hours: Any,
          cloud: Any) -> None:
    rec = _web_run(drill_run, "drill_run")
    group = _group_behind(cloud, _balancer(cloud, drill_run, "drill_run"))
    assert float(rec["demand_rps"].min()) >= DRILL_RPS - 1e-6, (
        f"run the drill with DRILL_TRAFFIC ({DRILL_RPS:g} requests per second)"
    )
    az, t_down, t_back = _az_outage(rec, "drill_run")
    before = rec.t_s < t_down
    assert not np.any(rec["errors_rps"][before] > ERRORS_EPS_RPS), (
        "requests failed before the AZ went down: start the drill with every instance "
        "healthy (advance the clock a few minutes after changing the group)"
    )
    outage = _window(rec, t_down, t_back)
    pct = _error_pct(rec, outage)
    p95 = float(np.nanmax(rec["p95_ms"][outage])) if np.any(~np.isnan(
        rec["p95_ms"][outage])) else float("inf")
    if _close(outage_error_pct, pct / 100.0) and pct > 0:
        raise AssertionError("`outage_error_pct` is a fraction: give it in percent")
    assert _close(outage_error_pct, pct), (
        "`outage_error_pct` should be 100 * errors / demand summed over the outage (from the "
        f"failure up to the restore), got {outage_error_pct!r}"
    )
    assert _close(outage_p95_ms, p95), (
        "`outage_p95_ms` should be the worst minute of the outage: the largest p95_ms while "
        f"the AZ was down (np.nanmax), got {outage_p95_ms!r}"
    )
    hours = float(rec["instances"].sum()) * rec.step_s / 3600.0
    assert _close(drill_instance_hours, hours), (
        f"`drill_instance_hours` should be drill_run.instance_hours, got {drill_instance_hours!r}"
    )
    t0, t1 = float(rec.t_s[0]), float(rec.t_s[-1])
    types = {r.instance_type for r in instance_book(cloud).records.values()
             if r.asg == group.name and r.running_seconds(t0, t1) > 0}
    assert types <= {DRILL_TYPE}, (
        f"the budget counts {DRILL_TYPE} instance-hours: keep the launch template's type "
        f"(the drill ran {', '.join(sorted(types))})"
    )
    survivors = "losing the busiest AZ must leave enough m5.large (200 req/s each) to serve " \
        f"{DRILL_RPS:g} req/s without launching anything (static stability)"
    assert pct <= OUTAGE_ERROR_PCT_MAX, (
        f"{pct:.2f}% of the requests failed during the outage (objective: at most "
        f"{OUTAGE_ERROR_PCT_MAX:g}%): {survivors}"
    )
    assert p95 <= OUTAGE_P95_MS_MAX, (
        f"the worst minute of the outage had a p95 of {p95:.0f} ms (objective: at most "
        f"{OUTAGE_P95_MS_MAX:g} ms): {survivors}"
    )
    assert hours <= BUDGET_INSTANCE_HOURS, (
        f"the drill used {hours:.1f} instance-hours, over the budget of "
        f"{BUDGET_INSTANCE_HOURS:g}: which is the smallest group whose two surviving AZs "
        f"still carry {DRILL_RPS:g} req/s?"
    )
