"""Economics: buying servers up front (on premises) versus paying as you go (on demand).

On premises, capacity is bought for the peak (plus headroom) and paid whether it is used
or not; in the cloud, an elastic fleet pays for what runs. This module puts the two on the
same monthly scale.

Facts and model assumptions are kept apart:

- Fact (arithmetic): a month is 730 hours on average (365 x 24 / 12); AWS's price pages and
  Pricing Calculator use the same 730-hour month.
- Fact: on-demand prices and per-second billing come from the catalog and
  :mod:`cloudlab.sim.cost` (each with its source).
- **Model assumptions (not quotes, not facts):** the defaults below for a server's purchase
  price, its monthly running cost (power, cooling, rack space, network, a share of an
  administrator's time), its lifetime and its throughput. They are round numbers picked to
  be plausible for a mid-range two-socket rack server; change them to match a real quote.
  Financing, staff, software licences, spares and disposal are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cloudlab.errors import InvalidScenario
from cloudlab.sim._validate import integer, number
from cloudlab.sim.fleet import ElasticFleet, FixedFleet, Fleet, ScheduledFleet
from cloudlab.sim.scenario import RunResult

__all__ = [
    "DEFAULT_LIFETIME_YEARS",
    "DEFAULT_MONTHLY_OPS_USD_PER_SERVER",
    "DEFAULT_SERVER_PRICE_USD",
    "DEFAULT_SERVER_RPS",
    "HOURS_PER_MONTH",
    "OnPremises",
    "break_even_months",
    "on_demand_cost",
]

#: Average hours in a month: 365 x 24 / 12 (the month AWS prices use).
HOURS_PER_MONTH = 730.0
#: MODEL ASSUMPTION: purchase price of one mid-range rack server, USD.
DEFAULT_SERVER_PRICE_USD = 8000.0
#: MODEL ASSUMPTION: power, cooling, space, network and admin share per server per month, USD.
DEFAULT_MONTHLY_OPS_USD_PER_SERVER = 200.0
#: MODEL ASSUMPTION: years before a server is replaced (a common depreciation period).
DEFAULT_LIFETIME_YEARS = 3.0
#: MODEL ASSUMPTION: req/s one such server (16 cores) serves, by the catalog's 100 req/s per vCPU.
DEFAULT_SERVER_RPS = 1600.0


@dataclass(frozen=True)
class OnPremises:
    """Servers bought up front, replaced at the end of their lifetime.

    Args:
        server_price_usd: purchase price of one server (model assumption by default).
        servers: how many (>= 0).
        lifetime_years: years before replacement (> 0).
        monthly_ops_usd_per_server: running cost per server per month.
        server_rps: requests/s one server serves (model figure).

    Example:
        >>> dc = OnPremises.sized_for(peak_rps=5000)       # 20% headroom, 1600 req/s each
        >>> dc.servers, dc.cost_over(36)
        (4, 60800.0)
    """

    server_price_usd: float = DEFAULT_SERVER_PRICE_USD
    servers: int = 1
    lifetime_years: float = DEFAULT_LIFETIME_YEARS
    monthly_ops_usd_per_server: float = DEFAULT_MONTHLY_OPS_USD_PER_SERVER
    server_rps: float = DEFAULT_SERVER_RPS

    def __post_init__(self) -> None:
        number("server_price_usd", self.server_price_usd, minimum=0.0)
        integer("servers", self.servers, minimum=0)
        if number("lifetime_years", self.lifetime_years, minimum=0.0) == 0:
            raise InvalidScenario("lifetime_years must be > 0, got 0")
        number("monthly_ops_usd_per_server", self.monthly_ops_usd_per_server, minimum=0.0)
        number("server_rps", self.server_rps, minimum=0.0)

    @classmethod
    def sized_for(
        cls,
        peak_rps: float,
        *,
        headroom: float = 0.2,
        server_rps: float = DEFAULT_SERVER_RPS,
        server_price_usd: float = DEFAULT_SERVER_PRICE_USD,
        lifetime_years: float = DEFAULT_LIFETIME_YEARS,
        monthly_ops_usd_per_server: float = DEFAULT_MONTHLY_OPS_USD_PER_SERVER,
    ) -> OnPremises:
        """Enough servers for ``peak_rps`` plus ``headroom`` (0.2 = 20% spare): the
        on-premises rule, since capacity cannot be added in minutes."""
        peak = number("peak_rps", peak_rps, minimum=0.0)
        spare = number("headroom", headroom, minimum=0.0)
        per = number("server_rps", server_rps, minimum=0.0)
        if per == 0:
            raise InvalidScenario("server_rps must be > 0, got 0")
        servers = math.ceil(round(peak * (1.0 + spare) / per, 9))
        return cls(server_price_usd, servers, lifetime_years, monthly_ops_usd_per_server, per)

    @property
    def capacity_rps(self) -> float:
        """Requests/s the servers serve together."""
        return self.servers * self.server_rps

    @property
    def up_front_usd(self) -> float:
        """Cash paid on day one."""
        return self.servers * self.server_price_usd

    @property
    def monthly_equivalent_usd(self) -> float:
        """Purchase spread over the lifetime, plus running costs, per month."""
        months = self.lifetime_years * 12.0
        return self.servers * (self.server_price_usd / months + self.monthly_ops_usd_per_server)

    def cost_over(self, months: float) -> float:
        """Cash spent over ``months``: purchases (renewed every lifetime) plus running costs."""
        m = number("months", months, minimum=0.0)
        purchases = max(1, math.ceil(round(m / (self.lifetime_years * 12.0), 9)))
        return (
            self.servers * self.server_price_usd * purchases
            + m * self.servers * self.monthly_ops_usd_per_server
        )

    def __repr__(self) -> str:
        return (
            f"OnPremises({self.servers} servers x {self.server_price_usd:,.0f} USD, "
            f"{self.capacity_rps:,.0f} req/s, {self.monthly_ops_usd_per_server:,.0f} USD/month "
            f"each to run, replaced every {self.lifetime_years:g} years)"
        )


def on_demand_cost(result_or_fleet: RunResult | Fleet, months: float) -> float:
    """On-demand cost in USD over ``months`` (730-hour months).

    Args:
        result_or_fleet: a :class:`RunResult` (its cost is extrapolated: the run is taken as
            representative, so a weekday-only run overstates a month with weekends), a
            :class:`FixedFleet` (always on), or a :class:`ScheduledFleet` (its weekly hours).
        months: how many months (>= 0).

    Raises:
        InvalidScenario: for an :class:`ElasticFleet`, whose cost depends on the traffic:
            run a scenario and pass its result.
    """
    m = number("months", months, minimum=0.0)
    hours = HOURS_PER_MONTH * m
    if isinstance(result_or_fleet, RunResult):
        if result_or_fleet.duration_h <= 0:
            raise InvalidScenario("the run result covers no time; run a scenario first")
        return result_or_fleet.cost_usd / result_or_fleet.duration_h * hours
    if isinstance(result_or_fleet, FixedFleet):
        return result_or_fleet.price_per_hour * hours
    if isinstance(result_or_fleet, ScheduledFleet):
        f = result_or_fleet
        share = f.hours_per_week / 168.0
        return f.count * f.instance_type.price_per_hour * hours * share
    if isinstance(result_or_fleet, ElasticFleet):
        raise InvalidScenario(
            "an ElasticFleet's cost depends on the traffic it follows; run a scenario "
            "(result = cloud.run(Scenario(traffic, fleet), days=1)) and pass the result"
        )
    raise InvalidScenario(
        f"on_demand_cost() takes a run result or a fleet, got {type(result_or_fleet).__name__}"
    )


def break_even_months(on_premises: OnPremises, monthly_cloud_usd: float) -> float | None:
    """Months after which buying servers becomes cheaper than paying ``monthly_cloud_usd``,
    within the servers' first lifetime; None if the cloud stays cheaper for that long."""
    cloud = number("monthly_cloud_usd", monthly_cloud_usd, minimum=0.0)
    saving = cloud - on_premises.servers * on_premises.monthly_ops_usd_per_server
    if saving <= 0:
        return None
    months = on_premises.up_front_usd / saving
    return months if months <= on_premises.lifetime_years * 12.0 else None
