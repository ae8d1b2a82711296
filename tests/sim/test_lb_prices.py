"""What a request through a load balancer costs: the capacity units of the largest dimension
(ELB pricing page, us-east-1, November 2026)."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest
from webstack import build_stack, launch_web

from cloudlab import Cloud
from cloudlab.sim import Constant, WebTraffic
from cloudlab.sim.run_prices import prices, prices_from
from cloudlab.sim.workload_rows import REQUEST_BYTES, RESPONSE_BYTES
from cloudlab.sim.workload_state import Router

GB_PER_REQUEST = (REQUEST_BYTES + RESPONSE_BYTES) / 1e9


def _data() -> dict[str, Any]:
    return json.loads(resources.files("cloudlab.data").joinpath(  # type: ignore[no-any-return]
        "compute_prices.json").read_text("utf-8"))


def test_the_model_request_is_the_one_the_metrics_publish() -> None:
    assert _data()["model"]["bytes_per_request"]["value"] == REQUEST_BYTES + RESPONSE_BYTES


def test_web_requests_are_billed_on_processed_bytes() -> None:
    """22 kB a request, ten requests a connection: 1 GB an hour is one LCU (NLCU), and the
    bytes outweigh the new connections (25 a second per LCU, 800 per NLCU)."""
    p = prices()
    assert p.lb_usd_per_request["application"] == pytest.approx(0.008 * GB_PER_REQUEST)
    assert p.lb_usd_per_request["network"] == pytest.approx(0.006 * GB_PER_REQUEST)
    assert p.lb_usd_per_request["classic"] == pytest.approx(0.008 * GB_PER_REQUEST)
    # the book's worked example: 3,000 requests a second for an hour through an ALB
    assert p.lb_usd_per_request["application"] * 3000 * 3600 == pytest.approx(1.9008)


def test_small_requests_are_billed_on_new_connections() -> None:
    """With 100-byte requests and one request per connection, new connections are the
    largest dimension: 1/25 LCU-second (1/800 NLCU-second) per request."""
    data = copy.deepcopy(_data())
    data["model"]["bytes_per_request"]["value"] = 100
    data["model"]["requests_per_connection"]["value"] = 1
    p = prices_from(data)
    assert p.lb_usd_per_request["application"] == pytest.approx(0.008 / 3600 / 25)
    assert p.lb_usd_per_request["network"] == pytest.approx(0.006 / 3600 / 800)
    assert p.lb_usd_per_request["classic"] == pytest.approx(0.008 * 100 / 1e9)


def test_an_hour_of_traffic_through_an_alb_costs_its_lcus(cloud: Cloud) -> None:
    stack = build_stack(cloud)
    [iid] = launch_web(cloud, stack)
    cloud.advance(minutes=10)  # booted and healthy
    assert stack.health() == {iid: "healthy"}
    per_s = Router(cloud, stack.lb_dns)._bill(cloud.t)[0]
    rec = cloud.run(WebTraffic(Constant(100), to=stack.lb_dns, step_s=60), hours=1,
                    progress=False).recorder
    requests = 100 * 3600
    assert rec["cost_usd"][-1] == pytest.approx(per_s * 3600 + requests * 0.008 * GB_PER_REQUEST)
