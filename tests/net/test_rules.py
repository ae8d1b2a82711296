"""Rule evaluation on plain objects: network ACL order, security-group union, longest prefix,
checked against straightforward reference implementations with Hypothesis."""

from __future__ import annotations

from ipaddress import IPv4Network

from hypothesis import given
from hypothesis import strategies as st

from cloudlab.net.model import NaclEntry, NetworkAcl, Route, RouteTable, SecurityGroup, SgRule
from cloudlab.net.rules import Flow, longest_prefix_match, nacl_verdict, sg_verdict

BLOCKS = [IPv4Network(c) for c in ("0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24",
                                   "10.1.2.3/32", "192.168.0.0/16")]
PEERS = [IPv4Network(c) for c in ("10.1.2.3/32", "10.9.9.9/32", "192.168.1.1/32",
                                  "0.0.0.0/0", "10.1.0.0/16")]

entries = st.builds(
    lambda n, action, cidr, proto, lo, span: NaclEntry(
        n, False, proto, action, cidr, None if proto == "-1" else lo,
        None if proto == "-1" else min(lo + span, 65535)),
    st.integers(1, 32766), st.sampled_from(["allow", "deny"]), st.sampled_from(BLOCKS),
    st.sampled_from(["-1", "6", "17"]), st.integers(0, 65535), st.integers(0, 2000))


def _matches(r: NaclEntry, flow: Flow, peer: IPv4Network) -> bool:
    proto_ok = r.protocol in ("-1", flow.protocol)
    ports_ok = r.port_from is None or (
        flow.ports is not None and r.port_from <= flow.ports[0]
        and flow.ports[1] <= (r.port_to or 0))
    return r.cidr is not None and peer.subnet_of(r.cidr) and proto_ok and ports_ok


def _reference(rules: list[NaclEntry], flow: Flow, peer: IPv4Network) -> bool:
    for r in sorted(rules, key=lambda e: e.rule_number):
        if _matches(r, flow, peer):
            return r.action == "allow"
    return False


@given(rules=st.lists(entries, max_size=8, unique_by=lambda e: e.rule_number),
       port=st.integers(0, 65535), proto=st.sampled_from(["6", "17"]),
       peer=st.sampled_from(PEERS))
def test_nacl_first_match_by_rule_number(rules: list[NaclEntry], port: int, proto: str,
                                         peer: IPv4Network) -> None:
    acl = NetworkAcl("acl-1", "vpc-1", list(rules))
    flow = Flow(proto, (port, port))
    verdict = nacl_verdict(acl, flow, egress=False, peer=peer)
    assert verdict.allowed == _reference(rules, flow, peer)
    if verdict.entry is not None:
        assert f"rule {verdict.entry.rule_number}" in verdict.detail
        earlier = [r for r in rules if r.rule_number < verdict.entry.rule_number]
        assert not any(_matches(r, flow, peer) for r in earlier)
    else:
        assert "final * rule denies" in verdict.detail


sg_rules = st.builds(
    lambda proto, lo, span, cidr: SgRule(proto, None if proto == "-1" else lo,
                                         None if proto == "-1" else min(lo + span, 65535),
                                         (cidr,)),
    st.sampled_from(["-1", "6", "17"]), st.integers(0, 65535), st.integers(0, 100),
    st.sampled_from(BLOCKS))


@given(groups=st.lists(st.lists(sg_rules, max_size=4), min_size=1, max_size=3),
       port=st.integers(0, 65535), peer=st.sampled_from(PEERS))
def test_security_groups_allow_the_union_of_their_rules(groups: list[list[SgRule]], port: int,
                                                        peer: IPv4Network) -> None:
    sgs = [SecurityGroup(f"sg-{i}", "vpc-1", f"g{i}", rules, []) for i, rules in
           enumerate(groups)]
    flow = Flow("6", (port, port))
    expected = any(
        r.protocol in ("-1", "6") and (r.port_from is None or
                                       r.port_from <= port <= (r.port_to or 0))
        and peer.subnet_of(r.cidrs[0]) for rules in groups for r in rules)
    assert sg_verdict(sgs, flow, inbound=True, peer=peer).allowed == expected
    # order of the groups never matters
    assert sg_verdict(sgs[::-1], flow, inbound=True, peer=peer).allowed == expected


def test_security_group_reference_needs_membership() -> None:
    db = SecurityGroup("sg-db", "vpc-1", "db", [SgRule("6", 5432, 5432, group_ids=("sg-web",))],
                       [])
    flow = Flow("6", (5432, 5432))
    peer = IPv4Network("10.0.1.4/32")
    assert sg_verdict([db], flow, inbound=True, peer=peer, peer_groups=("sg-web",)).allowed
    miss = sg_verdict([db], flow, inbound=True, peer=peer, peer_groups=("sg-app",))
    assert not miss.allowed
    assert miss.sentence == ("security group sg-db (db) has no inbound rule for tcp/5432 from "
                             "10.0.1.4 or from members of sg-app")


@given(dest=st.sampled_from(PEERS + [IPv4Network("10.1.2.0/25")]))
def test_longest_prefix_match(dest: IPv4Network) -> None:
    table = RouteTable("rtb-1", "vpc-1", [Route(b, f"t{b.prefixlen}") for b in BLOCKS[:5]])
    route = longest_prefix_match(table, dest)
    containing = [b for b in BLOCKS[:5] if dest.subnet_of(b)]
    assert route is not None and route.destination == max(containing, key=lambda b: b.prefixlen)


def test_no_route_without_a_containing_block() -> None:
    table = RouteTable("rtb-1", "vpc-1", [Route(IPv4Network("10.0.0.0/16"), "local")])
    assert longest_prefix_match(table, IPv4Network("0.0.0.0/0")) is None
    assert longest_prefix_match(table, IPv4Network("8.8.8.8/32")) is None
