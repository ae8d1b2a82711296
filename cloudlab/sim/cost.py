"""The cost meter: what running instances cost, second by second.

EC2 On-Demand Linux instances are billed per second of running time, with a minimum of
60 seconds each time an instance starts. Sources: the EC2 On-Demand pricing page,
https://aws.amazon.com/ec2/pricing/on-demand/ , section "Per Second Billing"; the
announcement of 2 October 2017,
https://aws.amazon.com/about-aws/whats-new/2017/10/announcing-amazon-ec2-per-second-billing/
Windows and some Marketplace images bill per hour; the course prices Linux only.

This module turns an instance count per simulation step into a cumulative bill. The
fleets call it; learners may too (``instance_cost_usd("m5.large", hours=24)``).
"""

from __future__ import annotations

import numpy as np

from cloudlab.errors import InvalidScenario
from cloudlab.sim.catalog import InstanceType, instance_type

__all__ = [
    "MINIMUM_BILLED_S",
    "billed_seconds",
    "cumulative_cost",
    "instance_cost_usd",
    "minimum_charge_top_up_s",
]

#: Seconds billed at least, each time a Linux instance starts (per-second billing minimum).
MINIMUM_BILLED_S = 60.0


def billed_seconds(running_s: float) -> float:
    """Seconds billed for one launch that ran ``running_s`` seconds (at least 60).

    Example:
        >>> billed_seconds(12), billed_seconds(90.5)
        (60.0, 90.5)
    """
    if not running_s >= 0:
        raise InvalidScenario(f"running_s must be >= 0, got {running_s!r}")
    return max(float(running_s), MINIMUM_BILLED_S)


def minimum_charge_top_up_s(running_s: float) -> float:
    """Extra seconds billed when an instance stops before the 60-second minimum."""
    return billed_seconds(running_s) - float(running_s)


def instance_cost_usd(
    instance: str | InstanceType, *, seconds: float = 0, hours: float = 0, count: int = 1
) -> float:
    """On-demand cost of ``count`` instances of one type running for a while (one launch each).

    Example:
        >>> round(instance_cost_usd("m5.large", hours=24), 4)
        2.304
    """
    it = instance_type(instance)
    if count < 0:
        raise InvalidScenario(f"count must be >= 0, got {count}")
    running_s = float(seconds) + 3600.0 * float(hours)
    return count * billed_seconds(running_s) * it.price_per_second


def cumulative_cost(
    usd_per_step: np.ndarray, *, start_usd: float = 0.0
) -> np.ndarray:
    """Running total of per-step charges (never decreases when charges are >= 0)."""
    out = np.cumsum(usd_per_step, dtype=float)
    if start_usd:
        out += start_usd
    return out
