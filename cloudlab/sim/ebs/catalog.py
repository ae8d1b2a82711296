"""The EBS catalog: volume-type limits, prices and model figures, read from data files.

Two data files hold every number (a data edit, never a code edit):

- ``cloudlab/data/ebs_prices.json``: dated us-east-1 list prices with their source
  (volumes per GB-month, provisioned IOPS and throughput, snapshot standard and archive tiers,
  fast snapshot restore, cross-Region copy transfer);
- ``cloudlab/data/ebs_model.json``: AWS limits (sizes, IOPS ranges, block size, modification
  rules) with their sources, and the course's MODEL figures (latencies, transfer rates),
  each saying what it stands for.

Example:
    >>> gp3 = volume_type("gp3")
    >>> gp3.min_gib, gp3.max_gib, gp3.usd_per_gb_month
    (1, 65536, 0.08)
    >>> round(gp3.monthly_usd(100), 2)
    8.0
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from cloudlab.errors import InvalidScenario

__all__ = [
    "BLOCKS_PER_GIB",
    "BLOCK_SIZE_KIB",
    "HOURS_PER_MONTH",
    "VolumeTypeSpec",
    "ebs_price_info",
    "model_entry",
    "model_figure",
    "prices",
    "volume_type",
    "volume_types",
]

_PRICES = "ebs_prices.json"
_MODEL = "ebs_model.json"


@lru_cache(maxsize=2)
def _load(name: str) -> dict[str, Any]:
    path = resources.files("cloudlab").joinpath("data").joinpath(name)
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def prices() -> dict[str, Any]:
    """The decoded ``ebs_prices.json`` (a fresh copy; mutate it freely)."""
    return json.loads(json.dumps(_load(_PRICES)))  # type: ignore[no-any-return]


def model_entry(*path: str) -> Any:
    """The raw entry of ``ebs_model.json`` at ``path`` (with its ``kind``, ``source``...)."""
    node: Any = _load(_MODEL)
    for key in path:
        node = node[key]
    return node


def model_figure(*path: str) -> Any:
    """A figure of ``ebs_model.json`` by path, unwrapping ``{"value": ...}`` entries.

    Example:
        >>> model_figure("latency", "first_touch_ms_median")
        35.0
    """
    node = model_entry(*path)
    if isinstance(node, dict) and "value" in node:
        return node["value"]
    return node


#: Snapshot block size: snapshots store, compare and restore data in 512 KiB blocks.
BLOCK_SIZE_KIB: int = int(model_figure("block_size_kib"))
#: Blocks in one GiB (2048 blocks of 512 KiB).
BLOCKS_PER_GIB: int = (1024 * 1024) // BLOCK_SIZE_KIB
#: Hours in the billing month (AWS prices per GB-month prorate over 730 hours).
HOURS_PER_MONTH: float = float(_load(_PRICES)["billing"]["hours_per_month"])


@dataclass(frozen=True)
class VolumeTypeSpec:
    """Limits, performance model and prices of one EBS volume type.

    Attributes:
        name: the API name, e.g. ``"gp3"``.
        title: the product name, e.g. ``"General Purpose SSD (gp3)"``.
        min_gib / max_gib: allowed sizes.
        min_iops / max_iops / default_iops: provisioned IOPS range (``None`` when the type has
            no provisioned IOPS).
        max_iops_per_gib: largest IOPS-to-size ratio (``None`` when not limited).
        iops_required: CreateVolume needs ``Iops`` (io1, io2).
        default_throughput_mibps / max_throughput_mibps: MiB/s (gp3 provisions it).
        read_ms_median: MODEL median latency of a read from an initialised block.
        usd_per_gb_month: storage price.
        free_iops / usd_per_iops_month: gp3 IOPS above the free baseline.
        iops_tiers: io1/io2 provisioned IOPS price tiers ``(up_to_iops or None, usd)``.
        free_throughput_mibps / usd_per_mibps_month: gp3 throughput above the baseline.
    """

    name: str
    title: str
    min_gib: int
    max_gib: int
    read_ms_median: float
    usd_per_gb_month: float
    default_throughput_mibps: float
    min_iops: int | None = None
    max_iops: int | None = None
    default_iops: int | None = None
    max_iops_per_gib: float | None = None
    iops_required: bool = False
    max_throughput_mibps: float | None = None
    free_iops: int = 0
    usd_per_iops_month: float = 0.0
    iops_tiers: tuple[tuple[int | None, float], ...] = field(default=())
    free_throughput_mibps: float = 0.0
    usd_per_mibps_month: float = 0.0

    @property
    def provisions_iops(self) -> bool:
        return self.max_iops is not None

    def iops_usd_month(self, iops: int | None) -> float:
        """Monthly price of ``iops`` provisioned IOPS (0 for types without provisioned IOPS)."""
        if not iops:
            return 0.0
        if self.iops_tiers:
            total, floor = 0.0, 0
            for up_to, usd in self.iops_tiers:
                top = iops if up_to is None else min(iops, up_to)
                if top > floor:
                    total += (top - floor) * usd
                floor = top if up_to is None else up_to
                if up_to is None or iops <= up_to:
                    break
            return total
        return max(0, iops - self.free_iops) * self.usd_per_iops_month

    def monthly_usd(self, size_gib: float, *, iops: int | None = None,
                    throughput_mibps: float | None = None) -> float:
        """USD per month for a volume of this type kept for a whole month.

        Example:
            >>> round(volume_type("gp3").monthly_usd(100, iops=4000, throughput_mibps=250), 2)
            18.0
        """
        usd = float(size_gib) * self.usd_per_gb_month + self.iops_usd_month(iops)
        if throughput_mibps and self.usd_per_mibps_month:
            extra = max(0.0, throughput_mibps - self.free_throughput_mibps)
            usd += extra * self.usd_per_mibps_month
        return usd


@lru_cache(maxsize=1)
def _types() -> dict[str, VolumeTypeSpec]:
    limits = _load(_MODEL)["volume_types"]["types"]
    price = _load(_PRICES)["volume_types"]
    out: dict[str, VolumeTypeSpec] = {}
    for name, row in limits.items():
        p = price[name]
        out[name] = VolumeTypeSpec(
            name=name,
            title=str(p["name"]),
            min_gib=int(row["min_gib"]),
            max_gib=int(row["max_gib"]),
            read_ms_median=float(row["read_ms_median"]),
            usd_per_gb_month=float(p["usd_per_gb_month"]),
            default_throughput_mibps=float(row["default_throughput_mibps"]),
            min_iops=row.get("min_iops"),
            max_iops=row.get("max_iops"),
            default_iops=row.get("default_iops"),
            max_iops_per_gib=row.get("max_iops_per_gib"),
            iops_required=bool(row.get("iops_required", False)),
            max_throughput_mibps=row.get("max_throughput_mibps"),
            free_iops=int(p.get("free_iops", 0)),
            usd_per_iops_month=float(p.get("usd_per_iops_month", 0.0)),
            iops_tiers=tuple((t["up_to_iops"], float(t["usd_per_iops_month"]))
                             for t in p.get("iops_tiers", [])),
            free_throughput_mibps=float(p.get("free_throughput_mibps", 0.0)),
            usd_per_mibps_month=float(p.get("usd_per_mibps_month", 0.0)),
        )
    return out


def volume_types() -> list[VolumeTypeSpec]:
    """Every EBS volume type, cheapest storage first."""
    return sorted(_types().values(), key=lambda s: (s.usd_per_gb_month, s.name))


def volume_type(name: str) -> VolumeTypeSpec:
    """The spec of a volume type by API name (``"gp3"``).

    Raises:
        InvalidScenario: an unknown name; the message suggests close names.
    """
    types = _types()
    if isinstance(name, str) and name in types:
        return types[name]
    close = difflib.get_close_matches(str(name).lower(), list(types), n=2, cutoff=0.5)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    raise InvalidScenario(
        f"unknown EBS volume type {name!r}: {hint}the types are {', '.join(sorted(types))}"
    )


def ebs_price_info() -> dict[str, Any]:
    """Where the prices come from: ``source``, ``as_of``, ``region``, ``verified``."""
    doc = _load(_PRICES)
    return {k: doc[k] for k in ("source", "as_of", "region", "currency", "verified")}
