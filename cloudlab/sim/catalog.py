"""The instance-type catalog: what one EC2 instance costs and how much traffic it serves.

The numbers live in ``cloudlab/data/instance_types.json`` (dated list prices with their
source, plus the course's ``rps`` model figure); this module only reads them. Adding an
instance type is a data edit, never a code edit.

Example:
    >>> m5 = instance_type("m5.large")
    >>> m5.vcpu, m5.price_per_hour, m5.rps
    (2, 0.096, 200.0)
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from cloudlab.errors import UnknownInstanceType

__all__ = ["InstanceType", "catalog_info", "instance_type", "instance_types"]

_DATA_FILE = "instance_types.json"


@dataclass(frozen=True)
class InstanceType:
    """One EC2 instance type as the simulation sees it.

    Attributes:
        name: the EC2 name, e.g. ``"m5.large"``.
        vcpu: virtual CPUs.
        memory_gib: memory in GiB.
        rps: model figure: sustained requests/s of the course's reference web app
            (see ``rps_model`` in the data file; not an AWS number).
        price_per_hour: on-demand Linux list price in USD per hour (us-east-1).
        family: instance family, e.g. ``"m5"``.
        burstable: True for T-family types (their ``rps`` is the baseline, not the burst).
    """

    name: str
    vcpu: int
    memory_gib: float
    rps: float
    price_per_hour: float
    family: str
    burstable: bool = False

    @property
    def price_per_second(self) -> float:
        """USD per second of running time (EC2 Linux bills per second)."""
        return self.price_per_hour / 3600.0

    @property
    def usd_per_million_requests(self) -> float:
        """USD per million requests at full load: a price-performance figure."""
        return self.price_per_hour / (self.rps * 3600.0) * 1e6 if self.rps else float("inf")

    def __str__(self) -> str:
        return (
            f"{self.name} ({self.vcpu} vCPU, {self.memory_gib:g} GiB, "
            f"{self.rps:g} req/s, {self.price_per_hour:g} USD/h)"
        )


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Any], dict[str, InstanceType]]:
    path = resources.files("cloudlab").joinpath("data").joinpath(_DATA_FILE)
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    types: dict[str, InstanceType] = {}
    for name, row in doc["types"].items():
        types[name] = InstanceType(
            name=name,
            vcpu=int(row["vcpu"]),
            memory_gib=float(row["memory_gib"]),
            rps=float(row["rps"]),
            price_per_hour=float(row["price_per_hour"]),
            family=str(row.get("family", name.split(".")[0])),
            burstable=bool(row.get("burstable", False)),
        )
    meta = {k: v for k, v in doc.items() if k != "types"}
    return meta, types


def catalog_info() -> dict[str, Any]:
    """The catalog's metadata: ``source`` URL, ``as_of`` note, ``region``, ``rps_model``, ..."""
    return dict(_load()[0])


def instance_types() -> list[InstanceType]:
    """Every known instance type, cheapest first (ties broken by name)."""
    return sorted(_load()[1].values(), key=lambda it: (it.price_per_hour, it.name))


def instance_type(name: str | InstanceType) -> InstanceType:
    """Look up an instance type by name (an :class:`InstanceType` is returned unchanged).

    Raises:
        UnknownInstanceType: the name is not in the catalog; the message suggests close names.
    """
    if isinstance(name, InstanceType):
        return name
    types = _load()[1]
    if isinstance(name, str) and name in types:
        return types[name]
    if not isinstance(name, str):
        raise UnknownInstanceType(
            f"instance type must be a name such as 'm5.large', got {type(name).__name__} {name!r}"
        )
    lowered = name.strip().lower()
    if lowered in types:
        return types[lowered]
    close = difflib.get_close_matches(lowered, list(types), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise UnknownInstanceType(
        f"unknown instance type {name!r}: {hint}the simulation knows "
        f"{', '.join(sorted(types))}. Pick one of those, or add a row to "
        f"cloudlab/data/instance_types.json"
    )
