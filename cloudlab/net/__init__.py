"""Networking analyzers: CIDR arithmetic with AWS's rules, and VPC reachability.

    >>> from cloudlab.net import reachable, split, usable_addresses      # doctest: +SKIP
    >>> split("10.0.0.0/16", count=4)[0]
    '10.0.0.0/18'
    >>> reachable(cloud, "internet", "i-0abc", 443).reachable           # doctest: +SKIP
    True

Imports only :mod:`cloudlab.cloud` and :mod:`cloudlab.errors` (layer rule); everything is read
from the backend through boto3 describe calls.
"""

from __future__ import annotations

from cloudlab.net.cidr import (
    address_count,
    check_subnet_cidr,
    check_vpc_cidr,
    overlaps,
    parse_cidr,
    reserved_addresses,
    split,
    usable_addresses,
)
from cloudlab.net.model import NetworkModel, snapshot
from cloudlab.net.path import Hop, Path
from cloudlab.net.reachability import reachable

__all__ = [
    "Hop",
    "NetworkModel",
    "Path",
    "address_count",
    "check_subnet_cidr",
    "check_vpc_cidr",
    "overlaps",
    "parse_cidr",
    "reachable",
    "reserved_addresses",
    "snapshot",
    "split",
    "usable_addresses",
]
