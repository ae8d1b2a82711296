"""Builders shared by the topology tests (no tests here): networks made with plain boto3
calls on a real embedded ``Cloud``, and a hand-made ``TopologyModel`` for fast render tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cloudlab.viz.topology_model import (
    Instance,
    InternetGateway,
    LoadBalancer,
    NatGateway,
    SecurityGroup,
    SgRule,
    Subnet,
    TopologyModel,
    Vpc,
)

AMI = "ami-12c6146b"


@dataclass
class Net:
    """Ids of what :func:`build_network` created."""

    vpc: str
    igw: str
    public_rt: str
    web_sg: str
    app_sg: str
    subnets: dict[tuple[int, int], str] = field(default_factory=dict)  # (az index, row) -> id
    instances: dict[str, list[str]] = field(default_factory=dict)  # subnet id -> instance ids
    nat: str = ""


def _tag(kind: str, name: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def build_network(
    cloud: Any,
    *,
    azs: int = 2,
    rows: tuple[bool, ...] = (True, False),
    per_subnet: int = 1,
    nat: bool = True,
    lb: bool = False,
    db: bool = False,
) -> Net:
    """A VPC 10.0.0.0/16 over ``azs`` AZs: per AZ one subnet per entry of ``rows`` (True =
    public: associated with a route table that sends 0.0.0.0/0 to the IGW), ``per_subnet``
    instances in each (public ones in sg "web", private ones in sg "app"), a NAT gateway in
    the first public subnet, optionally an ALB over the public subnets and a Multi-AZ DB."""
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=_tag("vpc", "shop"))
    vpc_id = vpc["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
    rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    app = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=web,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=app,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "UserIdGroupPairs": [{"GroupId": web}],
            }
        ],
    )
    net = Net(vpc_id, igw, rt, web, app)
    k = 0
    for a, az in enumerate(cloud.azs()[:azs]):
        for r, public in enumerate(rows):
            k += 1
            name = f"{'pub' if public else 'priv'}-{az[-1]}{r}"
            sid = ec2.create_subnet(
                VpcId=vpc_id,
                CidrBlock=f"10.0.{k}.0/24",
                AvailabilityZone=az,
                TagSpecifications=_tag("subnet", name),
            )["Subnet"]["SubnetId"]
            net.subnets[(a, r)] = sid
            if public:
                ec2.associate_route_table(RouteTableId=rt, SubnetId=sid)
            if per_subnet:
                role = "web" if public else "app"
                out = ec2.run_instances(
                    ImageId=AMI,
                    MinCount=per_subnet,
                    MaxCount=per_subnet,
                    InstanceType="t3.micro",
                    SubnetId=sid,
                    SecurityGroupIds=[web if public else app],
                    TagSpecifications=_tag("instance", f"{role}-{az[-1]}{r}"),
                )
                net.instances[sid] = [i["InstanceId"] for i in out["Instances"]]
    first_public = next((net.subnets[(0, r)] for r, p in enumerate(rows) if p), None)
    if nat and first_public:
        eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        net.nat = ec2.create_nat_gateway(SubnetId=first_public, AllocationId=eip)["NatGateway"][
            "NatGatewayId"
        ]
    if lb:
        publics = [net.subnets[(a, r)] for a in range(azs) for r, p in enumerate(rows) if p]
        cloud.client("elbv2").create_load_balancer(
            Name="shop-alb", Subnets=publics[:azs], SecurityGroups=[web]
        )
    if db:
        last = len(rows) - 1
        rds = cloud.client("rds")
        rds.create_db_subnet_group(
            DBSubnetGroupName="orders",
            DBSubnetGroupDescription="orders",
            SubnetIds=[net.subnets[(a, last)] for a in range(azs)],
        )
        rds.create_db_instance(
            DBInstanceIdentifier="orders-db",
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            MasterUsername="shop",
            MasterUserPassword="not-a-secret-1",
            AllocatedStorage=20,
            DBSubnetGroupName="orders",
            MultiAZ=True,
            VpcSecurityGroupIds=[app],
        )
    return net


def hand_model(*, azs: int = 3, rows: int = 3, per_subnet: int = 10) -> TopologyModel:
    """A model built by hand (no backend): ``azs`` x ``rows`` subnets (row 0 public) with
    ``per_subnet`` running instances each, an IGW, a NAT gateway, an ALB and two groups."""
    vpc = Vpc("vpc-0001", "10.0.0.0/16", "shop")
    model = TopologyModel(region="us-east-1", vpcs=[vpc])
    model.internet_gateways.append(InternetGateway("igw-0001", vpc.id))
    model.security_groups += [
        SecurityGroup("sg-web", "web", vpc.id, (SgRule("tcp", 443, 443, cidr="0.0.0.0/0"),)),
        SecurityGroup("sg-app", "app", vpc.id, (SgRule("tcp", 8080, 8080, source_group="sg-web"),)),
    ]
    k = 0
    for a in range(azs):
        az = f"us-east-1{'abcdef'[a]}"
        for r in range(rows):
            k += 1
            sid = f"subnet-{k:04d}"
            model.subnets.append(
                Subnet(
                    sid,
                    vpc.id,
                    az,
                    f"10.0.{k}.0/24",
                    public=r == 0,
                    name=f"{'pub' if r == 0 else 'priv'}-{az[-1]}{r}",
                    route_table_id="rtb-pub" if r == 0 else "rtb-main",
                    nacl_id="acl-0001",
                )
            )
            for i in range(per_subnet):
                model.instances.append(
                    Instance(
                        f"i-{k:04d}{i:04d}",
                        f"{'web' if r == 0 else 'app'}-server-{az[-1]}{r}-{i}",
                        "running",
                        "t3.micro",
                        sid,
                        vpc.id,
                        az,
                        f"10.0.{k}.{i + 4}",
                        security_groups=("sg-web" if r == 0 else "sg-app",),
                        eni_ids=(f"eni-{k:04d}{i:04d}",),
                    )
                )
    model.nat_gateways.append(NatGateway("nat-0001", "subnet-0001", vpc.id, "available"))
    publics = [s for s in model.subnets if s.public]
    model.load_balancers.append(
        LoadBalancer(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop-alb/1",
            "shop-alb",
            "application",
            "internet-facing",
            "active",
            vpc.id,
            tuple(s.id for s in publics),
            tuple(s.az for s in publics),
            ("sg-web",),
        )
    )
    model.sort()
    return model


@dataclass
class FakeHop:
    """A hop of a reachability path, duck-typed like ``cloudlab.net.Hop``."""

    kind: str
    id: str
    detail: str = ""


@dataclass
class FakePath:
    """A reachability path, duck-typed like ``cloudlab.net.Path``."""

    reachable: bool
    hops: list[FakeHop]
    blocked_by: FakeHop | None = None
    reason: str = ""
