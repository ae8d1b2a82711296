"""Benchmark of the topology diagram: 3 AZs x 3 subnets x 10 instances (90 instances).

Prints figures; never asserts on them (a benchmark is not a test). Run with
``.venv/bin/python -m benchmarks.bench_topology``. Target: rendering (model to SVG)
<= 300 ms in the kernel. Reading the model is dominated by the embedded backend's
``describe_instances`` answer, reported separately.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks._timing import REPEATS, median_s
from cloudlab import Cloud
from cloudlab.viz import TopologyModel, TopologyWidget, render_topology_svg

AMI = "ami-12c6146b"


def _tag(kind: str, name: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def build_90(cloud: Cloud) -> None:
    """One VPC, 3 AZs x (1 public + 2 private) subnets, 10 instances in each subnet."""
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=_tag("vpc", "bench"))
    vpc_id = vpc["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    k = 0
    for az in cloud.azs()[:3]:
        for row in range(3):
            k += 1
            sid = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{k}.0/24", AvailabilityZone=az)[
                "Subnet"
            ]["SubnetId"]
            if row == 0:
                ec2.associate_route_table(RouteTableId=rt, SubnetId=sid)
            ec2.run_instances(
                ImageId=AMI,
                MinCount=10,
                MaxCount=10,
                SubnetId=sid,
                SecurityGroupIds=[sg],
                TagSpecifications=_tag("instance", f"server-{az[-1]}{row}"),
            )


def _timed(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    return median_s(fn, repeats, warmup=False)  # warmed up by the caller


def bench() -> dict[str, float]:
    """Median wall times (ms) and SVG size (bytes) of the 90-instance topology."""
    with Cloud(seed=0) as cloud:
        build_90(cloud)
        model = TopologyModel.from_cloud(cloud)  # warm-up
        assert len(model.instances) == 90
        svg = render_topology_svg(model)
        svg_sg = render_topology_svg(model, show_security_groups=True)
        widget = TopologyWidget(cloud, live=False)
        return {
            "topology_read_90_ms": 1000 * _timed(lambda: TopologyModel.from_cloud(cloud), 3),
            "topology_describe_instances_90_ms": 1000
            * _timed(lambda: cloud.client("ec2").describe_instances(), 3),
            "topology_render_90_ms": 1000 * _timed(lambda: render_topology_svg(model)),
            "topology_render_90_sg_ms": 1000
            * _timed(lambda: render_topology_svg(model, show_security_groups=True)),
            "topology_widget_refresh_90_ms": 1000 * _timed(widget.refresh, 3),
            "topology_svg_90_bytes": float(len(svg.encode())),
            "topology_svg_90_sg_bytes": float(len(svg_sg.encode())),
        }


if __name__ == "__main__":
    for name, value in bench().items():
        print(f"{name:36s} {value:10.1f}")
