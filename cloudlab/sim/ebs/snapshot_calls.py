"""Snapshot calls: incremental snapshots, copies and fast snapshot restore on the virtual clock.

moto stores snapshots as pointers to their volume: every snapshot is ``completed`` at once,
reports the volume's *current* size, ignores ``OwnerIds`` (``describe_snapshots(OwnerIds=
["self"])`` returns about 1,300 AMI snapshots of other owners) and has no fast snapshot
restore. These handlers keep the real story in :class:`~cloudlab.sim.ebs.snapshots.SnapshotBook`
and rewrite moto's answers from it: ``State`` and ``Progress`` over virtual time,
``StartTime``/``CompletionTime`` on the virtual clock, the size when the snapshot was taken,
``vol-ffffffff`` for copies, ``FullSnapshotSizeInBytes``, owner and status filters.
"""

from __future__ import annotations

from typing import Any

from cloudlab.sim.ebs._wire import AwsError, Call, as_bool, as_int, indexed, pop_filters
from cloudlab.sim.ebs.catalog import BLOCK_SIZE_KIB, model_entry
from cloudlab.sim.ebs.fsr import FastRestore
from cloudlab.sim.ebs.snapshots import SnapshotRecord
from cloudlab.sim.ebs.state import account_id, ebs_state, virtual_time
from cloudlab.sim.ebs.volume_calls import register_volume

__all__ = ["AFTER", "ANSWER", "BEFORE"]


def _encryption(item: dict[str, Any]) -> tuple[bool, str]:
    return bool(item.get("Encrypted")), str(item.get("KmsKeyId") or "")


# -- CreateSnapshot(s) ------------------------------------------------------------------
def _before_create_snapshot(call: Call) -> None:
    state = ebs_state(call.cloud)
    volume_id = str(call.body.get("VolumeId"))
    pending = state.book.pending_for_volume(volume_id, call.t)
    if not pending:
        return
    found = call.cloud.client("ec2", region=call.region).describe_volumes(VolumeIds=[volume_id])
    vtype = found["Volumes"][0].get("VolumeType", "gp2") if found["Volumes"] else "gp2"
    entry = model_entry("snapshot", "concurrent_per_volume")
    if pending >= int(entry.get(vtype, entry["value"])):
        raise AwsError("SnapshotCreationPerVolumeRateExceeded",
                       "The maximum per volume CreateSnapshot request rate has been exceeded. "
                       "Use an increasing or variable sleep interval between requests.")


def _take(call: Call, item: dict[str, Any]) -> SnapshotRecord | None:
    state = ebs_state(call.cloud)
    volume_id = str(item.get("VolumeId", ""))
    vol = state.volumes.get(volume_id)
    if vol is None:  # a volume the simulation has not seen: it holds no simulated data
        found = call.cloud.client("ec2", region=call.region).describe_volumes(
            VolumeIds=[volume_id])["Volumes"]
        if not found:
            return None
        vol = register_volume(call.cloud, volume_id, call.region,
                              found[0]["AvailabilityZone"], int(found[0]["Size"]))
    if item.get("OwnerId") and state.account is None:
        state.account = str(item["OwnerId"])
    return state.book.take(str(item["SnapshotId"]), vol, int(item.get("VolumeSize") or 0),
                           call.t, owner_id=str(item.get("OwnerId", "")),
                           encryption=_encryption(item))


def _rewrite(call: Call, item: dict[str, Any], rec: SnapshotRecord) -> None:
    t = call.t
    item["State"] = rec.state(t)
    item["Progress"] = f"{rec.progress_pct(t)}%"
    item["StartTime"] = virtual_time(call.cloud, rec.created_t)
    item["VolumeSize"] = rec.size_gib
    item["VolumeId"] = rec.volume_id
    item["FullSnapshotSizeInBytes"] = len(rec.idx) * BLOCK_SIZE_KIB * 1024
    if rec.state(t) == "completed":
        item["CompletionTime"] = virtual_time(call.cloud, rec.done_t)
    else:
        item.pop("CompletionTime", None)
    if rec.copy_of is not None:
        item["TransferType"] = rec.transfer_type
        if rec.completion_minutes:
            item["CompletionDurationMinutes"] = rec.completion_minutes
    item["StorageTier"] = rec.tier


def _after_create_snapshot(call: Call, parsed: dict[str, Any]) -> None:
    rec = _take(call, parsed)
    if rec is not None:
        _rewrite(call, parsed, rec)


def _after_create_snapshots(call: Call, parsed: dict[str, Any]) -> None:
    for item in parsed.get("Snapshots", []):
        rec = _take(call, item)
        if rec is not None:
            _rewrite(call, item, rec)


# -- DescribeSnapshots ------------------------------------------------------------------
def _before_describe_snapshots(call: Call) -> dict[str, Any] | None:
    call.context["cloudlab_ebs_filters"] = pop_filters(call.body, {"status"})
    owners = {str(o) for o in indexed(call.body, "Owner")}
    if owners == {"self"} and not indexed(call.body, "SnapshotId"):
        # moto ignores OwnerIds and serialises ~1,300 AMI snapshots of other owners (about
        # 2 s); ask it for this account's snapshots only.
        own = [r.snapshot_id for r in ebs_state(call.cloud).book.in_region(call.region)]
        if not own:
            return {"Snapshots": []}
        for i, snapshot_id in enumerate(own, 1):
            call.body[f"SnapshotId.{i}"] = snapshot_id
    return None


def _after_describe_snapshots(call: Call, parsed: dict[str, Any]) -> None:
    book = ebs_state(call.cloud).book
    owners = {str(o) for o in indexed(call.body, "Owner")}
    items = parsed.get("Snapshots", [])
    if owners:
        mine = account_id(call.cloud)
        allowed = {mine if o == "self" else o for o in owners}
        items = [i for i in items
                 if i.get("OwnerId") in allowed
                 or ("amazon" in owners and i.get("OwnerId") != mine)]
    for item in items:
        rec = book.records.get(item.get("SnapshotId", ""))
        if rec is not None:
            _rewrite(call, item, rec)
    wanted = call.context.get("cloudlab_ebs_filters", {}).get("status")
    if wanted:
        items = [i for i in items if i.get("State") in wanted]
    parsed["Snapshots"] = items


# -- CopySnapshot -----------------------------------------------------------------------
def _before_copy_snapshot(call: Call) -> None:
    rec = ebs_state(call.cloud).book.records.get(str(call.body.get("SourceSnapshotId")))
    if rec is not None and rec.state(call.t) != "completed":
        raise AwsError("IncorrectState", "Snapshot is in invalid state - pending")
    minutes = as_int(call.body.get("CompletionDurationMinutes"))
    if minutes is not None and (minutes % 15 or not 15 <= minutes <= 2880):
        raise AwsError("InvalidParameterValue",
                       f"CompletionDurationMinutes must be a multiple of 15 between 15 and "
                       f"2880 (48 hours), got {minutes}.")


def _after_copy_snapshot(call: Call, parsed: dict[str, Any]) -> None:
    state = ebs_state(call.cloud)
    source = state.book.records.get(str(call.body.get("SourceSnapshotId")))
    if source is None:
        return
    encrypted = as_bool(call.body.get("Encrypted")) or source.encryption[0]
    kms = str(call.body.get("KmsKeyId") or "")
    if not kms and call.region == source.region:
        kms = source.encryption[1]
    rec = state.book.copy(str(parsed["SnapshotId"]), source, call.region, call.t,
                          encryption=(encrypted, kms),
                          completion_minutes=as_int(call.body.get("CompletionDurationMinutes")))
    if call.region != source.region:
        state.transfer_gib += rec.transferred_gib


# -- DeleteSnapshot and tiers -----------------------------------------------------------
def _after_delete_snapshot(call: Call, parsed: dict[str, Any]) -> None:
    state = ebs_state(call.cloud)
    snapshot_id = str(call.body.get("SnapshotId"))
    state.book.delete(snapshot_id, call.t)
    for key, fsr in state.fast_restores.items():  # deleting a snapshot disables its FSR
        if key[0] == snapshot_id and fsr.disabling_t is None:
            fsr.disabling_t = call.t


def _after_modify_snapshot_tier(call: Call, parsed: dict[str, Any]) -> None:
    ebs_state(call.cloud).book.set_tier(str(call.body.get("SnapshotId")), "archive")


def _after_restore_snapshot_tier(call: Call, parsed: dict[str, Any]) -> None:
    state = ebs_state(call.cloud)
    rec = state.book.records.get(str(call.body.get("SnapshotId")))
    if rec is not None:
        state.archive_restore_gib += rec.full_gib
        state.book.set_tier(rec.snapshot_id, "standard")


# -- fast snapshot restore (moto: not implemented) ---------------------------------------
def _fsr_pairs(call: Call) -> list[tuple[str, str]]:
    zones = [str(z) for z in indexed(call.body, "AvailabilityZone")]
    snaps = [str(s) for s in indexed(call.body, "SourceSnapshotId")]
    return [(s, z) for s in snaps for z in zones]


def _fsr_error(snapshot_id: str, az: str, code: str, message: str) -> dict[str, Any]:
    return {"SnapshotId": snapshot_id, "FastSnapshotRestoreStateErrors": [
        {"AvailabilityZone": az, "Error": {"Code": code, "Message": message}}]}


def _answer_enable_fsr(call: Call) -> dict[str, Any]:
    state, t = ebs_state(call.cloud), call.t
    zones = set(call.cloud.azs(call.region))
    ok, failed = [], []
    for snapshot_id, az in _fsr_pairs(call):
        rec = state.book.records.get(snapshot_id)
        if rec is None or rec.region != call.region:
            failed.append(_fsr_error(snapshot_id, az, "InvalidSnapshot.NotFound",
                                     f"The snapshot '{snapshot_id}' does not exist."))
            continue
        if az not in zones:
            failed.append(_fsr_error(snapshot_id, az, "InvalidParameterValue",
                                     f"Invalid availability zone: [{az}]"))
            continue
        if rec.state(t) != "completed":
            failed.append(_fsr_error(snapshot_id, az, "IncorrectState",
                                     "Snapshot is in invalid state - pending"))
            continue
        fsr = state.fast_restores.get((snapshot_id, az))
        if fsr is None or fsr.state(t) == "disabled":
            fsr = FastRestore(snapshot_id, az, call.region, rec.size_gib,
                              rec.owner_id or account_id(call.cloud), enabling_t=t)
            state.fast_restores[(snapshot_id, az)] = fsr
        ok.append(fsr.describe(t, lambda x: virtual_time(call.cloud, x)))
    return {"Successful": ok, "Unsuccessful": failed}


def _answer_disable_fsr(call: Call) -> dict[str, Any]:
    state, t = ebs_state(call.cloud), call.t
    ok = []
    for key in _fsr_pairs(call):
        fsr = state.fast_restores.get(key)
        if fsr is not None:
            if fsr.disabling_t is None:
                fsr.disabling_t = t
            ok.append(fsr.describe(t, lambda x: virtual_time(call.cloud, x)))
    return {"Successful": ok, "Unsuccessful": []}


def _answer_describe_fsr(call: Call) -> dict[str, Any]:
    state, t = ebs_state(call.cloud), call.t
    filters = pop_filters(call.body, {"snapshot-id", "availability-zone", "state", "owner-id"})
    items = []
    for fsr in state.fast_restores.values():
        if fsr.region != call.region:
            continue
        item = fsr.describe(t, lambda x: virtual_time(call.cloud, x))
        if all(str(item.get(field)) in values for field, values in (
                ("SnapshotId", filters.get("snapshot-id")),
                ("AvailabilityZone", filters.get("availability-zone")),
                ("State", filters.get("state")),
                ("OwnerId", filters.get("owner-id"))) if values):
            items.append(item)
    return {"FastSnapshotRestores": items}


BEFORE = {
    "CreateSnapshot": _before_create_snapshot,
    "DescribeSnapshots": _before_describe_snapshots,
    "CopySnapshot": _before_copy_snapshot,
}
ANSWER = {
    "EnableFastSnapshotRestores": _answer_enable_fsr,
    "DisableFastSnapshotRestores": _answer_disable_fsr,
    "DescribeFastSnapshotRestores": _answer_describe_fsr,
}
AFTER = {
    "CreateSnapshot": _after_create_snapshot,
    "CreateSnapshots": _after_create_snapshots,
    "DescribeSnapshots": _after_describe_snapshots,
    "CopySnapshot": _after_copy_snapshot,
    "DeleteSnapshot": _after_delete_snapshot,
    "ModifySnapshotTier": _after_modify_snapshot_tier,
    "RestoreSnapshotTier": _after_restore_snapshot_tier,
}
