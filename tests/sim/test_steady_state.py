"""The periodic passes' shortcuts for the steady state give the answers of the full passes.

Three passes skip work whose inputs have not changed:

- Auto Scaling's periodic pass (every 30 s) skips a pass that would find nothing to do
  (``quiet.QuietPass``: book generation, the target groups' ``unhealthy_version``, the next
  grace period end);
- a target group's round of health checks only counts the successes of the passing targets
  and checks the targets still on their way (booting, failing) while the others are steady
  (``health._Steady``: book generation, group version, the next drain or end);
- the running instances of a group (``AutoScaling.in_service`` and ``capacity``, read by
  target tracking every minute an alarm stays in ALARM) are kept for a time span
  (``groups._Kept``).

Each test runs one scenario through crashes, a failed host, a learner's scaling and
registration calls, draining, an AZ outage and its recovery (rebalancing) and a settings
change, twice: with the shortcuts and with every pass in full. Everything the passes decide
must be the same at every step. Leaving out any component of a shortcut's key makes a
step differ.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from webstack import build_stack

from cloudlab import Cloud
from cloudlab.sim.autoscaling import groups, quiet
from cloudlab.sim.autoscaling.groups import auto_scaling
from cloudlab.sim.ec2 import bootstrap
from cloudlab.sim.ec2.instances import instance_book
from cloudlab.sim.elbv2 import health
from cloudlab.sim.elbv2.balancers import load_balancing
from cloudlab.sim.failures import crash_web_server, fail_az, fail_instance, restore_az

BOOTSTRAP_INFO = bootstrap.bootstrap_info
STEP_S = 10.0
MINUTES = 55


def _members(cloud: Cloud) -> list[str]:
    found = cloud.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]["Instances"]
    return sorted(i["InstanceId"] for i in found)


def _script(cloud: Cloud, check_type: str) -> dict[int, Callable[[], None]]:
    """What happens at which step (a step is STEP_S seconds)."""
    stack = build_stack(cloud, asg={"DesiredCapacity": 3, "HealthCheckType": check_type,
                                    "HealthCheckGracePeriod": 300})
    elb, asg = cloud.client("elbv2"), cloud.client("autoscaling")
    elb.modify_target_group_attributes(TargetGroupArn=stack.tg_arn, Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "90"}])
    seen: dict[str, Any] = {}

    def crash_one() -> None:  # ELB health checks fail twice, then Auto Scaling replaces it
        crash_web_server(cloud, _members(cloud)[0])

    def scale_out() -> None:  # a learner's call; the new instance is in its grace period
        seen["before"] = _members(cloud)
        asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=4)

    def crash_new() -> None:  # unhealthy while in grace: replaced when the grace ends
        new = sorted(set(_members(cloud)) - set(seen["before"]))
        crash_web_server(cloud, new[0])

    def fail_host() -> None:  # EC2 status checks fail: replaced at once
        fail_instance(cloud, _members(cloud)[-1])

    def deregister() -> None:  # drains for 90 s, then leaves the target group
        seen["out"] = _members(cloud)[1]
        elb.deregister_targets(TargetGroupArn=stack.tg_arn, Targets=[{"Id": seen["out"]}])

    def register() -> None:  # back: a new target, initial until its first check
        elb.register_targets(TargetGroupArn=stack.tg_arn, Targets=[{"Id": seen["out"]}])

    def settings() -> None:
        elb.modify_target_group(TargetGroupArn=stack.tg_arn, HealthyThresholdCount=3)

    return {  # apart, so that quiet passes and steady rounds come between the changes
        30: crash_one,
        60: scale_out,
        62: crash_new,
        110: fail_host,
        140: deregister,  # drains until 1490 s while all else is steady
        160: register,
        180: lambda: fail_az(cloud, stack.azs[0]),
        220: lambda: restore_az(cloud, stack.azs[0]),
        270: settings,
        290: crash_one,
    }


def _capacity_in_full(cloud: Cloud, warmup_s: float, t: float) -> tuple[int, int]:
    """What target tracking counted before: running instances, and those warming up."""
    records = instance_book(cloud).records
    running = [record.instance_id for inst in auto_scaling(cloud).group("web").instances
               if (record := records.get(inst["InstanceId"])) is not None
               and record.state_at(t) == "running"]
    warming = [i for i in running if records[i].running_t + warmup_s > t]
    return len(running), len(warming)


def _snapshot(cloud: Cloud) -> tuple[Any, ...]:
    """What the passes decided: Auto Scaling's activities, every target's health (as
    describe_target_health and routing see it, with its counts and history) and the running
    and warming instances now and 15 s ago."""
    scaler = auto_scaling(cloud)
    targets = sorted(
        (arn, key, t.state, t.reason, t.successes, t.failures, t.drain_until, tuple(t.history))
        for arn, group in load_balancing(cloud).groups.items()
        for key, t in group.targets.items())
    activities = [(a.t_s, a.kind, a.description) for a in scaler.activities]
    view = scaler.group("web")
    capacity = {}
    for t in (cloud.t, cloud.t - 15):
        for warmup_s in (0, 45, 60, 300):
            capacity[t, warmup_s] = scaler.capacity(view, warmup_s, t)
            assert capacity[t, warmup_s] == _capacity_in_full(cloud, warmup_s, t)
    return (activities, targets, scaler.in_service("web"), capacity,
            scaler.in_service("web", cloud.t - 15))


def _slow_pending() -> dict[str, Any]:
    # instances stay pending for longer than a pass's interval, so a rebalancing waits for
    # its new instance through a pass that does nothing
    info = copy.deepcopy(BOOTSTRAP_INFO())  # a copy: the figures are read once and shared
    info["boot"]["pending_s"] = 45
    return info


def _trace(check_type: str, full: bool,
           monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    with monkeypatch.context() as patch:
        patch.setattr(bootstrap, "bootstrap_info", _slow_pending)
        if full:  # every shortcut refused: each pass runs in full
            patch.setattr(quiet.QuietPass, "holds", lambda self, scaler, t: False)
            patch.setattr(health._Steady, "holds", lambda self, generation, version, t: False)
            patch.setattr(groups._Kept, "holds", lambda self, generation, t: False)
        with Cloud(seed=3) as cloud:
            script = _script(cloud, check_type)
            steps = []
            for step in range(int(MINUTES * 60 / STEP_S)):
                if step in script:
                    script[step]()
                cloud.advance(seconds=STEP_S)
                steps.append(_snapshot(cloud))
            return steps


@pytest.fixture(scope="module", params=["ELB", "EC2"])
def traces(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[Any], list[Any]]]:
    """The scenario with the shortcuts and in full, with either health check type (with
    EC2 checks, the groups' passes do not depend on the target groups)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield (request.param, _trace(request.param, False, monkeypatch),
               _trace(request.param, True, monkeypatch))


def test_the_scenario_exercises_every_path(traces: tuple[str, list[Any], list[Any]]) -> None:
    check_type, _, full = traces
    activities = full[-1][0]
    replaced = [t for t, kind, _ in activities if kind == "replace"]
    # a rebalancing waits a pass for its new instance (pending 45 s), then terminates one
    assert [t for t, kind, _ in activities if kind == "rebalance"] == [2220.0, 2280.0]
    if check_type == "EC2":  # only the failed host and the failed AZ's instances
        assert replaced == [1110.0, 1830.0, 1830.0]
        return
    # the instance crashed in its grace period is replaced when the grace period ends
    assert replaced == [360.0, 900.0, 1200.0, 1830.0, 1830.0, 2940.0]
    states = {target[2] for step in full for target in step[1]}
    assert states == {"initial", "healthy", "unhealthy", "draining"}


@pytest.mark.parametrize("what", ["activities", "target health", "in service", "capacity",
                                  "in service 15 s ago"])
def test_shortcuts_decide_as_the_full_passes_at_every_step(
        traces: tuple[str, list[Any], list[Any]], what: str) -> None:
    index = ["activities", "target health", "in service", "capacity",
             "in service 15 s ago"].index(what)
    _, fast, full = traces
    for step, (a, b) in enumerate(zip(fast, full, strict=True)):
        assert a[index] == b[index], f"{what} differ at t={(step + 1) * STEP_S:g} s"


def test_the_shortcuts_are_taken_in_the_steady_state(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = {"tick": 0, "health": 0}
    quiet_holds, steady_holds = quiet.QuietPass.holds, health._Steady.holds

    def count(name: str, holds: Any) -> Any:
        def wrapper(self: Any, *args: Any) -> bool:
            ok = bool(holds(self, *args))
            taken[name] += ok
            return ok
        return wrapper
    monkeypatch.setattr(quiet.QuietPass, "holds", count("tick", quiet_holds))
    monkeypatch.setattr(health._Steady, "holds", count("health", steady_holds))
    with Cloud(seed=3) as cloud:
        build_stack(cloud, asg={"DesiredCapacity": 3})
        cloud.advance(minutes=10)
        book = instance_book(cloud)
        generation = book.generation
        before = dict(taken)
        cloud.advance(minutes=10)
        assert book.generation == generation  # nothing changed
        assert taken["tick"] - before["tick"] == 20  # every pass of the 10 minutes
        assert taken["health"] - before["health"] == 20


def test_a_change_of_the_target_group_alone_ends_the_steady_rounds() -> None:
    # Registrations and settings change the group's version; Auto Scaling's own
    # registrations (apply_registrations) change nothing in the instance book by themselves.
    with Cloud(seed=3) as cloud:
        stack = build_stack(cloud, asg={"DesiredCapacity": 2})
        cloud.advance(minutes=10)
        group = load_balancing(cloud).groups[stack.tg_arn]
        assert {t.state for t in group.targets.values()} == {"healthy"}
        book = instance_book(cloud)
        instance = next(iter(group.targets))[0]
        group.sync_registrations(set(group.targets) | {(instance, 8080)}, cloud.t)
        group.check(cloud.t + 30, book)  # nothing answers on 8080
        assert group.targets[(instance, 8080)].failures == 1


def test_a_quiet_pass_holds_only_while_the_load_balancing_state_is_fresh(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # QuietPass.holds compares the target groups' versions without refreshing the load
    # balancing state first (as the full pass does): while it holds, that refresh would
    # re-read nothing. Through the scenario's learner calls, registrations, failures and
    # Auto Scaling's own launches, every pass that holds finds the state fresh; so does a
    # pass right after each of the scenario's calls (before a health round refreshes it).
    holds = quiet.QuietPass.holds
    taken = []

    def checked(self: quiet.QuietPass, scaler: Any, t: float) -> bool:
        ok = bool(holds(self, scaler, t))
        if ok:
            lbs = load_balancing(scaler.cloud)
            assert lbs.groups is self.lb_groups
            assert lbs._seen_generation == scaler.book.config_generation, (
                f"a quiet pass at t={t:g} s holds while the load balancing state is stale")
            taken.append(t)
        return ok
    monkeypatch.setattr(quiet.QuietPass, "holds", checked)
    with Cloud(seed=3) as cloud:
        script = _script(cloud, "ELB")
        # and an EC2 call in a quiet stretch: EC2 changes are read lazily (no refresh yet)
        script[100] = lambda: cloud.client("ec2").create_tags(
            Resources=_members(cloud)[:1], Tags=[{"Key": "team", "Value": "web"}])
        scaler = auto_scaling(cloud)
        for step in range(int(MINUTES * 60 / STEP_S)):
            if step in script:
                script[step]()
                if scaler._quiet is not None:
                    scaler._quiet.holds(scaler, cloud.t)
            cloud.advance(seconds=STEP_S)
    assert len(taken) > 50  # the scenario has quiet stretches between its changes

