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
- traffic through an architecture: :class:`WebTraffic` (``cloud.run(WebTraffic(traffic,
  to="my-alb"), hours=24)``)
- failures: :func:`fail_instance`, :func:`crash_web_server`, :func:`fail_az`,
  :func:`restore_az`, :func:`noisy_neighbour`
- bootstrapping: :func:`plan_boot`, :class:`Software`, :func:`instance_book` (what each
  instance is doing on the clock)

Behaviour moto lacks lives in subpackages named after the boto3 client: ``ec2`` (boots,
status checks), ``elbv2`` (target health), ``autoscaling`` (health, policies, schedules),
``cloudwatch`` (metrics, alarms) and ``ebs`` (snapshots, restores, Elastic Volumes).

Imports only :mod:`cloudlab.cloud` (and numpy, tqdm); never widgets or grading.
"""

from __future__ import annotations

from cloudlab.sim.catalog import InstanceType, catalog_info, instance_type, instance_types
from cloudlab.sim.cost import MINIMUM_BILLED_S, instance_cost_usd
from cloudlab.sim.ec2 import Software, instance_book, plan_boot
from cloudlab.sim.economics import HOURS_PER_MONTH, OnPremises, break_even_months, on_demand_cost
from cloudlab.sim.experiment import Experiment
from cloudlab.sim.failures import (
    crash_web_server,
    fail_az,
    fail_instance,
    noisy_neighbour,
    restore_az,
)
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
from cloudlab.sim.workload import WebTraffic

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
    "Software",
    "Spike",
    "TrafficModel",
    "WebTraffic",
    "break_even_months",
    "catalog_info",
    "compare",
    "crash_web_server",
    "erlang_c",
    "fail_az",
    "fail_instance",
    "instance_book",
    "instance_cost_usd",
    "instance_type",
    "instance_types",
    "instances_needed",
    "inter_az_rtt_ms",
    "latency_info",
    "noisy_neighbour",
    "on_demand_cost",
    "plan_boot",
    "restore_az",
    "smallest_type_for",
    "tier_latency",
]
