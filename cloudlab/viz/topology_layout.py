"""Static network diagram: a :class:`TopologyModel` drawn as a deterministic SVG string.

This module owns :func:`render_topology_svg`. It lays the picture out itself instead of
calling a graph library, because the picture is not a general graph: it is nested boxes
(Region > VPC > Availability Zone columns > subnet rows, public rows above private rows
> resource tiles) that a few lines of arithmetic place exactly. Graphviz would need a
binary in the learner's image and, as a force/rank layout, does not keep AZs as aligned
columns; JavaScript layout engines would make the static form (book, GitHub, nbval)
depend on a browser. Our own layout is pure Python, needs nothing installed, and gives
byte-identical SVG for the same model.

What the diagram shows, and how (colour is never the only signal):

- subnets say ``PUBLIC`` or ``PRIVATE`` in words (and are tinted green or blue);
- every tile carries a text marker for its state: ``● running``, ``◐ pending``,
  ``■ stopped``, ``⊘ terminated``...; load-balancer target health (``health=``) adds
  ``✓ healthy``, ``✕ unhealthy``, ``◌ initial`` or ``⇣ draining``;
- the internet gateway sits on the VPC's top edge, linked to an "Internet" pill; NAT
  gateways are tiles in their subnet; a load balancer is a bar spanning the AZ columns
  it serves plus a "LB node" tile in each of its subnets; RDS instances are tiles in
  their subnet, a Multi-AZ one with a dashed "standby" tile in a second AZ;
- many instances stay readable: tiles are compact and wrap in rows, long names are
  cut with "…" and the full text is in the tile's ``<title>`` tooltip;
- ``show_security_groups=True`` adds inbound-rule arrows (from a CIDR pill or from the
  source group's members to the target group's members), labelled ``R1 tcp 80`` and
  listed in words under the diagram;
- ``highlight=path`` (a reachability path: ``.hops`` with ``.kind`` and ``.id``,
  ``.blocked_by``, ``.reachable``) outlines the hops in order with numbered badges,
  solid up to the block and dashed after it, and puts a red "blocked here" badge with
  text on the blocking component.

The SVG has ``role="img"``, a ``<title>`` and a ``<desc>`` that counts resources per AZ
and subnet, for screen readers. Clickable parts carry ``data-id`` (the widget uses it).

Example:
    >>> svg = render_topology_svg(TopologyModel.from_cloud(cloud))   # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from cloudlab.viz.topology_model import (
    DbInstance,
    Instance,
    Subnet,
    TopologyModel,
    Vpc,
)

__all__ = [
    "DEFAULT_WIDTH_PX",
    "HEALTH_STYLES",
    "STATE_STYLES",
    "render_topology_svg",
]

#: Default diagram width in CSS pixels.
DEFAULT_WIDTH_PX = 960

FONT = "'DejaVu Sans', system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"

#: state -> (marker, stroke colour, fill colour). Unknown states use "unknown".
STATE_STYLES: dict[str, tuple[str, str, str]] = {
    "running": ("●", "#1a7f37", "#e6f6ea"),
    "available": ("●", "#1a7f37", "#e6f6ea"),
    "active": ("●", "#1a7f37", "#e6f6ea"),
    "pending": ("◐", "#9a6700", "#fff5cc"),
    "provisioning": ("◐", "#9a6700", "#fff5cc"),
    "creating": ("◐", "#9a6700", "#fff5cc"),
    "backing-up": ("◐", "#9a6700", "#fff5cc"),
    "modifying": ("◐", "#9a6700", "#fff5cc"),
    "rebooting": ("◐", "#9a6700", "#fff5cc"),
    "stopping": ("◑", "#57606a", "#eef1f4"),
    "shutting-down": ("◑", "#57606a", "#eef1f4"),
    "deleting": ("◑", "#57606a", "#eef1f4"),
    "stopped": ("■", "#57606a", "#e4e7eb"),
    "terminated": ("⊘", "#8c959f", "#f6f8fa"),
    "deleted": ("⊘", "#8c959f", "#f6f8fa"),
    "failed": ("✕", "#cf222e", "#ffebe9"),
    "active_impaired": ("✕", "#cf222e", "#ffebe9"),
    "unknown": ("?", "#57606a", "#f6f8fa"),
}

#: target health -> (marker, colour); the ELB ``TargetHealth.State`` values.
HEALTH_STYLES: dict[str, tuple[str, str]] = {
    "healthy": ("✓", "#1a7f37"),
    "unhealthy": ("✕", "#cf222e"),
    "initial": ("◌", "#9a6700"),
    "draining": ("⇣", "#0550ae"),
    "unused": ("–", "#57606a"),
    "unavailable": ("?", "#57606a"),
}

# kinds of non-instance tiles: (stroke, fill)
_NAT = ("#0a6e7a", "#e0f4f6")
_LB = ("#8250df", "#f6efff")
_DB = ("#0550ae", "#e3f0ff")
_IGW = ("#0a6e7a", "#ffffff")
_PUBLIC = ("#2f855a", "#f1faf3")
_PRIVATE = ("#2f5f9e", "#f0f5fc")
_PATH = "#0969da"
_BLOCK = "#cf222e"
_RULE_COLOURS = (
    "#bc4c00",
    "#0969da",
    "#8250df",
    "#1a7f37",
    "#bf3989",
    "#0a6e7a",
    "#6e5600",
    "#57606a",
)
_RULE_DASHES = ("", "6 3", "2 3", "8 3 2 3")

M = 10  # outer margin
GAP = 4  # between tiles
TILE_MIN_W = 90
TILE_H = 44
COL_GAP = 10
SUBNET_HEAD = 32
CHAR_W = 0.6  # average glyph width of DejaVu Sans, in ems (used to cut long names)


def _n(x: float) -> str:
    """A coordinate: integers without a decimal point, others with one decimal."""
    r = round(x, 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


def _fit(text: str, width_px: float, font_px: float) -> str:
    """``text`` cut with "…" so it fits in ``width_px`` at ``font_px``."""
    limit = max(1, int(width_px / (font_px * CHAR_W)))
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


def _fit_mid(text: str, width_px: float, font_px: float) -> str:
    """Like :func:`_fit` but cut in the middle, keeping the end (``web-s…er-a7``): numbered
    names differ at the end."""
    limit = max(3, int(width_px / (font_px * CHAR_W)))
    if len(text) <= limit:
        return text
    tail = (limit - 1) // 2
    return text[: limit - 1 - tail] + "…" + text[len(text) - tail :]


# characters XML 1.0 does not allow (tags may hold anything a learner typed)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _esc(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text), quote=True)


def _short(resource_id: str) -> str:
    """``i-0123456789abcdef0`` -> ``i-…cdef0`` for tight spots (full id stays in tooltips)."""
    head, sep, tail = resource_id.partition("-")
    return f"{head}-…{tail[-5:]}" if sep and len(tail) > 8 else resource_id


@dataclass
class _Box:
    x: float
    y: float
    w: float
    h: float
    subnet: str = ""

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class _Tile:
    id: str  # data-id (instance id, LB ARN, DB id, NAT id)
    key: str  # unique per tile (a DB has a primary and a standby tile)
    lines: tuple[str, str, str]
    stroke: str
    fill: str
    tooltip: str
    dashed: bool = False
    faded: bool = False
    line3_colour: str = "#24292f"


@dataclass
class _Canvas:
    """Where things ended up: boxes by id, for arrows and highlights."""

    tiles: dict[str, list[_Box]] = field(default_factory=dict)  # id -> tile boxes
    subnets: dict[str, _Box] = field(default_factory=dict)
    vpcs: dict[str, _Box] = field(default_factory=dict)
    igws: dict[str, _Box] = field(default_factory=dict)
    lbs: dict[str, _Box] = field(default_factory=dict)  # ARN and name -> bar
    pills: dict[str, _Box] = field(default_factory=dict)  # "internet", CIDRs, sg ids
    body: list[str] = field(default_factory=list)
    overlay: list[str] = field(default_factory=list)


def render_topology_svg(
    model: TopologyModel,
    *,
    show_security_groups: bool = False,
    highlight: Any = None,
    health: Mapping[str, str] | None = None,
    width_px: int = DEFAULT_WIDTH_PX,
    title: str | None = None,
    selected: str = "",
) -> str:
    """Draw ``model`` as a standalone SVG document (same input, same bytes).

    Args:
        model: what to draw (see :meth:`TopologyModel.from_cloud`).
        show_security_groups: add inbound security-group rules as labelled arrows.
        highlight: a reachability path (``.hops`` with ``.kind``/``.id``, ``.blocked_by``,
            ``.reachable``, optional ``.reason``) to outline, or ``None``.
        health: target health per instance id (``"healthy"``, ``"unhealthy"``,
            ``"initial"``, ``"draining"``, ``"unused"``, ``"unavailable"``).
        width_px: width of the diagram in CSS pixels (at least 480).
        title: heading; default ``"Network topology of <region>"``.
        selected: id of a resource to outline as selected (the widget's click).

    Returns:
        The SVG document as a string.

    Raises:
        ValueError: ``width_px`` below 480, or a health value that is not a known state.
    """
    if width_px < 480:
        raise ValueError(f"width_px must be >= 480 (room for the AZ columns), got {width_px}")
    health = dict(health or {})
    for rid, state in sorted(health.items()):
        if state not in HEALTH_STYLES:
            raise ValueError(
                f"health of {rid} must be one of {', '.join(HEALTH_STYLES)}, got {state!r}"
            )
    heading = title if title is not None else f"Network topology of {model.region}"
    cv = _Canvas()
    W = float(width_px)

    # header: title, summary, then the Internet pill (and CIDR pills for SG rules)
    cv.body.append(
        f'<text x="{M}" y="20" font-size="15" font-weight="bold" fill="#24292f">'
        f"{_esc(_fit(heading, W - 2 * M, 15))}</text>"
    )
    cv.body.append(
        f'<text x="{M}" y="37" font-size="11" fill="#57606a">'
        f"{_esc(_fit(model.summary(), W - 2 * M, 11))}</text>"
    )
    pill_y = 48.0
    # the Internet pill sits right above the first VPC's internet gateway (see _draw_vpc)
    igw_cx = (M + 10) + (W - 2 * M - 20) - 182 + 84
    _pill(
        cv,
        "internet",
        "Internet",
        igw_cx - _pill_w("Internet") / 2,
        pill_y,
        stroke="#24292f",
        fill="#ffffff",
        bold=True,
    )
    if show_security_groups:
        x = float(M + 4)
        for label in _sg_sources(model):
            if x + _pill_w(label) > cv.pills["internet"].x - 10:
                break
            _pill(cv, label, label, x, pill_y, stroke="#57606a", fill="#f6f8fa")
            x += cv.pills[label].w + 8

    # the Region box holds the VPCs, one under the other
    region_y = pill_y + 40
    y = region_y + 24
    vpc_x, vpc_w = M + 10, W - 2 * M - 20
    for vpc in model.vpcs:
        y = _draw_vpc(cv, model, vpc, vpc_x, y + 14, vpc_w, health) + 12
    if not model.vpcs:
        cv.body.append(
            f'<text x="{M + 12}" y="{_n(y + 16)}" font-size="12" fill="#57606a" '
            'font-style="italic">No VPC yet: create one with ec2.create_vpc(CidrBlock='
            '"10.0.0.0/16").</text>'
        )
        y += 30
    region_h = y - region_y
    cv.body.insert(
        2,
        f'<rect x="{M}" y="{_n(region_y)}" width="{_n(W - 2 * M)}" height="{_n(region_h)}" '
        'rx="6" fill="#fbfbfc" stroke="#6e7781" stroke-dasharray="8 4"/>'
        f'<text x="{M + 10}" y="{_n(region_y + 16)}" font-size="12" font-weight="bold" '
        f'fill="#57606a">Region {_esc(model.region)}</text>',
    )
    # internet -> IGW links (drawn under the boxes' text, over the region background)
    for gid, box in sorted(cv.igws.items()):
        pill = cv.pills["internet"]
        cv.body.insert(
            3,
            f'<path d="M{_n(pill.cx)} {_n(pill.y + pill.h)} C{_n(pill.cx)} {_n(box.y - 30)} '
            f'{_n(box.cx)} {_n(pill.y + pill.h + 30)} {_n(box.cx)} {_n(box.y)}" fill="none" '
            f'stroke="{_IGW[0]}" stroke-width="1.6"><title>{_esc(gid)} connects the VPC to '
            "the internet</title></path>",
        )
    y = region_y + region_h + 8

    notes: list[str] = []
    if show_security_groups:
        y = _draw_sg_rules(cv, model, y, W)
    if highlight is not None:
        notes.extend(_draw_highlight(cv, model, highlight, W))
    if selected:
        for box in _boxes_for_id(cv, model, selected)[:1]:
            cv.overlay.append(
                f'<rect x="{_n(box.x - 3)}" y="{_n(box.y - 3)}" width="{_n(box.w + 6)}" '
                f'height="{_n(box.h + 6)}" rx="5" fill="none" stroke="#fb8500" '
                'stroke-width="3" class="cltopo-selected"/>'
            )
    for note in notes:
        for line in _wrap(note, W - 2 * M, 11.5):
            y += 16
            cv.overlay.append(
                f'<text x="{M}" y="{_n(y)}" font-size="11.5" fill="#24292f">{_esc(line)}</text>'
            )
    height = math.ceil(y + M)

    desc = _describe(model, highlight)
    body = "\n".join(cv.body + cv.overlay)
    pid = "cltopo-" + hashlib.sha1(body.encode("utf-8")).hexdigest()[:8]
    defs = _defs()
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{int(W)}" height="{height}" '
        f'viewBox="0 0 {int(W)} {height}" role="img" aria-labelledby="{pid}-t {pid}-d" '
        f'font-family="{_esc(FONT)}" class="cltopo">\n'
        f'<title id="{pid}-t">{_esc(heading)}</title>\n'
        f'<desc id="{pid}-d">{_esc(desc)}</desc>\n'
        f"{defs}\n"
        f'<rect width="100%" height="100%" fill="#ffffff"/>\n'
        f"{body}\n</svg>\n"
    )


# -- pieces ---------------------------------------------------------------------------


def _defs() -> str:
    markers = []
    for colour in sorted({*_RULE_COLOURS, _PATH, _BLOCK, "#8c959f"}):
        markers.append(
            f'<marker id="cltopo-arrow-{colour[1:]}" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            f'<path d="M0 0L10 5L0 10z" fill="{colour}"/></marker>'
        )
    return "<defs>" + "".join(markers) + "</defs>"


def _pill(
    cv: _Canvas,
    key: str,
    label: str,
    x: float,
    y: float,
    *,
    stroke: str,
    fill: str,
    bold: bool = False,
) -> None:
    w = _pill_w(label)
    weight = ' font-weight="bold"' if bold else ""
    cv.body.append(
        f'<g data-id="{_esc(key)}"><rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="22" '
        f'rx="11" fill="{fill}" stroke="{stroke}" stroke-width="1.4"/>'
        f'<text x="{_n(x + w / 2)}" y="{_n(y + 15)}" font-size="11" text-anchor="middle"'
        f'{weight} fill="#24292f">{_esc(label)}</text></g>'
    )
    cv.pills[key] = _Box(x, y, w, 22)


def _pill_w(label: str) -> float:
    return len(label) * 11 * CHAR_W + 18


def _sg_sources(model: TopologyModel) -> list[str]:
    """CIDR sources of inbound rules, in rule order, each once (pills in the header)."""
    out: list[str] = []
    for group in model.security_groups:
        if not model.members(group.id):
            continue
        for rule in group.ingress:
            if rule.cidr and rule.cidr not in out:
                out.append(rule.cidr)
    return out


def _vpc_azs(model: TopologyModel, vpc: Vpc) -> list[str]:
    azs = {s.az for s in model.subnets if s.vpc_id == vpc.id}
    return sorted(azs)


def _draw_vpc(
    cv: _Canvas,
    model: TopologyModel,
    vpc: Vpc,
    x: float,
    y: float,
    w: float,
    health: Mapping[str, str],
) -> float:
    """Draw one VPC box starting at ``y``; return its bottom."""
    top = y
    parts: list[str] = []
    name = f"VPC {vpc.name}" if vpc.name else "VPC"
    label = f"{name} · {vpc.id} · {vpc.cidr}" + (" · default VPC" if vpc.is_default else "")
    igws = [g for g in model.internet_gateways if g.vpc_id == vpc.id]
    parts.append(
        f'<text x="{_n(x + 10)}" y="{_n(y + 18)}" font-size="13" font-weight="bold" '
        f'fill="#24292f">{_esc(_fit(label, w - 200, 13))}<title>{_esc(label)}</title></text>'
    )
    igw_x = x + w - 182
    for k, g in enumerate(igws):
        gx = igw_x - k * 176
        text = f"⇅ IGW {g.name or _short(g.id)}"
        parts.append(
            f'<g data-id="{_esc(g.id)}"><rect x="{_n(gx)}" y="{_n(y - 11)}" width="168" '
            f'height="22" rx="4" fill="{_IGW[1]}" stroke="{_IGW[0]}" stroke-width="2"/>'
            f'<text x="{_n(gx + 84)}" y="{_n(y + 4)}" font-size="11" text-anchor="middle" '
            f'font-weight="bold" fill="{_IGW[0]}">{_esc(_fit(text, 160, 11))}</text>'
            f"<title>internet gateway {_esc(g.id)} ({_esc(g.state)}), attached to "
            f"{_esc(vpc.id)}</title></g>"
        )
        cv.igws[g.id] = _Box(gx, y - 11, 168, 22)
    if not igws:
        parts.append(
            f'<text x="{_n(x + w - 10)}" y="{_n(y + 18)}" font-size="11" text-anchor="end" '
            'fill="#57606a" font-style="italic">no internet gateway</text>'
        )
    y += 28

    azs = _vpc_azs(model, vpc)
    inner_x, inner_w = x + 10, w - 20
    n = max(1, len(azs))
    col_w = (inner_w - (n - 1) * COL_GAP) / n
    col_x = {az: inner_x + i * (col_w + COL_GAP) for i, az in enumerate(azs)}

    # load balancers: bars spanning the AZ columns they serve
    for lb in (lb for lb in model.load_balancers if lb.vpc_id == vpc.id):
        cols = [col_x[a] for a in lb.azs if a in col_x] or [inner_x]
        bx, bw = min(cols), max(cols) + col_w - min(cols)
        marker = STATE_STYLES.get(lb.state, STATE_STYLES["unknown"])[0]
        kind = {"application": "ALB", "network": "NLB", "gateway": "GWLB"}.get(lb.type, "LB")
        text = f"⇆ {kind} {lb.name} · {lb.scheme} · {marker} {lb.state} · AZs " + ", ".join(
            a[-2:] if len(a) > 2 else a for a in lb.azs
        )
        parts.append(
            f'<g data-id="{_esc(lb.arn)}"><rect x="{_n(bx)}" y="{_n(y)}" width="{_n(bw)}" '
            f'height="24" rx="12" fill="{_LB[1]}" stroke="{_LB[0]}" stroke-width="1.6"/>'
            f'<text x="{_n(bx + 12)}" y="{_n(y + 16)}" font-size="11" font-weight="bold" '
            f'fill="#4c2889">{_esc(_fit(text, bw - 20, 11))}</text>'
            f"<title>{_esc(lb.type)} load balancer {_esc(lb.name)} ({_esc(lb.arn)}) in "
            f"{_esc(', '.join(lb.subnet_ids))}</title></g>"
        )
        cv.lbs[lb.arn] = cv.lbs[lb.name] = _Box(bx, y, bw, 24)
        y += 30

    # AZ column headings
    for az in azs:
        parts.append(
            f'<text x="{_n(col_x[az] + col_w / 2)}" y="{_n(y + 13)}" font-size="12" '
            f'font-weight="bold" text-anchor="middle" fill="#57606a">{_esc(az)}</text>'
        )
    y += 20

    # subnet rows: public rows first, aligned across AZs
    by_az: dict[str, list[Subnet]] = {az: [] for az in azs}
    for s in model.subnets:
        if s.vpc_id == vpc.id:
            by_az[s.az].append(s)
    rows: dict[tuple[int, int], dict[str, Subnet]] = {}
    for az, subnets in by_az.items():
        counts = [0, 0]
        for s in subnets:
            tier = 0 if s.public else 1
            rows.setdefault((tier, counts[tier]), {})[az] = s
            counts[tier] += 1
    tiles = _tiles_by_subnet(model, health)
    for key in sorted(rows):
        row = rows[key]
        grids = {az: _grid(len(tiles.get(s.id, [])), col_w - 12) for az, s in row.items()}
        row_h = max(SUBNET_HEAD + g[2] + 8 for g in grids.values())
        for az, s in sorted(row.items()):
            cols_n, tile_w, _ = grids[az]
            parts.append(_subnet_box(cv, s, col_x[az], y, col_w, row_h))
            if not tiles.get(s.id):
                parts.append(
                    f'<text x="{_n(col_x[az] + 7)}" y="{_n(y + SUBNET_HEAD + 10)}" '
                    'font-size="10" font-style="italic" fill="#6e7781">no resources</text>'
                )
            for k, tile in enumerate(tiles.get(s.id, [])):
                tx = col_x[az] + 6 + (k % cols_n) * (tile_w + GAP)
                ty = y + SUBNET_HEAD + (k // cols_n) * (TILE_H + GAP)
                parts.append(_tile_svg(tile, tx, ty, tile_w))
                cv.tiles.setdefault(tile.id, []).append(_Box(tx, ty, tile_w, TILE_H, s.id))
        y += row_h + 8

    hidden = [s for s in model.hidden_subnets if s.vpc_id == vpc.id]
    if hidden:
        text = (
            f"+ {len(hidden)} empty default subnets not drawn ("
            + ", ".join(s.az for s in hidden)
            + ")"
        )
        parts.append(
            f'<text x="{_n(inner_x)}" y="{_n(y + 10)}" font-size="11" fill="#57606a" '
            f'font-style="italic">{_esc(_fit(text, inner_w, 11))}</text>'
        )
        y += 16
    if not azs:
        parts.append(
            f'<text x="{_n(inner_x)}" y="{_n(y + 10)}" font-size="11" fill="#57606a" '
            'font-style="italic">No subnets yet: create one with ec2.create_subnet(...).</text>'
        )
        y += 18
    bottom = y + 4
    cv.body.append(
        f'<g data-id="{_esc(vpc.id)}"><rect x="{_n(x)}" y="{_n(top)}" width="{_n(w)}" '
        f'height="{_n(bottom - top)}" rx="6" fill="#ffffff" stroke="#24292f" '
        'stroke-width="1.6"/></g>'
    )
    cv.vpcs[vpc.id] = _Box(x, top, w, bottom - top)
    cv.body.extend(parts)
    return bottom


def _grid(count: int, inner_w: float) -> tuple[int, float, float]:
    """(tiles per row, tile width, height of the tile block) for ``count`` tiles."""
    cols = max(1, int((inner_w + GAP) // (TILE_MIN_W + GAP)))
    tile_w = (inner_w - (cols - 1) * GAP) / cols
    if count == 0:
        return cols, tile_w, 12.0
    rows = -(-count // cols)
    return cols, tile_w, rows * TILE_H + (rows - 1) * GAP


def _subnet_box(cv: _Canvas, s: Subnet, x: float, y: float, w: float, h: float) -> str:
    stroke, fill = _PUBLIC if s.public else _PRIVATE
    kind = "PUBLIC" if s.public else "PRIVATE"
    line1 = f"{kind} subnet" + (f" · {s.name}" if s.name else "")
    line2 = f"{s.cidr} · {s.id}"
    why = (
        "route table sends 0.0.0.0/0 to an internet gateway"
        if s.public
        else "no 0.0.0.0/0 route to an internet gateway"
    )
    cv.subnets[s.id] = _Box(x, y, w, h, s.id)
    dash = "" if s.public else ' stroke-dasharray="5 3"'
    return (
        f'<g data-id="{_esc(s.id)}"><rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" '
        f'height="{_n(h)}" rx="5" fill="{fill}" stroke="{stroke}" stroke-width="1.4"{dash}/>'
        f'<text x="{_n(x + 7)}" y="{_n(y + 13)}" font-size="11" font-weight="bold" '
        f'fill="{stroke}">{_esc(_fit(line1, w - 14, 11))}</text>'
        f'<text x="{_n(x + 7)}" y="{_n(y + 26)}" font-size="10" fill="#57606a">'
        f"{_esc(_fit(line2, w - 14, 10))}</text>"
        f"<title>{kind.lower()} subnet {_esc(s.id)} {_esc(s.name)} {_esc(s.cidr)} in "
        f"{_esc(s.az)}: {why}; route table {_esc(s.route_table_id or '-')}, network ACL "
        f"{_esc(s.nacl_id or '-')}</title></g>"
    )


def _tiles_by_subnet(model: TopologyModel, health: Mapping[str, str]) -> dict[str, list[_Tile]]:
    out: dict[str, list[_Tile]] = {}

    def add(subnet_id: str, tile: _Tile) -> None:
        out.setdefault(subnet_id, []).append(tile)

    for nat in model.nat_gateways:
        marker, stroke, _ = STATE_STYLES.get(nat.state, STATE_STYLES["unknown"])
        add(
            nat.subnet_id,
            _Tile(
                nat.id,
                nat.id,
                ("⇄ NAT gw", nat.name or nat.id, f"{marker} {nat.state}"),
                _NAT[0],
                _NAT[1],
                f"NAT gateway {nat.id} ({nat.state}), public IP {nat.public_ip or '-'}",
                line3_colour=stroke,
            ),
        )
    for lb in model.load_balancers:
        marker, stroke, _ = STATE_STYLES.get(lb.state, STATE_STYLES["unknown"])
        for sid, az in zip(lb.subnet_ids, lb.azs, strict=False):
            add(
                sid,
                _Tile(
                    lb.arn,
                    f"{lb.arn}@{sid}",
                    ("⇆ LB node", lb.name, f"{marker} {lb.state}"),
                    _LB[0],
                    _LB[1],
                    f"load balancer {lb.name} node in {az} ({sid})",
                    line3_colour=stroke,
                ),
            )
    for db in model.db_instances:
        add(db.subnet_id, _db_tile(db, standby=False))
        if db.multi_az and db.standby_subnet_id:
            add(db.standby_subnet_id, _db_tile(db, standby=True))
    for inst in model.instances:
        add(inst.subnet_id, _instance_tile(inst, health.get(inst.id)))
    return out


def _db_tile(db: DbInstance, *, standby: bool) -> _Tile:
    marker, stroke, _ = STATE_STYLES.get(db.status, STATE_STYLES["unknown"])
    role = "standby" if standby else ("primary" if db.multi_az else "1 AZ")
    az = db.standby_az if standby else db.az
    return _Tile(
        db.id,
        f"{db.id}@{role}",
        (f"▤ DB {role}", db.id, f"{marker} {db.status}"),
        _DB[0],
        _DB[1] if not standby else "#f5f9ff",
        f"RDS {db.engine} {db.instance_class} {db.id}: {role} in {az}"
        + ("; Multi-AZ: synchronous standby, automatic failover" if db.multi_az else ""),
        dashed=standby,
        line3_colour=stroke,
    )


def _instance_tile(inst: Instance, health: str | None) -> _Tile:
    marker, stroke, fill = STATE_STYLES.get(inst.state, STATE_STYLES["unknown"])
    line3 = inst.private_ip or inst.instance_type
    line3_colour = "#57606a"
    tooltip = (
        f"{inst.label} ({inst.id}): {inst.state}, {inst.instance_type}, private IP "
        f"{inst.private_ip or '-'}, public IP {inst.public_ip or 'none'}"
    )
    if health:
        hmark, hcolour = HEALTH_STYLES[health]
        line3, line3_colour = f"{hmark} {health}", hcolour
        tooltip += f"; target health: {health}"
        if health == "unhealthy":
            stroke = hcolour
    return _Tile(
        inst.id,
        inst.id,
        (inst.label, f"{marker} {inst.state}", line3),
        stroke,
        fill,
        tooltip,
        dashed=inst.state in ("terminated", "shutting-down"),
        faded=inst.state == "terminated",
        line3_colour=line3_colour,
    )


def _tile_svg(t: _Tile, x: float, y: float, w: float) -> str:
    dash = ' stroke-dasharray="4 2"' if t.dashed else ""
    fade = ' opacity="0.7"' if t.faded else ""
    width = 2.4 if t.stroke == _BLOCK else 1.3
    room = w - 10
    return (
        f'<g data-id="{_esc(t.id)}" class="cltopo-tile"{fade}><title>{_esc(t.tooltip)}</title>'
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{TILE_H}" rx="4" '
        f'fill="{t.fill}" stroke="{t.stroke}" stroke-width="{width}"{dash}/>'
        f'<text x="{_n(x + 5)}" y="{_n(y + 13)}" font-size="10.5" font-weight="bold" '
        f'fill="#24292f">{_esc(_fit_mid(t.lines[0], room, 10.5))}</text>'
        f'<text x="{_n(x + 5)}" y="{_n(y + 26)}" font-size="10" fill="{t.stroke}">'
        f"{_esc(_fit_mid(t.lines[1], room, 10))}</text>"
        f'<text x="{_n(x + 5)}" y="{_n(y + 39)}" font-size="10" fill="{t.line3_colour}">'
        f"{_esc(_fit(t.lines[2], room, 10))}</text></g>"
    )


# -- security-group arrows ---------------------------------------------------------------


def _draw_sg_rules(cv: _Canvas, model: TopologyModel, y: float, W: float) -> float:
    """Arrows for inbound rules and their legend under the diagram; return the new bottom."""
    legend: list[tuple[str, str, str]] = []  # (colour, dash, text)
    k = 0
    for group in model.security_groups:
        targets = _member_boxes(cv, model, group.id)
        if not targets:
            continue
        for rule in group.ingress:
            k += 1
            colour = _RULE_COLOURS[(k - 1) % len(_RULE_COLOURS)]
            dash = _RULE_DASHES[((k - 1) // len(_RULE_COLOURS)) % len(_RULE_DASHES)]
            tag = f"R{k}"
            if rule.source_group:
                src_group = model.security_group(rule.source_group)
                src_name = (
                    f"{src_group.name} ({rule.source_group})" if src_group else rule.source_group
                )
                sources = _member_boxes(cv, model, rule.source_group)
                what = f"members of {src_name}"
            else:
                sources = [cv.pills[rule.cidr]] if rule.cidr in cv.pills else []
                what = rule.cidr
            legend.append(
                (
                    colour,
                    dash,
                    f"{tag}  into {group.name} ({group.id}): {rule.ports} "
                    f"from {what}" + ("" if sources else " (source not drawn)"),
                )
            )
            if not sources:
                continue
            by_subnet: dict[str, list[_Box]] = {}
            for box in targets:
                by_subnet.setdefault(box.subnet, []).append(box)
            for subnet in sorted(
                by_subnet, key=lambda sid: (by_subnet[sid][0].y, by_subnet[sid][0].x)
            ):
                boxes = by_subnet[subnet]
                chosen = boxes if len(boxes) <= 2 else boxes[:1]
                for j, box in enumerate(chosen):
                    others = [s for s in sources if (s.x, s.y) != (box.x, box.y)]
                    if not others:
                        continue
                    src = min(
                        others,
                        key=lambda s: ((s.cx - box.cx) ** 2 + (s.cy - box.cy) ** 2, s.y, s.x),
                    )
                    label = f"{tag} {rule.ports}" if j == 0 else ""
                    if len(boxes) > 2:
                        label += f" ×{len(boxes)}"
                    cv.overlay.append(
                        _arrow(src, box, colour, dash, label, bend=((k % 3) - 1) * 18)
                    )
    if not legend:
        legend.append(("#57606a", "", "No inbound rules on groups that have members."))
    y += 8
    cv.overlay.append(
        f'<text x="{M}" y="{_n(y + 12)}" font-size="12" font-weight="bold" fill="#24292f">'
        "Security-group inbound rules: arrows point to the resources a rule lets traffic "
        "into (×N: one arrow for N resources of that subnet)</text>"
    )
    y += 16
    for colour, dash, text in legend:
        y += 16
        d = f' stroke-dasharray="{dash}"' if dash else ""
        cv.overlay.append(
            f'<line x1="{M}" y1="{_n(y - 4)}" x2="{M + 26}" y2="{_n(y - 4)}" stroke="{colour}" '
            f'stroke-width="2"{d} marker-end="url(#cltopo-arrow-{colour[1:]})"/>'
            f'<text x="{M + 34}" y="{_n(y)}" font-size="11" fill="#24292f">'
            f"{_esc(_fit(text, W - 2 * M - 34, 11))}</text>"
        )
    return y + 4


def _member_boxes(cv: _Canvas, model: TopologyModel, group_id: str) -> list[_Box]:
    out: list[_Box] = []
    for rid in model.members(group_id):
        out.extend(cv.tiles.get(rid, []))
    return out


def _arrow(src: _Box, dst: _Box, colour: str, dash: str, label: str, *, bend: float) -> str:
    if src.y + src.h <= dst.y:
        x1, y1 = src.cx, src.y + src.h
    elif dst.y + dst.h <= src.y:
        x1, y1 = src.cx, src.y
    else:
        x1, y1 = (src.x + src.w if src.cx < dst.cx else src.x), src.cy
    x2, y2 = dst.cx, dst.y
    if y1 > y2:  # coming from below: enter at the bottom edge
        y2 = dst.y + dst.h
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    cx, cy = mx - dy / length * bend, my + dx / length * bend
    d = f' stroke-dasharray="{dash}"' if dash else ""
    out = (
        f'<path d="M{_n(x1)} {_n(y1)} Q{_n(cx)} {_n(cy)} {_n(x2)} {_n(y2)}" fill="none" '
        f'stroke="{colour}" stroke-width="1.5"{d} opacity="0.85" '
        f'marker-end="url(#cltopo-arrow-{colour[1:]})"/>'
    )
    if label:
        t = 0.86  # near the target: labels of a fan of arrows do not pile up at the source
        lx = (1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t * t * x2
        ly = (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t * t * y2
        lw = len(label) * 9.5 * CHAR_W + 6
        out += (
            f'<rect x="{_n(lx - lw / 2)}" y="{_n(ly - 8)}" width="{_n(lw)}" height="13" rx="2" '
            f'fill="#ffffff" stroke="{colour}" stroke-width="0.8" opacity="0.95"/>'
            f'<text x="{_n(lx)}" y="{_n(ly + 2)}" font-size="9.5" text-anchor="middle" '
            f'fill="{colour}">{_esc(label)}</text>'
        )
    return out


# -- highlighted path ------------------------------------------------------------------


def _boxes_for_id(cv: _Canvas, model: TopologyModel, rid: str) -> list[_Box]:
    if rid in cv.tiles:
        return cv.tiles[rid]
    for table in (cv.lbs, cv.igws, cv.subnets, cv.vpcs, cv.pills):
        if rid in table:
            return [table[rid]]
    for inst in model.instances:  # an ENI belongs to an instance tile
        if rid in inst.eni_ids:
            return cv.tiles.get(inst.id, [])
    return []


def _hop_boxes(cv: _Canvas, model: TopologyModel, hop: Any, path_ids: Sequence[str]) -> list[_Box]:
    rid = str(getattr(hop, "id", "") or "")
    kind = str(getattr(hop, "kind", "") or "")
    if kind == "internet" or rid == "internet":
        return [cv.pills["internet"]]
    if kind == "security-group" or rid.startswith("sg-"):
        members = _member_boxes(cv, model, rid)
        in_path = [b for pid in path_ids for b in cv.tiles.get(pid, []) if b in members]
        return in_path[:1] or members[:1]
    if kind in ("route-table", "nacl") or rid.startswith(("rtb-", "acl-")):
        attr = "route_table_id" if kind == "route-table" or rid.startswith("rtb-") else "nacl_id"
        subnets = [s.id for s in model.subnets if getattr(s, attr) == rid]
        tile_subnets = {b.subnet for pid in path_ids for b in cv.tiles.get(pid, [])}
        preferred = [s for s in subnets if s in path_ids or s in tile_subnets]
        chosen = preferred[:1] or subnets[:1]
        return [cv.subnets[s] for s in chosen if s in cv.subnets]
    boxes = _boxes_for_id(cv, model, rid)
    if len(boxes) > 1:  # LB nodes / DB tiles: the one in a subnet of the path, else the bar
        in_path = [b for b in boxes if b.subnet in path_ids]
        if in_path:
            return in_path[:1]
        if rid in cv.lbs:
            return [cv.lbs[rid]]
        return boxes[:1]
    return boxes


def _draw_highlight(cv: _Canvas, model: TopologyModel, path: Any, W: float) -> list[str]:
    hops = list(getattr(path, "hops", None) or [])
    if not hasattr(path, "hops"):
        raise TypeError(
            f"highlight needs a reachability path with .hops, got {type(path).__name__}; "
            "pass the result of cloudlab.net.reachable(cloud, src, dst, port)"
        )
    blocked = getattr(path, "blocked_by", None)
    reachable = bool(getattr(path, "reachable", blocked is None))
    path_ids = [str(getattr(h, "id", "")) for h in hops]
    block_at = next((i for i, h in enumerate(hops) if h is blocked), None)
    if blocked is not None and block_at is None:
        block_at = next(
            (
                i
                for i, h in enumerate(hops)
                if (getattr(h, "kind", None), getattr(h, "id", None))
                == (getattr(blocked, "kind", None), getattr(blocked, "id", None))
            ),
            None,
        )
    points: list[tuple[float, float, bool]] = []
    badges: dict[tuple[float, float], int] = {}
    missing: list[str] = []
    for i, hop in enumerate(hops):
        boxes = _hop_boxes(cv, model, hop, path_ids)
        after = block_at is not None and i > block_at
        if not boxes:
            missing.append(f"{getattr(hop, 'kind', '?')} {getattr(hop, 'id', '?')}")
            continue
        box = boxes[0]
        colour = _BLOCK if i == block_at else ("#8c959f" if after else _PATH)
        dash = ' stroke-dasharray="6 4"' if after else ""
        cv.overlay.append(
            f'<rect x="{_n(box.x - 3)}" y="{_n(box.y - 3)}" width="{_n(box.w + 6)}" '
            f'height="{_n(box.h + 6)}" rx="6" fill="none" stroke="{colour}" '
            f'stroke-width="{4 if i == block_at else 3}"{dash}/>'
        )
        slot = badges.get((box.x, box.y), 0)
        badges[(box.x, box.y)] = slot + 1
        bx, by = box.x - 2 + slot * 19, box.y - 2
        cv.overlay.append(
            f'<circle cx="{_n(bx)}" cy="{_n(by)}" r="8" fill="{colour}"/>'
            f'<text x="{_n(bx)}" y="{_n(by + 3.5)}" font-size="10" font-weight="bold" '
            f'text-anchor="middle" fill="#ffffff">{i + 1}'
            f"<title>step {i + 1}: {_esc(str(getattr(hop, 'kind', '')))} "
            f"{_esc(str(getattr(hop, 'id', '')))}</title></text>"
        )
        if not points or (points[-1][0], points[-1][1]) != (box.cx, box.cy):
            points.append((box.cx, box.cy, after or i == block_at))
    for (x1, y1, _), (x2, y2, late) in zip(points, points[1:], strict=False):
        colour = "#8c959f" if late else _PATH
        dash = ' stroke-dasharray="6 4"' if late else ""
        cv.overlay.append(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{colour}" '
            f'stroke-width="2.5"{dash} opacity="0.75" '
            f'marker-end="url(#cltopo-arrow-{colour[1:]})"/>'
        )
    reason = str(getattr(path, "reason", "") or "")
    notes: list[str] = []
    if block_at is not None or blocked is not None:
        hop = blocked if blocked is not None else hops[block_at or 0]
        what = f"{getattr(hop, 'kind', '')} {getattr(hop, 'id', '')}".strip()
        detail = str(getattr(hop, "detail", "") or "")
        boxes = _hop_boxes(cv, model, hop, path_ids)
        text = f"✕ blocked here: {what}"
        if boxes:
            box = boxes[0]
            bw = max(len(text), len(detail[:48])) * 10.5 * CHAR_W + 14
            bh = 30 if detail else 18
            bx = max(float(M), min(box.x, W - M - bw))
            by = box.y + box.h + 5
            cv.overlay.append(
                f'<g class="cltopo-blocked"><rect x="{_n(bx)}" y="{_n(by)}" width="{_n(bw)}" '
                f'height="{bh}" rx="4" fill="{_BLOCK}"/>'
                f'<text x="{_n(bx + 7)}" y="{_n(by + 13)}" font-size="10.5" font-weight="bold" '
                f'fill="#ffffff">{_esc(text)}</text>'
                + (
                    f'<text x="{_n(bx + 7)}" y="{_n(by + 25)}" font-size="10" fill="#ffffff">'
                    f"{_esc(_fit(detail, bw - 10, 10))}</text>"
                    if detail
                    else ""
                )
                + f"<title>{_esc(reason or text)}</title></g>"
            )
        notes.append(
            f"Path: not reachable: {reason}"
            if reason
            else f"Path: not reachable, blocked by {what}" + (f" ({detail})" if detail else "")
        )
    elif reachable:
        notes.append(f"Path: reachable in {len(hops)} steps" + (f". {reason}" if reason else "."))
    else:
        notes.append("Path: not reachable" + (f". {reason}" if reason else "."))
    route = " → ".join(
        f"{i + 1} {getattr(h, 'kind', '')} {getattr(h, 'id', '')}" for i, h in enumerate(hops)
    )
    if route:
        notes.append(f"Steps: {route}")
    if missing:
        notes.append("Not drawn (not in this picture): " + ", ".join(missing))
    return notes


def _wrap(text: str, width_px: float, font_px: float) -> list[str]:
    limit = max(10, int(width_px / (font_px * CHAR_W)))
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return [_fit(x, width_px, font_px) for x in lines]


# -- text summary ----------------------------------------------------------------------


def _describe(model: TopologyModel, highlight: Any) -> str:
    """The ``<desc>``: counts per VPC, AZ and subnet, in words."""
    parts = [f"Region {model.region}: {model.summary()}."]
    tiles_in: dict[str, list[str]] = {}
    for inst in model.instances:
        tiles_in.setdefault(inst.subnet_id, []).append(inst.state)
    nat_in: dict[str, int] = {}
    for nat in model.nat_gateways:
        nat_in[nat.subnet_id] = nat_in.get(nat.subnet_id, 0) + 1
    for vpc in model.vpcs:
        igw = [g.id for g in model.internet_gateways if g.vpc_id == vpc.id]
        parts.append(
            f"VPC {vpc.name or vpc.id} ({vpc.cidr})"
            + (f" with internet gateway {', '.join(igw)}" if igw else " without internet gateway")
            + "."
        )
        for az in _vpc_azs(model, vpc):
            subs = [s for s in model.subnets if s.vpc_id == vpc.id and s.az == az]
            bits = []
            for s in subs:
                states = tiles_in.get(s.id, [])
                running = states.count("running")
                bit = f"{s.kind} subnet {s.cidr}: {len(states)} instances ({running} running)"
                if nat_in.get(s.id):
                    bit += f", {nat_in[s.id]} NAT gateway"
                bits.append(bit)
            parts.append(f"{az}: " + "; ".join(bits) + ".")
    for lb in model.load_balancers:
        parts.append(f"Load balancer {lb.name} ({lb.scheme}) spans {', '.join(lb.azs)}.")
    for db in model.db_instances:
        parts.append(
            f"DB {db.id} in {db.az}"
            + (f" with a standby in {db.standby_az}." if db.multi_az else ", single-AZ.")
        )
    if highlight is not None:
        blocked = getattr(highlight, "blocked_by", None)
        if blocked is not None:
            parts.append(
                f"Highlighted path blocked by {getattr(blocked, 'kind', '')} "
                f"{getattr(blocked, 'id', '')}."
            )
        elif getattr(highlight, "reachable", False):
            parts.append("Highlighted path is reachable.")
    return " ".join(parts)
