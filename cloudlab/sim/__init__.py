"""The simulation layer: traffic, fleets, cost and the recorder, over the cloud's virtual clock.

Public names (re-exported here; the modules behind them are implementation):

- catalog: :class:`InstanceType`, :func:`instance_type`, :func:`instance_types`
- traffic: :class:`TrafficModel`, :class:`Constant`, :class:`BusinessHours`, :class:`Spike`,
  :class:`Noise`
- fleets: :class:`FixedFleet`, :class:`ElasticFleet`, :class:`ScheduledFleet`,
  :func:`instances_needed`, :func:`smallest_type_for`
- cost: :func:`instance_cost_usd`, :data:`MINIMUM_BILLED_S`
- recorder: :class:`Recorder`, :class:`Marker`
- runs: :class:`Scenario`, :class:`RunResult`, :class:`Comparison`, :func:`compare`,
  :class:`Experiment` (several fleets, same traffic, same window)
- latency: :class:`MMc` (Erlang C queue), :func:`tier_latency` (p50/p95/p99 and errors per
  sample), :func:`inter_az_rtt_ms`
- economics: :class:`OnPremises`, :func:`on_demand_cost`, :func:`break_even_months`

Imports only :mod:`cloudlab.cloud` (and numpy, tqdm); never widgets or grading.
"""

from __future__ import annotations

from cloudlab.sim.catalog import InstanceType, catalog_info, instance_type, instance_types
from cloudlab.sim.cost import MINIMUM_BILLED_S, instance_cost_usd
from cloudlab.sim.economics import HOURS_PER_MONTH, OnPremises, break_even_months, on_demand_cost
from cloudlab.sim.experiment import Experiment
from cloudlab.sim.fleet import (
    ElasticFleet,
    FixedFleet,
    Fleet,
    ScheduledFleet,
    instances_needed,
    smallest_type_for,
)
from cloudlab.sim.latency import (
    LatencySeries,
    MMc,
    erlang_c,
    inter_az_rtt_ms,
    latency_info,
    tier_latency,
)
from cloudlab.sim.recorder import Marker, Recorder
from cloudlab.sim.scenario import Comparison, RunResult, Scenario, compare
from cloudlab.sim.traffic import BusinessHours, Constant, Noise, Spike, TrafficModel

__all__ = [
    "HOURS_PER_MONTH",
    "MINIMUM_BILLED_S",
    "BusinessHours",
    "Comparison",
    "Constant",
    "ElasticFleet",
    "Experiment",
    "FixedFleet",
    "Fleet",
    "InstanceType",
    "LatencySeries",
    "MMc",
    "Marker",
    "Noise",
    "OnPremises",
    "Recorder",
    "RunResult",
    "Scenario",
    "ScheduledFleet",
    "Spike",
    "TrafficModel",
    "break_even_months",
    "catalog_info",
    "compare",
    "erlang_c",
    "instance_cost_usd",
    "instance_type",
    "instance_types",
    "instances_needed",
    "inter_az_rtt_ms",
    "latency_info",
    "on_demand_cost",
    "smallest_type_for",
    "tier_latency",
]
