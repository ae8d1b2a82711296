"""The EBS catalog, prices and bills, the public surface, and properties of snapshot storage
(cloudlab.sim.ebs.catalog, .pricing, .snapshots)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cloudlab.sim.ebs as ebs
from cloudlab.errors import InvalidScenario, UnknownResource
from cloudlab.sim.ebs import (
    BLOCKS_PER_GIB,
    ebs_bill,
    ebs_cost_usd,
    ebs_price_info,
    snapshot_usage,
    volume_type,
    volume_types,
    write_blocks,
)
from cloudlab.sim.ebs.blocks import VolumeBlocks
from cloudlab.sim.ebs.catalog import model_entry, model_figure
from cloudlab.sim.ebs.snapshots import SnapshotBook


# -- data files ---------------------------------------------------------------------------
def _data(name: str) -> dict:
    return json.loads(resources.files("cloudlab").joinpath("data", name).read_text())


def test_price_file_is_dated_and_sourced() -> None:
    doc = _data("ebs_prices.json")
    assert doc["source"] == "https://aws.amazon.com/ebs/pricing/"
    assert doc["region"] == "us-east-1" and doc["as_of"].startswith("2026-")
    assert doc["volume_types"]["gp3"]["usd_per_gb_month"] == 0.08
    assert doc["snapshots"]["standard_usd_per_gb_month"] == 0.05
    assert doc["snapshots"]["archive_usd_per_gb_month"] == 0.0125
    assert all(u.startswith("https://docs.aws.amazon.com/")
               for u in doc["snapshots"]["snapshot_sources"])
    assert ebs_price_info()["as_of"] == doc["as_of"]


def test_every_model_figure_says_what_it_is() -> None:
    doc = _data("ebs_model.json")

    def entries(node: object) -> list[dict]:
        if isinstance(node, dict):
            found = [node] if "kind" in node else []
            return found + [e for v in node.values() for e in entries(v)]
        return []

    found = entries(doc)
    assert len(found) >= 15
    for entry in found:
        assert entry["kind"] in ("MODEL", "LIMIT"), entry
        assert entry.get("meaning"), entry
        if entry["kind"] == "LIMIT":
            assert "https://docs.aws.amazon.com/" in str(entry.get("source", "")), entry


def test_volume_types_limits_and_lookup() -> None:
    assert [t.name for t in volume_types()][:2] == ["sc1", "st1"]   # cheapest storage first
    gp3 = volume_type("gp3")
    assert (gp3.min_gib, gp3.max_gib, gp3.max_iops, gp3.max_throughput_mibps) == \
        (1, 65536, 80000, 2000)
    assert volume_type("io2").max_gib == 65536 and volume_type("gp2").max_gib == 16384
    assert model_figure("volume_types", "default_type") == "gp2"
    with pytest.raises(InvalidScenario, match=r"unknown EBS volume type 'gp4': did you mean"):
        volume_type("gp4")
    assert model_entry("modification", "max_per_24h")["value"] == 4
    assert BLOCKS_PER_GIB == 2048


@pytest.mark.parametrize(("vtype", "size", "iops", "mibps", "usd"), [
    ("gp3", 100, 3000, 125, 8.00),
    ("gp3", 100, 4000, 250, 8.00 + 1000 * 0.005 + 125 * 0.04),
    ("gp2", 100, None, None, 10.00),
    ("io2", 100, 40000, None, 12.50 + 32000 * 0.065 + 8000 * 0.0455),
    ("io1", 100, 5000, None, 12.50 + 5000 * 0.065),
    ("st1", 1000, None, None, 45.00),
    ("sc1", 1000, None, None, 15.00),
])
def test_monthly_volume_prices(vtype: str, size: int, iops: int | None, mibps: int | None,
                               usd: float) -> None:
    assert volume_type(vtype).monthly_usd(size, iops=iops, throughput_mibps=mibps) == \
        pytest.approx(usd)


def test_bill_of_volumes_snapshots_and_transfer(ebs: SimpleNamespace) -> None:
    cloud = ebs.cloud
    vid = ebs.volume(100)
    write_blocks(cloud, vid, gib=40)
    sid = ebs.snapshot(vid)  # completed an hour later
    cloud.client("ec2", region="eu-west-1").copy_snapshot(SourceSnapshotId=sid,
                                                           SourceRegion="us-east-1")
    bill = ebs_bill(cloud)
    assert bill.usd_per_month == pytest.approx(8.00 + 40 * 0.05 * 2)
    assert bill.one_time_usd == pytest.approx(40 * 0.02)
    assert ebs_cost_usd(cloud, region="us-east-1", months=12) == pytest.approx(12 * 10.0)
    assert "total per month" in bill._repr_html_()
    with pytest.raises(UnknownResource, match="no snapshot 'snap-1'"):
        snapshot_usage(cloud, "snap-1")


# -- the public surface -------------------------------------------------------------------
def test_all_is_the_documented_api() -> None:
    documented = {"write_blocks", "read_blocks", "initialize_volume", "extend_file_system",
                  "data_digest", "volume_usage", "snapshot_usage", "snapshot_storage",
                  "ebs_bill", "ebs_cost_usd", "volume_type", "volume_types", "ebs_price_info"}
    assert documented <= set(ebs.__all__)
    for name in ebs.__all__:
        assert getattr(ebs, name) is not None
    public = {n for n, v in vars(ebs).items() if not n.startswith("_")
              and getattr(v, "__module__", "").startswith("cloudlab.sim.ebs")}
    assert public <= set(ebs.__all__), sorted(public - set(ebs.__all__))


def test_every_module_has_a_docstring_and_stays_small() -> None:
    import importlib
    import pkgutil
    from pathlib import Path

    for info in pkgutil.iter_modules(ebs.__path__):
        module = importlib.import_module(f"cloudlab.sim.ebs.{info.name}")
        assert module.__doc__ and len(module.__doc__) > 80, info.name
        lines = Path(module.__file__ or "").read_text().count("\n")
        assert lines < 420, f"{info.name} has {lines} lines: split it"


def test_ebs_imports_only_lower_layers() -> None:
    """cloudlab.sim.ebs imports the cloud layer, errors, numpy and the simulation only."""
    import ast
    from pathlib import Path

    allowed = ("cloudlab.cloud", "cloudlab.errors", "cloudlab.sim")
    for path in Path(ebs.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name.startswith("cloudlab"):
                    assert name.startswith(allowed), f"{path.name} imports {name}"
    code = "import sys, cloudlab.sim.ebs; print('cloudlab.checks' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# -- properties of snapshot storage (no cloud: the book and block maps alone) --------------
_ops = st.lists(st.one_of(
    st.tuples(st.just("write"), st.integers(0, 63), st.integers(1, 16)),
    st.tuples(st.just("snap"), st.just(0), st.just(0)),
    st.tuples(st.just("delete"), st.integers(0, 20), st.just(0)),
), min_size=1, max_size=25)


@given(_ops)
def test_storage_is_the_union_and_deletes_never_lose_data(ops: list[tuple[str, int, int]]) -> None:
    book = SnapshotBook()
    vol = VolumeBlocks("vol-p", "r", "r-a", 0.0, fs_gib=1.0)
    version = 1
    digests: dict[str, str] = {}
    t = 0.0
    for kind, a, b in ops:
        t += 1.0
        if kind == "write":
            idx = np.arange(a, min(a + b, 64), dtype=np.int64)
            vol.write(idx, np.arange(version, version + len(idx), dtype=np.int64))
            version += len(idx)
        elif kind == "snap":
            sid = f"snap-{len(digests)}"
            book.take(sid, vol, 1, t)
            digests[sid] = vol.digest()
            assert book.records[sid].digest() == vol.digest()
        else:
            existing = sorted(book.records)
            if existing:
                before = sum(book.stored_blocks("r").values())
                book.delete(existing[a % len(existing)], t)
                assert sum(book.stored_blocks("r").values()) <= before
        stored = book.stored_blocks("r")
        union = np.unique(np.concatenate([r.obj for r in book.records.values()])) \
            if book.records else np.zeros(0)
        assert sum(stored.values()) == len(union)
        for sid, rec in book.records.items():
            assert rec.digest() == digests[sid]            # deletes never change survivors
            assert stored[sid] <= len(rec.idx)
        if book.records:
            newest = max(book.records.values(), key=lambda r: r.created_t)
            assert len(newest.idx) <= sum(stored.values())


def test_docstring_examples_of_every_module() -> None:
    import doctest
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(ebs.__path__):
        module = importlib.import_module(f"cloudlab.sim.ebs.{info.name}")
        assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0, info.name
