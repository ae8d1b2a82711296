"""A small three-tier VPC built with boto3 on a fresh mini cloud, shared by the net tests.

    VPC 10.0.0.0/16, internet gateway attached
    public  10.0.1.0/24  route table rt_public  0.0.0.0/0 -> igw   (web, NAT gateway)
    private 10.0.2.0/24  route table rt_private 0.0.0.0/0 -> nat   (app)
    data    10.0.3.0/24  the VPC's main route table (local only)  (db)

    web_sg: tcp 443 from 0.0.0.0/0, tcp 22 from 203.0.113.0/24
    app_sg: tcp 8080 from web_sg
    db_sg:  tcp 5432 from web_sg
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from netlab import allow_in, make_sg, run_instance


@pytest.fixture
def lab(cloud: Any) -> SimpleNamespace:
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    data = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.3.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rt_public = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt_public, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rt_public, SubnetId=public)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    rt_private = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt_private, DestinationCidrBlock="0.0.0.0/0",
                     NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=rt_private, SubnetId=private)
    main_rt = next(t["RouteTableId"] for t in ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
        if any(a.get("Main") for a in t["Associations"]))
    web_sg = make_sg(ec2, vpc, "web-sg")
    app_sg = make_sg(ec2, vpc, "app-sg")
    db_sg = make_sg(ec2, vpc, "db-sg")
    allow_in(ec2, web_sg, 443, cidr="0.0.0.0/0")
    allow_in(ec2, web_sg, 22, cidr="203.0.113.0/24")
    allow_in(ec2, app_sg, 8080, group=web_sg)
    allow_in(ec2, db_sg, 5432, group=web_sg)
    web = run_instance(ec2, public, [web_sg], public=True)
    app = run_instance(ec2, private, [app_sg])
    db = run_instance(ec2, data, [db_sg])
    default_acl = next(a["NetworkAclId"] for a in ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"] if a["IsDefault"])
    return SimpleNamespace(
        cloud=cloud, ec2=ec2, vpc=vpc, public=public, private=private, data=data, igw=igw,
        rt_public=rt_public, rt_private=rt_private, main_rt=main_rt, nat=nat, web_sg=web_sg,
        app_sg=app_sg, db_sg=db_sg, web=web, app=app, db=db, default_acl=default_acl)
