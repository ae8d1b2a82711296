"""What a web traffic run bills per second and per request: :func:`prices`.

The run's cost model (see :mod:`cloudlab.sim.workload`) reads its prices once per process
from ``cloudlab/data/compute_prices.json`` (dated, with sources): the hourly price of each
load balancer kind, public IPv4 addresses, the root volume of an instance, and what one
request adds through a load balancer.

What a request adds. An ALB bills LCU-hours and an NLB NLCU-hours, each hour on the largest
of its dimensions: new connections (flows), active connections, processed bytes and, for an
ALB, rule evaluations. In a run every request brings the same bytes (the model request and
response, ``bytes_per_request``) and a fixed share of a new connection (one per
``requests_per_connection``), so each dimension grows in proportion to the requests and the
largest is the same one in every hour: one price per request, the LCU-hours of the largest
dimension times the LCU-hour price, is exactly the hourly bill. Of the four, the model knows
new connections and processed bytes (with 22 kB a request, bytes are ~20 times larger);
active connections (3,000 a minute per LCU) need connection lifetimes the model does not
have, and the first 10 rules a request meets are free. A Classic Load Balancer bills the
gigabytes it processes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["Prices", "lb_rate", "prices", "prices_from"]


@dataclass(frozen=True)
class Prices:
    """Per-second and per-request prices the run bills (from compute_prices.json)."""

    alb_per_s: float
    ipv4_per_s: float
    root_volume_per_s: float
    #: per load balancer kind (``application``, ``network``, ``gateway``, ``classic``): its
    #: hourly price per second, and what one request through it adds (its share of the
    #: capacity units of the largest dimension, or of a Classic Load Balancer's gigabytes)
    lb_per_s: dict[str, float] = field(default_factory=dict)
    lb_usd_per_request: dict[str, float] = field(default_factory=dict)


@lru_cache(maxsize=1)
def prices() -> Prices:
    """The prices of ``cloudlab/data/compute_prices.json`` (read once per process)."""
    return prices_from(json.loads(resources.files("cloudlab.data").joinpath(
        "compute_prices.json").read_text("utf-8")))


def prices_from(data: dict[str, Any]) -> Prices:
    """:class:`Prices` from the contents of a ``compute_prices.json``."""
    p, m = data["prices"], data["model"]
    hours_month = m["hours_per_month"]["value"]
    connections = 1.0 / m["requests_per_connection"]["value"]  # per request
    gb = m["bytes_per_request"]["value"] / m["bytes_per_gb"]["value"]  # per request
    # capacity-unit-hours per request on each dimension: a rate of r requests/s makes
    # r * connections / (per second per unit) units for the hour, i.e. that / (3,600 r)
    # unit-hours per request; its r * 3,600 * gb GB an hour make that / (GB per unit-hour)
    lcu_hours = max(connections / m["new_connections_per_lcu"]["value"] / 3600.0,
                    gb / m["processed_gb_per_lcu_hour"]["value"])
    nlcu_hours = max(connections / m["new_flows_per_nlcu"]["value"] / 3600.0,
                     gb / m["processed_gb_per_nlcu_hour"]["value"])
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
            "application": p["alb_lcu_hour"]["value"] * lcu_hours,
            "network": p["nlb_nlcu_hour"]["value"] * nlcu_hours,
            "gateway": 0.0,  # no requests go through one in the simulation
            "classic": (p["clb_gb"]["value"] * m["bytes_per_request"]["value"]
                        / m["bytes_per_gb"]["value"])},
    )


def lb_rate(rates: dict[str, float], kind: str) -> float:
    """The price of a load balancer ``kind``; a kind the price list lacks costs what an
    Application Load Balancer costs."""
    return rates.get(kind, rates["application"])
