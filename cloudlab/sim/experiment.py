"""Experiments: several fleets facing the same traffic over the same window.

A :class:`~cloudlab.sim.Scenario` run moves the clock, so two runs one after the other
see two different days. To compare architectures fairly (a fleet sized for the peak
against an elastic one, on the *same* Monday with the *same* noise), an experiment
simulates each alternative as a what-if run from the current time, then advances the
clock once. Clock events fire after the alternatives have been simulated, so fleets in
an experiment do not react to events scheduled on the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudlab.errors import InvalidScenario
from cloudlab.sim.fleet import Fleet
from cloudlab.sim.scenario import Comparison, Scenario, compare
from cloudlab.sim.traffic import TrafficModel

__all__ = ["Experiment"]


class Experiment:
    """The same traffic served by several named fleets, side by side.

    Args:
        traffic: the demand every alternative faces.
        fleets: ``{"name": fleet}``; names label tables and charts.
        step_s: simulation resolution in seconds.

    Example:
        >>> day = cloud.run(Experiment(traffic, {                      # doctest: +SKIP
        ...     "fixed for the peak": FixedFleet("m5.large", 14),
        ...     "elastic": ElasticFleet("m5.large")}), hours=24)
        >>> day["elastic"].cost_usd < day["fixed for the peak"].cost_usd  # doctest: +SKIP
        True
    """

    def __init__(
        self, traffic: TrafficModel, fleets: Mapping[str, Fleet], *, step_s: float = 1.0
    ) -> None:
        if not isinstance(fleets, Mapping) or not fleets:
            raise InvalidScenario(
                "fleets must be a non-empty dict of {name: fleet}, e.g. "
                '{"fixed": FixedFleet("m5.large", 4), "elastic": ElasticFleet("m5.large")}'
            )
        # Scenario validates the traffic, each fleet and step_s with specific messages.
        self.scenarios = [
            Scenario(traffic, fleet, name=str(name), step_s=step_s)
            for name, fleet in fleets.items()
        ]
        self.traffic = traffic

    def __repr__(self) -> str:
        names = ", ".join(s.name for s in self.scenarios)
        return f"Experiment({self.traffic!r} on: {names})"

    def run(
        self,
        cloud: Any,
        /,
        *,
        seconds: float = 0,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
        progress: bool | None = None,
        **unknown: Any,
    ) -> Comparison:
        """Simulate every alternative over the same window from now, then advance the clock
        once by the duration. Returns a :class:`~cloudlab.sim.Comparison` (index it by name).
        """
        results = [
            s.run(cloud, seconds=seconds, minutes=minutes, hours=hours, days=days,
                  progress=progress, advance_clock=False, **unknown)
            for s in self.scenarios
        ]
        cloud.clock.run_until(cloud.clock.t + results[0].recorder.duration_s)
        return compare(*results)
