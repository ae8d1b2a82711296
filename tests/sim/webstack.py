"""A web stack for compute tests: VPC subnets in 3 AZs, launch template, ALB, target group,
listener and (optionally) an Auto Scaling group, all built with real boto3 calls."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from cloudlab import Cloud

WEB_USER_DATA = "#!/bin/bash\ndnf install -y httpd\nsystemctl enable --now httpd\n"
BROKEN_USER_DATA = "#!/bin/bash\ndnf install -y httpd\n"  # installs, never starts


@dataclass
class Stack:
    cloud: Cloud
    subnets: list[str]
    azs: list[str]
    tg_arn: str
    lb_arn: str
    lb_dns: str

    def health(self) -> dict[str, str]:
        elb = self.cloud.client("elbv2")
        found = elb.describe_target_health(TargetGroupArn=self.tg_arn)
        return {d["Target"]["Id"]: d["TargetHealth"]["State"]
                for d in found["TargetHealthDescriptions"]}

    def group(self, name: str = "web") -> dict[str, Any]:
        client = self.cloud.client("autoscaling")
        return client.describe_auto_scaling_groups(  # type: ignore[no-any-return]
            AutoScalingGroupNames=[name])["AutoScalingGroups"][0]


def encode(script: str) -> str:
    return base64.b64encode(script.encode()).decode()


def build_stack(cloud: Cloud, *, user_data: str = WEB_USER_DATA, asg: dict[str, Any] | None = None,
                detailed: bool = True, instance_type: str = "m5.large") -> Stack:
    ec2, elb = cloud.client("ec2"), cloud.client("elbv2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    subnets = sorted(subnets, key=lambda s: s["AvailabilityZone"])[:3]
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": instance_type, "UserData": encode(user_data),
        "Monitoring": {"Enabled": detailed}})
    tg = elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)
    tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
    lb = elb.create_load_balancer(Name="web", Subnets=[s["SubnetId"] for s in subnets])
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    elb.create_listener(LoadBalancerArn=lb_arn, Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "forward", "TargetGroupArn": tg_arn}])
    stack = Stack(cloud, [s["SubnetId"] for s in subnets], [s["AvailabilityZone"] for s in subnets],
                  tg_arn, lb_arn, lb["LoadBalancers"][0]["DNSName"])
    if asg is not None:
        settings = {"MinSize": 2, "MaxSize": 10, "DesiredCapacity": 3,
                    "HealthCheckType": "ELB", "HealthCheckGracePeriod": 300, **asg}
        cloud.client("autoscaling").create_auto_scaling_group(
            AutoScalingGroupName="web",
            LaunchTemplate={"LaunchTemplateName": "web", "Version": "$Latest"},
            VPCZoneIdentifier=",".join(stack.subnets), TargetGroupARNs=[tg_arn], **settings)
    return stack


def launch_web(cloud: Cloud, stack: Stack, count: int = 1, *, az_index: int = 0,
               user_data: str = WEB_USER_DATA) -> list[str]:
    """Plain instances (no Auto Scaling) registered with the stack's target group as soon as
    they are running (AWS refuses to register pending instances): the clock advances by the
    pending time (20 s)."""
    ec2, elb = cloud.client("ec2"), cloud.client("elbv2")
    run = ec2.run_instances(ImageId="ami-12c6146b", InstanceType="m5.large", MinCount=count,
                            MaxCount=count, SubnetId=stack.subnets[az_index], UserData=user_data)
    ids = [i["InstanceId"] for i in run["Instances"]]
    wait_until_running(cloud, ids)
    elb.register_targets(TargetGroupArn=stack.tg_arn, Targets=[{"Id": i} for i in ids])
    return ids


def wait_until_running(cloud: Cloud, ids: list[str]) -> None:
    """Advance the clock 5 s at a time until describe_instances says every one is running."""
    ec2 = cloud.client("ec2")
    while {i["State"]["Name"] for r in ec2.describe_instances(InstanceIds=ids)["Reservations"]
           for i in r["Instances"]} != {"running"}:
        cloud.advance(seconds=5)
