"""What the topology diagram shows: a snapshot of one Region's network, read through boto3.

This module owns :class:`TopologyModel` and its plain dataclasses (VPCs, subnets,
gateways, instances, load balancers, DB instances, security groups and their inbound
rules). :meth:`TopologyModel.from_cloud` reads everything with ordinary ``describe_*``
calls on the cloud's clients, exactly what a learner could call themselves, so the
diagram never knows more than the API says. Everything is sorted, so the same backend
state always gives the same model (and the same SVG).

A subnet is **public** when the route table that applies to it (its explicit
association, else the VPC's main route table) has an active ``0.0.0.0/0`` route to an
internet gateway (``igw-...``); every other subnet is private (AWS VPC user guide,
"Subnets for your VPC", subnet types; checked 2026-01).

Example:
    >>> model = TopologyModel.from_cloud(cloud)                # doctest: +SKIP
    >>> [(s.cidr, s.public) for s in model.subnets]            # doctest: +SKIP
    [('10.0.1.0/24', True), ('10.0.2.0/24', False)]
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudlab.errors import UnknownResource

__all__ = [
    "DbInstance",
    "Instance",
    "InternetGateway",
    "LoadBalancer",
    "NatGateway",
    "SecurityGroup",
    "SgRule",
    "Subnet",
    "TopologyModel",
    "Vpc",
]


def _tags(item: Mapping[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in item.get("Tags") or [] if "Key" in t}


def _ip_key(ip: str | None) -> tuple[int, int]:
    if not ip:
        return (1, 0)
    try:
        return (0, int(ipaddress.ip_address(ip)))
    except ValueError:
        return (1, 0)


def _cidr_key(cidr: str) -> tuple[int, int, int]:
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return (1, 0, 0)
    return (0, int(net.network_address), net.prefixlen)


@dataclass(frozen=True)
class Vpc:
    """A VPC: its id, name tag, primary CIDR block and whether it is the default VPC."""

    id: str
    cidr: str
    name: str = ""
    is_default: bool = False


@dataclass(frozen=True)
class Subnet:
    """A subnet in one AZ; ``public`` comes from its effective route table."""

    id: str
    vpc_id: str
    az: str
    cidr: str
    public: bool
    name: str = ""
    route_table_id: str = ""
    nacl_id: str = ""
    default_for_az: bool = False

    @property
    def kind(self) -> str:
        """``"public"`` or ``"private"``."""
        return "public" if self.public else "private"


@dataclass(frozen=True)
class InternetGateway:
    """An internet gateway and the VPC it is attached to (``""`` when detached)."""

    id: str
    vpc_id: str
    state: str = "available"
    name: str = ""


@dataclass(frozen=True)
class NatGateway:
    """A NAT gateway in its (normally public) subnet."""

    id: str
    subnet_id: str
    vpc_id: str
    state: str
    public_ip: str = ""
    name: str = ""


@dataclass(frozen=True)
class Instance:
    """An EC2 instance: where it runs, its state, addresses and security groups."""

    id: str
    name: str
    state: str
    instance_type: str
    subnet_id: str
    vpc_id: str
    az: str
    private_ip: str = ""
    public_ip: str = ""
    security_groups: tuple[str, ...] = ()
    eni_ids: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The name tag, or the instance id when there is none."""
        return self.name or self.id


@dataclass(frozen=True)
class LoadBalancer:
    """An ELBv2 load balancer and the subnets (one per AZ) it has nodes in."""

    arn: str
    name: str
    type: str
    scheme: str
    state: str
    vpc_id: str
    subnet_ids: tuple[str, ...]
    azs: tuple[str, ...]
    security_groups: tuple[str, ...] = ()
    dns_name: str = ""

    @property
    def id(self) -> str:
        """The ARN (what ``describe_load_balancers`` and reachability paths use)."""
        return self.arn


@dataclass(frozen=True)
class DbInstance:
    """An RDS DB instance; with Multi-AZ it has a standby in a second subnet/AZ."""

    id: str
    engine: str
    status: str
    instance_class: str
    multi_az: bool
    vpc_id: str
    subnet_id: str
    az: str
    standby_subnet_id: str = ""
    standby_az: str = ""
    security_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class SgRule:
    """One inbound permission of a security group: from a CIDR or from another group."""

    protocol: str
    from_port: int | None
    to_port: int | None
    cidr: str = ""
    source_group: str = ""
    description: str = ""

    @property
    def ports(self) -> str:
        """Protocol and ports in words: ``"tcp 80"``, ``"tcp 1024-65535"``, ``"all traffic"``."""
        proto = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp"}.get(
            self.protocol, self.protocol
        )
        if proto == "all":
            return "all traffic"
        if proto == "icmp" or self.from_port is None:
            return proto
        if self.from_port == self.to_port:
            return f"{proto} {self.from_port}"
        if self.from_port == 0 and self.to_port == 65535:
            return f"{proto} all ports"
        return f"{proto} {self.from_port}-{self.to_port}"

    @property
    def source(self) -> str:
        """The CIDR or the source group id."""
        return self.cidr or self.source_group


@dataclass(frozen=True)
class SecurityGroup:
    """A security group and its inbound rules (one :class:`SgRule` per source)."""

    id: str
    name: str
    vpc_id: str
    ingress: tuple[SgRule, ...] = ()


@dataclass
class TopologyModel:
    """One Region's network as the API describes it, sorted deterministically.

    Build it with :meth:`from_cloud`; the dataclass fields are public so tests and the
    renderer can also build one by hand.
    """

    region: str
    vpcs: list[Vpc] = field(default_factory=list)
    subnets: list[Subnet] = field(default_factory=list)
    internet_gateways: list[InternetGateway] = field(default_factory=list)
    nat_gateways: list[NatGateway] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)
    load_balancers: list[LoadBalancer] = field(default_factory=list)
    db_instances: list[DbInstance] = field(default_factory=list)
    security_groups: list[SecurityGroup] = field(default_factory=list)
    hidden_subnets: list[Subnet] = field(default_factory=list)

    # -- reading -----------------------------------------------------------------------

    @classmethod
    def from_cloud(
        cls, cloud: Any, region: str | None = None, *, include_default_vpc: bool | None = None
    ) -> TopologyModel:
        """Read the network of ``region`` (default: the cloud's) through boto3.

        Args:
            cloud: a running :class:`cloudlab.Cloud` (anything with ``.client(service,
                region=...)`` and ``.region``).
            region: Region to read; default ``cloud.region``.
            include_default_vpc: show the default VPC always (``True``), never
                (``False``), or only when something runs in it or no other VPC exists
                (``None``, the default). Empty default subnets are folded into
                :attr:`hidden_subnets` so six empty AZ columns do not crowd the picture.

        Returns:
            The model, every list sorted.
        """
        region = region or cloud.region
        ec2 = cloud.client("ec2", region=region)

        vpcs_raw = _pages(ec2, "describe_vpcs", "Vpcs")
        subnets_raw = _pages(ec2, "describe_subnets", "Subnets")
        tables = _pages(ec2, "describe_route_tables", "RouteTables")
        igws_raw = _pages(ec2, "describe_internet_gateways", "InternetGateways")
        nats_raw = _pages(ec2, "describe_nat_gateways", "NatGateways")
        nacls_raw = _pages(ec2, "describe_network_acls", "NetworkAcls")
        sgs_raw = _pages(ec2, "describe_security_groups", "SecurityGroups")
        reservations = _pages(ec2, "describe_instances", "Reservations")
        lbs_raw = _pages(
            cloud.client("elbv2", region=region), "describe_load_balancers", "LoadBalancers"
        )
        dbs_raw = _pages(cloud.client("rds", region=region), "describe_db_instances", "DBInstances")

        vpcs = [
            Vpc(
                id=v["VpcId"],
                cidr=v.get("CidrBlock", ""),
                name=_tags(v).get("Name", ""),
                is_default=bool(v.get("IsDefault")),
            )
            for v in vpcs_raw
        ]

        # route table per subnet: explicit association, else the VPC's main table
        main_table: dict[str, dict[str, Any]] = {}
        explicit: dict[str, dict[str, Any]] = {}
        for table in tables:
            for assoc in table.get("Associations") or []:
                if assoc.get("Main"):
                    main_table[table.get("VpcId", "")] = table
                elif assoc.get("SubnetId"):
                    explicit[assoc["SubnetId"]] = table
        nacl_of: dict[str, str] = {}
        for acl in nacls_raw:
            for assoc in acl.get("Associations") or []:
                if assoc.get("SubnetId"):
                    nacl_of[assoc["SubnetId"]] = acl["NetworkAclId"]

        subnets: list[Subnet] = []
        for s in subnets_raw:
            applied = explicit.get(s["SubnetId"]) or main_table.get(s["VpcId"])
            subnets.append(
                Subnet(
                    id=s["SubnetId"],
                    vpc_id=s["VpcId"],
                    az=s.get("AvailabilityZone", ""),
                    cidr=s.get("CidrBlock", ""),
                    public=_routes_to_igw(applied),
                    name=_tags(s).get("Name", ""),
                    route_table_id=(applied or {}).get("RouteTableId", ""),
                    nacl_id=nacl_of.get(s["SubnetId"], ""),
                    default_for_az=bool(s.get("DefaultForAz")),
                )
            )
        subnet_by_id = {s.id: s for s in subnets}

        igws = []
        for g in igws_raw:
            attached = [
                a
                for a in g.get("Attachments") or []
                if a.get("State", "available") in ("available", "attached", "attaching")
            ]
            igws.append(
                InternetGateway(
                    id=g["InternetGatewayId"],
                    vpc_id=attached[0]["VpcId"] if attached else "",
                    state=attached[0].get("State", "available") if attached else "detached",
                    name=_tags(g).get("Name", ""),
                )
            )

        nats = [
            NatGateway(
                id=n["NatGatewayId"],
                subnet_id=n.get("SubnetId", ""),
                vpc_id=n.get("VpcId", ""),
                state=n.get("State", ""),
                public_ip=next(
                    (
                        a["PublicIp"]
                        for a in n.get("NatGatewayAddresses") or []
                        if a.get("PublicIp")
                    ),
                    "",
                ),
                name=_tags(n).get("Name", ""),
            )
            for n in nats_raw
            if n.get("State") not in ("deleted",)
        ]

        instances = []
        for reservation in reservations:
            for i in reservation.get("Instances") or []:
                subnet_id = i.get("SubnetId", "")
                instances.append(
                    Instance(
                        id=i["InstanceId"],
                        name=_tags(i).get("Name", ""),
                        state=(i.get("State") or {}).get("Name", "unknown"),
                        instance_type=i.get("InstanceType", ""),
                        subnet_id=subnet_id,
                        vpc_id=i.get("VpcId", "")
                        or (subnet_by_id[subnet_id].vpc_id if subnet_id in subnet_by_id else ""),
                        az=(i.get("Placement") or {}).get("AvailabilityZone", ""),
                        private_ip=i.get("PrivateIpAddress", "") or "",
                        public_ip=i.get("PublicIpAddress", "") or "",
                        security_groups=_instance_groups(i),
                        eni_ids=tuple(
                            sorted(
                                n["NetworkInterfaceId"] for n in i.get("NetworkInterfaces") or []
                            )
                        ),
                    )
                )

        lbs = []
        for lb in lbs_raw:
            zones = sorted(
                lb.get("AvailabilityZones") or [], key=lambda z: (z.get("ZoneName", ""),)
            )
            lbs.append(
                LoadBalancer(
                    arn=lb["LoadBalancerArn"],
                    name=lb.get("LoadBalancerName", ""),
                    type=lb.get("Type", "application"),
                    scheme=lb.get("Scheme", "internet-facing"),
                    state=(lb.get("State") or {}).get("Code", ""),
                    vpc_id=lb.get("VpcId", ""),
                    subnet_ids=tuple(z.get("SubnetId", "") for z in zones),
                    azs=tuple(z.get("ZoneName", "") for z in zones),
                    security_groups=tuple(sorted(lb.get("SecurityGroups") or [])),
                    dns_name=lb.get("DNSName", ""),
                )
            )

        dbs = [_db_instance(d, subnet_by_id) for d in dbs_raw]

        sgs = [
            SecurityGroup(
                id=g["GroupId"],
                name=g.get("GroupName", ""),
                vpc_id=g.get("VpcId", ""),
                ingress=tuple(sorted(_rules(g.get("IpPermissions") or []), key=_rule_key)),
            )
            for g in sgs_raw
        ]

        model = cls(
            region=region,
            vpcs=vpcs,
            subnets=subnets,
            internet_gateways=igws,
            nat_gateways=nats,
            instances=instances,
            load_balancers=lbs,
            db_instances=dbs,
            security_groups=sgs,
        )
        model._fold_default_vpc(include_default_vpc)
        model.sort()
        return model

    def _fold_default_vpc(self, include: bool | None) -> None:
        """Drop or fold the default VPC as :meth:`from_cloud` documents."""
        used_subnets = self._used_subnets()
        keep_vpcs: list[Vpc] = []
        for vpc in self.vpcs:
            if not vpc.is_default or include is True:
                keep_vpcs.append(vpc)
                continue
            in_use = any(s.vpc_id == vpc.id and s.id in used_subnets for s in self.subnets)
            others = any(not v.is_default for v in self.vpcs)
            if include is None and (in_use or not others):
                keep_vpcs.append(vpc)
        kept = {v.id for v in keep_vpcs}
        default_ids = {v.id for v in self.vpcs if v.is_default}
        subnets, hidden = [], []
        for s in self.subnets:
            if s.vpc_id not in kept:
                continue
            if s.vpc_id in default_ids and include is not True and s.id not in used_subnets:
                hidden.append(s)
            else:
                subnets.append(s)
        self.vpcs = keep_vpcs
        self.subnets = subnets
        self.hidden_subnets = hidden
        self.internet_gateways = [g for g in self.internet_gateways if g.vpc_id in kept]
        self.security_groups = [g for g in self.security_groups if g.vpc_id in kept]

    def _used_subnets(self) -> set[str]:
        used = {i.subnet_id for i in self.instances}
        used |= {n.subnet_id for n in self.nat_gateways}
        used |= {sid for lb in self.load_balancers for sid in lb.subnet_ids}
        used |= {d.subnet_id for d in self.db_instances} | {
            d.standby_subnet_id for d in self.db_instances
        }
        used.discard("")
        return used

    def sort(self) -> None:
        """Put every list in its fixed order (called by :meth:`from_cloud`)."""
        self.vpcs.sort(key=lambda v: (v.is_default, v.name, _cidr_key(v.cidr), v.id))
        skey = lambda s: (s.vpc_id, s.az, not s.public, _cidr_key(s.cidr), s.id)  # noqa: E731
        self.subnets.sort(key=skey)
        self.hidden_subnets.sort(key=skey)
        self.internet_gateways.sort(key=lambda g: (g.vpc_id, g.id))
        self.nat_gateways.sort(key=lambda n: (n.subnet_id, n.name, n.id))
        self.instances.sort(
            key=lambda i: (
                i.subnet_id,
                i.state == "terminated",
                i.name,
                _ip_key(i.private_ip),
                i.id,
            )
        )
        self.load_balancers.sort(key=lambda lb: (lb.vpc_id, lb.name, lb.arn))
        self.db_instances.sort(key=lambda d: (d.subnet_id, d.id))
        self.security_groups.sort(key=lambda g: (g.vpc_id, g.name, g.id))

    # -- queries -----------------------------------------------------------------------

    def subnet(self, subnet_id: str) -> Subnet:
        """The subnet with this id.

        Raises:
            UnknownResource: no subnet of the model has this id.
        """
        for s in self.subnets:
            if s.id == subnet_id:
                return s
        raise UnknownResource(
            f"no subnet {subnet_id!r} in the topology of {self.region}; "
            f"known subnets: {', '.join(s.id for s in self.subnets) or 'none'}"
        )

    def security_group(self, group_id: str) -> SecurityGroup | None:
        """The security group with this id, or ``None``."""
        return next((g for g in self.security_groups if g.id == group_id), None)

    def find(self, resource_id: str) -> Any:
        """The object with this id (instance, subnet, VPC, gateway, LB ARN or name, ...).

        Raises:
            UnknownResource: nothing in the model has this id.
        """
        pools: Iterable[Any] = (
            *self.instances,
            *self.subnets,
            *self.vpcs,
            *self.internet_gateways,
            *self.nat_gateways,
            *self.db_instances,
            *self.security_groups,
        )
        for item in pools:
            if item.id == resource_id:
                return item
        for lb in self.load_balancers:
            if resource_id in (lb.arn, lb.name):
                return lb
        raise UnknownResource(
            f"nothing with id {resource_id!r} in the topology of {self.region}; "
            "pass an instance, subnet, VPC, gateway, load balancer or DB instance id "
            "(refresh the diagram if you just created it)"
        )

    def describe(self, resource_id: str) -> str:
        """A few lines of plain text about one resource (what the widget shows on click).

        Raises:
            UnknownResource: nothing in the model has this id.
        """
        item = self.find(resource_id)
        if isinstance(item, Instance):
            groups = ", ".join(self._sg_label(g) for g in item.security_groups) or "none"
            return "\n".join(
                [
                    f"EC2 instance {item.id}" + (f" ({item.name})" if item.name else ""),
                    f"state: {item.state}; type: {item.instance_type}",
                    f"subnet: {item.subnet_id} ({item.az})",
                    f"private IP: {item.private_ip or '-'}; public IP: {item.public_ip or 'none'}",
                    f"security groups: {groups}",
                ]
            )
        if isinstance(item, Subnet):
            return "\n".join(
                [
                    f"{item.kind} subnet {item.id}" + (f" ({item.name})" if item.name else ""),
                    f"CIDR {item.cidr} in {item.az}; VPC {item.vpc_id}",
                    f"route table: {item.route_table_id or '-'}; "
                    f"network ACL: {item.nacl_id or '-'}",
                    "public: its route table sends 0.0.0.0/0 to an internet gateway"
                    if item.public
                    else "private: no 0.0.0.0/0 route to an internet gateway",
                ]
            )
        if isinstance(item, LoadBalancer):
            groups = ", ".join(self._sg_label(g) for g in item.security_groups) or "none"
            return "\n".join(
                [
                    f"{item.type} load balancer {item.name} ({item.scheme}, {item.state})",
                    f"AZs: {', '.join(item.azs)}; subnets: {', '.join(item.subnet_ids)}",
                    f"security groups: {groups}",
                    f"DNS name: {item.dns_name}",
                ]
            )
        if isinstance(item, DbInstance):
            standby = (
                f"standby in {item.standby_az} ({item.standby_subnet_id})"
                if item.multi_az
                else "single-AZ (no standby)"
            )
            return "\n".join(
                [
                    f"RDS DB instance {item.id} "
                    f"({item.engine}, {item.instance_class}, {item.status})",
                    f"primary in {item.az} ({item.subnet_id}); {standby}",
                ]
            )
        if isinstance(item, SecurityGroup):
            rules = [
                f"  {r.ports} from "
                + (self._sg_label(r.source_group) if r.source_group else r.cidr)
                for r in item.ingress
            ] or ["  (no inbound rules: nothing may connect)"]
            return "\n".join([f"security group {item.name} ({item.id})", "inbound:", *rules])
        fields = ", ".join(f"{k}={v}" for k, v in vars(item).items() if v not in ("", ()))
        return f"{type(item).__name__}: {fields}"

    def _sg_label(self, group_id: str) -> str:
        group = self.security_group(group_id)
        return f"{group.name} ({group_id})" if group and group.name else group_id

    def members(self, group_id: str) -> list[str]:
        """Ids of the instances, load balancers (ARN) and DB instances in a security group."""
        out = [i.id for i in self.instances if group_id in i.security_groups]
        out += [lb.arn for lb in self.load_balancers if group_id in lb.security_groups]
        out += [d.id for d in self.db_instances if group_id in d.security_groups]
        return out

    def summary(self) -> str:
        """One line of counts: ``"1 VPC, 4 subnets (2 public), 5 instances (4 running), ..."``."""
        states = Counter(i.state for i in self.instances)
        running = states.get("running", 0)
        n_public = sum(s.public for s in self.subnets)
        parts = [
            _plural(len(self.vpcs), "VPC"),
            f"{_plural(len(self.subnets), 'subnet')} ({n_public} public)",
            f"{_plural(len(self.instances), 'instance')} ({running} running)",
        ]
        if self.nat_gateways:
            parts.append(_plural(len(self.nat_gateways), "NAT gateway"))
        if self.load_balancers:
            parts.append(_plural(len(self.load_balancers), "load balancer"))
        if self.db_instances:
            parts.append(_plural(len(self.db_instances), "DB instance"))
        return ", ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _pages(client: Any, operation: str, key: str) -> list[dict[str, Any]]:
    """Every item of a describe call, following pagination when the API has it."""
    if client.can_paginate(operation):
        out: list[dict[str, Any]] = []
        for page in client.get_paginator(operation).paginate():
            out.extend(page.get(key) or [])
        return out
    return list(getattr(client, operation)().get(key) or [])


def _instance_groups(instance: Mapping[str, Any]) -> tuple[str, ...]:
    """Security groups of an instance: its own list, else those of its network interfaces
    (the embedded backend leaves the instance list empty for the VPC's default group)."""
    groups = {g["GroupId"] for g in instance.get("SecurityGroups") or [] if "GroupId" in g}
    if not groups:
        for eni in instance.get("NetworkInterfaces") or []:
            groups |= {g["GroupId"] for g in eni.get("Groups") or [] if "GroupId" in g}
    return tuple(sorted(groups))


def _routes_to_igw(table: Mapping[str, Any] | None) -> bool:
    if not table:
        return False
    for route in table.get("Routes") or []:
        if (
            route.get("DestinationCidrBlock") == "0.0.0.0/0"
            and str(route.get("GatewayId", "")).startswith("igw-")
            and route.get("State", "active") != "blackhole"
        ):
            return True
    return False


def _rules(permissions: Iterable[Mapping[str, Any]]) -> list[SgRule]:
    rules: list[SgRule] = []
    for perm in permissions:
        proto = str(perm.get("IpProtocol", "-1"))
        lo, hi = perm.get("FromPort"), perm.get("ToPort")
        if proto == "-1" or (isinstance(lo, int) and lo < 0):
            lo = hi = None
        for r in perm.get("IpRanges") or []:
            rules.append(
                SgRule(
                    proto, lo, hi, cidr=r.get("CidrIp", ""), description=r.get("Description", "")
                )
            )
        for r in perm.get("Ipv6Ranges") or []:
            rules.append(
                SgRule(
                    proto, lo, hi, cidr=r.get("CidrIpv6", ""), description=r.get("Description", "")
                )
            )
        for pair in perm.get("UserIdGroupPairs") or []:
            rules.append(
                SgRule(
                    proto,
                    lo,
                    hi,
                    source_group=pair.get("GroupId", ""),
                    description=pair.get("Description", ""),
                )
            )
        for pl in perm.get("PrefixListIds") or []:
            rules.append(
                SgRule(
                    proto,
                    lo,
                    hi,
                    cidr=pl.get("PrefixListId", ""),
                    description=pl.get("Description", ""),
                )
            )
    return rules


def _rule_key(rule: SgRule) -> tuple[Any, ...]:
    return (rule.protocol, rule.from_port or 0, rule.to_port or 0, rule.cidr, rule.source_group)


def _db_instance(d: Mapping[str, Any], subnet_by_id: Mapping[str, Subnet]) -> DbInstance:
    """Place a DB instance (and its Multi-AZ standby) in subnets of its DB subnet group."""
    group = d.get("DBSubnetGroup") or {}
    members = sorted(
        (
            ((s.get("SubnetAvailabilityZone") or {}).get("Name", ""), s["SubnetIdentifier"])
            for s in group.get("Subnets") or []
            if s.get("SubnetIdentifier")
        ),
    )
    az = d.get("AvailabilityZone") or (members[0][0] if members else "")
    primary = next((sid for zone, sid in members if zone == az), members[0][1] if members else "")
    multi = bool(d.get("MultiAZ"))
    standby_az = standby_subnet = ""
    if multi:
        wanted = d.get("SecondaryAvailabilityZone") or ""
        other = [(zone, sid) for zone, sid in members if zone != az]
        pick = next(((z, s) for z, s in other if z == wanted), other[0] if other else None)
        if pick:
            standby_az, standby_subnet = pick
    vpc_id = group.get("VpcId") or (subnet_by_id[primary].vpc_id if primary in subnet_by_id else "")
    return DbInstance(
        id=d["DBInstanceIdentifier"],
        engine=d.get("Engine", ""),
        status=d.get("DBInstanceStatus", ""),
        instance_class=d.get("DBInstanceClass", ""),
        multi_az=multi,
        vpc_id=vpc_id,
        subnet_id=primary,
        az=az,
        standby_subnet_id=standby_subnet,
        standby_az=standby_az,
        security_groups=tuple(
            sorted(g["VpcSecurityGroupId"] for g in d.get("VpcSecurityGroups") or [])
        ),
    )
