"""Helpers that build VPC pieces with boto3 for the net tests (imported as ``netlab``)."""

from __future__ import annotations

from typing import Any

AMI = "ami-12c6146b"


def run_instance(ec2: Any, subnet: str, groups: list[str], *, public: bool = False) -> str:
    """Launch one instance; with ``public`` it gets an auto-assigned public IPv4 address."""
    if public:
        answer = ec2.run_instances(
            ImageId=AMI, MinCount=1, MaxCount=1,
            NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet, "Groups": groups,
                                "AssociatePublicIpAddress": True}])
    else:
        answer = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet,
                                   SecurityGroupIds=groups)
    return str(answer["Instances"][0]["InstanceId"])


def make_sg(ec2: Any, vpc: str, name: str) -> str:
    return str(ec2.create_security_group(GroupName=name, Description=name,
                                         VpcId=vpc)["GroupId"])


def allow_in(ec2: Any, sg: str, port: int, *, cidr: str | None = None,
             group: str | None = None, protocol: str = "tcp") -> None:
    perm: dict[str, Any] = {"IpProtocol": protocol, "FromPort": port, "ToPort": port}
    if cidr:
        perm["IpRanges"] = [{"CidrIp": cidr}]
    if group:
        perm["UserIdGroupPairs"] = [{"GroupId": group}]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[perm])
