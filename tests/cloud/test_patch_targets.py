"""Patch 10 (cloudlab.cloud.patch_targets): Auto Scaling registering only the targets that
change leaves moto's target groups exactly as registering the whole group does, through
scale-out, scale-in, a stopped instance (moto's error), replacements and a learner's own
registrations; and it fails loudly if a moto upgrade moves what it patches."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest
from moto.autoscaling.models import AutoScalingBackend
from moto.elbv2.models import elbv2_backends

from cloudlab import Cloud
from cloudlab.cloud import patch_targets

ACCOUNT = "123456789012"


def _stack(cloud: Cloud) -> tuple[str, str]:
    ec2, elb, asg = cloud.client("ec2"), cloud.client("elbv2"), cloud.client("autoscaling")
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])[:3]
    vpc = subnets[0]["VpcId"]
    arns = []
    for name, port in (("web", 80), ("api", 8080)):
        arns.append(elb.create_target_group(Name=name, Protocol="HTTP", Port=port, VpcId=vpc,
                                            TargetType="instance")["TargetGroups"][0][
            "TargetGroupArn"])
    ec2.create_launch_template(LaunchTemplateName="tmpl", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})
    asg.create_auto_scaling_group(
        AutoScalingGroupName="grp", LaunchTemplate={"LaunchTemplateName": "tmpl"},
        MinSize=0, MaxSize=12, DesiredCapacity=2, TargetGroupARNs=arns,
        VPCZoneIdentifier=",".join(s["SubnetId"] for s in subnets))
    return arns[0], arns[1]


def _state(cloud: Cloud) -> list[Any]:
    """moto's target groups as they are: every target dict in order, the deregistered and
    terminated ones, and what describe_target_health answers."""
    elb = cloud.client("elbv2")
    out: list[Any] = []
    for arn, group in elbv2_backends[ACCOUNT][cloud.region].target_groups.items():
        out.append((group.name, list(group.targets.items()),
                    list(group.deregistered_targets.items()),
                    list(group.terminated_targets.items())))
        out.append(sorted(
            (d["Target"]["Id"], d["Target"]["Port"], d["TargetHealth"]["State"])
            for d in elb.describe_target_health(TargetGroupArn=arn)[
                "TargetHealthDescriptions"]))
    return out


def _story(cloud: Cloud) -> list[Any]:
    """Scale-out, scale-in, a stopped instance, replacements, a learner's own registrations:
    moto's state (and any error) after each step."""
    web, api = _stack(cloud)
    ec2, elb, asg = cloud.client("ec2"), cloud.client("elbv2"), cloud.client("autoscaling")

    def members() -> list[str]:
        return [i["InstanceId"] for i in asg.describe_auto_scaling_groups(
            AutoScalingGroupNames=["grp"])["AutoScalingGroups"][0]["Instances"]]

    def desired(n: int) -> None:
        asg.set_desired_capacity(AutoScalingGroupName="grp", DesiredCapacity=n)

    steps: list[Any] = [_state(cloud)]

    def step(action: Any) -> None:
        try:
            action()
            steps.append(("ok", _state(cloud)))
        except botocore.exceptions.ClientError as e:
            steps.append((e.response["Error"]["Code"], e.response["Error"]["Message"],
                          _state(cloud)))

    step(lambda: desired(6))  # scale-out: new targets, in moto's order
    step(lambda: desired(3))  # scale-in: terminated ones stay registered in moto
    step(lambda: desired(7))
    first, second = members()[:2]
    cloud.advance(minutes=5)  # the instances are running (the simulation's boot)
    # a learner moves one target to another port and deregisters another
    step(lambda: elb.register_targets(TargetGroupArn=web, Targets=[{"Id": first, "Port": 81}]))
    step(lambda: elb.deregister_targets(TargetGroupArn=api, Targets=[{"Id": second}]))
    step(lambda: desired(8))  # the group puts both back as it registers them
    # a stopped instance: moto refuses to register it (after registering those before it)
    step(lambda: ec2.stop_instances(InstanceIds=[members()[3]]))
    step(lambda: desired(9))
    step(lambda: ec2.start_instances(InstanceIds=[members()[3]]))
    step(lambda: desired(9))
    # replacements: Auto Scaling takes an instance out and launches another
    for _ in range(3):
        victim = members()[1]
        step(lambda v=victim: asg.set_instance_health(InstanceId=v, HealthStatus="Unhealthy"))
        step(lambda v=victim: asg.terminate_instance_in_auto_scaling_group(
            InstanceId=v, ShouldDecrementDesiredCapacity=False))
    step(lambda: asg.detach_instances(AutoScalingGroupName="grp",
                                      InstanceIds=[members()[0]],
                                      ShouldDecrementDesiredCapacity=True))
    step(lambda: desired(2))
    step(lambda: desired(10))
    return steps


def test_moto_s_target_groups_are_the_same_with_and_without_the_patch(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert patch_targets.install_target_registration() is True
    with Cloud(seed=3) as cloud:
        patched = _story(cloud)
    monkeypatch.setattr(AutoScalingBackend, "update_attached_target_groups",
                        AutoScalingBackend.update_attached_target_groups.__wrapped__)  # type: ignore[attr-defined]
    with Cloud(seed=3) as cloud:
        moto_s = _story(cloud)
    assert [s[0] for s in patched[1:]].count("InvalidTarget") == 1  # the stopped instance
    assert len(patched[-1][1][0][1]) > 10  # targets, kept in moto's order
    assert patched == moto_s


def test_the_patch_wraps_what_moto_still_has() -> None:
    import inspect

    from moto.elbv2.models import FakeTargetGroup

    assert patch_targets.install_target_registration() is True
    assert hasattr(AutoScalingBackend.update_attached_target_groups, "__wrapped__")
    # what the patch reasons about: register's three steps, in moto's words
    source = inspect.getsource(FakeTargetGroup.register)
    for words in ('instance.state != "running"', "raise TargetNotRunning",
                  'self.targets[target["Id"]] = {', '"Port": target.get("Port", self.port)',
                  'self.deregistered_targets.pop(target["Id"], None)'):
        assert words in source, words


def test_a_target_also_listed_as_deregistered_is_registered_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's API never leaves an id both registered and deregistered, but moto's register
    would mend that state: the patch registers such a target too."""
    def run() -> list[Any]:
        with Cloud(seed=4) as cloud:
            web, _ = _stack(cloud)
            group = elbv2_backends[ACCOUNT][cloud.region].target_groups[web]
            some = next(iter(group.targets))
            group.deregistered_targets[some] = dict(group.targets[some])
            cloud.client("autoscaling").set_desired_capacity(AutoScalingGroupName="grp",
                                                             DesiredCapacity=3)
            return _state(cloud)

    assert patch_targets.install_target_registration() is True
    patched = run()
    monkeypatch.setattr(AutoScalingBackend, "update_attached_target_groups",
                        AutoScalingBackend.update_attached_target_groups.__wrapped__)  # type: ignore[attr-defined]
    assert patched == run()
    assert all(not deregistered for _, _, deregistered, _ in patched[::2])


def test_a_scale_out_registers_only_the_new_instances(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.elbv2.models import FakeTargetGroup

    assert patch_targets.install_target_registration() is True
    registered: list[str] = []
    register = FakeTargetGroup.register

    def counting(self: Any, targets: list[dict[str, Any]]) -> None:
        registered.extend(t["Id"] for t in targets)
        register(self, targets)

    monkeypatch.setattr(FakeTargetGroup, "register", counting)
    with Cloud(seed=5) as cloud:
        _stack(cloud)  # two instances, two target groups
        registered.clear()
        asg = cloud.client("autoscaling")
        asg.set_desired_capacity(AutoScalingGroupName="grp", DesiredCapacity=5)
        assert len(registered) == 2 * 3  # the three new instances, in each target group
        registered.clear()
        asg.set_desired_capacity(AutoScalingGroupName="grp", DesiredCapacity=4)
        assert registered == []


def test_classic_load_balancers_are_still_updated_when_a_group_has_some(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Patch 10b returns early only where moto returns: without LoadBalancerNames."""
    import inspect

    def run() -> list[Any]:
        with Cloud(seed=6) as cloud:
            _stack(cloud)  # a group without Classic Load Balancers
            elb, asg = cloud.client("elb"), cloud.client("autoscaling")
            elb.create_load_balancer(LoadBalancerName="classic", AvailabilityZones=cloud.azs(),
                                     Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80,
                                                 "InstancePort": 80}])
            asg.set_desired_capacity(AutoScalingGroupName="grp", DesiredCapacity=4)
            seen = [_state(cloud)]
            asg.attach_load_balancers(AutoScalingGroupName="grp", LoadBalancerNames=["classic"])
            for n in (6, 3):
                asg.set_desired_capacity(AutoScalingGroupName="grp", DesiredCapacity=n)
                seen.append(sorted(i["InstanceId"] for i in elb.describe_load_balancers(
                    LoadBalancerNames=["classic"])["LoadBalancerDescriptions"][0]["Instances"]))
            return seen

    assert patch_targets.install_target_registration() is True
    source = inspect.getsource(AutoScalingBackend.update_attached_elbs.__wrapped__)  # type: ignore[attr-defined]
    assert source.index("if not group.load_balancer_names:") < source.index("self.elb_backend")
    patched = run()
    monkeypatch.setattr(AutoScalingBackend, "update_attached_elbs",
                        AutoScalingBackend.update_attached_elbs.__wrapped__)  # type: ignore[attr-defined]
    assert patched == run()
    assert [len(ids) for ids in patched[1:]] == [6, 3]
