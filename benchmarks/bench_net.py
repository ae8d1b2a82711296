"""Reachability queries on a VPC with 50 instances and 20 security groups.

Prints figures; never asserts on them (a benchmark is not a test). Run with
``.venv/bin/python -m benchmarks.bench_net`` (or through ``make bench``). Target: <= 20 ms per
query on a snapshot read once. The first query
after a change to the network re-reads the Region (``net_query_after_change_ms_median``).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from cloudlab import Cloud
from cloudlab.net import NetworkModel, reachable

INSTANCES = 50
GROUPS = 20
QUERIES = 200
AMI = "ami-12c6146b"


def _build(cloud: Cloud) -> list[str]:
    """Three subnets (public / NAT-routed / data), 20 security groups that reference each
    other, 50 instances; returns the instance ids."""
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"]
               for i in range(3)]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=subnets[0])
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=eip)["NatGateway"]
    private_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0",
                     NatGatewayId=nat["NatGatewayId"])
    ec2.associate_route_table(RouteTableId=private_rt, SubnetId=subnets[1])
    groups = [ec2.create_security_group(GroupName=f"sg{i}", Description="bench",
                                        VpcId=vpc)["GroupId"] for i in range(GROUPS)]
    for i, sg in enumerate(groups):
        perms: list[dict[str, Any]] = [
            {"IpProtocol": "tcp", "FromPort": 8000 + j, "ToPort": 8000 + j,
             "IpRanges": [{"CidrIp": f"198.51.{i}.{j * 16}/28"}]} for j in range(5)]
        perms.append({"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                      "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})
        perms.append({"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
                      "UserIdGroupPairs": [{"GroupId": groups[(i + 1) % GROUPS]}]})
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=perms)
    ids = []
    for n in range(INSTANCES):
        subnet = subnets[n % 3]
        iface: dict[str, Any] = {"DeviceIndex": 0, "SubnetId": subnet,
                                 "Groups": [groups[n % GROUPS], groups[(n * 7) % GROUPS]],
                                 "AssociatePublicIpAddress": subnet == subnets[0]}
        answer = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                                   NetworkInterfaces=[iface])
        ids.append(answer["Instances"][0]["InstanceId"])
    return ids


def _questions(ids: list[str]) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    for q in range(QUERIES):
        a, b = ids[q % len(ids)], ids[(q * 13 + 5) % len(ids)]
        kind = q % 4
        if kind == 0:
            out.append(("internet", a, 443))
        elif kind == 1:
            out.append((a, "internet", 443))
        elif kind == 2:
            out.append((a, b, 5432))
        else:
            out.append(("198.51.3.20", a, 8001))
    return out


def bench() -> dict[str, float]:
    with Cloud(seed=0) as cloud:
        ids = _build(cloud)
        questions = _questions(ids)
        snapshot_ms = []
        for _ in range(5):
            t0 = time.perf_counter()
            model = NetworkModel.from_cloud(cloud)
            snapshot_ms.append((time.perf_counter() - t0) * 1000)
        query_ms = []
        answers = 0
        for src, dst, port in questions:
            t0 = time.perf_counter()
            path = reachable(cloud, src, dst, port, model=model)
            query_ms.append((time.perf_counter() - t0) * 1000)
            answers += path.reachable
        cached_ms = []
        for src, dst, port in questions:
            t0 = time.perf_counter()
            reachable(cloud, src, dst, port)           # the Region's cached snapshot
            cached_ms.append((time.perf_counter() - t0) * 1000)
        changed_ms = []
        ec2 = cloud.client("ec2")
        for n, (src, dst, port) in enumerate(questions[:5]):
            ec2.create_tags(Resources=[ids[n]], Tags=[{"Key": "Name", "Value": f"box{n}"}])
            t0 = time.perf_counter()
            reachable(cloud, src, dst, port)           # the change dropped the snapshot
            changed_ms.append((time.perf_counter() - t0) * 1000)
    return {
        "net_query_ms_median": statistics.median(query_ms),
        "net_query_ms_p95": sorted(query_ms)[int(0.95 * len(query_ms))],
        "net_snapshot_ms_median": statistics.median(snapshot_ms),
        "net_query_cached_ms_median": statistics.median(cached_ms),
        "net_query_after_change_ms_median": statistics.median(changed_ms),
        "net_reachable_fraction": answers / len(questions),
    }


if __name__ == "__main__":
    for figure, value in bench().items():
        print(f"{figure:34s} {value:10.3f}")
