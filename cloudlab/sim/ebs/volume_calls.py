"""Volume calls: what the mini cloud adds to CreateVolume, AttachVolume, ModifyVolume & co.

moto creates, attaches and modifies volumes but checks almost nothing and finishes every
modification at once. Before moto answers, these handlers refuse what AWS refuses (sizes,
IOPS, restoring from a pending snapshot or into a volume smaller than the snapshot, attaching
across Availability Zones, shrinking, modifying too often); after it answers, they keep the
block maps and rewrite the answer to the virtual clock (``CreateTime``, ``ModificationState``,
``Progress``). ``DescribeVolumeStatus``, which moto lacks, is answered here, with the
volume initialisation progress of restored volumes.
"""

from __future__ import annotations

from typing import Any

from cloudlab.sim.ebs._wire import AwsError, Call, as_int, indexed, pop_filters
from cloudlab.sim.ebs.blocks import LoadPlan, VolumeBlocks
from cloudlab.sim.ebs.catalog import BLOCKS_PER_GIB, VolumeTypeSpec, model_figure, volume_type
from cloudlab.sim.ebs.modifications import modification_error, start_modification
from cloudlab.sim.ebs.state import ebs_state, virtual_time

__all__ = ["AFTER", "ANSWER", "BEFORE", "check_performance", "check_size", "register_volume"]

_INVALID = "InvalidParameterValue"


def _spec(name: Any) -> VolumeTypeSpec | None:
    try:
        return volume_type(str(name))
    except ValueError:
        return None  # an unknown type: moto answers as AWS would


def check_size(spec: VolumeTypeSpec, size: int) -> None:
    if size < spec.min_gib:
        raise AwsError(_INVALID, f"Volume of {size}GiB is too small; minimum is {spec.min_gib}GiB.")
    if size > spec.max_gib:
        raise AwsError(_INVALID, f"Volume of {size}GiB is too large; maximum is {spec.max_gib}GiB.")


def check_performance(spec: VolumeTypeSpec, size: int | None, iops: int | None,
                      throughput: int | None) -> None:
    if iops is not None and spec.provisions_iops:
        assert spec.min_iops is not None and spec.max_iops is not None
        if not spec.min_iops <= iops <= spec.max_iops:
            raise AwsError(_INVALID, f"Volume iops of {iops} is outside the valid range for "
                                     f"{spec.name}: {spec.min_iops:,} - {spec.max_iops:,}.")
        if size and spec.max_iops_per_gib and iops / size > spec.max_iops_per_gib:
            raise AwsError(_INVALID, f"Iops to volume size ratio of {iops / size:.6f} is too "
                                     f"high; maximum is {spec.max_iops_per_gib:g}")
    if throughput is not None and spec.max_throughput_mibps:
        low = spec.default_throughput_mibps
        if not low <= throughput <= spec.max_throughput_mibps:
            raise AwsError(_INVALID, f"Throughput of {throughput} MiB/s is outside the valid "
                                     f"range for {spec.name}: {low:g} - "
                                     f"{spec.max_throughput_mibps:g} MiB/s.")


def _ec2(cloud: Any, region: str) -> Any:
    return cloud.client("ec2", region=region)


# -- CreateVolume -----------------------------------------------------------------------
def _before_create_volume(call: Call) -> None:
    cloud, body, region = call.cloud, call.body, call.region
    state = ebs_state(cloud)
    spec = _spec(body.get("VolumeType") or model_figure("volume_types", "default_type"))
    size = as_int(body.get("Size"))
    snap = state.book.records.get(str(body.get("SnapshotId") or ""))
    if snap is not None and snap.region == region:
        if snap.state(cloud.t) != "completed":
            raise AwsError("IncorrectState", "Snapshot is in invalid state - pending")
        if size is not None and size < snap.size_gib:
            raise AwsError(_INVALID, f"Volume of {size}GiB is too small; minimum is "
                                     f"{snap.size_gib}GiB.")
        size = size or snap.size_gib
    rate = as_int(body.get("VolumeInitializationRate"))
    if rate is not None:
        low = model_figure("initialization", "provisioned_rate_mibps", "min")
        high = model_figure("initialization", "provisioned_rate_mibps", "max")
        if not body.get("SnapshotId"):
            raise AwsError(_INVALID, "VolumeInitializationRate is supported only for volumes "
                                     "created from snapshots.")
        if not low <= rate <= high:
            raise AwsError(_INVALID, f"VolumeInitializationRate of {rate} MiB/s is outside the "
                                     f"valid range {low} - {high} MiB/s.")
    if spec is None:
        return
    if size is not None:
        check_size(spec, size)
    check_performance(spec, size, as_int(body.get("Iops")), as_int(body.get("Throughput")))


def register_volume(cloud: Any, volume_id: str, region: str, az: str, size: int,
                    snapshot_id: str | None = None, rate_mibps: int | None = None,
                    t: float | None = None) -> VolumeBlocks:
    """Start tracking a volume (a new one, or one restored from a snapshot)."""
    state = ebs_state(cloud)
    t = cloud.t if t is None else t
    vol = VolumeBlocks(volume_id=volume_id, region=region, az=az, created_t=t,
                       fs_gib=float(size))
    snap = state.book.records.get(snapshot_id or "")
    if snap is not None:
        vol.idx, vol.ver, vol.obj = snap.idx.copy(), snap.ver.copy(), snap.obj.copy()
        vol.fs_gib, vol.source_snapshot = snap.fs_gib, snap.snapshot_id
        fsr = state.fast_restores.get((snap.snapshot_id, az))
        if fsr is not None and fsr.use_credit(t):
            kind, mibps = "fast-snapshot-restore", 0.0
            vol.fast_restored = True
        elif rate_mibps:
            kind, mibps = "provisioned-rate", float(rate_mibps)
        else:
            kind = "default"
            mibps = float(model_figure("initialization", "default_background_mibps"))
        vol.plan = LoadPlan.start(snap.idx.copy(), t, mibps * BLOCKS_PER_GIB / 1024, kind,
                                  mibps if kind == "provisioned-rate" else None)
    state.volumes[volume_id] = vol
    return vol


def _after_create_volume(call: Call, parsed: dict[str, Any]) -> None:
    cloud, body = call.cloud, call.body
    vol = register_volume(cloud, parsed["VolumeId"], call.region, parsed["AvailabilityZone"],
                          int(parsed["Size"]), body.get("SnapshotId"),
                          as_int(body.get("VolumeInitializationRate")))
    _rewrite_volume(cloud, parsed, vol)


def _rewrite_volume(cloud: Any, item: dict[str, Any], vol: VolumeBlocks) -> None:
    item["CreateTime"] = virtual_time(cloud, vol.created_t)
    if vol.plan is not None and vol.plan.rate_mibps:
        item["VolumeInitializationRate"] = int(vol.plan.rate_mibps)


def _after_describe_volumes(call: Call, parsed: dict[str, Any]) -> None:
    cloud = call.cloud
    volumes = ebs_state(cloud).volumes
    for item in parsed.get("Volumes", []):
        vol = volumes.get(item.get("VolumeId", ""))
        if vol is not None:
            _rewrite_volume(cloud, item, vol)
            if vol.source_snapshot:
                item["FastRestored"] = vol.fast_restored


def _after_delete_volume(call: Call, parsed: dict[str, Any]) -> None:
    ebs_state(call.cloud).volumes.pop(str(call.body.get("VolumeId")), None)


# -- AttachVolume / DetachVolume ------------------------------------------------------------
def _before_attach_volume(call: Call) -> None:
    from botocore.exceptions import ClientError

    cloud, body, region = call.cloud, call.body, call.region
    volume_id, instance_id = body.get("VolumeId"), body.get("InstanceId")
    try:
        vol = _ec2(cloud, region).describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
        res = _ec2(cloud, region).describe_instances(InstanceIds=[instance_id])
        inst = res["Reservations"][0]["Instances"][0]
    except (ClientError, IndexError, KeyError):
        return  # moto answers "not found" itself
    if vol["AvailabilityZone"] != inst["Placement"]["AvailabilityZone"]:
        raise AwsError("InvalidVolume.ZoneMismatch",
                       f"The volume '{volume_id}' is not in the same availability zone as "
                       f"instance '{instance_id}'")


def _after_detach_volume(call: Call, parsed: dict[str, Any]) -> None:
    vol = ebs_state(call.cloud).volumes.get(str(call.body.get("VolumeId")))
    if vol is not None:
        vol.detached_t.append(call.t)


# -- ModifyVolume -----------------------------------------------------------------------
def _before_modify_volume(call: Call) -> None:
    from botocore.exceptions import ClientError

    cloud, body, region = call.cloud, call.body, call.region
    volume_id = str(body.get("VolumeId"))
    state = ebs_state(cloud)
    error = modification_error(volume_id, state.history(volume_id), cloud.t,
                               lambda t: virtual_time(cloud, t))
    if error is not None:
        raise AwsError(*error)
    try:
        current = _ec2(cloud, region).describe_volumes(VolumeIds=[volume_id])["Volumes"][0]
    except (ClientError, IndexError):
        return
    size = as_int(body.get("Size"))
    if size is not None and size < int(current["Size"]):
        raise AwsError(_INVALID, "New size cannot be smaller than existing size")
    new_type = body.get("VolumeType") or current.get("VolumeType", "gp2")
    spec = _spec(new_type)
    iops = as_int(body.get("Iops"))
    if spec is not None:
        check_size(spec, size or int(current["Size"]))
        check_performance(spec, size or int(current["Size"]), iops,
                          as_int(body.get("Throughput")))
    call.context["cloudlab_ebs_original"] = {k: current.get(k) for k in
                                        ("Size", "VolumeType", "Iops", "Throughput")}


def _after_modify_volume(call: Call, parsed: dict[str, Any]) -> None:
    cloud, body = call.cloud, call.body
    state = ebs_state(cloud)
    volume_id = str(body.get("VolumeId"))
    vol = state.volumes.get(volume_id)
    target: dict[str, Any] = {k: body[k] for k in ("Size", "VolumeType", "Iops", "Throughput")
                              if k in body}
    mod = start_modification(volume_id, call.t, call.context.get("cloudlab_ebs_original", {}),
                             target, len(vol.idx) if vol is not None else 0)
    state.history(volume_id).append(mod)
    item = parsed.get("VolumeModification", {})
    _rewrite_modification(cloud, item, mod)


def _rewrite_modification(cloud: Any, item: dict[str, Any], mod: Any) -> None:
    t = cloud.t
    item["ModificationState"] = mod.state(t)
    item["Progress"] = mod.progress_pct(t)
    item["StartTime"] = virtual_time(cloud, mod.start_t)
    if mod.state(t) == "completed":
        item["EndTime"] = virtual_time(cloud, mod.end_t)
    else:
        item.pop("EndTime", None)


def _before_describe_modifications(call: Call) -> None:
    call.context["cloudlab_ebs_filters"] = pop_filters(call.body, {"modification-state"})


def _after_describe_modifications(call: Call, parsed: dict[str, Any]) -> None:
    cloud = call.cloud
    state = ebs_state(cloud)
    items = parsed.get("VolumesModifications", [])
    by_volume: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_volume.setdefault(item.get("VolumeId", ""), []).append(item)
    for volume_id, own in by_volume.items():
        history = state.history(volume_id)
        for item, mod in zip(reversed(own), reversed(history), strict=False):
            _rewrite_modification(cloud, item, mod)
    wanted = call.context.get("cloudlab_ebs_filters", {}).get("modification-state")
    if wanted:
        parsed["VolumesModifications"] = [i for i in items
                                           if i.get("ModificationState") in wanted]


# -- DescribeVolumeStatus (moto: not implemented) ----------------------------------------
def _answer_volume_status(call: Call) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    cloud, body, region = call.cloud, call.body, call.region
    ids = indexed(body, "VolumeId")
    try:
        found = _ec2(cloud, region).describe_volumes(**({"VolumeIds": ids} if ids else {}))
    except ClientError as exc:
        err = exc.response["Error"]
        raise AwsError(err["Code"], err["Message"]) from None
    state, t = ebs_state(cloud), cloud.t
    statuses = []
    for item in found["Volumes"]:
        status: dict[str, Any] = {
            "VolumeId": item["VolumeId"], "AvailabilityZone": item["AvailabilityZone"],
            "VolumeStatus": {"Status": "ok", "Details": [
                {"Name": "io-enabled", "Status": "passed"},
                {"Name": "io-performance", "Status": "not-applicable"}]},
            "Actions": [], "Events": [],
        }
        vol = state.volumes.get(item["VolumeId"])
        if vol is not None and vol.plan is not None:
            plan = vol.plan
            details: dict[str, Any] = {
                "InitializationType": ("provisioned-rate" if plan.kind == "provisioned-rate"
                                       else "default"),
                "Progress": int(100 * plan.fraction(t)),
            }
            if plan.kind == "provisioned-rate":
                details["EstimatedTimeToCompleteInSeconds"] = int(round(plan.eta_s(t)))
            status["InitializationStatusDetails"] = details
        statuses.append(status)
    return {"VolumeStatuses": statuses}


#: operation -> handler(call) run before moto answers: raises AwsError to refuse the call, or
#: returns a parsed answer to give instead of moto's (None: let moto answer)
BEFORE = {
    "CreateVolume": _before_create_volume,
    "AttachVolume": _before_attach_volume,
    "ModifyVolume": _before_modify_volume,
    "DescribeVolumesModifications": _before_describe_modifications,
}
#: operations answered here instead of by moto: handler(call) -> parsed answer
ANSWER = {"DescribeVolumeStatus": _answer_volume_status}
#: operation -> handler(call, parsed) run after a successful answer (rewrites ``parsed``)
AFTER = {
    "CreateVolume": _after_create_volume,
    "DescribeVolumes": _after_describe_volumes,
    "DeleteVolume": _after_delete_volume,
    "DetachVolume": _after_detach_volume,
    "ModifyVolume": _after_modify_volume,
    "DescribeVolumesModifications": _after_describe_modifications,
}
