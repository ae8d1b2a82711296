"""What a web traffic run bills per second and per request: :func:`prices`.

The run's cost model (see :mod:`cloudlab.sim.workload`) reads its prices once per process
from ``cloudlab/data/compute_prices.json`` (dated, with sources): the hourly price of each
load balancer kind, public IPv4 addresses, the root volume of an instance, and what one
request adds through a load balancer (capacity units of new connections, new flows, or a
Classic Load Balancer's processed bytes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

__all__ = ["Prices", "lb_rate", "prices"]


@dataclass(frozen=True)
class Prices:
    """Per-second and per-request prices the run bills (from compute_prices.json)."""

    alb_per_s: float
    ipv4_per_s: float
    root_volume_per_s: float
    #: per load balancer kind (``application``, ``network``, ``gateway``, ``classic``): its
    #: hourly price per second, and what one request through it adds (LCUs of new
    #: connections, NLCUs of new flows, a Classic Load Balancer's processed bytes)
    lb_per_s: dict[str, float] = field(default_factory=dict)
    lb_usd_per_request: dict[str, float] = field(default_factory=dict)


@lru_cache(maxsize=1)
def prices() -> Prices:
    data = json.loads(resources.files("cloudlab.data").joinpath(
        "compute_prices.json").read_text("utf-8"))
    p, m = data["prices"], data["model"]
    hours_month = m["hours_per_month"]["value"]
    connections = 1.0 / m["requests_per_connection"]["value"]  # per request
    per_lcu_request = connections / m["new_connections_per_lcu"]["value"]
    return Prices(
        alb_per_s=p["alb_hour"]["value"] / 3600.0,
        ipv4_per_s=p["public_ipv4_hour"]["value"] / 3600.0,
        root_volume_per_s=(m["root_volume_gib"]["value"] * p["gp3_gb_month"]["value"]
                           / hours_month / 3600.0),
        lb_per_s={"application": p["alb_hour"]["value"] / 3600.0,
                  "network": p["nlb_hour"]["value"] / 3600.0,
                  "gateway": p["gwlb_hour"]["value"] / 3600.0,
                  "classic": p["clb_hour"]["value"] / 3600.0},
        lb_usd_per_request={
            "application": p["alb_lcu_hour"]["value"] / 3600.0 * per_lcu_request,
            "network": (p["nlb_nlcu_hour"]["value"] / 3600.0 * connections
                        / m["new_flows_per_nlcu"]["value"]),
            "gateway": 0.0,  # no requests go through one in the simulation
            "classic": (p["clb_gb"]["value"] * m["clb_bytes_per_request"]["value"]
                        / m["bytes_per_gb"]["value"])},
    )


def lb_rate(rates: dict[str, float], kind: str) -> float:
    """The price of a load balancer ``kind``; a kind the price list lacks costs what an
    Application Load Balancer costs."""
    return rates.get(kind, rates["application"])
