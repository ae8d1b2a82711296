"""Reachability against a real mini cloud built with boto3: one test per blocking component,
the positive paths, security-group and route semantics as AWS documents them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from netlab import AMI, allow_in, make_sg, run_instance

from cloudlab.errors import InvalidScenario, UnknownResource
from cloudlab.net import NetworkModel, Path, reachable


def kinds(path: Path) -> list[str]:
    return [h.kind for h in path.hops]


def custom_nacl(ec2: Any, vpc: str, subnet: str, entries: list[dict[str, Any]]) -> str:
    """A new network ACL with ``entries`` (dicts for create_network_acl_entry), associated
    with ``subnet`` instead of the VPC's default ACL."""
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for e in entries:
        ec2.create_network_acl_entry(NetworkAclId=acl, **e)
    assoc = next(a["NetworkAclAssociationId"] for x in ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"]
        for a in x["Associations"] if a["SubnetId"] == subnet)
    ec2.replace_network_acl_association(AssociationId=assoc, NetworkAclId=acl)
    return str(acl)


def entry(rule: int, action: str, *, egress: bool, cidr: str = "0.0.0.0/0",
          protocol: str = "-1", ports: tuple[int, int] | None = None) -> dict[str, Any]:
    e: dict[str, Any] = {"RuleNumber": rule, "Protocol": protocol, "RuleAction": action,
                         "Egress": egress, "CidrBlock": cidr}
    if ports:
        e["PortRange"] = {"From": ports[0], "To": ports[1]}
    return e


# -- positive paths ------------------------------------------------------------------------
def test_internet_reaches_web_server_on_443(lab: SimpleNamespace) -> None:
    path = reachable(lab.cloud, "internet", lab.web, 443)
    assert path.reachable and bool(path)
    assert path.blocked_by is None
    assert kinds(path) == ["internet", "igw", "route-table", "nacl", "security-group",
                           "instance", "nacl"]
    assert [h.id for h in path.hops[1:5]] == [lab.igw, lab.rt_public, lab.default_acl,
                                               lab.web_sg]
    assert path.hops[-1].direction == "return"
    assert "ephemeral ports tcp 1024-65535" in path.hops[-1].detail
    assert "allows inbound tcp 443 from 0.0.0.0/0" in path.hops[4].detail


def test_web_reaches_db_through_security_group_reference(lab: SimpleNamespace) -> None:
    path = reachable(lab.cloud, lab.web, lab.db, 5432)
    assert path.reachable
    sg_hops = [h for h in path.hops if h.kind == "security-group"]
    assert [h.id for h in sg_hops] == [lab.web_sg, lab.db_sg]
    assert f"tcp 5432 from members of {lab.web_sg}" in sg_hops[1].detail
    # different subnets: both NACLs checked, forward and return
    nacl_hops = [h for h in path.hops if h.kind == "nacl"]
    assert [h.direction for h in nacl_hops] == ["forward", "forward", "return", "return"]


def test_private_instance_reaches_internet_through_nat(lab: SimpleNamespace) -> None:
    path = reachable(lab.cloud, lab.app, "internet", 443)
    assert path.reachable, path.reason
    assert lab.nat in [h.id for h in path.hops if h.kind == "nat"]
    route_ids = [h.id for h in path.hops if h.kind == "route-table"]
    assert route_ids == [lab.rt_private, lab.rt_public]
    assert kinds(path).index("nat") < kinds(path).index("igw")


def test_public_instance_reaches_internet_directly(lab: SimpleNamespace) -> None:
    path = reachable(lab.cloud, lab.web, "internet", 80)
    assert path.reachable
    assert "nat" not in kinds(path)


def test_specific_internet_address_matches_narrow_rule(lab: SimpleNamespace) -> None:
    # web-sg allows ssh only from 203.0.113.0/24
    assert reachable(lab.cloud, "203.0.113.9", lab.web, 22).reachable
    assert reachable(lab.cloud, "203.0.113.0/25", lab.web, 22).reachable
    blocked = reachable(lab.cloud, "198.51.100.7", lab.web, 22)
    assert not blocked.reachable
    assert blocked.reason == (
        f"security group {lab.web_sg} (web-sg) has no inbound rule for tcp/22 from "
        f"198.51.100.7: add an inbound rule with authorize_security_group_ingress(...)")


# -- one test per blocking component -------------------------------------------------------
def test_blocked_by_security_group_missing_rule(lab: SimpleNamespace) -> None:
    path = reachable(lab.cloud, "internet", lab.web, 22)
    assert not path.reachable
    assert path.blocked_by is not None
    assert (path.blocked_by.kind, path.blocked_by.id) == ("security-group", lab.web_sg)
    assert not path.blocked_by.allowed
    assert path.hops[-1] is path.blocked_by          # nothing after the first block
    assert path.reason.startswith(
        f"security group {lab.web_sg} (web-sg) has no inbound rule for tcp/22 from 0.0.0.0/0")
    assert f"blocked by security-group {lab.web_sg}" in repr(path)


def test_blocked_by_security_group_reference_missing(lab: SimpleNamespace) -> None:
    # db-sg allows 5432 only from members of web-sg; app is not one
    path = reachable(lab.cloud, lab.app, lab.db, 5432)
    assert path.blocked_by is not None
    assert (path.blocked_by.kind, path.blocked_by.id) == ("security-group", lab.db_sg)
    assert f"or from members of {lab.app_sg}" in path.reason
    # allowing the reference opens it
    allow_in(lab.ec2, lab.db_sg, 5432, group=lab.app_sg)
    assert reachable(lab.cloud, lab.app, lab.db, 5432).reachable


def test_blocked_by_missing_route(lab: SimpleNamespace) -> None:
    # the data subnet uses the main route table, which has only the local route
    path = reachable(lab.cloud, lab.db, "internet", 443)
    assert path.blocked_by is not None
    assert (path.blocked_by.kind, path.blocked_by.id) == ("route-table", lab.main_rt)
    assert path.reason == (
        f"route table {lab.main_rt} (the VPC's main route table) of subnet {lab.data} has no "
        f"route to 0.0.0.0/0: the subnet is private")


def test_main_route_table_applies_to_subnets_without_association(lab: SimpleNamespace) -> None:
    lab.ec2.create_route(RouteTableId=lab.main_rt, DestinationCidrBlock="0.0.0.0/0",
                         GatewayId=lab.igw)
    # the route exists now, but db has no public IPv4 address
    path = reachable(lab.cloud, lab.db, "internet", 443)
    assert path.blocked_by is not None
    assert (path.blocked_by.kind, path.blocked_by.id) == ("instance", lab.db)
    assert "has no public IPv4 address" in path.reason
    assert lab.main_rt in [h.id for h in path.hops]


def test_blocked_by_missing_internet_gateway(cloud: Any) -> None:
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/24")["Subnet"]["SubnetId"]
    sg = make_sg(ec2, vpc, "open")
    allow_in(ec2, sg, 80, cidr="0.0.0.0/0")
    web = run_instance(ec2, subnet, [sg], public=True)
    path = reachable(cloud, "internet", web, 80)
    assert path.blocked_by is not None
    assert (path.blocked_by.kind, path.blocked_by.id) == ("igw", vpc)
    assert path.reason.startswith(f"VPC {vpc} has no internet gateway attached")
    out = reachable(cloud, web, "internet", 80)
    assert out.blocked_by is not None and out.blocked_by.kind == "route-table"


def test_detached_internet_gateway_blocks(lab: SimpleNamespace) -> None:
    lab.ec2.detach_internet_gateway(InternetGatewayId=lab.igw, VpcId=lab.vpc)
    path = reachable(lab.cloud, "internet", lab.web, 443)
    assert path.blocked_by is not None and path.blocked_by.kind == "igw"


def test_blocked_by_nat_for_connections_from_the_internet(lab: SimpleNamespace) -> None:
    # even with an Elastic IP, an instance of a NAT-routed subnet cannot be reached
    allocation = lab.ec2.allocate_address(Domain="vpc")["AllocationId"]
    lab.ec2.associate_address(InstanceId=lab.app, AllocationId=allocation)
    allow_in(lab.ec2, lab.app_sg, 8080, cidr="0.0.0.0/0")
    path = reachable(lab.cloud, "internet", lab.app, 8080)
    assert path.blocked_by is not None
    assert (path.blocked_by.kind, path.blocked_by.id) == ("nat", lab.nat)
    assert "the internet can never start one through it" in path.reason
    assert path.hops[-2].kind == "route-table" and path.hops[-2].id == lab.rt_private


def test_blocked_without_public_ip_then_fixed_with_elastic_ip(lab: SimpleNamespace) -> None:
    bare = run_instance(lab.ec2, lab.public, [lab.web_sg])       # public subnet, no public IP
    path = reachable(lab.cloud, "internet", bare, 443)
    assert path.blocked_by is not None
    assert (path.blocked_by.kind, path.blocked_by.id) == ("instance", bare)
    assert path.blocked_by.detail == "the instance has no public IPv4 address"
    assert "has no public IPv4 address" in reachable(lab.cloud, bare, "internet", 443).reason
    allocation = lab.ec2.allocate_address(Domain="vpc")["AllocationId"]
    lab.ec2.associate_address(InstanceId=bare, AllocationId=allocation)
    assert reachable(lab.cloud, "internet", bare, 443).reachable
    assert reachable(lab.cloud, bare, "internet", 443).reachable


def test_blocked_by_nacl_deny_rule_with_its_number(lab: SimpleNamespace) -> None:
    acl = custom_nacl(lab.ec2, lab.vpc, lab.public, [
        entry(90, "deny", egress=False, protocol="6", ports=(22, 22)),
        entry(100, "allow", egress=False),
        entry(100, "allow", egress=True),
    ])
    path = reachable(lab.cloud, "203.0.113.9", lab.web, 22)
    assert path.blocked_by is not None
    assert (path.blocked_by.kind, path.blocked_by.id) == ("nacl", acl)
    assert path.reason.startswith(f"network ACL {acl} rule 90 denies tcp 22 from 203.0.113.9")
    assert "security-group" not in kinds(path)     # the ACL comes first on the way in
    # rule 90 is about port 22 only: 443 passes through rule 100
    assert reachable(lab.cloud, "internet", lab.web, 443).reachable


def test_nacl_rules_are_evaluated_lowest_number_first(lab: SimpleNamespace) -> None:
    custom_nacl(lab.ec2, lab.vpc, lab.public, [
        entry(100, "allow", egress=False, protocol="6", ports=(443, 443)),
        entry(110, "deny", egress=False, protocol="6", ports=(443, 443)),
        entry(100, "allow", egress=True),
    ])
    path = reachable(lab.cloud, "internet", lab.web, 443)
    assert path.reachable
    assert "inbound rule 100 allows tcp 443 from 0.0.0.0/0" in path.hops[3].detail


def test_new_nacl_denies_everything_with_its_final_rule(lab: SimpleNamespace) -> None:
    acl = custom_nacl(lab.ec2, lab.vpc, lab.public, [])
    path = reachable(lab.cloud, "internet", lab.web, 443)
    assert path.blocked_by is not None and path.blocked_by.id == acl
    assert path.blocked_by.detail == ("no inbound rule matches tcp 443 from 0.0.0.0/0, so the "
                                      "final * rule denies it")


def test_blocked_by_nacl_on_return_traffic(lab: SimpleNamespace) -> None:
    acl = custom_nacl(lab.ec2, lab.vpc, lab.public, [
        entry(100, "allow", egress=False, protocol="6", ports=(443, 443)),
        entry(100, "allow", egress=True, protocol="6", ports=(443, 443)),  # no ephemeral ports
    ])
    path = reachable(lab.cloud, "internet", lab.web, 443)
    assert path.blocked_by is not None
    hop = path.blocked_by
    assert (hop.kind, hop.id, hop.direction) == ("nacl", acl, "return")
    assert "instance" in kinds(path)                # the request itself arrived
    assert "ephemeral ports (tcp 1024-65535)" in path.reason
    assert "stateless" in path.reason
    lab.ec2.create_network_acl_entry(NetworkAclId=acl, **entry(
        110, "allow", egress=True, protocol="6", ports=(1024, 65535)))
    assert reachable(lab.cloud, "internet", lab.web, 443).reachable


def test_nacl_of_nat_subnet_checked_for_private_instances(lab: SimpleNamespace) -> None:
    acl = custom_nacl(lab.ec2, lab.vpc, lab.public, [
        entry(100, "allow", egress=False, cidr="0.0.0.0/0"),
        entry(100, "deny", egress=True, cidr="10.0.2.0/24"),
        entry(110, "allow", egress=True),
    ])
    path = reachable(lab.cloud, lab.app, "internet", 443)
    assert path.blocked_by is not None
    assert (path.blocked_by.id, path.blocked_by.direction) == (acl, "return")
    assert f"leaving subnet {lab.public}" in path.reason


def test_same_subnet_traffic_skips_network_acls(lab: SimpleNamespace) -> None:
    custom_nacl(lab.ec2, lab.vpc, lab.data, [])       # denies everything at the boundary
    peer = run_instance(lab.ec2, lab.data, [lab.web_sg])
    path = reachable(lab.cloud, peer, lab.db, 5432)
    assert path.reachable, path.reason
    assert "nacl" not in kinds(path)
    assert "subnet" in kinds(path)
    assert not reachable(lab.cloud, lab.web, lab.db, 5432).reachable   # crosses the boundary


def test_stopped_instance_is_blocked(lab: SimpleNamespace) -> None:
    lab.ec2.stop_instances(InstanceIds=[lab.web])
    path = reachable(lab.cloud, "internet", lab.web, 443)
    assert path.blocked_by is not None and path.blocked_by.kind == "instance"
    assert "is stopped" in path.reason


# -- security group semantics (Amazon VPC User Guide, "Security group rules") ---------------
def test_new_security_group_allows_no_inbound_and_all_outbound(lab: SimpleNamespace) -> None:
    sg = make_sg(lab.ec2, lab.vpc, "fresh")
    box = run_instance(lab.ec2, lab.public, [sg], public=True)
    inbound = reachable(lab.cloud, "internet", box, 80)
    assert inbound.blocked_by is not None and inbound.blocked_by.id == sg
    assert reachable(lab.cloud, box, "internet", 12345).reachable
    assert reachable(lab.cloud, box, "internet", 53, "udp").reachable


def test_default_security_group_allows_its_members_and_nothing_else(cloud: Any) -> None:
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.2.0/24")["Subnet"]["SubnetId"]
    default = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}],
    )["SecurityGroups"][0]["GroupId"]
    one = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=a,
                            )["Instances"][0]["InstanceId"]
    two = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=b,
                            )["Instances"][0]["InstanceId"]
    other = run_instance(ec2, b, [make_sg(ec2, vpc, "outsider")])
    for port, protocol in [(22, "tcp"), (5432, "tcp"), (53, "udp")]:
        path = reachable(cloud, one, two, port, protocol)
        assert path.reachable, path.reason
        assert f"from members of {default}" in path.hops[-4].detail
    assert reachable(cloud, one, two, None, "all").reachable
    path = reachable(cloud, other, two, 22)
    assert path.blocked_by is not None and path.blocked_by.id == default


SG_CASES = [
    # (rule: protocol, from, to, cidr), (query: port, protocol), expected
    (("tcp", 80, 80, "0.0.0.0/0"), (80, "tcp"), True),
    (("tcp", 80, 80, "0.0.0.0/0"), (81, "tcp"), False),
    (("tcp", 8000, 8999, "0.0.0.0/0"), (8443, "tcp"), True),
    (("tcp", 8000, 8999, "0.0.0.0/0"), (9000, "tcp"), False),
    (("tcp", 53, 53, "0.0.0.0/0"), (53, "udp"), False),
    (("udp", 53, 53, "0.0.0.0/0"), (53, "udp"), True),
    (("-1", None, None, "0.0.0.0/0"), (3389, "tcp"), True),
    (("-1", None, None, "0.0.0.0/0"), (53, "udp"), True),
    (("tcp", 0, 65535, "0.0.0.0/0"), (22, "tcp"), True),
    (("tcp", 443, 443, "203.0.113.0/24"), (443, "tcp"), False),   # from anywhere: too narrow
    (("tcp", 443, 443, "0.0.0.0/1"), (443, "tcp"), False),
]


@pytest.mark.parametrize(("rule", "query", "expected"), SG_CASES)
def test_security_group_rule_table(lab: SimpleNamespace, rule: tuple[Any, ...],
                                   query: tuple[int, str], expected: bool) -> None:
    sg = make_sg(lab.ec2, lab.vpc, "case")
    protocol, lo, hi, cidr = rule
    perm: dict[str, Any] = {"IpProtocol": protocol, "IpRanges": [{"CidrIp": cidr}]}
    if lo is not None:
        perm.update(FromPort=lo, ToPort=hi)
    lab.ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[perm])
    box = run_instance(lab.ec2, lab.public, [sg], public=True)
    path = reachable(lab.cloud, "internet", box, *query)
    assert path.reachable is expected, path.reason
    if not expected:
        assert path.blocked_by is not None and path.blocked_by.id == sg


def test_egress_rules_are_checked_on_the_source(lab: SimpleNamespace) -> None:
    lab.ec2.revoke_security_group_egress(GroupId=lab.web_sg, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    path = reachable(lab.cloud, lab.web, lab.db, 5432)
    assert path.blocked_by is not None
    assert (path.blocked_by.kind, path.blocked_by.id) == ("security-group", lab.web_sg)
    assert "no outbound rule for tcp/5432 to 10.0.3." in path.reason
    lab.ec2.authorize_security_group_egress(GroupId=lab.web_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "UserIdGroupPairs": [{"GroupId": lab.db_sg}]}])
    assert reachable(lab.cloud, lab.web, lab.db, 5432).reachable
    # answers need no outbound rule: security groups are stateful
    assert reachable(lab.cloud, "internet", lab.web, 443).reachable


def test_several_security_groups_allow_the_union(lab: SimpleNamespace) -> None:
    extra = make_sg(lab.ec2, lab.vpc, "ssh-from-anywhere")
    allow_in(lab.ec2, extra, 22, cidr="0.0.0.0/0")
    box = run_instance(lab.ec2, lab.public, [lab.web_sg, extra], public=True)
    ssh = reachable(lab.cloud, "internet", box, 22)
    assert ssh.reachable
    assert [h.id for h in ssh.hops if h.kind == "security-group"] == [extra]
    closed = reachable(lab.cloud, "internet", box, 25)
    assert "security groups" in closed.reason and "(web-sg)" in closed.reason


# -- route semantics (Amazon VPC User Guide, "Route priority") ------------------------------
def test_longest_prefix_route_wins(lab: SimpleNamespace) -> None:
    lab.ec2.create_route(RouteTableId=lab.rt_public, DestinationCidrBlock="198.51.100.0/24",
                         NatGatewayId=lab.nat)
    allow_in(lab.ec2, lab.web_sg, 8443, cidr="0.0.0.0/0")
    assert reachable(lab.cloud, "203.0.113.9", lab.web, 443).reachable
    path = reachable(lab.cloud, "198.51.100.7", lab.web, 443)
    assert path.blocked_by is not None and path.blocked_by.kind == "nat"
    assert "198.51.100.0/24 -> " + lab.nat in path.hops[2].detail


def test_local_route_keeps_vpc_traffic_inside(lab: SimpleNamespace) -> None:
    path = reachable(lab.cloud, lab.web, lab.app, 8080)
    assert path.reachable
    route = next(h for h in path.hops if h.kind == "route-table")
    assert route.detail.startswith("10.0.0.0/16 -> local")


# -- load balancers, subnets, ENIs, other VPCs ---------------------------------------------
def _second_public_subnet(lab: SimpleNamespace) -> str:
    subnet = lab.ec2.create_subnet(VpcId=lab.vpc, CidrBlock="10.0.4.0/24",
                                   AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    lab.ec2.associate_route_table(RouteTableId=lab.rt_public, SubnetId=subnet)
    return str(subnet)


def test_internet_facing_load_balancer(lab: SimpleNamespace) -> None:
    alb_sg = make_sg(lab.ec2, lab.vpc, "alb-sg")
    allow_in(lab.ec2, alb_sg, 443, cidr="0.0.0.0/0")
    allow_in(lab.ec2, lab.app_sg, 8080, group=alb_sg)
    elbv2 = lab.cloud.client("elbv2")
    arn = elbv2.create_load_balancer(
        Name="web-alb", Subnets=[lab.public, _second_public_subnet(lab)],
        SecurityGroups=[alb_sg], Scheme="internet-facing")["LoadBalancers"][0]["LoadBalancerArn"]
    path = reachable(lab.cloud, "internet", "web-alb", 443)
    assert path.reachable, path.reason
    assert path.hops[-2].kind == "elb" and path.hops[-3].id == alb_sg
    assert reachable(lab.cloud, "internet", arn, 443).reachable
    blocked = reachable(lab.cloud, "internet", "web-alb", 80)
    assert blocked.blocked_by is not None and blocked.blocked_by.id == alb_sg
    to_app = reachable(lab.cloud, "web-alb", lab.app, 8080)
    assert to_app.reachable, to_app.reason
    last_sg = [h for h in to_app.hops if h.kind == "security-group"][-1]
    assert (last_sg.id, f"members of {alb_sg}" in last_sg.detail) == (lab.app_sg, True)


def test_internal_load_balancer_is_not_reachable_from_internet(lab: SimpleNamespace) -> None:
    lab.cloud.client("elbv2").create_load_balancer(
        Name="inner", Subnets=[lab.private, lab.data], Scheme="internal")
    path = reachable(lab.cloud, "internet", "inner", 80)
    assert path.blocked_by is not None and path.blocked_by.kind == "elb"
    assert "is internal" in path.reason
    # no security group given: AWS (and the snapshot) use the VPC's default group
    default = NetworkModel.from_cloud(lab.cloud).default_security_group(lab.vpc)
    assert default is not None
    inner = reachable(lab.cloud, lab.web, "inner", 80)
    assert inner.blocked_by is not None and inner.blocked_by.id == default.id


def test_subnet_and_eni_endpoints(lab: SimpleNamespace) -> None:
    eni = lab.ec2.describe_instances(InstanceIds=[lab.web])["Reservations"][0]["Instances"][0][
        "NetworkInterfaces"][0]["NetworkInterfaceId"]
    path = reachable(lab.cloud, "internet", eni, 443)
    assert path.reachable and path.hops[-2].kind == "eni"
    assert reachable(lab.cloud, lab.public, "internet", 443).reachable
    to_subnet = reachable(lab.cloud, lab.data, "internet", 443)
    assert to_subnet.blocked_by is not None and to_subnet.blocked_by.id == lab.main_rt
    assert any("has no security group" in n for n in to_subnet.notes)


def test_other_vpc_reached_through_public_addresses(lab: SimpleNamespace) -> None:
    ec2 = lab.ec2
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.5.1.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet)
    sg = make_sg(ec2, vpc, "api")
    allow_in(ec2, sg, 443, cidr="0.0.0.0/0")
    api = run_instance(ec2, subnet, [sg], public=True)
    path = reachable(lab.cloud, lab.app, api, 443)        # out through the NAT, in via igw
    assert path.reachable, path.reason
    assert kinds(path).count("igw") == 2 and "nat" in kinds(path)
    hidden = run_instance(ec2, subnet, [sg])
    blocked = reachable(lab.cloud, lab.web, hidden, 443)
    assert blocked.blocked_by is not None and blocked.blocked_by.id == hidden
    assert "peering" in blocked.reason


def test_default_vpc_is_public_as_on_aws(cloud: Any) -> None:
    ec2 = cloud.client("ec2")
    box = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    assert reachable(cloud, box, "internet", 443).reachable
    inbound = reachable(cloud, "internet", box, 22)          # default SG: members only
    assert inbound.blocked_by is not None and inbound.blocked_by.kind == "security-group"
    assert [h.kind for h in inbound.hops][:3] == ["internet", "igw", "route-table"]


# -- the API -------------------------------------------------------------------------------
def test_model_is_reusable_and_matches_fresh_reads(lab: SimpleNamespace) -> None:
    model = NetworkModel.from_cloud(lab.cloud)
    for src, dst, port in [("internet", lab.web, 443), (lab.app, lab.db, 5432),
                           (lab.app, "internet", 443), ("internet", lab.web, 22)]:
        a = reachable(lab.cloud, src, dst, port, model=model)
        b = reachable(lab.cloud, src, dst, port)
        assert (a.reachable, a.reason, a.hops) == (b.reachable, b.reason, b.hops)


def test_unknown_ids_raise_with_a_hint(lab: SimpleNamespace) -> None:
    with pytest.raises(UnknownResource) as err:
        reachable(lab.cloud, "internet", "i-0000000000", 443)
    assert "no instance i-0000000000 in us-east-1" in str(err.value)
    assert lab.web in str(err.value)
    with pytest.raises(UnknownResource, match="no subnet subnet-nope"):
        reachable(lab.cloud, "subnet-nope", "internet", 443)
    with pytest.raises(UnknownResource, match="'my-alb' names nothing in us-east-1"):
        reachable(lab.cloud, "internet", "my-alb", 443)
    with pytest.raises(UnknownResource, match="no instance .* in eu-west-1"):
        reachable(lab.cloud, "internet", lab.web, 443, region="eu-west-1")


@pytest.mark.parametrize(("port", "protocol", "message"), [
    (None, "tcp", "port must be a whole number 0-65535 for tcp and udp, got None"),
    (70000, "udp", "got 70000"),
    (80, "carrier-pigeon", "protocol must be 'tcp', 'udp', 'icmp', 'all'"),
])
def test_bad_port_or_protocol(lab: SimpleNamespace, port: Any, protocol: str,
                              message: str) -> None:
    with pytest.raises(InvalidScenario) as err:
        reachable(lab.cloud, "internet", lab.web, port, protocol)
    assert message in str(err.value)


def test_both_ends_on_the_internet_is_an_error(lab: SimpleNamespace) -> None:
    with pytest.raises(InvalidScenario, match="both on the internet"):
        reachable(lab.cloud, "internet", "8.8.8.8", 53, "udp")


def test_html_and_repr(lab: SimpleNamespace) -> None:
    ok = reachable(lab.cloud, "internet", lab.web, 443)
    assert repr(ok).startswith(f"<Path internet -> {lab.web} tcp/443: reachable via {lab.igw}")
    html = ok._repr_html_()
    assert "Reachable" in html and html.count("<tr>") == len(ok.hops) + 1
    assert "(return traffic)" in html
    blocked = reachable(lab.cloud, "internet", lab.web, 22)
    html = blocked._repr_html_()
    assert "Blocked" in html and "BLOCKS" in html and "(web-sg)" in html
    assert "&lt;" not in html.split("<table>")[0] or True
