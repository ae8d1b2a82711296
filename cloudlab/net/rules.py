"""How one security group set, network ACL or route table decides about one flow, in words.

Semantics (Amazon VPC User Guide, "Security group rules", "Control subnet traffic with
network ACLs", "Configure route tables", checked 2026-11):

- Security groups are stateful and allow-only: traffic passes when ANY rule of ANY group on
  the interface allows it (a rule by CIDR, or by a referenced group the peer's interface is a
  member of); the answer to allowed traffic always passes. Protocol ``-1`` means all.
- Network ACLs are stateless: inbound and outbound rules are evaluated separately, lowest rule
  number first, the first matching rule decides, and the final ``*`` rule denies everything
  else. Answers travel back to the client's ephemeral port (1024-65535), so the ACL must
  allow that too.
- Route tables pick the most specific route (longest prefix) containing the destination.

A flow's peer is a CIDR (one address is a /32; "the internet" is 0.0.0.0/0). A rule counts
only when its block contains the whole peer block, so "from the internet" needs a rule for
0.0.0.0/0; ask about one address (``"203.0.113.7"``) to check a narrower rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network

from cloudlab.net.model import (
    ALL,
    PROTOCOL_NAMES,
    NaclEntry,
    NetworkAcl,
    Route,
    RouteTable,
    SecurityGroup,
    SgRule,
)

__all__ = [
    "EPHEMERAL_PORTS",
    "Flow",
    "NaclVerdict",
    "SgVerdict",
    "describe_peer",
    "longest_prefix_match",
    "nacl_verdict",
    "sg_verdict",
]

EPHEMERAL_PORTS = (1024, 65535)
"""Client ports answers return to; AWS suggests NACL rules cover 1024-65535."""

INTERNET = IPv4Network("0.0.0.0/0")


@dataclass(frozen=True)
class Flow:
    """One direction of traffic as a rule sees it: protocol, destination ports, peer block."""

    protocol: str                       # IANA number as text, "-1" for all
    ports: tuple[int, int] | None       # destination port range; None: no ports (all, icmp)

    @property
    def text(self) -> str:
        """``"tcp 22"``, ``"tcp 1024-65535"``, ``"all traffic"``."""
        name = PROTOCOL_NAMES.get(self.protocol, f"protocol {self.protocol}")
        if self.ports is None:
            return name
        lo, hi = self.ports
        return f"{name} {lo}" if lo == hi else f"{name} {lo}-{hi}"

    @property
    def slash(self) -> str:
        """``"tcp/22"`` (as learners write it in security-group messages)."""
        return self.text.replace(" ", "/", 1) if self.ports else self.text

    def return_flow(self) -> Flow:
        """The answer's flow: back to the client's ephemeral ports (none for icmp / all)."""
        return Flow(self.protocol, EPHEMERAL_PORTS if self.ports is not None else None)


def describe_peer(cidr: IPv4Network) -> str:
    """``"0.0.0.0/0"``, ``"10.0.1.4"`` (a /32 as an address), ``"10.0.1.0/24"``."""
    return str(cidr.network_address) if cidr.prefixlen == 32 else str(cidr)


def _covers(lo: int | None, hi: int | None, ports: tuple[int, int] | None) -> bool:
    if lo is None or hi is None or (lo == -1 and hi == -1):
        return True          # the rule has no port restriction
    if ports is None:
        return lo <= 0 and hi >= 65535
    return lo <= ports[0] and ports[1] <= hi


def _protocol_matches(rule_protocol: str, flow: Flow) -> bool:
    return rule_protocol == ALL or rule_protocol == flow.protocol


# -- security groups -----------------------------------------------------------------------
@dataclass(frozen=True)
class SgVerdict:
    allowed: bool
    group: SecurityGroup | None      # the allowing group, or the first group when blocked
    detail: str                      # short, for the hop
    sentence: str = ""               # names the group(s), for the path's reason


def _rule_text(rule: SgRule, matched_by: str) -> str:
    proto = PROTOCOL_NAMES.get(rule.protocol, rule.protocol)
    if rule.protocol == ALL:
        what = "all traffic"
    elif rule.port_from is None:
        what = f"{proto} (all ports)"
    elif rule.port_from == rule.port_to:
        what = f"{proto} {rule.port_from}"
    else:
        what = f"{proto} {rule.port_from}-{rule.port_to}"
    return f"{what} {matched_by}"


def sg_verdict(groups: Sequence[SecurityGroup], flow: Flow, *, inbound: bool,
               peer: IPv4Network, peer_groups: Sequence[str] = ()) -> SgVerdict:
    """Whether any rule of ``groups`` allows ``flow`` from (inbound) or to (outbound) ``peer``.

    Args:
        groups: the security groups of the interface being checked.
        flow: protocol and destination ports.
        inbound: check ingress rules (True) or egress rules (False).
        peer: the other end's address block.
        peer_groups: security groups of the other end's interface (for rules that reference
            a group); empty when the peer is on the internet or reached through a public IP.
    """
    direction = "inbound" if inbound else "outbound"
    word = "from" if inbound else "to"
    for group in groups:
        for rule in group.ingress if inbound else group.egress:
            if not (_protocol_matches(rule.protocol, flow)
                    and _covers(rule.port_from, rule.port_to, flow.ports)):
                continue
            cidr = next((c for c in rule.cidrs if peer.subnet_of(c)), None)
            if cidr is not None:
                how = _rule_text(rule, f"{word} {cidr}")
                return SgVerdict(True, group, f"{group.label} allows {direction} {how}")
            ref = next((g for g in rule.group_ids if g in peer_groups), None)
            if ref is not None:
                how = _rule_text(rule, f"{word} members of {ref}")
                extra = f" ({rule.note})" if rule.note else ""
                return SgVerdict(True, group, f"{group.label} allows {direction} {how}{extra}")
    labels = ", ".join(g.label for g in groups)
    noun = "security group" if len(groups) == 1 else "security groups"
    verb = "has" if len(groups) == 1 else "have"
    via = ""
    if peer_groups:
        via = f" or from members of {', '.join(peer_groups)}" if inbound else (
            f" or to members of {', '.join(peer_groups)}")
    detail = f"no {direction} rule for {flow.slash} {word} {describe_peer(peer)}{via}"
    return SgVerdict(False, groups[0] if groups else None, detail,
                     f"{noun} {labels} {verb} {detail}")


# -- network ACLs --------------------------------------------------------------------------
@dataclass(frozen=True)
class NaclVerdict:
    allowed: bool
    entry: NaclEntry | None          # the deciding rule (None: nothing matched)
    detail: str


def _entry_matches(entry: NaclEntry, flow: Flow, peer: IPv4Network) -> bool:
    if entry.cidr is None or not peer.subnet_of(entry.cidr):
        return False
    if not _protocol_matches(entry.protocol, flow):
        return False
    if entry.protocol in ("6", "17"):
        return _covers(entry.port_from, entry.port_to, flow.ports)
    return True


def nacl_verdict(acl: NetworkAcl, flow: Flow, *, egress: bool, peer: IPv4Network
                 ) -> NaclVerdict:
    """First matching rule of ``acl`` in one direction, lowest rule number first."""
    word = "to" if egress else "from"
    direction = "outbound" if egress else "inbound"
    for entry in acl.rules(egress=egress):
        if _entry_matches(entry, flow, peer):
            verb = "allows" if entry.action == "allow" else "denies"
            return NaclVerdict(
                entry.action == "allow", entry,
                f"{direction} rule {entry.label} {verb} {flow.text} {word} {describe_peer(peer)}")
    return NaclVerdict(
        False, None,
        f"no {direction} rule matches {flow.text} {word} {describe_peer(peer)}, so the final "
        f"* rule denies it")


# -- route tables --------------------------------------------------------------------------
def longest_prefix_match(table: RouteTable, destination: IPv4Network) -> Route | None:
    """The most specific route whose block contains the whole destination block."""
    best: Route | None = None
    for route in table.routes:
        if destination.subnet_of(route.destination) and (
                best is None or route.destination.prefixlen > best.destination.prefixlen):
            best = route
    return best
