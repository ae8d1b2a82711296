"""Can traffic get from A to B? A learner-sized VPC Reachability Analyzer.

:func:`reachable` follows one flow (protocol and destination port) from a source to a
destination through the mini cloud's VPC configuration and returns a :class:`Path` that lists
every component met and, when the flow is blocked, the FIRST component that blocks it and why.
Like AWS's Reachability Analyzer it reads configuration only; it sends no packets.

What it models (Amazon VPC User Guide, checked 2026-11):

- a subnet uses its explicitly associated route table, else its VPC's main route table; the
  most specific route wins; the ``local`` route keeps traffic for the VPC's block inside it;
- a subnet is public when its route table sends 0.0.0.0/0 to an internet gateway attached
  to the VPC; an instance needs a public IPv4 address or an Elastic IP as well to talk to the
  internet through it;
- a NAT gateway (sitting in a public subnet) lets instances of private subnets start
  connections to the internet; the internet can never start one through it;
- network ACLs are checked where traffic crosses a subnet boundary, in each direction,
  including the answer on ephemeral ports 1024-65535 (they are stateless); traffic between
  two interfaces of one subnet meets no network ACL;
- security groups are checked on the source interface (outbound) and the destination
  interface (inbound); they are stateful, so answers need no rule.

Not modelled: IPv6, VPC peering, transit gateways, VPC endpoints, prefix lists, Network
Firewall, instance-level firewalls. Routes to those end the path with a sentence saying so.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Network
from typing import Any

from cloudlab.errors import InvalidScenario, UnknownResource
from cloudlab.net.model import ALL, NetworkModel, SecurityGroup, protocol_number, snapshot
from cloudlab.net.path import Hop, Path
from cloudlab.net.rules import (
    INTERNET,
    Flow,
    describe_peer,
    longest_prefix_match,
    nacl_verdict,
    sg_verdict,
)

__all__ = ["Endpoint", "reachable", "resolve"]

_LIVE_STATES = ("running", "pending")


@dataclass(frozen=True)
class Endpoint:
    """One end of a flow, as the analysis sees it.

    Attributes:
        kind: ``"internet"``, ``"instance"``, ``"eni"``, ``"subnet"`` or ``"elb"``.
        id: the id the learner gave (instance id, ENI id, subnet id, LB name) or "internet".
        cidr: its address(es) inside the VPC (a /32; a subnet's block; 0.0.0.0/0 for the
            internet, or the address the learner gave).
        public_ip: its public IPv4 address, if any.
        vpc_id, subnet_id: where it sits (empty for the internet).
        group_ids: its security groups (none for a subnet or the internet).
        eni_id: its network interface, if it has one.
        state: the instance's state ("running", "stopped", ...), if it is an instance.
        internal: a load balancer with the ``internal`` scheme.
    """

    kind: str
    id: str
    cidr: IPv4Network
    public_ip: str | None = None
    vpc_id: str = ""
    subnet_id: str = ""
    group_ids: tuple[str, ...] = ()
    eni_id: str = ""
    state: str = ""
    internal: bool = False
    label: str = ""

    @property
    def on_internet(self) -> bool:
        return self.kind == "internet"

    @property
    def name(self) -> str:
        return self.label or self.id


class _Blocked(Exception):
    def __init__(self, hop: Hop, reason: str) -> None:
        super().__init__(reason)
        self.hop = hop
        self.reason = reason


class _Trace:
    """Hops collected while following one flow; return-traffic checks run after the forward
    hops, so the first blocking hop in the list is the first one that stops the flow."""

    def __init__(self, model: NetworkModel, flow: Flow) -> None:
        self.model = model
        self.flow = flow
        self.hops: list[Hop] = []
        self.returns: list[Callable[[], None]] = []
        self.notes: list[str] = []
        self.blocked: _Blocked | None = None

    def ok(self, kind: str, id_: str, detail: str, direction: str = "forward") -> None:
        self.hops.append(Hop(kind, id_, detail, True, direction))

    def block(self, kind: str, id_: str, detail: str, reason: str,
              direction: str = "forward") -> None:
        hop = Hop(kind, id_, detail, False, direction)
        self.hops.append(hop)
        raise _Blocked(hop, reason)

    # -- components --------------------------------------------------------------------
    def endpoint(self, ep: Endpoint, role: str) -> None:
        if ep.on_internet:
            self.ok("internet", "internet", f"{role}: {describe_peer(ep.cidr)}")
            return
        where = f"private {ep.cidr.network_address}" if ep.cidr.prefixlen == 32 else (
            f"block {ep.cidr}")
        public = f", public {ep.public_ip}" if ep.public_ip else ""
        detail = f"{role}: {where}{public} in {ep.subnet_id}"
        if ep.kind == "instance" and ep.state not in _LIVE_STATES:
            self.block("instance", ep.id, f"the instance is {ep.state}",
                       f"instance {ep.name} is {ep.state}: only a running instance sends or "
                       f"answers traffic; start it with ec2.start_instances(...)")
        self.ok(ep.kind, ep.id, detail)

    def security_groups(self, ep: Endpoint, *, inbound: bool, peer: IPv4Network,
                        peer_groups: tuple[str, ...]) -> None:
        if not ep.group_ids:
            if ep.kind == "elb":
                self.notes.append(f"load balancer {ep.name} has no security groups "
                                  "(a network load balancer can have none): nothing checked")
            elif ep.kind == "subnet":
                self.notes.append(f"{ep.id} is a subnet, which has no security group: only "
                                  "routes and network ACLs were checked for it")
            return
        groups = [self.model.security_groups[g] for g in ep.group_ids
                  if g in self.model.security_groups]
        if not groups:
            groups = [SecurityGroup(g, ep.vpc_id, "", [], []) for g in ep.group_ids]
        verdict = sg_verdict(groups, self.flow, inbound=inbound, peer=peer,
                             peer_groups=peer_groups)
        gid = verdict.group.id if verdict.group else ep.group_ids[0]
        if verdict.allowed:
            self.ok("security-group", gid, verdict.detail)
        else:
            hint = ("add an inbound rule with authorize_security_group_ingress(...)" if inbound
                    else "add an outbound rule with authorize_security_group_egress(...)")
            self.block("security-group", gid, verdict.detail, f"{verdict.sentence}: {hint}")

    def nacl(self, subnet_id: str, flow: Flow, *, egress: bool, peer: IPv4Network,
             direction: str = "forward") -> None:
        acl = self.model.nacl_of(subnet_id)
        if acl is None:
            self.notes.append(f"subnet {subnet_id} has no network ACL in the snapshot")
            return
        verdict = nacl_verdict(acl, flow, egress=egress, peer=peer)
        where = f"{'leaving' if egress else 'entering'} subnet {subnet_id}"
        detail = verdict.detail
        if direction == "return":
            detail = (f"return traffic to the client's ephemeral ports {flow.text}: "
                      f"{verdict.detail}")
        if verdict.allowed:
            self.ok("nacl", acl.id, f"{detail}, {where}", direction)
            return
        if direction == "return":
            reason = (f"network ACL {acl.id} blocks the answer {where}: {verdict.detail}. "
                      f"Network ACLs are stateless, so answers to the client's ephemeral "
                      f"ports ({flow.text}) need their own "
                      f"{'outbound' if egress else 'inbound'} allow rule")
        elif verdict.entry is not None:
            e = verdict.entry
            verb = "allows" if e.action == "allow" else "denies"
            word = "to" if egress else "from"
            reason = (f"network ACL {acl.id} rule {e.label} {verb} {flow.text} {word} "
                      f"{describe_peer(peer)} ({'outbound' if egress else 'inbound'}, {where})")
        else:
            reason = f"network ACL {acl.id} has {verdict.detail} ({where})"
        self.block("nacl", acl.id, detail, reason, direction)

    def return_nacl(self, subnet_id: str, *, egress: bool, peer: IPv4Network) -> None:
        flow = self.flow.return_flow()
        self.returns.append(
            lambda: self.nacl(subnet_id, flow, egress=egress, peer=peer, direction="return"))

    def _vpc_cidrs(self, vpc_id: str) -> tuple[IPv4Network, ...]:
        vpc = self.model.vpcs.get(vpc_id)
        return vpc.cidrs if vpc else ()

    def route(self, subnet_id: str, destination: IPv4Network, purpose: str) -> tuple[str, str]:
        """Look up the route for ``destination`` in the subnet's table.

        Returns (route table id, target). Blocks when there is no route."""
        table = self.model.route_table_of(subnet_id)
        if table is None:
            self.block("route-table", subnet_id, "no route table",
                       f"subnet {subnet_id} has no route table (not even its VPC's main one)")
        assert table is not None
        which = "" if subnet_id in table.subnet_ids else " (the VPC's main route table)"
        route = longest_prefix_match(table, destination)
        dest = describe_peer(destination)
        if route is None:
            if destination.subnet_of(IPv4Network("0.0.0.0/0")) and any(
                    destination.subnet_of(v) for v in self._vpc_cidrs(table.vpc_id)):
                missing = f"{dest}, not even the local route of its VPC"
            elif destination.prefixlen == 0:
                missing = f"{dest}: the subnet is private"
            else:
                missing = f"{dest} and no 0.0.0.0/0 default route: the subnet is private"
            self.block("route-table", table.id, f"no route to {dest} ({purpose})",
                       f"route table {table.id}{which} of subnet {subnet_id} has no route "
                       f"to {missing}")
        assert route is not None
        if route.state != "active":
            self.block("route-table", table.id,
                       f"route {route.destination} -> {route.target} is a blackhole",
                       f"route table {table.id} of subnet {subnet_id} sends {dest} to "
                       f"{route.target}, which no longer exists (blackhole route)")
        self.ok("route-table", table.id,
                f"{route.destination} -> {route.target}{which} ({purpose})")
        return table.id, route.target


def _int_port(port: Any, protocol: str) -> tuple[int, int] | None:
    if protocol in ("6", "17"):
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise InvalidScenario(f"port must be a whole number 0-65535 for tcp and udp, "
                                  f"got {port!r}")
        return (port, port)
    return None


# -- resolving names to endpoints ----------------------------------------------------------
def _hint(kind: str, known: list[str], region: str) -> str:
    listed = ", ".join(sorted(known)[:5]) if known else "none"
    more = " ..." if len(known) > 5 else ""
    return (f"no {kind} {{}} in {region}; {kind}s there: {listed}{more}. Check the id, or pass "
            f"region=... if it lives in another Region")


def resolve(model: NetworkModel, name: str) -> list[Endpoint]:
    """The endpoint(s) a name stands for (a load balancer has one per subnet).

    Args:
        model: the network snapshot.
        name: ``"internet"``, an IPv4 address or block on the internet, an instance id, an ENI
            id, a subnet id, or a load balancer's name or ARN.

    Raises:
        UnknownResource: the name matches nothing in the snapshot (the message lists what
            exists).
    """
    if not isinstance(name, str) or not name.strip():
        raise UnknownResource(f"src and dst must be ids or 'internet', got {name!r}")
    name = name.strip()
    if name.lower() == "internet":
        return [Endpoint("internet", "internet", INTERNET)]
    if name[0].isdigit():
        try:
            block = ipaddress.ip_network(name, strict=False)
        except ValueError:
            block = None
        if isinstance(block, IPv4Network):
            for eni in model.enis.values():
                if eni.private_ip and block.prefixlen == 32 and \
                        str(block.network_address) == eni.private_ip:
                    return [_eni_endpoint(model, eni.id)]
            return [Endpoint("internet", name, block)]
    if name.startswith("i-"):
        inst = model.instances.get(name)
        if inst is None:
            raise UnknownResource(_hint("instance", list(model.instances), model.region)
                                  .format(name))
        primary = model.primary_eni(inst)
        if primary is None:
            raise UnknownResource(f"instance {name} has no network interface (state "
                                  f"{inst.state}); it cannot send or receive traffic")
        ep = _eni_endpoint(model, primary.id)
        return [Endpoint("instance", inst.id, ep.cidr, ep.public_ip, ep.vpc_id, ep.subnet_id,
                         ep.group_ids, primary.id, inst.state, label=inst.label)]
    if name.startswith("eni-"):
        if name not in model.enis:
            raise UnknownResource(_hint("network interface", list(model.enis), model.region)
                                  .format(name))
        return [_eni_endpoint(model, name)]
    if name.startswith("subnet-"):
        subnet = model.subnets.get(name)
        if subnet is None:
            raise UnknownResource(_hint("subnet", list(model.subnets), model.region)
                                  .format(name))
        return [Endpoint("subnet", subnet.id, subnet.cidr, None, subnet.vpc_id, subnet.id)]
    lb = model.load_balancer(name)
    if lb is None:
        names = [b.name for b in model.load_balancers.values()]
        raise UnknownResource(
            f"{name!r} names nothing in {model.region}: give 'internet', an instance id "
            f"(i-...), a network interface id (eni-...), a subnet id (subnet-...) or a load "
            f"balancer name or ARN (load balancers there: {', '.join(names) or 'none'})")
    internal = lb.scheme == "internal"
    return [Endpoint("elb", lb.name, model.subnets[s].cidr,
                     None if internal else "(load balancer node address)", lb.vpc_id, s,
                     lb.group_ids, internal=internal, label=f"{lb.name} ({lb.type})")
            for s in lb.subnet_ids if s in model.subnets]


def _eni_endpoint(model: NetworkModel, eni_id: str) -> Endpoint:
    eni = model.enis[eni_id]
    return Endpoint("eni", eni.id, IPv4Network(f"{eni.private_ip}/32"), eni.public_ip,
                    eni.vpc_id, eni.subnet_id, eni.group_ids, eni.id)


# -- following a flow ----------------------------------------------------------------------
def _public_check(t: _Trace, ep: Endpoint, why: str) -> None:
    if ep.kind == "elb" and ep.internal:
        t.block("elb", ep.id, "internal load balancer: no public address",
                f"load balancer {ep.name} is internal (scheme 'internal'): it has no public "
                f"address, so {why}; create it with Scheme='internet-facing'")
    if ep.kind in ("instance", "eni") and not ep.public_ip:
        what = "instance" if ep.kind == "instance" else "network interface"
        t.block(ep.kind, ep.id, f"the {what} has no public IPv4 address",
                f"the {what} {ep.name} has no public IPv4 address (no auto-assigned public IP "
                f"and no Elastic IP), so {why}; launch it with AssociatePublicIpAddress=True "
                f"or associate an Elastic IP")


def _igw(t: _Trace, ep: Endpoint, what: str) -> str:
    igw = t.model.igw_of(ep.vpc_id)
    if igw is None:
        t.block("igw", ep.vpc_id, f"VPC {ep.vpc_id} has no internet gateway attached",
                f"VPC {ep.vpc_id} has no internet gateway attached: {what}; create one with "
                f"create_internet_gateway() and attach it with attach_internet_gateway(...)")
    assert igw is not None
    return igw.id


def _from_internet(t: _Trace, src: Endpoint, dst: Endpoint) -> None:
    """The internet starts a connection to ``dst`` (in a VPC)."""
    igw_id = _igw(t, dst, "nothing on the internet can reach into it")
    _public_check(t, dst, "the internet cannot address it")
    public = f" to {dst.public_ip}" if dst.public_ip and dst.kind != "elb" else ""
    t.ok("igw", igw_id, f"internet gateway of {dst.vpc_id} forwards traffic{public} into the VPC")
    _, target = t.route(dst.subnet_id, src.cidr,
                        "where the answers to the internet go: the subnet must be public")
    if target.startswith("nat-"):
        t.block("nat", target, "NAT gateways carry only connections started inside the VPC",
                f"subnet {dst.subnet_id} is private: its route table sends internet traffic to "
                f"NAT gateway {target}, and a NAT gateway only carries connections started "
                f"inside the VPC; the internet can never start one through it. Put the "
                f"resource in a public subnet (0.0.0.0/0 -> igw-...) or behind a public load "
                f"balancer")
    if not target.startswith("igw-") or target != igw_id:
        _unfollowed(t, target, dst.subnet_id, "the internet")
    t.nacl(dst.subnet_id, t.flow, egress=False, peer=src.cidr)
    t.return_nacl(dst.subnet_id, egress=True, peer=src.cidr)
    t.security_groups(dst, inbound=True, peer=src.cidr, peer_groups=())


def _unfollowed(t: _Trace, target: str, subnet_id: str, what: str) -> None:
    table = t.model.route_table_of(subnet_id)
    tid = table.id if table else subnet_id
    if target == "local":
        t.block("route-table", tid, f"{what} is inside the VPC's own block",
                f"the address of {what} lies inside the VPC's block, so the local route keeps "
                f"the traffic inside the VPC")
    if target.startswith("igw-"):
        t.block("route-table", tid, f"route to {target}, which is not attached to this VPC",
                f"the route table of subnet {subnet_id} sends the traffic to {target}, which "
                f"is not attached to this VPC")
    t.block("route-table", tid, f"route to {target} (not modelled)",
            f"the route table of subnet {subnet_id} sends traffic for {what} to {target}; "
            f"CloudLab does not follow peering, transit gateway, endpoint or appliance "
            f"routes, so it cannot say whether it arrives")


def _to_internet(t: _Trace, src: Endpoint, dst_cidr: IPv4Network) -> IPv4Network:
    """``src`` (in a VPC) starts a connection to ``dst_cidr`` on the internet.

    Returns the public address the internet sees the traffic coming from."""
    t.security_groups(src, inbound=False, peer=dst_cidr, peer_groups=())
    t.nacl(src.subnet_id, t.flow, egress=True, peer=dst_cidr)
    _, target = t.route(src.subnet_id, dst_cidr, "the way out to the internet")
    if target.startswith("igw-"):
        igw_id = _igw(t, src, "its subnets cannot reach the internet")
        if target != igw_id:
            _unfollowed(t, target, src.subnet_id, "the internet")
        _public_check(t, src, "the internet gateway cannot carry its traffic (it maps only "
                              "public addresses)")
        t.ok("igw", igw_id, f"internet gateway of {src.vpc_id} carries the traffic out")
        t.return_nacl(src.subnet_id, egress=False, peer=dst_cidr)
        seen = src.public_ip if src.public_ip and src.public_ip[0].isdigit() else None
        return IPv4Network(f"{seen}/32") if seen else INTERNET
    if not target.startswith("nat-"):
        _unfollowed(t, target, src.subnet_id, "the internet")
    nat = t.model.nats.get(target)
    if nat is None or nat.state not in ("available", "pending"):
        state = nat.state if nat else "deleted"
        t.block("nat", target, f"NAT gateway is {state}",
                f"NAT gateway {target} is {state}: create a new one and route 0.0.0.0/0 to it")
    assert nat is not None
    if nat.connectivity == "private":
        t.block("nat", nat.id, "private NAT gateway: no internet access",
                f"NAT gateway {nat.id} is private (ConnectivityType 'private'): it cannot "
                f"reach the internet")
    if nat.subnet_id != src.subnet_id:
        t.nacl(nat.subnet_id, t.flow, egress=False, peer=src.cidr)
    t.ok("nat", nat.id, f"NAT gateway in {nat.subnet_id} sends the traffic on from its "
                        f"public address {nat.public_ip}")
    table = t.model.route_table_of(nat.subnet_id)
    route = longest_prefix_match(table, dst_cidr) if table else None
    igw = t.model.igw_of(nat.vpc_id)
    if route is None or igw is None or route.target != igw.id:
        where = (f"its route table {table.id} has no route to the internet gateway"
                 if table else "it has no route table")
        t.block("route-table", table.id if table else nat.subnet_id,
                f"subnet {nat.subnet_id} of the NAT gateway has no route to an internet "
                f"gateway",
                f"NAT gateway {nat.id} sits in subnet {nat.subnet_id}, but {where}: a NAT "
                f"gateway must sit in a public subnet (0.0.0.0/0 -> igw-...)")
    assert table is not None and igw is not None
    t.ok("route-table", table.id, f"{route.destination if route else ''} -> {igw.id} (the NAT "
                                  f"gateway's public subnet)")
    t.nacl(nat.subnet_id, t.flow, egress=True, peer=dst_cidr)
    t.ok("igw", igw.id, f"internet gateway of {nat.vpc_id} carries the traffic out")
    t.return_nacl(nat.subnet_id, egress=False, peer=dst_cidr)
    if nat.subnet_id != src.subnet_id:
        t.return_nacl(nat.subnet_id, egress=True, peer=src.cidr)
        t.return_nacl(src.subnet_id, egress=False, peer=dst_cidr)
    else:
        t.return_nacl(src.subnet_id, egress=False, peer=dst_cidr)
    return IPv4Network(f"{nat.public_ip}/32") if nat.public_ip else INTERNET


def _within_vpc(t: _Trace, src: Endpoint, dst: Endpoint) -> None:
    t.security_groups(src, inbound=False, peer=dst.cidr, peer_groups=dst.group_ids)
    if src.subnet_id == dst.subnet_id:
        t.ok("subnet", src.subnet_id, "both ends are in this subnet: no route table or network "
                                      "ACL is involved (ACLs apply at the subnet boundary)")
    else:
        _, target = t.route(src.subnet_id, dst.cidr, "the way to the destination")
        if target != "local":
            _unfollowed(t, target, src.subnet_id, describe_peer(dst.cidr))
        t.nacl(src.subnet_id, t.flow, egress=True, peer=dst.cidr)
        t.nacl(dst.subnet_id, t.flow, egress=False, peer=src.cidr)
        t.return_nacl(dst.subnet_id, egress=True, peer=src.cidr)
        t.return_nacl(src.subnet_id, egress=False, peer=dst.cidr)
    t.security_groups(dst, inbound=True, peer=src.cidr, peer_groups=src.group_ids)


def _trace(model: NetworkModel, src: Endpoint, dst: Endpoint, flow: Flow) -> _Trace:
    t = _Trace(model, flow)
    try:
        t.endpoint(src, "source")
        if dst.kind == "instance" and dst.state not in _LIVE_STATES:
            t.endpoint(dst, "destination")      # blocks: a stopped instance answers nothing
        if src.on_internet:
            _from_internet(t, src, dst)
        elif dst.on_internet:
            _to_internet(t, src, dst.cidr)
        elif src.vpc_id == dst.vpc_id:
            _within_vpc(t, src, dst)
        else:
            if not dst.public_ip or dst.internal:
                t.block(dst.kind, dst.id, f"in another VPC ({dst.vpc_id}) with no public address",
                        f"{dst.name} is in VPC {dst.vpc_id} and {src.name} in VPC {src.vpc_id}: "
                        f"without a public address on {dst.name} the only ways between VPCs "
                        f"are VPC peering or a transit gateway, which CloudLab does not model")
            dst_public = IPv4Network(f"{dst.public_ip}/32") if dst.public_ip and \
                dst.public_ip[0].isdigit() else INTERNET
            t.notes.append(f"{src.name} and {dst.name} are in different VPCs: the traffic goes "
                           f"out to the internet and back in to the public address of "
                           f"{dst.name}")
            seen_as = _to_internet(t, src, dst_public)
            t.ok("internet", "internet", f"across the internet from {describe_peer(seen_as)} "
                                         f"to {describe_peer(dst_public)}")
            _from_internet(t, Endpoint("internet", "internet", seen_as), dst)
        t.endpoint(dst, "destination")
        for check in t.returns:
            check()
    except _Blocked as blocked:
        t.blocked = blocked
    return t


def reachable(cloud: Any, src: str, dst: str, port: int | None = None, protocol: str = "tcp",
              *, region: str | None = None, model: NetworkModel | None = None) -> Path:
    """Whether ``src`` can open a connection to ``dst`` on ``protocol``/``port``.

    Args:
        cloud: the :class:`cloudlab.Cloud` to read (ignored when ``model`` is given).
        src: ``"internet"``, an IPv4 address or block on the internet (``"203.0.113.7"``),
            an instance id, an ENI id, a subnet id, or a load balancer's name or ARN.
        dst: the same kinds as ``src``.
        port: destination port (required for tcp and udp).
        protocol: ``"tcp"`` (default), ``"udp"``, ``"icmp"``, ``"-1"``/``"all"``, or an IANA
            protocol number.
        region: Region to read (default: the cloud's).
        model: a :class:`NetworkModel` read earlier (``NetworkModel.from_cloud(cloud)``).
            Without it, the Region's cached snapshot is used; it is read again after any
            call that changes EC2, ELB or Auto Scaling resources (see
            :func:`cloudlab.net.model.snapshot`).

    Returns:
        A :class:`Path`: ``reachable``, the hops in order, the first blocking hop and why.

    Raises:
        UnknownResource: ``src`` or ``dst`` names nothing in the Region.
        InvalidScenario: a bad port or protocol, or both ends on the internet.

    Example:
        >>> path = reachable(cloud, "internet", "i-0abc", 443)       # doctest: +SKIP
        >>> path.reachable                                           # doctest: +SKIP
        True
    """
    proto = protocol_number(protocol)
    if proto != ALL and not proto.isdigit():
        raise InvalidScenario(f"protocol must be 'tcp', 'udp', 'icmp', 'all' or an IANA "
                              f"number, got {protocol!r}")
    flow = Flow(proto, _int_port(port, proto))
    if model is None:
        model = snapshot(cloud, region)
    sources, destinations = resolve(model, src), resolve(model, dst)
    if sources and destinations and sources[0].on_internet and destinations[0].on_internet:
        raise InvalidScenario(f"src {src!r} and dst {dst!r} are both on the internet: at least "
                              f"one end must be in the mini cloud (an instance, ENI, subnet or "
                              f"load balancer)")
    if not sources or not destinations:
        which = src if not sources else dst
        raise UnknownResource(f"load balancer {which!r} has no subnets in the snapshot")
    first: _Trace | None = None
    for s in sources:
        for d in destinations:
            t = _trace(model, s, d, flow)
            if t.blocked is None:
                return _path(t, src, dst, port, protocol)
            first = first or t
    assert first is not None
    return _path(first, src, dst, port, protocol)


def _path(t: _Trace, src: str, dst: str, port: int | None, protocol: str) -> Path:
    blocked = t.blocked
    proto_name = str(protocol).lower()
    if blocked is None:
        layers = sorted({h.kind for h in t.hops if h.kind in
                         ("route-table", "nacl", "security-group", "nat", "igw")})
        reason = (f"every component lets {t.flow.text} through"
                  + (f" ({', '.join(layers)} checked)" if layers else ""))
        return Path(True, t.hops, None, reason, src, dst, port, proto_name, t.notes)
    return Path(False, t.hops, blocked.hop, blocked.reason, src, dst, port, proto_name,
                t.notes)
