"""Checks for lab 05: the instance lifecycle and per-second billing, bootstrapping a web
server with user data, a golden AMI and a clone in another AZ, a broken bootstrap diagnosed
and fixed, versions of a launch template, and a copy of the golden AMI in another Region.

Answers are checked by behaviour, from the compute simulation's books (when each instance
was launched, ran, served and ended; what each AMI carries; when each target of the load
balancer turned healthy) and from the EC2 and ELB APIs, so any sequence of calls with the
right effect passes. Measured times may differ from the books by one poll step (5 s).
"""

from __future__ import annotations

import math
from typing import Any

from cloudlab.checks import question
from cloudlab.sim import MINIMUM_BILLED_S, instance_book, instance_type
from cloudlab.sim.ec2 import InstanceRecord, Software, plan_boot
from cloudlab.sim.elbv2.balancers import load_balancing

TRIAL_S = 120.0  # the trial instance is terminated 2 minutes after its launch
BLIP_S = 30.0  # the blip instance, 30 s after its launch
POLL_S = 5.0  # the notebook polls every 5 s of virtual time
DR_REGION = "us-west-2"
TEMPLATE = "web"


# -- helpers ---------------------------------------------------------------------------------
def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _assert_number(value: Any, name: str, unit: str = "") -> None:
    """``value`` (the learner's ``name``) is a finite number (``unit``: e.g. " of seconds")."""
    assert _number(value), f"`{name}` should be a number{unit}, got {value!r}"


def _record(cloud: Any, instance_id: Any, name: str) -> InstanceRecord:
    book = instance_book(cloud)
    book.sync()
    record = book.records.get(str(instance_id))
    assert record is not None, (
        f"`{name}` should be the InstanceId that ec2.run_instances returned "
        f"(response['Instances'][0]['InstanceId']), got {instance_id!r}"
    )
    return record


def _boot_log(record: InstanceRecord) -> str:
    """The last lines of an instance's boot timeline, for hints."""
    lines = [ln.strip() for ln in record.plan.explain().splitlines() if ln.strip()]
    return " / ".join(lines[-3:])


def _target_health(cloud: Any, tg_arn: Any, instance_id: str) -> str | None:
    found = cloud.client("elbv2").describe_target_health(
        TargetGroupArn=str(tg_arn), Targets=[{"Id": instance_id}])["TargetHealthDescriptions"]
    return str(found[0]["TargetHealth"]["State"]) if found else None


def _target(cloud: Any, tg_arn: Any, instance_id: str) -> Any:
    """The load balancer simulation's target for ``instance_id`` in ``tg_arn`` (or None)."""
    lb = load_balancing(cloud)
    lb.refresh()
    group = lb.groups.get(str(tg_arn))
    if group is None:
        return None
    return next((target for (target_id, _port), target in group.targets.items()
                 if target_id == instance_id), None)


def _healthy_at(cloud: Any, tg_arn: Any, instance_id: str) -> float | None:
    """Virtual time the target first turned healthy (None if unknown or never)."""
    target = _target(cloud, tg_arn, instance_id)
    if target is None:
        return None
    return next((t for t, state in target.history if state == "healthy"), None)


def _registered_at(cloud: Any, tg_arn: Any, instance_id: str) -> float | None:
    target = _target(cloud, tg_arn, instance_id)
    return None if target is None else target.registered_t  # type: ignore[no-any-return]


def _lived_s(record: InstanceRecord, id_name: str, seconds: float, after: str, *,
             after_exactly: str | None = None, how: str = "") -> float:
    """Seconds from launch to termination of ``record``, checked to be ``seconds`` (within one
    poll step); ``after`` says that time in the hints (``after_exactly`` in the second)."""
    kind = id_name.removesuffix("_id")
    assert record.ended == "terminated", (
        f"terminate the {kind} instance{how} {after} after its launch"
    )
    lived = float(record.ended_t or 0) - record.launch_t
    assert abs(lived - seconds) <= POLL_S, (
        f"terminate {id_name} {after_exactly or after} after its launch: it lived {lived:.0f} s"
    )
    return lived


def _billed_s(record: InstanceRecord, cloud: Any) -> tuple[float, float]:
    """Seconds ``record`` ran, and the seconds EC2 bills for them (a 60 s minimum)."""
    running = record.running_seconds(0, cloud.t)
    return running, max(running, MINIMUM_BILLED_S)


def _check_time_to_healthy(cloud: Any, tg_arn: Any, record: InstanceRecord, value: Any,
                           name: str, id_name: str) -> None:
    """``value`` is the seconds from launch until the target turned healthy (one poll step)."""
    assert record.plan.serving_after_s is not None and record.plan.port == 80, (
        f"`{id_name}` never serves HTTP on port 80, so it can never turn healthy; its boot "
        f"log ends with: {_boot_log(record)}"
    )
    state = _target_health(cloud, tg_arn, record.instance_id)
    healthy_t = _healthy_at(cloud, tg_arn, record.instance_id)
    assert state is not None or healthy_t is not None, (
        f"register `{id_name}` with the target group once it is running: "
        f"elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{{'Id': {id_name}}}]) "
        "(AWS refuses pending instances with InvalidTarget: call wait_until_running first)"
    )
    assert healthy_t is not None, (
        f"`{id_name}` is registered but not healthy yet ({state}): advance the clock until "
        "describe_target_health says 'healthy' (that is what seconds_to_healthy does)"
    )
    expected = healthy_t - record.launch_t
    assert value is not None, (
        f"`{name}` is None: seconds_to_healthy gave up before the target turned healthy; "
        "make its loop advance the clock (cloud.advance(seconds=5)) between two reads"
    )
    _assert_number(value, name, " of seconds")
    running = record.plan.running_after_s
    if abs(value + running - expected) <= POLL_S and abs(value - expected) > POLL_S:
        raise AssertionError(
            f"`{name}` looks counted from the moment the instance was running; count from its "
            f"launch (LaunchTime), as a user waiting for a new server would: the {running:.0f} "
            "s in pending are part of the wait")
    if abs(value - healthy_t) <= POLL_S and abs(value - expected) > POLL_S:
        raise AssertionError(
            f"`{name}` looks like a time on the clock (cloud.t), not a duration: subtract the "
            "instance's launch time")
    assert expected - 0.5 <= value <= expected + POLL_S + 0.5, (
        f"`{name}` should be the seconds from the launch of `{id_name}` until its target "
        f"turned healthy: the load balancer saw it healthy {expected:.0f} s after launch, "
        f"got {value!r}. Poll every 5 s and measure from LaunchTime"
    )


# -- Question 1 ------------------------------------------------------------------------------
@question("lab05.lifecycle", points=2, title="Pending is free, running is billed by the second")
def lifecycle(trial_id: Any, pending_s: Any, trial_billed_s: Any, blip_id: Any,
              blip_billed_s: Any, lifecycle_cost_usd: Any, cloud: Any) -> None:
    trial = _record(cloud, trial_id, "trial_id")
    assert _number(pending_s), (
        f"`pending_s` should be wait_until_running(trial_id): the seconds from launch until "
        f"the State is 'running', got {pending_s!r}"
    )
    assert trial.plan.running_after_s - 0.5 <= pending_s <= trial.plan.running_after_s + POLL_S, (
        f"`pending_s` should be how long trial_id stayed pending, measured from its LaunchTime "
        f"by reading its State every 5 s of virtual time, got {pending_s!r}"
    )
    lived = _lived_s(trial, "trial_id", TRIAL_S, "2 minutes", after_exactly="2 minutes (120 s)",
                     how=" (ec2.terminate_instances)")
    _running, billed = _billed_s(trial, cloud)
    _assert_number(trial_billed_s, "trial_billed_s")
    if abs(trial_billed_s - lived) < 1e-6 and abs(lived - billed) > 1e-6:
        raise AssertionError(
            f"`trial_billed_s` counts from the launch ({lived:.0f} s): billing starts when the "
            "instance enters `running`; the seconds in `pending` are free")
    assert abs(trial_billed_s - billed) < 1e-6, (
        f"`trial_billed_s` should be the seconds EC2 bills for trial_id: its seconds in "
        f"`running` (at least 60), got {trial_billed_s!r}"
    )

    blip = _record(cloud, blip_id, "blip_id")
    assert blip.instance_id != trial.instance_id, "`blip_id` should be a second instance"
    blip_lived = _lived_s(blip, "blip_id", BLIP_S, "30 s")
    blip_running, blip_expected = _billed_s(blip, cloud)
    _assert_number(blip_billed_s, "blip_billed_s")
    if abs(blip_billed_s - blip_expected) > 1e-6 and blip_billed_s < MINIMUM_BILLED_S:
        raise AssertionError(
            f"`blip_billed_s` is {blip_billed_s!r}, but per-second billing has a 60-second "
            "minimum each time an instance enters `running`: blip_id ran only "
            f"{blip_running:.0f} s")
    assert abs(blip_billed_s - blip_expected) < 1e-6, (
        f"`blip_billed_s` should be the seconds EC2 bills for blip_id, got {blip_billed_s!r}"
    )

    price = instance_type(trial.instance_type).price_per_hour
    cost = (billed + blip_expected) * price / 3600
    _assert_number(lifecycle_cost_usd, "lifecycle_cost_usd", " of dollars")
    hours = math.ceil(lived / 3600) + math.ceil(blip_lived / 3600)
    if abs(lifecycle_cost_usd - hours * price) < 1e-9:
        raise AssertionError(
            "`lifecycle_cost_usd` bills whole hours: Linux instances are billed per second "
            "since October 2017. Multiply the billed seconds by the price per hour / 3600")
    assert abs(lifecycle_cost_usd - cost) <= 1e-6 * max(1.0, cost) + 1e-9, (
        f"`lifecycle_cost_usd` should be (trial_billed_s + blip_billed_s) x the "
        f"{trial.instance_type} price (${price} per hour) / 3600, got {lifecycle_cost_usd!r}"
    )


# -- Question 2 ------------------------------------------------------------------------------
@question("lab05.user_data", points=2, title="A web server bootstrapped by user data")
def user_data(web_id: Any, user_data_serve_s: Any, ami_id: Any, tg_arn: Any,
              cloud: Any) -> None:
    web = _record(cloud, web_id, "web_id")
    assert web.image_id == ami_id, (
        "launch `web_id` from the base Amazon Linux 2023 AMI (`ami_id`): here the user data "
        "does all the work"
    )
    installs = any("installed httpd" in s.what for s in web.plan.steps)
    assert installs, (
        "`web_id` did not install httpd at boot: pass UserData=WEB_USER_DATA to run_instances"
    )
    _check_time_to_healthy(cloud, tg_arn, web, user_data_serve_s, "user_data_serve_s", "web_id")


@question("lab05.user_data", points=1, hidden=True)
def registered_when_running(web_id: Any, tg_arn: Any, cloud: Any) -> None:
    web = _record(cloud, web_id, "web_id")
    registered = _registered_at(cloud, tg_arn, web.instance_id)
    assert registered is None or registered >= web.running_t, (
        "register an instance with a target group only once it is running (wait_until_running "
        "first): AWS refuses pending instances with InvalidTarget"
    )


# -- Question 3 ------------------------------------------------------------------------------
@question("lab05.golden_ami", points=2, title="A golden AMI serves sooner, in any AZ")
def golden_ami_(golden_ami: Any, clone_id: Any, golden_serve_s: Any, user_data_serve_s: Any,
                web_id: Any, tg_arn: Any, cloud: Any, saving_s: Any = None) -> None:
    # saving_s has a default: when the clone never serves, the learner's subtraction fails,
    # and the hint about the clone helps more than "define `saving_s` first".
    book = instance_book(cloud)
    web = _record(cloud, web_id, "web_id")
    ec2 = cloud.client("ec2")
    images = ec2.describe_images(Owners=["self"])["Images"]
    mine = {i["ImageId"]: i for i in images}
    assert str(golden_ami) in mine, (
        "`golden_ami` should be the ImageId returned by ec2.create_image(InstanceId=web_id, "
        f"Name=...), got {golden_ami!r}"
    )
    baked = book.images.get(str(golden_ami), Software())
    assert baked.web_server() is not None, (
        "`golden_ami` carries no web server that starts at boot: create it from web_id once "
        "its user data has finished (after the target turned healthy)"
    )
    clone = _record(cloud, clone_id, "clone_id")
    assert clone.image_id == golden_ami, "launch `clone_id` from `golden_ami`"
    assert clone.az != web.az, (
        f"`clone_id` is in {clone.az}, the AZ of web_id: launch it in another AZ (az_b) to "
        "see that an AMI works in every AZ of its Region"
    )
    _check_time_to_healthy(cloud, tg_arn, clone, golden_serve_s, "golden_serve_s", "clone_id")
    _assert_number(saving_s, "saving_s", " of seconds")
    if _number(user_data_serve_s) and abs(saving_s + (user_data_serve_s - golden_serve_s)) < 1e-6 \
            and saving_s != 0:
        raise AssertionError(
            "`saving_s` has the wrong sign: it is how much sooner the golden clone served, "
            "user_data_serve_s - golden_serve_s")
    assert _number(user_data_serve_s) and \
        abs(saving_s - (user_data_serve_s - golden_serve_s)) < 1e-6, (
            "`saving_s` should be user_data_serve_s - golden_serve_s (seconds saved per new "
            f"instance), got {saving_s!r}"
        )
    assert saving_s > 0, (
        "the golden clone should serve sooner than the bootstrapped instance: launch it from "
        "`golden_ami` with no user data that installs packages"
    )


@question("lab05.golden_ami", points=1, hidden=True)
def clone_installs_nothing(clone_id: Any, cloud: Any) -> None:
    clone = _record(cloud, clone_id, "clone_id")
    assert not any(s.what.startswith("installed") for s in clone.plan.steps), (
        "the clone reinstalled packages at boot: a golden AMI already carries them, so launch "
        "it without the install script"
    )


# -- Question 4 ------------------------------------------------------------------------------
@question("lab05.broken_bootstrap", points=2,
          title="Diagnose and fix a bootstrap that never serves")
def broken_bootstrap(broken_id: Any, broken_state: Any, broken_reason: Any,
                     fixed_user_data: Any, fixed_id: Any, ami_id: Any, tg_arn: Any,
                     cloud: Any) -> None:
    broken = _record(cloud, broken_id, "broken_id")
    assert broken.plan.serving_after_s is None, (
        "launch `broken_id` with BROKEN_USER_DATA exactly as given: the point is to watch it "
        "fail and find out why"
    )
    if broken_state == "initial":
        raise AssertionError(
            "`broken_state` is 'initial': you read it too early. A new target turns unhealthy "
            "only after UnhealthyThresholdCount failed checks (10 checks, 10 s apart, here): "
            "advance the clock 2 minutes after registering it, then read "
            "describe_target_health")
    assert broken_state == "unhealthy", (
        "`broken_state` should be the TargetHealth State that describe_target_health reports "
        f"for broken_id 2 minutes after you registered it, got {broken_state!r}"
    )
    assert broken_reason == "Target.FailedHealthChecks", (
        "`broken_reason` should be the TargetHealth Reason code for broken_id (the "
        f"'Reason' key, not the Description), got {broken_reason!r}"
    )
    assert isinstance(fixed_user_data, str) and fixed_user_data.strip(), (
        f"`fixed_user_data` should be your corrected script (a string), got {fixed_user_data!r}"
    )
    plan = plan_boot(Software(), fixed_user_data)
    assert plan.serving_after_s is not None and plan.port == 80, (
        "`fixed_user_data` still never starts a web server on port 80. Its boot log ends with: "
        + " / ".join(ln.strip() for ln in plan.explain().splitlines()[-3:])
        + ". Hint: `systemctl enable` only starts a service at the *next* boot; "
        "`systemctl enable --now` also starts it now"
    )
    fixed = _record(cloud, fixed_id, "fixed_id")
    assert fixed.image_id == ami_id, (
        "launch `fixed_id` from the base AMI (`ami_id`) with `fixed_user_data`: the fix "
        "belongs in the script that every new instance runs"
    )
    assert fixed.plan.serving_after_s == plan.serving_after_s and fixed.plan.port == 80, (
        "launch `fixed_id` with UserData=fixed_user_data"
    )
    state = _target_health(cloud, tg_arn, fixed.instance_id)
    assert state == "healthy", (
        f"`fixed_id` is {state or 'not registered'} in the target group: register it once it "
        "is running and advance the clock until it is healthy (seconds_to_healthy)"
    )
    assert broken.ended == "terminated", (
        "terminate `broken_id`: a running instance that never serves still costs money, and "
        "the load balancer keeps checking it"
    )


# -- Question 5 ------------------------------------------------------------------------------
def _versions(cloud: Any) -> dict[int, dict[str, Any]]:
    from botocore.exceptions import ClientError

    ec2 = cloud.client("ec2")
    try:
        found = ec2.describe_launch_template_versions(LaunchTemplateName=TEMPLATE)
    except ClientError:
        raise AssertionError(
            f"create a launch template called {TEMPLATE!r}: "
            "ec2.create_launch_template(LaunchTemplateName='web', LaunchTemplateData={...})"
        ) from None
    return {int(v["VersionNumber"]): v.get("LaunchTemplateData", {})
            for v in found["LaunchTemplateVersions"]}


@question("lab05.launch_template", points=2, title="Versions of a launch template")
def launch_template(default_id: Any, latest_id: Any, golden_ami: Any, ami_id: Any,
                    cloud: Any) -> None:
    versions = _versions(cloud)
    assert 1 in versions and 2 in versions, (
        f"the template {TEMPLATE!r} should have two versions (it has "
        f"{sorted(versions)}): create version 2 with create_launch_template_version"
    )
    v1, v2 = versions[1], versions[2]
    assert v1.get("ImageId") == ami_id, (
        "version 1 should launch the base AMI (`ami_id`) with your fixed user data"
    )
    assert v2.get("ImageId") == golden_ami, (
        "version 2 should launch `golden_ami`: create it with "
        "create_launch_template_version(LaunchTemplateName='web', SourceVersion='1', "
        "LaunchTemplateData={'ImageId': golden_ami, ...})"
    )
    for number, data in ((1, v1), (2, v2)):
        tokens = (data.get("MetadataOptions") or {}).get("HttpTokens")
        assert tokens == "required", (
            f"version {number} allows IMDSv1 (HttpTokens is {tokens!r}): require IMDSv2 with "
            "MetadataOptions={'HttpTokens': 'required'} in the LaunchTemplateData of every "
            "version"
        )
    v1_plan = plan_boot(Software(), v1.get("UserData"))
    assert v1_plan.serving_after_s is not None and v1_plan.port == 80, (
        "version 1's UserData never starts a web server: use your fixed script, base64-encoded "
        "(base64.b64encode(fixed_user_data.encode()).decode())"
    )
    default = _record(cloud, default_id, "default_id")
    latest = _record(cloud, latest_id, "latest_id")
    assert default.launch_template is not None and latest.launch_template is not None, (
        "launch `default_id` and `latest_id` with run_instances(LaunchTemplate={"
        "'LaunchTemplateName': 'web', 'Version': ...}, MinCount=1, MaxCount=1)"
    )
    assert default.launch_template[1] == "1", (
        f"`default_id` was launched from version {default.launch_template[1]}: launch it with "
        "Version='$Default' *before* you make version 2 the default (then $Default is still 1)"
    )
    assert latest.launch_template[1] == "2", (
        f"`latest_id` was launched from version {latest.launch_template[1]}: launch it with "
        "Version='$Latest', which is version 2 as soon as it exists"
    )
    assert latest.plan.serving_after_s is not None and default.plan.serving_after_s is not None \
        and latest.plan.serving_after_s < default.plan.serving_after_s, (
            "the instance from version 2 (golden AMI) should serve sooner than the one from "
            "version 1 (user data)"
        )
    template = cloud.client("ec2").describe_launch_templates(
        LaunchTemplateNames=[TEMPLATE])["LaunchTemplates"][0]
    assert int(template["DefaultVersionNumber"]) == 2, (
        "promote version 2: ec2.modify_launch_template(LaunchTemplateName='web', "
        f"DefaultVersion='2') (the default is still version {template['DefaultVersionNumber']})"
    )


# -- Question 6 ------------------------------------------------------------------------------
@question("lab05.copy_ami", points=1, title="The golden AMI in another Region")
def copy_ami(dr_ami: Any, dr_clone_id: Any, golden_ami: Any, cloud: Any,
             dr_serve_s: Any = None) -> None:
    # dr_serve_s has a default: a clone that never serves makes the learner's subtraction
    # fail, and the hint about the AMI helps more than "define `dr_serve_s` first".
    west = cloud.client("ec2", region=DR_REGION)
    found = {i["ImageId"] for i in west.describe_images(Owners=["self"])["Images"]}
    assert str(dr_ami) in found, (
        f"`dr_ami` is not an AMI in {DR_REGION}: call copy_image on a client of the "
        f"destination Region (cloud.client('ec2', region=DR_REGION)) with "
        f"SourceRegion={cloud.region!r}"
    )
    assert dr_ami != golden_ami, "a copy in another Region gets its own ImageId"
    baked = instance_book(cloud).images.get(str(dr_ami), Software())
    assert baked.web_server() is not None, (
        "`dr_ami` carries no web server: copy `golden_ami` (SourceImageId=golden_ami), not the "
        "base AMI"
    )
    clone = _record(cloud, dr_clone_id, "dr_clone_id")
    assert clone.region == DR_REGION and clone.image_id == dr_ami, (
        f"launch `dr_clone_id` in {DR_REGION} from `dr_ami`"
    )
    serving = clone.serving_t
    assert serving is not None, "`dr_clone_id` never serves: launch it from `dr_ami`"
    expected = serving - clone.launch_t
    _assert_number(dr_serve_s, "dr_serve_s", " of seconds")
    if abs(dr_serve_s - serving) < 1e-6 and abs(dr_serve_s - expected) > 1e-6:
        raise AssertionError(
            "`dr_serve_s` is a time on the clock (serving_t): subtract the instance's launch_t "
            "to get seconds from launch")
    assert abs(dr_serve_s - expected) < 1e-6, (
        "`dr_serve_s` should be the seconds from the launch of dr_clone_id until its web "
        "server answers (instance_book(cloud).get(dr_clone_id): serving_t - launch_t), got "
        f"{dr_serve_s!r}"
    )
