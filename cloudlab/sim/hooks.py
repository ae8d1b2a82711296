"""Where the compute simulation meets the API: botocore hooks on every client of a cloud.

:func:`install` attaches one ``before-call`` and one ``after-call`` handler to a cloud. They

- keep the instance book, load balancers and Auto Scaling groups in step with every call
  that may change them (``after-call``), and correct what moto answers: instance
  ``State`` and ``LaunchTime``, status checks, ``describe_target_health`` (and the Classic
  Load Balancer's ``describe_instance_health``), Auto Scaling
  ``LifecycleState``, the ``PolicyARN`` and alarms of ``put_scaling_policy``;
- refuse what AWS refuses and moto accepts, with a botocore ``ClientError``: a desired
  capacity outside ``[MinSize, MaxSize]`` (``ValidationError``); registering an instance
  that is not running, health-check settings out of range (see
  :mod:`cloudlab.sim.elbv2.validation`);
- do what EC2 does and moto does not: a launch template version made from a
  ``SourceVersion`` (:mod:`cloudlab.sim.ec2.templates`); Elastic IPs of terminated
  instances are disassociated (:mod:`cloudlab.sim.ec2.addresses`);
- answer ``execute_policy`` (moto crashes on step policies) by running the policy, and
  ``enable_metrics_collection``/``disable_metrics_collection`` (moto records nothing, or
  crashes) with :mod:`cloudlab.sim.autoscaling.group_metrics`;
- flag launch configurations as legacy (a ``FutureWarning``: use launch templates).

``cloudlab`` installs this on every Cloud it starts (see ``cloudlab/__init__.py``).
"""

from __future__ import annotations

import warnings
from typing import Any

from cloudlab.cloud.hooks import install_call_hooks
from cloudlab.sim.autoscaling.group_metrics import group_metrics
from cloudlab.sim.autoscaling.groups import auto_scaling
from cloudlab.sim.autoscaling.schedules import schedules
from cloudlab.sim.ec2.instances import instance_book, is_mutating
from cloudlab.sim.elbv2.balancers import load_balancing

__all__ = ["LegacyLaunchConfiguration", "install"]

class LegacyLaunchConfiguration(FutureWarning):
    """Launch configurations still work but are legacy: AWS asks for launch templates."""


def install(cloud: Any) -> None:
    """Attach the compute simulation's hooks to ``cloud`` (idempotent)."""
    if install_call_hooks(cloud, "sim.compute", before=_before_call, after=_after_call):
        _connect_services(cloud)


def _connect_services(cloud: Any) -> None:
    """CloudWatch alarms run scaling policies; Auto Scaling avoids AZs that are down."""
    from cloudlab.cloud import moto_autoscaling
    from cloudlab.cloud.session import active_cloud
    from cloudlab.sim import cloudwatch
    from cloudlab.sim.autoscaling.policies import run_alarm_action

    cloudwatch.install(cloud)
    cloudwatch.register_alarm_action("arn:aws:autoscaling:", run_alarm_action)

    def down_azs() -> set[str]:
        current = active_cloud()
        return set(instance_book(current).down_azs) if current is not None else set()

    moto_autoscaling.set_unavailable_azs_provider(down_azs)


def _names(model: Any) -> tuple[str, str]:
    return model.service_model.service_name, model.name


def _error(code: str, message: str, status: int = 400) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse

    http = AWSResponse("", status, {"x-amzn-requestid": "cloudlab-sim"}, None)
    return http, {"Error": {"Code": code, "Message": message},
                  "ResponseMetadata": {"RequestId": "cloudlab-sim", "HTTPStatusCode": status,
                                       "HTTPHeaders": {}, "RetryAttempts": 0}}


def _ok(body: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse

    http = AWSResponse("", 200, {"x-amzn-requestid": "cloudlab-sim"}, None)
    parsed = dict(body or {})
    parsed["ResponseMetadata"] = {"RequestId": "cloudlab-sim", "HTTPStatusCode": 200,
                                  "HTTPHeaders": {}, "RetryAttempts": 0}
    return http, parsed


def _before_call(cloud: Any, event_name: str, model: Any = None, context: Any = None,
                 **_: Any) -> Any:
    if model is None:
        return None
    service, operation = _names(model)
    if service not in ("elbv2", "ec2", "autoscaling") or instance_book(cloud).quiet:
        return None  # other services; or the simulation's own calls, checked by itself
    if service == "elbv2":
        return _check_elbv2(cloud, operation, (context or {}).get("cloudlab_params") or {})
    if service == "ec2" and operation == "CreateLaunchTemplateVersion":
        return _launch_template_version(cloud, context or {})
    if service != "autoscaling":
        return None
    from cloudlab.cloud import moto_autoscaling

    moto_autoscaling.install()
    params = (context or {}).get("cloudlab_params") or {}
    if operation == "CreateLaunchConfiguration":
        warnings.warn(
            f"launch configuration {params.get('LaunchConfigurationName')!r}: launch "
            "configurations are legacy (no new instance types since 2023); AWS recommends "
            "launch templates: ec2.create_launch_template(...) and "
            "LaunchTemplate={'LaunchTemplateName': ...} in the Auto Scaling group",
            LegacyLaunchConfiguration, stacklevel=2)
        return None
    if operation in ("SetDesiredCapacity", "UpdateAutoScalingGroup", "CreateAutoScalingGroup"):
        return _check_capacity(cloud, operation, params)
    if operation == "ExecutePolicy":
        return _execute_policy(cloud, params)
    if operation in ("EnableMetricsCollection", "DisableMetricsCollection"):
        from cloudlab.sim.autoscaling.group_metrics import group_metrics

        gm = group_metrics(cloud)
        refusal = (gm.enable if operation.startswith("Enable") else gm.disable)(params)
        return _ok() if refusal is None else _error(*refusal)
    return None


def _check_elbv2(cloud: Any, operation: str, params: dict[str, Any]) -> Any:
    from cloudlab.sim.elbv2 import validation

    refusal = None
    if operation == "RegisterTargets":
        refusal = validation.check_register_targets(cloud, params)
    elif operation in ("CreateTargetGroup", "ModifyTargetGroup"):
        refusal = validation.check_health_check(cloud, operation, params)
    elif operation == "ModifyTargetGroupAttributes":
        refusal = validation.check_attributes(params)
    return None if refusal is None else _error(*refusal)


def _launch_template_version(cloud: Any, context: dict[str, Any]) -> Any:
    from botocore.exceptions import ClientError

    from cloudlab.sim.ec2.templates import create_version

    params = context.get("cloudlab_params") or {}
    try:
        answer = create_version(cloud, params, context.get("client_region") or cloud.region)
    except ClientError as exc:
        return _error(exc.response["Error"]["Code"], exc.response["Error"]["Message"],
                      exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400))
    return None if answer is None else _ok(answer)


def _check_capacity(cloud: Any, operation: str, params: dict[str, Any]) -> Any:
    name = params.get("AutoScalingGroupName", "")
    desired = params.get("DesiredCapacity")
    if operation == "CreateAutoScalingGroup":
        lo, hi = params.get("MinSize"), params.get("MaxSize")
    else:
        try:
            view = auto_scaling(cloud).group(name)
        except Exception:
            return None
        lo, hi = params.get("MinSize", view.min_size), params.get("MaxSize", view.max_size)
    if lo is not None and hi is not None and int(lo) > int(hi):
        return _error("ValidationError", f"Max bound, {hi}, must be greater than or equal to "
                                         f"min bound, {lo}")
    if desired is None or lo is None or hi is None:
        return None
    desired, lo, hi = int(desired), int(lo), int(hi)
    if operation == "SetDesiredCapacity":
        if desired > hi:
            return _error("ValidationError", f"New SetDesiredCapacity value {desired} is above "
                                             f"max value {hi} for the AutoScalingGroup.")
        if desired < lo:
            return _error("ValidationError", f"New SetDesiredCapacity value {desired} is below "
                                             f"min value {lo} for the AutoScalingGroup.")
    elif not lo <= desired <= hi:
        return _error("ValidationError", f"Desired capacity:{desired} must be between the "
                                         f"specified min size:{lo} and max size:{hi}")
    return None


def _execute_policy(cloud: Any, params: dict[str, Any]) -> Any:
    from cloudlab.sim.autoscaling.policies import execute

    name = params.get("PolicyName", "")
    group = params.get("AutoScalingGroupName")
    client = cloud.client("autoscaling")
    found = [p for p in client.describe_policies().get("ScalingPolicies", [])
             if name in (p.get("PolicyName"), p.get("PolicyARN"))
             and (group is None or p.get("AutoScalingGroupName") == group)]
    if not found:
        return _error("ValidationError", f"Policy {name!r} does not exist"
                      + (f" for group {group!r}" if group else ""))
    policy = found[0]
    if policy.get("PolicyType") == "StepScaling" and params.get("MetricValue") is None:
        return _error("ValidationError", "MetricValue is required for step scaling policies "
                                         "(the value to compare with the steps' bounds)")
    if policy.get("PolicyType") == "TargetTrackingScaling":
        return _error("ValidationError", "ExecutePolicy is not supported for target tracking "
                                         "policies; their alarms run them")
    execute(cloud, policy, metric_value=params.get("MetricValue"),
            threshold=params.get("BreachThreshold"),
            honor_cooldown=bool(params.get("HonorCooldown", False)),
            cause="execute_policy called")
    return _ok()


def _after_call(cloud: Any, event_name: str, parsed: Any = None, model: Any = None,
                context: Any = None, **_: Any) -> None:
    if model is None or not isinstance(parsed, dict) or "Error" in parsed:
        return
    service, operation = _names(model)
    if service not in ("ec2", "autoscaling", "elbv2", "elb"):
        return
    book = instance_book(cloud)
    if book.quiet:  # the simulation's own call: its caller applies the effects
        return
    context = context or {}
    params = context.get("cloudlab_params") or {}
    region = context.get("client_region") or cloud.region
    book.after_call(operation, service, region, params, parsed)
    if operation == "DescribeAddresses":
        from cloudlab.sim.ec2.addresses import tidy

        tidy(parsed)
    elif operation == "TerminateInstances":
        from cloudlab.sim.ec2.addresses import disassociate

        disassociate(cloud, region, [i["InstanceId"] for i in
                                     parsed.get("TerminatingInstances", [])])
    if service == "elbv2" and operation == "DescribeTargetHealth":
        load_balancing(cloud).rewrite_target_health(params, parsed)
        return
    if service == "elb" and operation == "DescribeInstanceHealth":
        load_balancing(cloud).rewrite_instance_health(params, parsed)
        return
    if service == "autoscaling":
        if operation in ("DescribeAutoScalingGroups", "DescribeAutoScalingInstances"):
            _rewrite_lifecycle(cloud, parsed)
            return
        if operation == "PutScalingPolicy":
            _complete_policy(cloud, params, parsed)
        if operation in ("CreateAutoScalingGroup", "UpdateAutoScalingGroup") \
                and params.get("DefaultInstanceWarmup") is not None:
            # moto drops the default instance warmup; the simulation keeps it
            warmup = int(params["DefaultInstanceWarmup"])
            auto_scaling(cloud).default_warmups[params["AutoScalingGroupName"]] = warmup
    if is_mutating(service, operation) and service != "ec2" and not book.deferred:
        # EC2 changes are read lazily (at the next health check or Auto Scaling pass), so
        # a learner's run_instances costs no extra calls.
        load_balancing(cloud).refresh()
        if service == "autoscaling":
            auto_scaling(cloud).refresh()
            if "Scheduled" in operation or operation.startswith(("Delete", "Create")):
                schedules(cloud).refresh()


def _rewrite_lifecycle(cloud: Any, parsed: dict[str, Any]) -> None:
    book = instance_book(cloud)
    now = cloud.t
    items = []
    warmups = auto_scaling(cloud).default_warmups
    collected = group_metrics(cloud)
    for group in parsed.get("AutoScalingGroups", []):
        items.extend(group.get("Instances", []))
        if group.get("AutoScalingGroupName") in warmups:
            group["DefaultInstanceWarmup"] = warmups[group["AutoScalingGroupName"]]
        collected.rewrite(group)
    items.extend(parsed.get("AutoScalingInstances", []))
    for inst in items:
        record = book.records.get(inst.get("InstanceId", ""))
        if record is not None and record.state_at(now) == "pending":
            inst["LifecycleState"] = "Pending"


def _complete_policy(cloud: Any, params: dict[str, Any], parsed: dict[str, Any]) -> None:
    from cloudlab.sim.autoscaling.policies import create_target_tracking_alarms

    client = cloud.client("autoscaling")
    policies = client.describe_policies(
        AutoScalingGroupName=params.get("AutoScalingGroupName", ""),
        PolicyNames=[params.get("PolicyName", "")]).get("ScalingPolicies", [])
    if not policies:
        return
    policy = policies[0]
    parsed["PolicyARN"] = policy["PolicyARN"]
    if policy.get("PolicyType") == "TargetTrackingScaling":
        suffix = policy["PolicyARN"].split(":scalingPolicy:", 1)[-1].split(":", 1)[0]
        names = create_target_tracking_alarms(cloud, policy, suffix)
        parsed["Alarms"] = [{"AlarmName": n, "AlarmARN": f"arn:aws:cloudwatch:{cloud.region}:"
                             f"123456789012:alarm:{n}"} for n in names]
