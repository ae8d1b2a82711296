"""A snapshot of one Region's network configuration, read through boto3 describe calls.

:class:`NetworkModel` holds plain dataclasses (VPCs, subnets, route tables, gateways, network
ACLs, security groups, network interfaces, instances, load balancers) built from the
``ec2`` and ``elbv2`` describe calls, so the reachability analysis never talks to the backend
itself and one snapshot can answer many questions::

    model = NetworkModel.from_cloud(cloud)
    reachable(cloud, "internet", "i-0abc", 443, model=model)

Where the embedded mini cloud (moto 5.2) differs from AWS, the snapshot fills the gap so
answers match AWS (each filled-in item says so in ``note``):

- the default security group of a VPC comes without AWS's inbound rule "all traffic from
  members of this group"; the snapshot adds it when the group has no self-referencing rule;
- the default VPC (172.31.0.0/16) comes without its internet gateway and without the
  0.0.0.0/0 route of its main route table; the snapshot adds both when neither exists;
- an application load balancer created without security groups has none (AWS gives it the
  VPC's default group); the snapshot uses the default group.

Reading a Region takes a few hundred milliseconds of describe calls, so :func:`snapshot`
keeps one per Region in ``cloud.state("net", ...)`` and drops it as soon as any EC2, ELB or
Auto Scaling call other than ``Describe*``/``Get*``/``List*`` goes through the cloud (a
botocore ``after-call`` hook), and on ``cloud.reset()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from typing import Any

from cloudlab.cloud.hooks import install_call_hooks

__all__ = [
    "Instance",
    "InternetGateway",
    "LoadBalancer",
    "NatGateway",
    "NaclEntry",
    "NetworkAcl",
    "NetworkInterface",
    "NetworkModel",
    "Route",
    "RouteTable",
    "SecurityGroup",
    "SgRule",
    "Subnet",
    "Vpc",
    "snapshot",
]

DEFAULT_VPC_IGW = "igw-default-vpc"
"""Id the snapshot gives the default VPC's internet gateway when the mini cloud lacks one."""

ALL = "-1"
_PROTOCOL_NUMBERS = {"tcp": "6", "udp": "17", "icmp": "1", "all": ALL, "-1": ALL}
PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", ALL: "all traffic"}


def protocol_number(protocol: str | int) -> str:
    """``"tcp"`` -> ``"6"``, ``"-1"``/``"all"`` -> ``"-1"``, ``6`` -> ``"6"``."""
    text = str(protocol).strip().lower()
    return _PROTOCOL_NUMBERS.get(text, text)


@dataclass(frozen=True)
class Vpc:
    id: str
    cidrs: tuple[IPv4Network, ...]
    is_default: bool = False
    name: str = ""


@dataclass(frozen=True)
class Subnet:
    id: str
    vpc_id: str
    cidr: IPv4Network
    az: str = ""
    name: str = ""


@dataclass(frozen=True)
class Route:
    destination: IPv4Network
    target: str                 # "local", "igw-...", "nat-...", "pcx-...", "i-...", ...
    state: str = "active"       # "active" | "blackhole"
    note: str = ""


@dataclass
class RouteTable:
    id: str
    vpc_id: str
    routes: list[Route]
    subnet_ids: tuple[str, ...] = ()
    main: bool = False
    name: str = ""


@dataclass(frozen=True)
class InternetGateway:
    id: str
    vpc_ids: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class NatGateway:
    id: str
    vpc_id: str
    subnet_id: str
    state: str
    public_ip: str | None
    private_ip: str | None = None
    connectivity: str = "public"


@dataclass(frozen=True)
class NaclEntry:
    rule_number: int
    egress: bool
    protocol: str               # IANA number as text, "-1" for all
    action: str                 # "allow" | "deny"
    cidr: IPv4Network | None
    port_from: int | None = None
    port_to: int | None = None

    @property
    def label(self) -> str:
        """``"100"``, or ``"*"`` for the catch-all rule 32767."""
        return "*" if self.rule_number >= 32767 else str(self.rule_number)


@dataclass
class NetworkAcl:
    id: str
    vpc_id: str
    entries: list[NaclEntry]
    subnet_ids: tuple[str, ...] = ()
    is_default: bool = False
    name: str = ""

    def rules(self, *, egress: bool) -> list[NaclEntry]:
        """Entries of one direction, lowest rule number first (AWS's evaluation order)."""
        return sorted((e for e in self.entries if e.egress == egress),
                      key=lambda e: e.rule_number)


@dataclass(frozen=True)
class SgRule:
    protocol: str               # IANA number as text, "-1" for all
    port_from: int | None
    port_to: int | None
    cidrs: tuple[IPv4Network, ...] = ()
    group_ids: tuple[str, ...] = ()
    note: str = ""


@dataclass
class SecurityGroup:
    id: str
    vpc_id: str
    name: str
    ingress: list[SgRule]
    egress: list[SgRule]

    @property
    def label(self) -> str:
        return f"{self.id} ({self.name})" if self.name else self.id


@dataclass
class NetworkInterface:
    id: str
    subnet_id: str
    vpc_id: str
    private_ip: str
    public_ip: str | None
    group_ids: tuple[str, ...]
    instance_id: str | None = None
    device_index: int = 0
    description: str = ""


@dataclass
class Instance:
    id: str
    state: str
    subnet_id: str | None
    vpc_id: str | None
    eni_ids: tuple[str, ...]
    name: str = ""

    @property
    def label(self) -> str:
        return f"{self.id} ({self.name})" if self.name else self.id


@dataclass
class LoadBalancer:
    arn: str
    name: str
    type: str                   # "application" | "network" | "gateway"
    scheme: str                 # "internet-facing" | "internal"
    vpc_id: str
    subnet_ids: tuple[str, ...]
    group_ids: tuple[str, ...]
    note: str = ""


@dataclass
class NetworkModel:
    """Everything the reachability analysis needs about one Region, as plain data."""

    region: str
    vpcs: dict[str, Vpc] = field(default_factory=dict)
    subnets: dict[str, Subnet] = field(default_factory=dict)
    route_tables: dict[str, RouteTable] = field(default_factory=dict)
    igws: dict[str, InternetGateway] = field(default_factory=dict)
    nats: dict[str, NatGateway] = field(default_factory=dict)
    nacls: dict[str, NetworkAcl] = field(default_factory=dict)
    security_groups: dict[str, SecurityGroup] = field(default_factory=dict)
    enis: dict[str, NetworkInterface] = field(default_factory=dict)
    instances: dict[str, Instance] = field(default_factory=dict)
    load_balancers: dict[str, LoadBalancer] = field(default_factory=dict)
    _rt_of_subnet: dict[str, str] = field(default_factory=dict, repr=False)
    _nacl_of_subnet: dict[str, str] = field(default_factory=dict, repr=False)

    # -- reading the backend -------------------------------------------------------------
    @classmethod
    def from_cloud(cls, cloud: Any, region: str | None = None) -> NetworkModel:
        """Read the Region's network configuration through boto3 describe calls.

        Args:
            cloud: a :class:`cloudlab.Cloud` (anything with ``.client(service, region=)``).
            region: the Region to read (default: the cloud's).
        """
        region = region or getattr(cloud, "region", None) or "us-east-1"
        ec2 = cloud.client("ec2", region=region)
        model = cls(region=region)
        for v in _pages(ec2, "describe_vpcs", "Vpcs"):
            cidrs = [a["CidrBlock"] for a in v.get("CidrBlockAssociationSet", [])
                     if a.get("CidrBlockState", {}).get("State", "associated") == "associated"]
            cidrs = cidrs or [v["CidrBlock"]]
            model.vpcs[v["VpcId"]] = Vpc(
                v["VpcId"], tuple(dict.fromkeys(IPv4Network(c) for c in cidrs)),
                bool(v.get("IsDefault")), _name(v))
        for s in _pages(ec2, "describe_subnets", "Subnets"):
            model.subnets[s["SubnetId"]] = Subnet(
                s["SubnetId"], s["VpcId"], IPv4Network(s["CidrBlock"]),
                s.get("AvailabilityZone", ""), _name(s))
        for g in _pages(ec2, "describe_internet_gateways", "InternetGateways"):
            attached = tuple(a["VpcId"] for a in g.get("Attachments", [])
                             if a.get("State") in ("available", "attached"))
            model.igws[g["InternetGatewayId"]] = InternetGateway(g["InternetGatewayId"], attached)
        for n in _pages(ec2, "describe_nat_gateways", "NatGateways"):
            addresses = n.get("NatGatewayAddresses") or [{}]
            model.nats[n["NatGatewayId"]] = NatGateway(
                n["NatGatewayId"], n["VpcId"], n["SubnetId"], n.get("State", "available"),
                addresses[0].get("PublicIp"), addresses[0].get("PrivateIp"),
                n.get("ConnectivityType", "public"))
        for t in _pages(ec2, "describe_route_tables", "RouteTables"):
            model.route_tables[t["RouteTableId"]] = _route_table(t)
        for a in _pages(ec2, "describe_network_acls", "NetworkAcls"):
            model.nacls[a["NetworkAclId"]] = _nacl(a)
        for g in _pages(ec2, "describe_security_groups", "SecurityGroups"):
            model.security_groups[g["GroupId"]] = _security_group(g)
        for e in _pages(ec2, "describe_network_interfaces", "NetworkInterfaces"):
            model.enis[e["NetworkInterfaceId"]] = _eni(e)
        for a in ec2.describe_addresses().get("Addresses", []):
            eni = model.enis.get(a.get("NetworkInterfaceId") or "")
            if eni is not None and eni.public_ip is None and a.get("PublicIp"):
                eni.public_ip = a["PublicIp"]
        # describe_instance_status + describe_tags answer far faster than describe_instances
        # in the mini cloud; interfaces come from describe_network_interfaces above
        names = {t["ResourceId"]: t["Value"] for t in _pages(
            ec2, "describe_tags", "Tags",
            Filters=[{"Name": "resource-type", "Values": ["instance"]},
                     {"Name": "key", "Values": ["Name"]}])}
        enis_of: dict[str, list[NetworkInterface]] = {}
        for eni in model.enis.values():
            if eni.instance_id:
                enis_of.setdefault(eni.instance_id, []).append(eni)
        for st in _pages(ec2, "describe_instance_status", "InstanceStatuses",
                         IncludeAllInstances=True):
            iid = st["InstanceId"]
            enis = sorted(enis_of.get(iid, []), key=lambda e: e.device_index)
            model.instances[iid] = Instance(
                iid, st.get("InstanceState", {}).get("Name", "running"),
                enis[0].subnet_id if enis else None, enis[0].vpc_id if enis else None,
                tuple(e.id for e in enis), names.get(iid, ""))
        elbv2 = cloud.client("elbv2", region=region)
        for lb in _pages(elbv2, "describe_load_balancers", "LoadBalancers"):
            model.load_balancers[lb["LoadBalancerArn"]] = LoadBalancer(
                lb["LoadBalancerArn"], lb["LoadBalancerName"], lb.get("Type", "application"),
                lb.get("Scheme", "internet-facing"), lb.get("VpcId", ""),
                tuple(z["SubnetId"] for z in lb.get("AvailabilityZones", []) if "SubnetId" in z),
                tuple(lb.get("SecurityGroups") or ()))
        model._fill_moto_gaps()
        model._index()
        return model

    def _fill_moto_gaps(self) -> None:
        """Add what AWS creates but the mini cloud does not (see the module docstring)."""
        for sg in self.security_groups.values():
            if sg.name == "default" and not any(sg.id in r.group_ids for r in sg.ingress):
                sg.ingress.append(SgRule(
                    ALL, None, None, group_ids=(sg.id,),
                    note="AWS's default rule: all traffic from members of this group"))
        for vpc in self.vpcs.values():
            if not vpc.is_default or any(vpc.id in g.vpc_ids for g in self.igws.values()):
                continue
            main = next((t for t in self.route_tables.values()
                         if t.vpc_id == vpc.id and t.main), None)
            if main is None or any(r.destination.prefixlen == 0 for r in main.routes):
                continue
            note = "the default VPC's internet gateway (AWS creates it with the default VPC)"
            self.igws[DEFAULT_VPC_IGW] = InternetGateway(DEFAULT_VPC_IGW, (vpc.id,), note)
            main.routes.append(Route(IPv4Network("0.0.0.0/0"), DEFAULT_VPC_IGW, note=note))
        for lb in self.load_balancers.values():
            if lb.type == "application" and not lb.group_ids:
                default = self.default_security_group(lb.vpc_id)
                if default is not None:
                    lb.group_ids = (default.id,)
                    lb.note = "no security group given, so AWS uses the VPC's default group"

    def _index(self) -> None:
        mains: dict[str, str] = {}
        for t in self.route_tables.values():
            if t.main:
                mains[t.vpc_id] = t.id
            for s in t.subnet_ids:
                self._rt_of_subnet[s] = t.id
        default_acls = {a.vpc_id: a.id for a in self.nacls.values() if a.is_default}
        for a in self.nacls.values():
            for s in a.subnet_ids:
                self._nacl_of_subnet[s] = a.id
        for subnet in self.subnets.values():
            if subnet.id not in self._rt_of_subnet and subnet.vpc_id in mains:
                self._rt_of_subnet[subnet.id] = mains[subnet.vpc_id]
            if subnet.id not in self._nacl_of_subnet and subnet.vpc_id in default_acls:
                self._nacl_of_subnet[subnet.id] = default_acls[subnet.vpc_id]

    # -- questions -----------------------------------------------------------------------
    def route_table_of(self, subnet_id: str) -> RouteTable | None:
        """The subnet's explicitly associated route table, else its VPC's main one."""
        rt = self._rt_of_subnet.get(subnet_id)
        return self.route_tables.get(rt) if rt else None

    def nacl_of(self, subnet_id: str) -> NetworkAcl | None:
        """The network ACL associated with the subnet (else the VPC's default ACL)."""
        acl = self._nacl_of_subnet.get(subnet_id)
        return self.nacls.get(acl) if acl else None

    def igw_of(self, vpc_id: str) -> InternetGateway | None:
        """The internet gateway attached to the VPC, if any."""
        return next((g for g in self.igws.values() if vpc_id in g.vpc_ids), None)

    def default_security_group(self, vpc_id: str) -> SecurityGroup | None:
        return next((g for g in self.security_groups.values()
                     if g.vpc_id == vpc_id and g.name == "default"), None)

    def is_public_subnet(self, subnet_id: str) -> bool:
        """A subnet is public when its route table sends 0.0.0.0/0 to an internet gateway."""
        rt = self.route_table_of(subnet_id)
        return rt is not None and any(
            r.destination.prefixlen == 0 and r.target.startswith("igw-") and r.state == "active"
            for r in rt.routes)

    def load_balancer(self, name_or_arn: str) -> LoadBalancer | None:
        if name_or_arn in self.load_balancers:
            return self.load_balancers[name_or_arn]
        return next((lb for lb in self.load_balancers.values() if lb.name == name_or_arn), None)

    def primary_eni(self, instance: Instance) -> NetworkInterface | None:
        enis = [self.enis[e] for e in instance.eni_ids if e in self.enis]
        return min(enis, key=lambda e: e.device_index) if enis else None


# -- a cached snapshot per cloud and Region -------------------------------------------------
_NETWORK_SERVICES = frozenset({"ec2", "elbv2", "autoscaling"})
_READ_ONLY = ("Describe", "Get", "List")


def _forget_on_change(cloud: Any, _event: str, model: Any = None, **_: Any) -> None:
    name = getattr(model, "name", "")
    service = getattr(getattr(model, "service_model", None), "service_name", "")
    if service in _NETWORK_SERVICES and not name.startswith(_READ_ONLY):
        _cache(cloud).clear()


def _cache(cloud: Any) -> dict[str, NetworkModel]:
    cache: dict[str, NetworkModel] = cloud.state("net.snapshots", dict)
    return cache


def snapshot(cloud: Any, region: str | None = None) -> NetworkModel:
    """The Region's :class:`NetworkModel`, read once and reused until the network changes.

    Any EC2, ELB or Auto Scaling call that is not a ``Describe*``, ``Get*`` or ``List*`` call
    (and ``cloud.reset()``) drops the cached snapshots, so answers always reflect the
    backend. Use :meth:`NetworkModel.from_cloud` for a snapshot of your own.
    """
    region = region or getattr(cloud, "region", None) or "us-east-1"
    if not hasattr(cloud, "state") or not hasattr(cloud, "on"):
        return NetworkModel.from_cloud(cloud, region)
    install_call_hooks(cloud, "net.snapshots", after=_forget_on_change)
    cache = _cache(cloud)
    if region not in cache:
        cache[region] = NetworkModel.from_cloud(cloud, region)
    return cache[region]


# -- parsing describe answers --------------------------------------------------------------
def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    if client.can_paginate(operation):
        for page in client.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])
    else:
        yield from getattr(client, operation)(**kwargs).get(key, [])


def _name(item: dict[str, Any]) -> str:
    tags = item.get("Tags") or item.get("TagSet") or []
    return next((t["Value"] for t in tags if t.get("Key") == "Name"), "")


_ROUTE_TARGETS = ("GatewayId", "NatGatewayId", "InstanceId", "NetworkInterfaceId",
                  "VpcPeeringConnectionId", "TransitGatewayId", "EgressOnlyInternetGatewayId",
                  "LocalGatewayId", "CarrierGatewayId", "VpcEndpointId")


def _route_table(t: dict[str, Any]) -> RouteTable:
    routes = []
    for r in t.get("Routes", []):
        if "DestinationCidrBlock" not in r:
            continue  # IPv6 and prefix-list routes are not modelled
        target = next((r[k] for k in _ROUTE_TARGETS if r.get(k)), "unknown")
        routes.append(Route(IPv4Network(r["DestinationCidrBlock"]), target,
                            r.get("State", "active")))
    assocs = t.get("Associations", [])
    return RouteTable(
        t["RouteTableId"], t["VpcId"], routes,
        tuple(a["SubnetId"] for a in assocs if a.get("SubnetId")),
        any(a.get("Main") for a in assocs), _name(t))


def _nacl(a: dict[str, Any]) -> NetworkAcl:
    entries = []
    for e in a.get("Entries", []):
        ports = e.get("PortRange") or {}
        entries.append(NaclEntry(
            int(e["RuleNumber"]), bool(e["Egress"]), protocol_number(e["Protocol"]),
            e["RuleAction"], IPv4Network(e["CidrBlock"]) if e.get("CidrBlock") else None,
            ports.get("From"), ports.get("To")))
    return NetworkAcl(
        a["NetworkAclId"], a["VpcId"], entries,
        tuple(x["SubnetId"] for x in a.get("Associations", []) if x.get("SubnetId")),
        bool(a.get("IsDefault")), _name(a))


def _sg_rules(perms: list[dict[str, Any]]) -> list[SgRule]:
    rules = []
    for p in perms:
        protocol = protocol_number(p.get("IpProtocol", ALL))
        lo, hi = p.get("FromPort"), p.get("ToPort")
        if protocol == ALL or lo in (None, -1):
            lo = hi = None
        rules.append(SgRule(
            protocol, lo, hi,
            tuple(IPv4Network(r["CidrIp"]) for r in p.get("IpRanges", []) if r.get("CidrIp")),
            tuple(g["GroupId"] for g in p.get("UserIdGroupPairs", []) if g.get("GroupId"))))
    return rules


def _security_group(g: dict[str, Any]) -> SecurityGroup:
    return SecurityGroup(g["GroupId"], g.get("VpcId", ""), g.get("GroupName", ""),
                         _sg_rules(g.get("IpPermissions", [])),
                         _sg_rules(g.get("IpPermissionsEgress", [])))


def _eni(e: dict[str, Any]) -> NetworkInterface:
    attachment = e.get("Attachment") or {}
    public = (e.get("Association") or {}).get("PublicIp")
    return NetworkInterface(
        e["NetworkInterfaceId"], e.get("SubnetId", ""), e.get("VpcId", ""),
        e.get("PrivateIpAddress", ""), public,
        tuple(g["GroupId"] for g in e.get("Groups", [])),
        attachment.get("InstanceId") or None, int(attachment.get("DeviceIndex", 0) or 0),
        e.get("Description", ""))
