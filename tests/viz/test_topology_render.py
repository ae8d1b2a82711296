"""render_topology_svg: deterministic, readable at 90 instances, never colour alone."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_topology_support import FakeHop, FakePath, hand_model

from cloudlab.viz import render_topology_svg
from cloudlab.viz.topology_layout import HEALTH_STYLES, STATE_STYLES

NS = "{http://www.w3.org/2000/svg}"
SVG_BUDGET_BYTES = 200_000  # 90 instances, plus gateways, LB, groups


def _tiles(svg: str, prefix: str = "i-") -> set[str]:
    return set(re.findall(rf'<g data-id="({prefix}[^"]+)" class="cltopo-tile"', svg))


def test_svg_is_well_formed_and_accessible() -> None:
    svg = render_topology_svg(hand_model(azs=2, rows=2, per_subnet=2))
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg" and root.get("role") == "img"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and title.text == "Network topology of us-east-1"
    assert desc is not None and desc.text
    assert "us-east-1a: public subnet 10.0.1.0/24: 2 instances (2 running)" in desc.text
    assert root.get("aria-labelledby", "").split() == [title.get("id"), desc.get("id")]


def test_same_model_same_bytes_and_different_models_differ() -> None:
    model = hand_model(azs=2, rows=2, per_subnet=3)
    assert render_topology_svg(model) == render_topology_svg(
        hand_model(azs=2, rows=2, per_subnet=3)
    )
    changed = hand_model(azs=2, rows=2, per_subnet=3)
    changed.instances[0] = replace(changed.instances[0], state="stopped")
    assert render_topology_svg(changed) != render_topology_svg(model)


def test_ninety_instances_all_drawn_compact_and_within_budget() -> None:
    model = hand_model(azs=3, rows=3, per_subnet=10)
    svg = render_topology_svg(model, show_security_groups=True)
    assert _tiles(svg) == {i.id for i in model.instances}
    assert len(svg.encode()) < SVG_BUDGET_BYTES
    root = ET.fromstring(svg)
    assert int(root.get("width", 0)) == 960 and int(root.get("height", 0)) < 2000
    # every instance has its full name in a tooltip even when the tile shows it cut
    for inst in model.instances:
        assert f"<title>{inst.name} ({inst.id})" in svg


def test_long_names_are_cut_with_the_full_name_in_the_tooltip() -> None:
    model = hand_model(azs=3, rows=1, per_subnet=1)
    long = "checkout-service-blue-green-canary-007"
    model.instances[0] = replace(model.instances[0], name=long)
    svg = render_topology_svg(model)
    assert f"<title>{long} (" in svg
    shown = re.findall(r'font-weight="bold" fill="#24292f">([^<]*)</text>', svg)
    cut = [s for s in shown if "…" in s and s.endswith("-007")]
    assert cut and all(len(s) < len(long) for s in cut)


def test_subnets_say_public_or_private_in_words() -> None:
    svg = render_topology_svg(hand_model(azs=2, rows=2, per_subnet=0))
    assert svg.count(">PUBLIC subnet") == 2 and svg.count(">PRIVATE subnet") == 2


@pytest.mark.parametrize("state", ["running", "pending", "stopping", "stopped", "terminated"])
def test_states_have_a_text_marker_not_only_a_colour(state: str) -> None:
    model = hand_model(azs=1, rows=1, per_subnet=1)
    model.instances[0] = replace(model.instances[0], state=state)
    marker = STATE_STYLES[state][0]
    assert f">{marker} {state}</text>" in render_topology_svg(model)


def test_health_shows_marker_and_word_and_rejects_unknown_states() -> None:
    model = hand_model(azs=1, rows=1, per_subnet=3)
    ids = [i.id for i in model.instances]
    svg = render_topology_svg(
        model, health={ids[0]: "unhealthy", ids[1]: "healthy", ids[2]: "draining"}
    )
    for state in ("unhealthy", "healthy", "draining"):
        assert f">{HEALTH_STYLES[state][0]} {state}</text>" in svg
    assert ">✕ unhealthy</text>" in svg
    with pytest.raises(ValueError, match=r"health of i-\S+ must be one of healthy, .*got 'ok'"):
        render_topology_svg(model, health={ids[0]: "ok"})


def test_gateways_load_balancer_and_database_are_drawn() -> None:
    from cloudlab.viz.topology_model import DbInstance

    model = hand_model(azs=2, rows=2, per_subnet=1)
    model.db_instances.append(
        DbInstance(
            "orders-db",
            "postgres",
            "available",
            "db.t3.micro",
            True,
            "vpc-0001",
            "subnet-0002",
            "us-east-1a",
            "subnet-0004",
            "us-east-1b",
            ("sg-app",),
        )
    )
    svg = render_topology_svg(model)
    assert "⇅ IGW igw-0001" in svg and ">Internet</text>" in svg
    assert ">⇄ NAT gw</text>" in svg
    lb = model.load_balancers[0]
    assert svg.count(f'data-id="{lb.arn}"') == 3  # the spanning bar and one node per subnet
    assert "⇆ ALB shop-alb · internet-facing · ● active · AZs 1a, 1b" in svg
    assert ">▤ DB primary</text>" in svg and ">▤ DB standby</text>" in svg


def test_security_group_arrows_only_on_demand() -> None:
    model = hand_model(azs=2, rows=2, per_subnet=2)
    plain = render_topology_svg(model)
    assert "marker-end" not in plain.split("</defs>")[1]
    svg = render_topology_svg(model, show_security_groups=True)
    assert ">0.0.0.0/0</text>" in svg  # the CIDR source pill
    assert "R1  into app (sg-app): tcp 8080 from members of web (sg-web)" in svg
    assert "R2  into web (sg-web): tcp 443 from 0.0.0.0/0" in svg
    assert ">R1 tcp 8080" in svg and ">R2 tcp 443" in svg  # arrow labels
    assert svg.count('<path d="M') > plain.count('<path d="M')


def test_highlight_outlines_hops_in_order_and_badges_the_block() -> None:
    model = hand_model(azs=2, rows=2, per_subnet=1)
    target = next(i for i in model.instances if i.subnet_id == "subnet-0002")
    hops = [
        FakeHop("internet", "internet"),
        FakeHop("igw", "igw-0001"),
        FakeHop("route-table", "rtb-main"),
        FakeHop("nacl", "acl-0001", "rule 100 deny tcp 22 from 0.0.0.0/0"),
        FakeHop("subnet", "subnet-0002"),
        FakeHop("security-group", "sg-app"),
        FakeHop("instance", target.id),
    ]
    path = FakePath(False, hops, hops[3], "blocked by nacl acl-0001 rule 100")
    svg = render_topology_svg(model, highlight=path)
    for n in range(1, 8):
        assert f"<title>step {n}: {hops[n - 1].kind} {hops[n - 1].id}</title>" in svg
    assert "✕ blocked here: nacl acl-0001" in svg
    assert "rule 100 deny tcp 22 from 0.0.0.0/0" in svg
    assert "Path: not reachable: blocked by nacl acl-0001 rule 100" in svg
    assert 'stroke="#cf222e" stroke-width="4"' in svg  # the blocking hop
    assert 'stroke-dasharray="6 4"' in svg  # hops after the block: not reached
    assert "Highlighted path blocked by nacl acl-0001." in svg


def test_reachable_highlight_has_no_block_badge() -> None:
    model = hand_model(azs=1, rows=1, per_subnet=1)
    iid = model.instances[0].id
    hops = [
        FakeHop("internet", "internet"),
        FakeHop("igw", "igw-0001"),
        FakeHop("eni", f"eni-{iid[2:]}"),
    ]
    svg = render_topology_svg(model, highlight=FakePath(True, hops))
    assert "blocked here" not in svg and "Path: reachable in 3 steps." in svg
    assert "Not drawn" not in svg  # the ENI resolved to its instance tile


def test_unknown_hops_are_listed_not_drawn() -> None:
    model = hand_model(azs=1, rows=1, per_subnet=1)
    svg = render_topology_svg(model, highlight=FakePath(True, [FakeHop("instance", "i-gone")]))
    assert "Not drawn (not in this picture): instance i-gone" in svg


def test_highlight_of_something_else_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="highlight needs a reachability path with .hops, got str"):
        render_topology_svg(hand_model(azs=1, rows=1, per_subnet=0), highlight="i-123")


def test_too_narrow_is_refused() -> None:
    with pytest.raises(ValueError, match="width_px must be >= 480 .* got 300"):
        render_topology_svg(hand_model(azs=1, rows=1, per_subnet=0), width_px=300)


def test_empty_region_says_what_to_do() -> None:
    from cloudlab.viz import TopologyModel

    svg = render_topology_svg(TopologyModel(region="eu-west-1"))
    assert "No VPC yet" in svg and "Network topology of eu-west-1" in svg


@given(st.text(min_size=1, max_size=40))
def test_any_name_is_escaped(name: str) -> None:
    model = hand_model(azs=1, rows=1, per_subnet=1)
    model.instances[0] = replace(model.instances[0], name=name)
    ET.fromstring(render_topology_svg(model).encode("utf-8", "surrogatepass"))


def test_script_in_a_name_stays_text() -> None:
    model = hand_model(azs=1, rows=1, per_subnet=1)
    model.instances[0] = replace(model.instances[0], name="<script>alert(1)</script>")
    svg = render_topology_svg(model)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
