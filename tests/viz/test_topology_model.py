"""TopologyModel.from_cloud: what a real embedded Cloud's describe calls say, sorted."""

from __future__ import annotations

import pytest
from test_topology_support import build_network

from cloudlab import Cloud
from cloudlab.errors import UnknownResource
from cloudlab.viz import TopologyModel


def test_two_az_vpc_is_read_with_public_and_private_subnets(cloud: Cloud) -> None:
    net = build_network(cloud, azs=2, per_subnet=2)
    model = TopologyModel.from_cloud(cloud)

    assert [v.id for v in model.vpcs] == [net.vpc]  # the empty default VPC is left out
    assert model.vpcs[0].name == "shop" and model.vpcs[0].cidr == "10.0.0.0/16"
    by_id = {s.id: s for s in model.subnets}
    assert set(by_id) == set(net.subnets.values())
    for (_, row), sid in net.subnets.items():
        assert by_id[sid].public is (row == 0), sid
        assert by_id[sid].kind == ("public" if row == 0 else "private")
    assert by_id[net.subnets[(0, 0)]].route_table_id == net.public_rt
    assert by_id[net.subnets[(0, 1)]].route_table_id != net.public_rt  # the main table
    assert all(s.nacl_id.startswith("acl-") for s in model.subnets)
    assert [(g.id, g.vpc_id) for g in model.internet_gateways] == [(net.igw, net.vpc)]
    assert [(n.id, n.subnet_id) for n in model.nat_gateways] == [(net.nat, net.subnets[(0, 0)])]

    assert len(model.instances) == 8
    web = next(i for i in model.instances if i.subnet_id == net.subnets[(0, 0)])
    assert web.name == "web-a0" and web.state in ("pending", "running")
    assert web.az == "us-east-1a" and web.vpc_id == net.vpc
    assert web.private_ip.startswith("10.0.1.")
    assert web.security_groups == (net.web_sg,)
    assert web.eni_ids and web.eni_ids[0].startswith("eni-")


def test_security_group_rules_by_cidr_and_by_group(cloud: Cloud) -> None:
    net = build_network(cloud, per_subnet=1)
    model = TopologyModel.from_cloud(cloud)
    web = model.security_group(net.web_sg)
    app = model.security_group(net.app_sg)
    assert web is not None and app is not None
    assert [(r.ports, r.cidr) for r in web.ingress] == [("tcp 443", "0.0.0.0/0")]
    assert [(r.ports, r.source_group) for r in app.ingress] == [("tcp 8080", net.web_sg)]
    assert app.ingress[0].source == net.web_sg
    assert sorted(model.members(net.web_sg)) == sorted(
        i.id for i in model.instances if i.security_groups == (net.web_sg,)
    )


def test_main_route_table_with_igw_route_makes_unassociated_subnets_public(cloud: Cloud) -> None:
    net = build_network(cloud, azs=1, per_subnet=0, nat=False)
    ec2 = cloud.client("ec2")
    main = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [net.vpc]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"][0]["RouteTableId"]
    assert not TopologyModel.from_cloud(cloud).subnet(net.subnets[(0, 1)]).public
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    assert TopologyModel.from_cloud(cloud).subnet(net.subnets[(0, 1)]).public


def test_route_to_a_nat_gateway_does_not_make_a_subnet_public(cloud: Cloud) -> None:
    net = build_network(cloud, azs=1, per_subnet=0)
    ec2 = cloud.client("ec2")
    rt = ec2.create_route_table(VpcId=net.vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=net.nat)
    ec2.associate_route_table(RouteTableId=rt, SubnetId=net.subnets[(0, 1)])
    sub = TopologyModel.from_cloud(cloud).subnet(net.subnets[(0, 1)])
    assert sub.public is False and sub.route_table_id == rt


def test_load_balancer_and_multi_az_database_are_placed_in_their_subnets(cloud: Cloud) -> None:
    net = build_network(cloud, azs=2, per_subnet=0, lb=True, db=True)
    model = TopologyModel.from_cloud(cloud)
    (lb,) = model.load_balancers
    assert lb.name == "shop-alb" and lb.azs == ("us-east-1a", "us-east-1b")
    assert set(lb.subnet_ids) == {net.subnets[(0, 0)], net.subnets[(1, 0)]}
    assert lb.security_groups == (net.web_sg,)
    (db,) = model.db_instances
    assert db.multi_az and db.engine == "postgres"
    assert {db.subnet_id, db.standby_subnet_id} == {net.subnets[(0, 1)], net.subnets[(1, 1)]}
    assert db.az != db.standby_az
    assert db.security_groups == (net.app_sg,)
    assert model.find("shop-alb") is lb and model.find(lb.arn) is lb
    assert "standby in" in model.describe("orders-db")


def test_default_vpc_shows_only_when_used_or_alone(cloud: Cloud) -> None:
    alone = TopologyModel.from_cloud(cloud)
    assert [v.is_default for v in alone.vpcs] == [True]
    assert alone.subnets == [] and len(alone.hidden_subnets) >= 2  # empty default subnets fold

    build_network(cloud, azs=1, per_subnet=0, nat=False)
    assert all(not v.is_default for v in TopologyModel.from_cloud(cloud).vpcs)
    assert any(v.is_default for v in TopologyModel.from_cloud(cloud, include_default_vpc=True).vpcs)

    ec2 = cloud.client("ec2")
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)  # lands in the default VPC
    used = TopologyModel.from_cloud(cloud)
    default = next(v for v in used.vpcs if v.is_default)
    assert [s.vpc_id for s in used.subnets].count(default.id) == 1
    assert not any(
        v.is_default for v in TopologyModel.from_cloud(cloud, include_default_vpc=False).vpcs
    )


def test_reading_twice_gives_equal_models(cloud: Cloud) -> None:
    build_network(cloud, azs=2, per_subnet=3, lb=True, db=True)
    assert TopologyModel.from_cloud(cloud) == TopologyModel.from_cloud(cloud)


def test_lists_are_sorted_public_first_within_an_az(cloud: Cloud) -> None:
    build_network(cloud, azs=2, rows=(False, True, False), per_subnet=0, nat=False)
    model = TopologyModel.from_cloud(cloud)
    per_az = [(s.az, s.public) for s in model.subnets]
    assert per_az == [
        ("us-east-1a", True),
        ("us-east-1a", False),
        ("us-east-1a", False),
        ("us-east-1b", True),
        ("us-east-1b", False),
        ("us-east-1b", False),
    ]


def test_other_region_reads_its_own_network(cloud: Cloud) -> None:
    build_network(cloud, azs=1, per_subnet=1)
    west = TopologyModel.from_cloud(cloud, "us-west-2")
    assert west.region == "us-west-2" and west.instances == []


def test_unknown_ids_raise_unknown_resource_with_a_hint(cloud: Cloud) -> None:
    model = TopologyModel.from_cloud(cloud)
    with pytest.raises(UnknownResource, match="nothing with id 'i-nope' in the topology of"):
        model.find("i-nope")
    with pytest.raises(UnknownResource, match="no subnet 'subnet-nope'"):
        model.subnet("subnet-nope")


def test_describe_explains_a_subnet_and_an_instance(cloud: Cloud) -> None:
    net = build_network(cloud, azs=1, per_subnet=1)
    model = TopologyModel.from_cloud(cloud)
    assert "public: its route table sends 0.0.0.0/0" in model.describe(net.subnets[(0, 0)])
    assert "private: no 0.0.0.0/0 route" in model.describe(net.subnets[(0, 1)])
    iid = net.instances[net.subnets[(0, 0)]][0]
    text = model.describe(iid)
    assert iid in text and "web (" in text and "public IP" in text
    assert "tcp 8080 from web" in model.describe(net.app_sg)


def test_summary_counts(cloud: Cloud) -> None:
    build_network(cloud, azs=2, per_subnet=2, lb=True, db=True)
    summary = TopologyModel.from_cloud(cloud).summary()
    assert summary.startswith("1 VPC, 4 subnets (2 public), 8 instances")
    assert "1 NAT gateway, 1 load balancer, 1 DB instance" in summary


def test_ninety_instances_from_a_real_cloud_all_become_tiles(cloud: Cloud) -> None:
    from cloudlab.viz import render_topology_svg

    build_network(cloud, azs=3, rows=(True, False, False), per_subnet=10, lb=True, db=True)
    model = TopologyModel.from_cloud(cloud)
    assert len(model.instances) == 90 and len(model.subnets) == 9
    svg = render_topology_svg(model)
    assert all(f'<g data-id="{i.id}" class="cltopo-tile"' in svg for i in model.instances)
    assert len(svg.encode()) < 200_000
