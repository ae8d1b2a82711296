"""Per-cloud EBS state (``cloud.state("sim.ebs", EbsState)``) and the lookups around it.

The state holds what moto does not: block maps of volumes, snapshot storage, Elastic Volumes
modifications, fast snapshot restores, one-time charges. It is dropped by ``cloud.reset()``
together with moto's resources. Everything that is a function of time (snapshot progress,
modification state, initialisation) is computed from the virtual clock when asked, so no
clock events need to be scheduled and a reset leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from cloudlab.errors import UnknownResource
from cloudlab.sim.ebs.blocks import IntArray, VolumeBlocks
from cloudlab.sim.ebs.fsr import FastRestore
from cloudlab.sim.ebs.modifications import Modification
from cloudlab.sim.ebs.snapshots import SnapshotBook

__all__ = ["STATE_KEY", "EbsState", "account_id", "describe_volume", "ebs_rng", "ebs_state",
           "virtual_time"]

STATE_KEY = "sim.ebs"


@dataclass
class EbsState:
    """What the EBS simulation knows about one cloud."""

    volumes: dict[str, VolumeBlocks] = field(default_factory=dict)
    book: SnapshotBook = field(default_factory=SnapshotBook)
    modifications: dict[str, list[Modification]] = field(default_factory=dict)
    fast_restores: dict[tuple[str, str], FastRestore] = field(default_factory=dict)
    transfer_gib: float = 0.0  # cross-Region snapshot copy data transferred so far
    archive_restore_gib: float = 0.0
    next_version: int = 1
    account: str | None = None
    rngs: dict[str, np.random.Generator] = field(default_factory=dict)

    def new_versions(self, n: int) -> IntArray:
        out = np.arange(self.next_version, self.next_version + n, dtype=np.int64)
        self.next_version += n
        return out

    def history(self, volume_id: str) -> list[Modification]:
        return self.modifications.setdefault(volume_id, [])


def ebs_state(cloud: Any) -> EbsState:
    return cloud.state(STATE_KEY, EbsState)  # type: ignore[no-any-return]


def ebs_rng(cloud: Any, stream: str) -> np.random.Generator:
    """The cloud's seeded generator for ``stream``, kept for the cloud's life so successive
    calls continue one sequence (``cloud.rng`` would restart it on every call)."""
    state = ebs_state(cloud)
    if stream not in state.rngs:
        state.rngs[stream] = cloud.rng(stream)
    return state.rngs[stream]


def virtual_time(cloud: Any, t: float) -> datetime:
    """The calendar instant of ``t`` virtual seconds (what AWS timestamps show)."""
    return cloud.clock.start + timedelta(seconds=float(t))  # type: ignore[no-any-return]


def account_id(cloud: Any) -> str:
    state = ebs_state(cloud)
    if state.account is None:
        state.account = str(cloud.client("sts").get_caller_identity()["Account"])
    return state.account


def describe_volume(cloud: Any, volume_id: str) -> tuple[dict[str, Any], str]:
    """``(DescribeVolumes item, Region)`` of a volume, looked up where it was created.

    Raises:
        UnknownResource: no volume of that id in the mini cloud.
    """
    from botocore.exceptions import ClientError

    if not isinstance(volume_id, str) or not volume_id.startswith("vol-"):
        raise UnknownResource(
            f"{volume_id!r} is not a volume id: pass the VolumeId of a volume, e.g. "
            f"ec2.create_volume(...)['VolumeId']")
    known = ebs_state(cloud).volumes.get(volume_id)
    regions = [known.region] if known else [cloud.region]
    for region in regions:
        try:
            found = cloud.client("ec2", region=region).describe_volumes(VolumeIds=[volume_id])
        except ClientError:
            continue
        if found["Volumes"]:
            return found["Volumes"][0], region
    raise UnknownResource(
        f"no volume {volume_id} in the mini cloud ({', '.join(regions)}): it was deleted, or "
        f"it is in another Region; create one with ec2.create_volume(...)")
