"""EBS on the virtual clock: block data, incremental snapshots, lazy restores, Elastic Volumes.

moto gives EBS as a control plane only: volumes and snapshots exist, every snapshot and every
volume modification is complete at once, nothing holds data. Importing this package attaches
the behaviour AWS has (through botocore hooks on every EC2 call of the cloud, see
:mod:`~cloudlab.sim.ebs.hooks`), so learners keep using the real boto3 API
(``create_volume``, ``attach_volume``, ``create_snapshot``, ``copy_snapshot``,
``create_volume(SnapshotId=...)``, ``modify_volume``, ``describe_volumes_modifications``,
``enable_fast_snapshot_restores``, ``describe_volume_status``) and move time with
``cloud.advance(...)``:

- snapshots are incremental and stay ``pending`` while their changed blocks are copied;
  deleting one keeps every block a later snapshot still needs (:mod:`.snapshots`);
- copies to another Region are full the first time and incremental afterwards;
- a volume restored from a snapshot loads lazily: a first read of a block is slow until the
  volume is initialised (pre-warm read, Provisioned Rate for Volume Initialization or fast
  snapshot restore) (:mod:`.blocks`, :mod:`.fsr`);
- Elastic Volumes grow and retune a volume in place: ``modifying`` -> ``optimizing`` ->
  ``completed``, never smaller, at most four modifications a day (:mod:`.modifications`);
- prices per GB-month by volume type and snapshot tier (:mod:`.pricing`).

Learner functions (the instance's I/O, and the books):

- :func:`write_blocks`, :func:`read_blocks`, :func:`initialize_volume`,
  :func:`extend_file_system`, :func:`data_digest`
- :func:`volume_usage`, :func:`snapshot_usage`, :func:`snapshot_storage`, :func:`ebs_bill`,
  :func:`ebs_cost_usd`
- :func:`volume_type`, :func:`volume_types`, :func:`ebs_price_info`

Example:
    >>> from cloudlab import Cloud                                  # doctest: +SKIP
    >>> from cloudlab.sim.ebs import write_blocks, snapshot_usage   # doctest: +SKIP
    >>> cloud = Cloud(seed=1); ec2 = cloud.client("ec2")            # doctest: +SKIP
    >>> # ... create and attach a gp3 volume, write_blocks(cloud, vol, gib=10),
    >>> # ec2.create_snapshot(VolumeId=vol), cloud.advance(minutes=5) ...

Layering: imports only :mod:`cloudlab.cloud`, :mod:`cloudlab.errors` and numpy.
"""

from __future__ import annotations

from cloudlab.cloud.session import add_start_hook
from cloudlab.sim.ebs.catalog import (
    BLOCK_SIZE_KIB,
    BLOCKS_PER_GIB,
    VolumeTypeSpec,
    ebs_price_info,
    volume_type,
    volume_types,
)
from cloudlab.sim.ebs.dataplane import (
    Initialization,
    ReadResult,
    WriteResult,
    data_digest,
    extend_file_system,
    initialize_volume,
    read_blocks,
    write_blocks,
)
from cloudlab.sim.ebs.hooks import install
from cloudlab.sim.ebs.pricing import (
    EbsBill,
    SnapshotStorage,
    SnapshotUsage,
    VolumeUsage,
    ebs_bill,
    ebs_cost_usd,
    snapshot_storage,
    snapshot_usage,
    volume_usage,
)

__all__ = [
    "BLOCKS_PER_GIB",
    "BLOCK_SIZE_KIB",
    "EbsBill",
    "Initialization",
    "ReadResult",
    "SnapshotStorage",
    "SnapshotUsage",
    "VolumeTypeSpec",
    "VolumeUsage",
    "WriteResult",
    "data_digest",
    "ebs_bill",
    "ebs_cost_usd",
    "ebs_price_info",
    "extend_file_system",
    "initialize_volume",
    "install",
    "read_blocks",
    "snapshot_storage",
    "snapshot_usage",
    "volume_type",
    "volume_types",
    "volume_usage",
    "write_blocks",
]

add_start_hook(install)
