"""Checks for lab 08: an Application Load Balancer in three AZs, target health from
``initial`` to ``healthy``, the window in which a crashed web server still gets requests (with
the default and with tuned health checks), replacing servers behind the stable DNS name,
deregistration and draining, failing open, and cross-zone load balancing.

Answers are checked by behaviour: what the learner's traffic runs recorded (failed requests,
healthy targets, injected crashes), what the simulation's instance book knows (AZ, when an
instance ran and served), what the load balancer's target group holds now, and what the ELB and
CloudWatch APIs answer. Numbers the learner measured are compared with the same recorders, so
any code with the right effect passes.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from cloudlab.checks import question
from cloudlab.sim.ec2.instances import InstanceRecord, instance_book
from cloudlab.sim.elbv2 import TargetGroupHealth, load_balancing
from cloudlab.sim.failures import failure_log
from cloudlab.sim.latency import inter_az_rtt_ms

ALB_NAME = "web-alb"
DEFAULT_INTERVAL_S = 30.0
DEFAULT_UNHEALTHY = 2
TUNED_MAX_S = 20.0
DRAIN_DELAY_S = 30
POLL_MAX_S = 10.0
ALARM_NAME = "web-no-healthy-targets"
#: a second counts as failing when more than this many requests per second failed
FAILING_RPS = 1.0


# -- helpers ---------------------------------------------------------------------------------
def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _balancer(cloud: Any) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    try:
        found = cloud.client("elbv2").describe_load_balancers(Names=[ALB_NAME])
    except ClientError:
        found = {"LoadBalancers": []}
    assert found["LoadBalancers"], (
        f"there is no load balancer called {ALB_NAME!r}: create it with "
        f"elbv2.create_load_balancer(Name={ALB_NAME!r}, Subnets=[...], ...)"
    )
    return found["LoadBalancers"][0]  # type: ignore[no-any-return]


def _target_group(cloud: Any, tg_arn: Any) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    try:
        found = cloud.client("elbv2").describe_target_groups(TargetGroupArns=[str(tg_arn)])
    except ClientError:
        found = {"TargetGroups": []}
    assert found["TargetGroups"], (
        "`tg_arn` should be the TargetGroupArn returned by elbv2.create_target_group(...)"
    )
    return found["TargetGroups"][0]  # type: ignore[no-any-return]


def _group(cloud: Any, tg_arn: Any) -> TargetGroupHealth:
    lbs = load_balancing(cloud)
    lbs.refresh()
    group = lbs.groups.get(str(tg_arn))
    assert group is not None, (
        "`tg_arn` should be the TargetGroupArn returned by elbv2.create_target_group(...)"
    )
    return group


def _registered(group: TargetGroupHealth, instance_id: str, *, draining: bool = False) -> bool:
    return any(key[0] == instance_id and (draining or t.state != "draining")
               for key, t in group.targets.items())


def _record(cloud: Any, instance_id: Any, name: str) -> InstanceRecord:
    record = instance_book(cloud).records.get(str(instance_id))
    assert record is not None, f"{name} should be an instance id returned by run_instances"
    return record


def _recorder(run: Any, name: str) -> Any:
    rec = getattr(run, "recorder", None)
    assert rec is not None and "errors_rps" in rec, (
        f"`{name}` should be the result of cloud.run(WebTraffic(traffic, to=...), minutes=...)"
    )
    return rec


def _to_alb(run: Any, name: str, cloud: Any) -> None:
    lb = _balancer(cloud)
    assert getattr(run, "fleet", None) in (ALB_NAME, lb["DNSName"], lb["LoadBalancerArn"]), (
        f"send `{name}` through the load balancer: WebTraffic(traffic, to={ALB_NAME!r}), "
        f"not to {getattr(run, 'fleet', None)!r}"
    )


def _failed(rec: Any) -> float:
    return float(rec["errors_rps"].sum() * rec.step_s)


def _window(rec: Any) -> float:
    return float((rec["errors_rps"] > FAILING_RPS).sum() * rec.step_s)


def _crashed_in(rec: Any) -> list[str]:
    """Instances whose web server crashed during the run (from the run's failure markers)."""
    out = []
    for marker in rec.events:
        if marker.kind == "failure" and marker.label.startswith("web server on "):
            out.append(marker.label.split()[3])
    return out


def _crashed_ever(cloud: Any) -> set[str]:
    return {label.split()[3] for _, label, kind in failure_log(cloud).entries
            if kind == "failure" and label.startswith("web server on ")}


def _close(value: Any, expected: float, tolerance: float) -> bool:
    return _number(value) and abs(float(value) - expected) <= tolerance


# -- Question 1 ------------------------------------------------------------------------------
@question("lab08.alb", points=2, title="An ALB in three AZs with six registered servers")
def alb(tg_arn: Any, alb_arn: Any, alb_dns: Any, web: Any, registered_t: Any, azs: Any,
        cloud: Any) -> None:
    lb = _balancer(cloud)
    assert lb.get("Type", "application") == "application", (
        f"{ALB_NAME!r} is a {lb.get('Type')} load balancer: create an Application Load "
        "Balancer (Type='application')"
    )
    lb_azs = {z["ZoneName"] for z in lb.get("AvailabilityZones", [])}
    assert lb_azs == set(azs), (
        f"{ALB_NAME!r} serves {len(lb_azs)} AZ(s) ({', '.join(sorted(lb_azs))}): give "
        "create_load_balancer one subnet in each of the three AZs of `azs`"
    )
    assert alb_arn == lb["LoadBalancerArn"] and alb_dns == lb["DNSName"], (
        "`alb_arn` and `alb_dns` should be the LoadBalancerArn and DNSName that "
        "create_load_balancer returned"
    )
    tg = _target_group(cloud, tg_arn)
    assert tg.get("Protocol") == "HTTP" and tg.get("Port") == 80, (
        "the target group should forward HTTP on port 80 (Protocol='HTTP', Port=80)"
    )
    listeners = cloud.client("elbv2").describe_listeners(
        LoadBalancerArn=lb["LoadBalancerArn"]).get("Listeners", [])
    forwards = False
    for listener in listeners:
        for action in listener.get("DefaultActions", []):
            groups = {action.get("TargetGroupArn")} | {
                g["TargetGroupArn"] for g in (action.get("ForwardConfig") or {}).get(
                    "TargetGroups", [])}
            if listener.get("Port") == 80 and action.get("Type") == "forward" \
                    and tg_arn in groups:
                forwards = True
    assert forwards, (
        "add a listener on port 80 whose default action forwards to the target group: "
        "create_listener(..., Port=80, DefaultActions=[{'Type': 'forward', "
        "'TargetGroupArn': tg_arn}])"
    )
    assert isinstance(web, list) and len(web) == 6 and len(set(web)) == 6, (
        "`web` should be the list of the six web servers' instance ids"
    )
    records = [_record(cloud, i, "every item of `web`") for i in web]
    placed = [r.az for r in records]
    wanted = [az for az in azs for _ in range(2)]
    assert sorted(placed) == sorted(wanted), (
        "launch two web servers in each of the three AZs (launch_web(az)); `web` has "
        + ", ".join(f"{placed.count(az)} in {az}" for az in azs)
    )
    assert placed == wanted, (
        "keep `web` in the order of `azs`: web[0] and web[1] in the first AZ, web[2] and "
        "web[3] in the second, web[4] and web[5] in the third"
    )
    group = _group(cloud, tg_arn)
    alive = [i for i, r in zip(web, records, strict=True) if r.state_at(cloud.t) == "running"]
    missing = [i for i in alive if not _registered(group, i, draining=True)]
    assert not missing, (
        f"{len(missing)} of the web servers are not registered in the target group: "
        "elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{'Id': i} for i in web]) "
        "once they are running (AWS refuses instances still pending with InvalidTarget: "
        "call wait_until_running(web) first)"
    )
    assert _number(registered_t), "`registered_t` should be cloud.t right after register_targets"
    # targets still registered from the first registration (later ones were re-registered)
    first = [(key[0], t) for key, t in group.targets.items()
             if key[0] in web and abs(t.registered_t - registered_t) <= 1]
    assert first, "`registered_t` should be cloud.t right after register_targets"
    book = instance_book(cloud)
    pending = [i for i, t in first if book.records[i].running_t > t.registered_t + 1e-6]
    assert not pending, (
        f"{len(pending)} server(s) were still pending when you registered them (AWS refuses "
        "that with InvalidTarget): call wait_until_running(web) before register_targets; "
        "wait_until_running should advance the clock until describe_instances says 'running'"
    )


@question("lab08.alb", points=1, hidden=True)
def alb_serves(first_run: Any, azs: Any, cloud: Any) -> None:
    rec = _recorder(first_run, "first_run")
    _to_alb(first_run, "first_run", cloud)
    assert _failed(rec) < 1, "requests failed while all six servers should have been healthy"
    assert rec["healthy_hosts"][-1] == 6, "six targets should be healthy after the first run"
    per_az = [int(rec[f"instances:{az}"][-1]) if f"instances:{az}" in rec else 0 for az in azs]
    assert per_az == [2, 2, 2], "the first run should be served by two servers in each AZ"


# -- Question 2 ------------------------------------------------------------------------------
@question("lab08.target_health", points=2, title="From initial to healthy, explained")
def target_health(health_log: Any, healthy_after_s: Any, web_server_up_s: Any,
                  predicted_healthy_after_s: Any, registered_t: Any, web: Any,
                  cloud: Any) -> None:
    assert isinstance(web, list) and web, "define `web` (question 1) first"
    record = _record(cloud, web[0], "web[0]")
    assert record.serving_t is not None, "web[0] should be a server launched with launch_web(az)"
    assert _number(registered_t), "`registered_t` should be cloud.t right after register_targets"
    up = record.serving_t - registered_t
    expected = max(1, math.ceil(up / DEFAULT_INTERVAL_S - 1e-9)) * DEFAULT_INTERVAL_S
    ok_log = isinstance(health_log, list) and health_log and all(
        isinstance(x, tuple | list) and len(x) == 3 for x in health_log)
    assert ok_log, (
        "`health_log` should be a list of tuples (seconds since registered_t, State, Reason), "
        "one per describe_target_health call"
    )
    times = [x[0] for x in health_log]
    states = [x[1] for x in health_log]
    assert all(_number(t) for t in times) and times[0] <= 5, (
        "start polling right after registering, and store the seconds since `registered_t` "
        "(cloud.t - registered_t) as the first item of each tuple"
    )
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert all(0 < g <= POLL_MAX_S for g in gaps), (
        "poll every 5 seconds: cloud.advance(seconds=5) between two describe_target_health calls"
    )
    assert states[-1] == "healthy", "poll until describe_target_health says 'healthy'"
    if "unhealthy" in states:
        raise AssertionError(
            "web[0] went 'unhealthy' before 'healthy': its first two checks failed because "
            "httpd was not answering yet, and then it needed 5 successes. Register the servers "
            "once they run (question 1) and poll from the registration")
    assert states[0] == "initial" and set(states[:-1]) <= {"initial"}, (
        f"a new target should be 'initial' until it is healthy, got the states {states}"
    )
    reasons = {x[2] for x in health_log if x[1] == "initial"}
    assert "Elb.RegistrationInProgress" in reasons, (
        "keep the Reason of each answer (health.get('Reason')) in `health_log`"
    )
    if expected > DEFAULT_INTERVAL_S:
        assert "Elb.InitialHealthChecking" in reasons, (
            "keep the Reason of each answer: after the first failed check it is "
            "'Elb.InitialHealthChecking'"
        )
    assert _number(healthy_after_s) and healthy_after_s == times[-1], (
        "`healthy_after_s` should be the seconds since registration of the first 'healthy' "
        "answer in `health_log`"
    )
    assert expected <= healthy_after_s < expected + POLL_MAX_S, (
        f"web[0] turned healthy {expected:g} s after registration, but `healthy_after_s` is "
        f"{healthy_after_s!r}: poll from `registered_t` every 5 s"
    )
    assert _close(web_server_up_s, up, 1.0), (
        "`web_server_up_s` should be when httpd started answering on web[0], in seconds after "
        f"the registration: boot.serving_t - registered_t (got {web_server_up_s!r})"
    )
    if _close(predicted_healthy_after_s, up, 1.0) and abs(up - expected) > 1:
        raise AssertionError(
            "the load balancer only notices at its next check: checks run every 30 s from the "
            "registration, so round `web_server_up_s` up to a whole number of intervals")
    if _close(predicted_healthy_after_s, expected + 4 * DEFAULT_INTERVAL_S, 1.0):
        raise AssertionError(
            "a newly registered target needs one passing check, not HealthyThresholdCount (5): "
            "that threshold is for a target that was unhealthy")
    assert _close(predicted_healthy_after_s, expected, 1.0), (
        "`predicted_healthy_after_s` should be the time of the first check (every 30 s from "
        "the registration) at or after `web_server_up_s`: "
        "math.ceil(web_server_up_s / 30) * 30"
    )


# -- Question 3 ------------------------------------------------------------------------------
@question("lab08.detection", points=3, title="How long a crashed server gets requests")
def detection(default_run: Any, default_failed: Any, default_window_s: Any, tuned_run: Any,
              tuned_failed: Any, tuned_window_s: Any, tg_arn: Any, cloud: Any) -> None:
    d = _recorder(default_run, "default_run")
    _to_alb(default_run, "default_run", cloud)
    d_crashed = _crashed_in(d)
    assert d_crashed, (
        "crash a web server during `default_run`: crash_web_server(cloud, web[0], "
        "at=cloud.t + 75) just before cloud.run(...)"
    )
    d_window, d_failed = _window(d), _failed(d)
    assert d_window > 0, (
        "no request failed in `default_run`: crash a server that is in service, 75 s into "
        "the run"
    )
    assert d_window >= (DEFAULT_UNHEALTHY - 1) * DEFAULT_INTERVAL_S - d.step_s, (
        f"requests failed for only {d_window:g} s in `default_run`: measure with the default "
        "health checks (30 s, 2 failures) before you tune them"
    )
    assert _close(default_failed, d_failed, max(1.0, 0.01 * d_failed)), (
        "`default_failed` should be failed_requests(default_run): the sum of "
        f"rec['errors_rps'] x rec.step_s over the run (got {default_failed!r})"
    )
    assert _close(default_window_s, d_window, d.step_s), (
        "`default_window_s` should be failing_seconds(default_run): the seconds in which more "
        f"than one request per second failed, (rec['errors_rps'] > 1).sum() x rec.step_s "
        f"(got {default_window_s!r})"
    )
    t = _recorder(tuned_run, "tuned_run")
    _to_alb(tuned_run, "tuned_run", cloud)
    t_crashed = _crashed_in(t)
    assert t_crashed and not set(t_crashed) & set(d_crashed), (
        "crash another server that still works (web[2]) during `tuned_run`: "
        "crash_web_server(cloud, web[2], at=cloud.t + 75) before cloud.run(...)"
    )
    tg = _target_group(cloud, tg_arn)
    interval = float(tg["HealthCheckIntervalSeconds"])
    unhealthy = int(tg["UnhealthyThresholdCount"])
    assert interval * unhealthy <= TUNED_MAX_S, (
        f"with a {interval:g} s interval and {unhealthy} failures a dead target stays in "
        f"rotation up to {interval * unhealthy:g} s: change HealthCheckIntervalSeconds and/or "
        f"UnhealthyThresholdCount with modify_target_group so that the product is at most "
        f"{TUNED_MAX_S:g} s"
    )
    t_window, t_failed = _window(t), _failed(t)
    assert t_window > 0, (
        "no request failed in `tuned_run`: crash a server that is still in service (web[2]), "
        "75 s into the run"
    )
    assert t_window <= interval * unhealthy + t.step_s and t_window < d_window, (
        f"in `tuned_run` the crashed server still got requests for {t_window:g} s: tune the "
        "target group with modify_target_group *before* the tuned run"
    )
    assert _close(tuned_failed, t_failed, max(1.0, 0.01 * t_failed)), (
        f"`tuned_failed` should be failed_requests(tuned_run) (got {tuned_failed!r})"
    )
    assert _close(tuned_window_s, t_window, t.step_s), (
        f"`tuned_window_s` should be failing_seconds(tuned_run) (got {tuned_window_s!r})"
    )
    assert t_failed < d_failed, (
        f"the tuned checks should cost fewer failed requests than the defaults "
        f"({t_failed:.0f} vs {d_failed:.0f})"
    )


@question("lab08.detection", points=1, hidden=True)
def detection_timeout(tg_arn: Any, cloud: Any) -> None:
    tg = _target_group(cloud, tg_arn)
    interval = tg["HealthCheckIntervalSeconds"]
    timeout = tg.get("HealthCheckTimeoutSeconds") or 5
    assert timeout < interval, (
        f"AWS refuses a health-check timeout ({timeout} s) that is not shorter than the "
        f"interval ({interval} s) with a ValidationError. Lower HealthCheckTimeoutSeconds"
    )


# -- Question 4 ------------------------------------------------------------------------------
@question("lab08.stable_dns", points=2, title="Replace servers behind a stable DNS name")
def stable_dns(dns_before: Any, dns_after: Any, alb_dns: Any, crashed: Any, replacements: Any,
               old_ip: Any, new_ip: Any, via_dns_run: Any, hardcoded_run: Any, tg_arn: Any,
               cloud: Any) -> None:
    broken = _crashed_ever(cloud)
    assert isinstance(crashed, list) and set(crashed) == broken, (
        "`crashed` should list the targets describe_target_health reports 'unhealthy': the "
        f"{len(broken)} servers whose web server crashed"
    )
    assert isinstance(replacements, dict) and set(replacements) == set(crashed), (
        "`replacements` should map each crashed server's id to the id of its replacement"
    )
    group = _group(cloud, tg_arn)
    for old, new in replacements.items():
        old_rec = _record(cloud, old, "each key of `replacements`")
        new_rec = _record(cloud, new, "each value of `replacements`")
        assert old_rec.state_at(cloud.t) == "terminated", (
            f"terminate the crashed server {old} (ec2.terminate_instances): replace, don't repair"
        )
        assert new_rec.az == old_rec.az, (
            f"launch each replacement in the AZ of the server it replaces: {old} was in "
            f"{old_rec.az}, {new} is in {new_rec.az}"
        )
        assert not _registered(group, old), (
            f"deregister the crashed server {old} (elbv2.deregister_targets)"
        )
        if new_rec.state_at(cloud.t) == "running":
            assert _registered(group, new, draining=True), (
                f"register the replacement {new} in the target group"
            )
    assert dns_before == alb_dns and dns_after == alb_dns, (
        "`dns_before` and `dns_after` should be the DNSName that describe_load_balancers "
        "gives for web-alb before and after the replacement"
    )
    ec2 = cloud.client("ec2")

    def ip(instance_id: str) -> str:
        found = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
        return str(found[0]["Instances"][0].get("PrivateIpAddress"))

    first = crashed[0]
    assert old_ip == ip(first) and new_ip == ip(replacements[first]), (
        "`old_ip` should be the PrivateIpAddress of crashed[0] and `new_ip` that of its "
        "replacement (describe_instances)"
    )
    via = _recorder(via_dns_run, "via_dns_run")
    assert getattr(via_dns_run, "fleet", None) == alb_dns, (
        "send `via_dns_run` to the load balancer's DNS name, as clients do: "
        "WebTraffic(traffic, to=alb_dns)"
    )
    failed = _failed(via)
    assert failed < 1, (
        f"{failed:.0f} requests failed through the DNS name during the replacement: register "
        "the replacements and keep the healthy servers registered"
    )
    assert via["healthy_hosts"][-1] >= 6, (
        f"only {via['healthy_hosts'][-1]:.0f} targets were healthy at the end of "
        "`via_dns_run`: register both replacements (once they run) before the run"
    )
    hard = _recorder(hardcoded_run, "hardcoded_run")
    assert getattr(hardcoded_run, "fleet", None) == first, (
        "send `hardcoded_run` to the old server, as a client that hard-coded its address "
        "would: WebTraffic(traffic, to=crashed[0])"
    )
    assert float(hard["error_pct"].mean()) > 99, (
        "`hardcoded_run` should go to the terminated server: every request fails"
    )


# -- Question 5 ------------------------------------------------------------------------------
@question("lab08.draining", points=2, title="Maintenance without a failed request")
def draining(drain_state: Any, drain_run: Any, registered_after_drain: Any,
             maintenance_state: Any, maintenance_run: Any, web: Any, tg_arn: Any,
             cloud: Any) -> None:
    dr = _recorder(drain_run, "drain_run")
    mr = _recorder(maintenance_run, "maintenance_run")
    _to_alb(drain_run, "drain_run", cloud)
    _to_alb(maintenance_run, "maintenance_run", cloud)
    failed = _failed(dr) + _failed(mr)
    assert failed < 1, (
        f"{failed:.0f} requests failed during the maintenance: the load balancer kept sending "
        "web[4] requests until its health checks failed. Deregister it first and let it drain "
        "before you stop it"
    )
    assert drain_state == "draining", (
        "deregister web[4] (elbv2.deregister_targets) and read its State right away with "
        f"describe_target_health: it should be 'draining', got {drain_state!r}"
    )
    attrs = {a["Key"]: a["Value"] for a in cloud.client("elbv2").describe_target_group_attributes(
        TargetGroupArn=str(tg_arn))["Attributes"]}
    delay = int(attrs.get("deregistration_delay.timeout_seconds", 300))
    assert isinstance(registered_after_drain, list), (
        "`registered_after_drain` should be the list of target ids describe_target_health "
        "lists after `drain_run`"
    )
    assert web[4] not in registered_after_drain, (
        f"web[4] was still draining after the 1-minute run (the delay is {delay} s): set "
        f"deregistration_delay.timeout_seconds to {DRAIN_DELAY_S} before you deregister, so it "
        "is gone before you stop it (a stop while draining breaks requests in flight)"
    )
    assert delay == DRAIN_DELAY_S, (
        f"set the deregistration delay to {DRAIN_DELAY_S} s "
        "(modify_target_group_attributes, key deregistration_delay.timeout_seconds); it is "
        f"{delay} s"
    )
    assert maintenance_state in ("stopping", "stopped"), (
        "stop web[4] for its patch and store its State from describe_instances in "
        f"`maintenance_state`, got {maintenance_state!r}"
    )
    group = _group(cloud, tg_arn)
    back = [t.state for key, t in group.targets.items() if key[0] == web[4]]
    assert back == ["healthy"], (
        "finish the maintenance: start web[4] (ec2.start_instances), wait until it runs, "
        "register it again and poll describe_target_health until it is 'healthy'"
    )


# -- Question 6 ------------------------------------------------------------------------------
@question("lab08.fail_open", points=2, title="Fail open, and an alarm that notices")
def fail_open(fail_open_run: Any, fail_open_states: Any, alarm_state: Any, tg_arn: Any,
              cloud: Any) -> None:
    rec = _recorder(fail_open_run, "fail_open_run")
    _to_alb(fail_open_run, "fail_open_run", cloud)
    none_healthy_s = float((rec["healthy_hosts"] == 0).sum() * rec.step_s)
    failed = _failed(rec)
    assert none_healthy_s >= 60 or failed >= 1, (
        "every target should be unhealthy for most of `fail_open_run`: point the health check "
        "at port 8080 (modify_target_group(..., HealthCheckPort='8080')) before the run"
    )
    assert failed < 1, (
        f"{failed:.0f} requests failed in `fail_open_run`: failing open sends requests to every "
        "target, so one that does not answer fails its share. Break the health check (port "
        "8080), not the servers, and start the run with every server in service"
    )
    assert fail_open_states == {"unhealthy"}, (
        "`fail_open_states` should be the set of the targets' states from "
        f"describe_target_health after the run, got {fail_open_states!r}"
    )
    found = cloud.client("cloudwatch").describe_alarms(AlarmNames=[ALARM_NAME])["MetricAlarms"]
    assert found, f"create the CloudWatch alarm {ALARM_NAME!r} with put_metric_alarm"
    alarm = found[0]
    dims = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
    tg_dim = str(tg_arn).split(":")[-1]
    assert alarm.get("Namespace") == "AWS/ApplicationELB" and \
        alarm.get("MetricName") == "HealthyHostCount" and dims.get("TargetGroup") == tg_dim \
        and dims.get("LoadBalancer", "").startswith(f"app/{ALB_NAME}/"), (
            f"{ALARM_NAME!r} should watch AWS/ApplicationELB HealthyHostCount with the "
            f"dimensions TargetGroup={tg_dim!r} and LoadBalancer='app/{ALB_NAME}/...'"
        )
    history = cloud.client("cloudwatch").describe_alarm_history(
        AlarmName=ALARM_NAME, HistoryItemType="StateUpdate")["AlarmHistoryItems"]
    t0 = rec.start + timedelta(seconds=float(rec.t_s[0]))
    t1 = t0 + timedelta(seconds=float(len(rec) * rec.step_s))
    fired = [h for h in history if h["HistorySummary"].endswith("to ALARM")
             and t0 <= h["Timestamp"] <= t1]
    assert fired, (
        f"{ALARM_NAME!r} did not go to ALARM during `fail_open_run`: it should fire when the "
        "Minimum of HealthyHostCount over 60 s is below 1 (Threshold=1, "
        "ComparisonOperator='LessThanThreshold', EvaluationPeriods=1); create it before the run"
    )
    assert alarm_state == "ALARM", (
        f"`alarm_state` should be the alarm's StateValue right after the run, got {alarm_state!r}"
    )
    port = _target_group(cloud, tg_arn).get("HealthCheckPort")
    assert port in ("traffic-port", "80"), (
        f"put the health check back on the traffic port (HealthCheckPort='traffic-port'); it "
        f"checks port {port}"
    )


# -- Question 7 ------------------------------------------------------------------------------
@question("lab08.cross_zone", points=2, title="Cross-zone load balancing over uneven AZs")
def cross_zone(extra: Any, cross_zone_run: Any, cpu_by_az: Any, share_without_cross_zone: Any,
               cross_az_fraction: Any, hop_ms: Any, azs: Any, tg_arn: Any, cloud: Any) -> None:
    assert isinstance(extra, list) and len(extra) == 2, (
        "`extra` should be the list of the two new servers' instance ids"
    )
    for i in extra:
        assert _record(cloud, i, "each item of `extra`").az == azs[2], (
            f"launch the two extra servers in the third AZ, azs[2] ({azs[2]})"
        )
    rec = _recorder(cross_zone_run, "cross_zone_run")
    _to_alb(cross_zone_run, "cross_zone_run", cloud)
    counts = {az: int(rec[f"instances:{az}"][-1]) if f"instances:{az}" in rec else 0
              for az in azs}
    total = sum(counts.values())
    assert counts[azs[2]] >= counts[azs[0]] + 2 and rec["healthy_hosts"][0] == total, (
        "register the two extra servers and advance the clock 3 minutes so they are healthy "
        "before `cross_zone_run`; the run saw " + ", ".join(
            f"{n} in {az}" for az, n in counts.items())
        + f" with {rec['healthy_hosts'][0]:.0f} healthy at its start"
    )
    # CPU per AZ over the run, from CloudWatch (what the learner should have read)
    cw = cloud.client("cloudwatch")
    start = rec.start + timedelta(seconds=float(rec.t_s[0]))
    end = start + timedelta(seconds=float(len(rec) * rec.step_s))
    group = _group(cloud, tg_arn)
    book = instance_book(cloud)
    cpu: dict[str, list[float]] = {}
    for key in group.targets:
        points = cw.get_metric_statistics(
            Namespace="AWS/EC2", MetricName="CPUUtilization",
            Dimensions=[{"Name": "InstanceId", "Value": key[0]}], StartTime=start,
            EndTime=end, Period=300, Statistics=["Average"])["Datapoints"]
        cpu.setdefault(book.records[key[0]].az, []).extend(p["Average"] for p in points)
    expected_cpu = {az: sum(v) / len(v) for az, v in cpu.items() if v}
    ok_cpu = isinstance(cpu_by_az, dict) and set(cpu_by_az) == set(expected_cpu) and all(
        _close(cpu_by_az[az], expected_cpu[az], 0.5) for az in expected_cpu)
    assert ok_cpu, (
        "`cpu_by_az` should map each AZ to the mean CPUUtilization (AWS/EC2, InstanceId, "
        "Period=300, Average) of its registered targets during `cross_zone_run`"
    )
    spread = max(expected_cpu.values()) - min(expected_cpu.values())
    assert spread < 1, f"the AZs' CPU differs by {spread:.1f} points: targets were not even"
    share = {az: (1 / len(azs)) / n for az, n in counts.items() if n}
    assert isinstance(share_without_cross_zone, dict) and \
        set(share_without_cross_zone) == set(share), (
            "`share_without_cross_zone` should map each of the three AZs to a fraction"
        )
    if all(_close(share_without_cross_zone[az], 1 / total, 1e-6) for az in share):
        raise AssertionError(
            f"1/{total} per target is what cross-zone balancing gives. Without it, each AZ's "
            "node gets a third of the requests and spreads them only over the targets in its "
            "own AZ")
    assert all(_close(share_without_cross_zone[az], share[az], 1e-6) for az in share), (
        "without cross-zone balancing a target gets (1 / number of AZs) / (targets in its AZ) "
        "of all requests"
    )
    fraction = 1 - 1 / len(azs)
    if _close(cross_az_fraction, 1 / len(azs), 1e-6):
        raise AssertionError(
            f"1/{len(azs)} is the share that stays in its AZ: each node keeps only the requests "
            "that land on targets of its own AZ, the rest cross")
    assert _close(cross_az_fraction, fraction, 1e-6), (
        f"`cross_az_fraction` should be the share of requests that cross an AZ boundary: "
        f"1 - 1/{len(azs)}"
    )
    hop = fraction * inter_az_rtt_ms()
    if _close(hop_ms, inter_az_rtt_ms(), 1e-6):
        raise AssertionError(
            "only the requests that cross an AZ pay the hop: multiply inter_az_rtt_ms() by "
            "`cross_az_fraction`")
    assert _close(hop_ms, hop, 1e-6), (
        "`hop_ms` should be cross_az_fraction x inter_az_rtt_ms()"
    )
