"""The answer of a reachability question: a :class:`Path` of :class:`Hop` s.

A path lists, in order, every component the traffic meets (internet, internet gateway, route
table, network ACL, security group, NAT gateway, subnet, network interface, instance, load
balancer) and what each one did. When the traffic is blocked, ``blocked_by`` is the FIRST
component that stops it and ``reason`` says why in a sentence. Paths render themselves as a
table in a notebook (``_repr_html_``) and as one line in a terminal (``__repr__``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

__all__ = ["HOP_KINDS", "Hop", "Path"]

HOP_KINDS = ("internet", "igw", "nat", "route-table", "nacl", "security-group", "subnet",
             "instance", "eni", "elb")
"""Every value a :attr:`Hop.kind` can take."""

_KIND_LABELS = {
    "internet": "internet", "igw": "internet gateway", "nat": "NAT gateway",
    "route-table": "route table", "nacl": "network ACL", "security-group": "security group",
    "subnet": "subnet", "instance": "instance", "eni": "network interface",
    "elb": "load balancer",
}


@dataclass(frozen=True)
class Hop:
    """One component on the path.

    Attributes:
        kind: one of :data:`HOP_KINDS`.
        id: the component's id (``"sg-0abc"``), or ``"internet"``.
        detail: what the component did, e.g. ``"rule 100 allows tcp 443 from 0.0.0.0/0"``.
        allowed: False for the hop that blocks the traffic.
        direction: ``"forward"`` (the request) or ``"return"`` (the answer, which only
            stateless network ACLs check separately).
    """

    kind: str
    id: str
    detail: str = ""
    allowed: bool = True
    direction: str = "forward"

    def __repr__(self) -> str:
        mark = "ok" if self.allowed else "BLOCKED"
        return f"<Hop {self.kind} {self.id} {mark}: {self.detail}>"


@dataclass
class Path:
    """Whether traffic gets from ``src`` to ``dst``, and through what.

    Attributes:
        reachable: True when every hop lets the traffic (and its answer) through.
        hops: the components in the order the traffic meets them; the return-traffic checks
            of network ACLs come after the forward hops.
        blocked_by: the first hop that stops the traffic, or None.
        reason: a sentence saying why the traffic is blocked (or how it gets through).
        src, dst, port, protocol: the question that was asked.

    Example:
        >>> path = reachable(cloud, "internet", web_id, 443)      # doctest: +SKIP
        >>> path.reachable, path.blocked_by                        # doctest: +SKIP
        (True, None)
    """

    reachable: bool
    hops: list[Hop]
    blocked_by: Hop | None
    reason: str
    src: str = ""
    dst: str = ""
    port: int | None = None
    protocol: str = "tcp"
    notes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.reachable

    @property
    def question(self) -> str:
        what = self.protocol if self.port is None else f"{self.protocol}/{self.port}"
        return f"{self.src} -> {self.dst} {what}"

    def __repr__(self) -> str:
        if self.reachable:
            via = ", ".join(h.id for h in self.hops[1:-1] if h.direction == "forward")
            return f"<Path {self.question}: reachable via {via or 'nothing in between'}>"
        hop = self.blocked_by
        where = f"{hop.kind} {hop.id}: {hop.detail}" if hop else self.reason
        return f"<Path {self.question}: blocked by {where}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        if self.reachable:
            verdict = ('<b style="color:#1a7f37">&#10004; Reachable</b>: '
                       f'{esc(self.reason)}')
        else:
            verdict = f'<b style="color:#b42318">&#10008; Blocked</b>: {esc(self.reason)}'
        rows = []
        for n, hop in enumerate(self.hops, 1):
            result = ('<span style="color:#1a7f37">&#10004; passes</span>' if hop.allowed
                      else '<b style="color:#b42318">&#10008; BLOCKS</b>')
            style = ' style="background:#fde8e8"' if hop is self.blocked_by else ""
            direction = "" if hop.direction == "forward" else " <i>(return traffic)</i>"
            rows.append(
                f"<tr{style}><td>{n}</td><td>{esc(_KIND_LABELS.get(hop.kind, hop.kind))}"
                f"{direction}</td><td style=\"white-space:nowrap\"><code>{esc(hop.id)}</code></td>"
                f"<td style=\"white-space:nowrap\">{result}</td>"
                f"<td>{esc(hop.detail)}</td></tr>")
        notes = "".join(f"<li>{esc(n)}</li>" for n in self.notes)
        return (
            '<div class="cloudlab-path">'
            f"<p><code>{esc(self.question)}</code><br>{verdict}</p>"
            '<table><thead><tr><th>#</th><th>component</th><th>id</th><th>result</th>'
            f"<th>why</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            + (f"<ul>{notes}</ul>" if notes else "")
            + "</div>"
        )
