"""Checks for lab 04: the default VPC, a two-AZ VPC with public and private subnets, internet
gateway, NAT gateway and route tables, proven with reachability.

Routes are checked by what they do (the route table a subnet really uses, its default route's
target), so equivalent designs pass too.
"""

from __future__ import annotations

from typing import Any

from cloudlab.checks import question
from cloudlab.net import reachable

PLAN = {"public-a": "10.0.0.0/24", "public-b": "10.0.1.0/24",
        "private-a": "10.0.10.0/24", "private-b": "10.0.11.0/24"}


def _default_route(cloud: Any, vpc_id: str, subnet_id: str) -> str:
    """The target of 0.0.0.0/0 in the route table the subnet uses ("" when none)."""
    tables = cloud.client("ec2").describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    chosen = next((t for t in tables for a in t.get("Associations", [])
                   if a.get("SubnetId") == subnet_id), None)
    if chosen is None:
        chosen = next(t for t in tables for a in t.get("Associations", []) if a.get("Main"))
    for route in chosen.get("Routes", []):
        if route.get("DestinationCidrBlock") == "0.0.0.0/0":
            return str(route.get("GatewayId") or route.get("NatGatewayId") or "")
    return ""


# -- Question 1 ------------------------------------------------------------------------------
@question("lab04.default_vpc", points=1, title="What every account starts with")
def default_vpc(default_vpc_cidr: Any, default_subnet_count: Any, cloud: Any) -> None:
    ec2 = cloud.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    assert default_vpc_cidr == vpc["CidrBlock"], (
        "`default_vpc_cidr` should be the CidrBlock of the VPC whose isDefault is true"
    )
    count = len(ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"])
    assert default_subnet_count == count, (
        "`default_subnet_count` should count the default VPC's subnets (filter describe_subnets "
        "by its vpc-id)"
    )


# -- Question 2 ------------------------------------------------------------------------------
@question("lab04.subnets", points=2, title="VPC and subnets")
def subnets_plan(vpc_id: Any, subnets: Any, cloud: Any) -> None:
    ec2 = cloud.client("ec2")
    vpc = ec2.describe_vpcs(VpcIds=[str(vpc_id)])["Vpcs"][0]
    assert vpc["CidrBlock"] == "10.0.0.0/16", (
        f"the VPC should be 10.0.0.0/16, not {vpc['CidrBlock']}"
    )
    assert isinstance(subnets, dict) and set(subnets) == set(PLAN), (
        f"`subnets` should map the four names {sorted(PLAN)} to subnet ids"
    )
    found = {s["SubnetId"]: s for s in ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]}
    azs: dict[str, str] = {}
    for name, cidr in PLAN.items():
        subnet = found.get(subnets[name])
        assert subnet is not None, f"subnet {name} ({subnets[name]}) is not in your VPC"
        assert subnet["CidrBlock"] == cidr, f"{name} should be {cidr}, not {subnet['CidrBlock']}"
        tags = {t["Key"]: t["Value"] for t in subnet.get("Tags", [])}
        assert tags.get("Name") == name, f"tag subnet {subnets[name]} with Name={name}"
        azs[name] = subnet["AvailabilityZone"]
    assert azs["public-a"] == azs["private-a"] and azs["public-b"] == azs["private-b"], (
        "each AZ should hold one public and one private subnet (the -a pair and the -b pair)"
    )
    assert azs["public-a"] != azs["public-b"], (
        "the -a and -b subnets are in the same AZ: put them in two AZs so losing one AZ leaves "
        "a working copy"
    )


# -- Question 3 ------------------------------------------------------------------------------
@question("lab04.routes", points=1, title="Internet in, internet out")
def public_routes(vpc_id: Any, subnets: Any, igw_id: Any, cloud: Any) -> None:
    igws = cloud.client("ec2").describe_internet_gateways(InternetGatewayIds=[str(igw_id)])
    attached = {a["VpcId"] for a in igws["InternetGateways"][0].get("Attachments", [])}
    assert vpc_id in attached, "attach the internet gateway to your VPC"
    for name in ("public-a", "public-b"):
        target = _default_route(cloud, vpc_id, subnets[name])
        assert target.startswith("igw-"), (
            f"{name} has no route 0.0.0.0/0 to the internet gateway in the route table it uses "
            f"({target or 'no default route'}): associate the public route table with it"
        )


@question("lab04.routes", points=1)
def private_routes(vpc_id: Any, subnets: Any, nat_id: Any, cloud: Any) -> None:
    nat = cloud.client("ec2").describe_nat_gateways(NatGatewayIds=[str(nat_id)])["NatGateways"][0]
    assert nat["SubnetId"] in (subnets["public-a"], subnets["public-b"]), (
        "the NAT gateway must sit in a public subnet (it reaches the internet through the IGW)"
    )
    for name in ("private-a", "private-b"):
        target = _default_route(cloud, vpc_id, subnets[name])
        assert not target.startswith("igw-"), (
            f"{name} routes 0.0.0.0/0 to the internet gateway: that makes it public"
        )
        assert target.startswith("nat-"), (
            f"{name} has no way out: route its 0.0.0.0/0 to the NAT gateway"
        )


# -- Question 4 ------------------------------------------------------------------------------
_ANSWERS = {
    "web_from_internet": ("internet", "web_id", 443),
    "app_from_internet": ("internet", "app_id", 8080),
    "app_from_web": ("web_id", "app_id", 8080),
    "app_to_internet": ("app_id", "internet", 443),
}


@question("lab04.proof", points=1, title="Prove the design")
def proof(
    web_from_internet: Any, app_from_internet: Any, app_from_web: Any, app_to_internet: Any,
    blocked_kind: Any, web_id: Any, app_id: Any, cloud: Any,
) -> None:
    given = {"web_from_internet": web_from_internet, "app_from_internet": app_from_internet,
             "app_from_web": app_from_web, "app_to_internet": app_to_internet}
    ids = {"internet": "internet", "web_id": web_id, "app_id": app_id}
    for name, (src, dst, port) in _ANSWERS.items():
        truth = reachable(cloud, ids[src], ids[dst], port)
        assert given[name] is truth.reachable, (
            f"`{name}` should be {truth.reachable} (True/False): ask "
            f"reachable(cloud, {src!s}, {dst!s}, {port}).reachable"
        )
    blocked = reachable(cloud, "internet", app_id, 8080).blocked_by
    assert blocked is not None and blocked_kind == blocked.kind, (
        "`blocked_kind` should be the .kind of the hop that blocks internet -> app on 8080"
    )


@question("lab04.proof", points=1, hidden=True)
def design_behaves(web_from_internet: Any, app_from_internet: Any, app_from_web: Any,
                   app_to_internet: Any) -> None:
    assert (web_from_internet, app_from_internet, app_from_web, app_to_internet) == (
        True, False, True, True
    ), (
        "the design does not behave as intended: the web server public on 443, the app server "
        "private, reachable from the web tier on 8080, and able to reach out through the NAT"
    )
