"""Reads of the embedded moto's own records, for the simulation's hottest path.

After each of its own scaling actions the simulation needs two answers: which instances the
Auto Scaling group holds now, and where the ones it just launched run. Through boto3 these
are a ``DescribeAutoScalingGroups`` and a ``DescribeInstances`` call, about 4 and 8 ms each
(request signing, moto's XML serialisation, botocore's parsing), against ~0.05 ms to read
the same fields from moto's objects. A week at one-minute steps has ~700 scaling actions,
so the round trips alone would take ~8 s.

The *writes* still go through boto3 (``SetDesiredCapacity`` and friends, with every hook
that watches them), so the learner sees every effect with the real API; only these two
reads are answered from moto's objects, and only when the embedded backend is the one in
this process. Each function returns ``None`` when it cannot answer (another backend, an
unknown account, Region or name), and callers then make the boto3 call.

The answers are dictionaries shaped like the boto3 answers, holding only the keys named in
each docstring. ``tests/cloud/test_moto_reads.py`` compares them with boto3's answers for
the same resources and fails loudly if a moto upgrade renames what is read here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["auto_scaling_group", "instances"]


def _backend(cloud: Any, service: str, region: str) -> Any:
    if getattr(cloud, "backend", None) != "embedded":
        return None
    try:
        from moto.autoscaling.models import autoscaling_backends
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ec2.models import ec2_backends

        backends: Any = autoscaling_backends if service == "autoscaling" else ec2_backends
        return backends[DEFAULT_ACCOUNT_ID][region]
    except (ImportError, KeyError):  # pragma: no cover - moto moved: use boto3
        return None


def _zone(instance: Any) -> str:
    placement = instance.placement
    return str(getattr(placement, "zone", placement))


def auto_scaling_group(cloud: Any, region: str, name: str) -> dict[str, Any] | None:
    """One group as ``DescribeAutoScalingGroups`` gives it, with the keys
    ``AutoScalingGroupName`` and ``DesiredCapacity``, and ``Instances`` holding
    ``InstanceId`` and ``AvailabilityZone``. (Not the lifecycle state: the simulation
    rewrites that in boto3 answers from its own clock, and moto's is only a default.)"""
    backend = _backend(cloud, "autoscaling", region)
    group = None if backend is None else backend.autoscaling_groups.get(name)
    if group is None:
        return None
    return {
        "AutoScalingGroupName": group.name,
        "DesiredCapacity": int(group.desired_capacity),
        "Instances": [{"InstanceId": state.instance.id,
                       "AvailabilityZone": _zone(state.instance)}
                      for state in group.instance_states],
    }


def instances(cloud: Any, region: str, instance_ids: list[str]) -> list[dict[str, Any]] | None:
    """Instances as ``DescribeInstances`` gives them (flattened out of their reservations),
    with the keys ``InstanceId``, ``InstanceType``, ``Placement.AvailabilityZone``,
    ``SubnetId``, ``ImageId``, ``PublicIpAddress`` (when it has one), ``Monitoring.State``
    and ``Tags``. ``None`` if any id is unknown (boto3 then gives AWS's error)."""
    backend = _backend(cloud, "ec2", region)
    if backend is None:
        return None
    wanted = set(instance_ids)
    # moto's get_instance_by_id copies every reservation ever made (terminated instances
    # stay): a week of scaling would make each lookup slower than the call it replaces
    known = {instance.id: instance for reservation in backend.reservations.values()
             for instance in reservation.instances if instance.id in wanted}
    found = []
    for iid in instance_ids:
        instance = known.get(iid)
        if instance is None:
            return None
        answer: dict[str, Any] = {
            "InstanceId": instance.id,
            "InstanceType": instance.instance_type,
            "Placement": {"AvailabilityZone": _zone(instance)},
            "SubnetId": instance.subnet_id,
            "ImageId": instance.image_id,
            "Monitoring": {"State": instance.monitoring_state},
            "Tags": [{"Key": tag["key"], "Value": tag["value"]}
                     for tag in instance.get_tags()],
        }
        if instance.public_ip:
            answer["PublicIpAddress"] = instance.public_ip
        found.append(answer)
    return found
