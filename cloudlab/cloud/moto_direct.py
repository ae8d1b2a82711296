"""Direct access to the embedded moto's records, for the simulation's hottest path.

Each scaling action of the simulation writes the group's desired capacity and then needs
two answers: which instances the group holds now, and where the ones it launched run.
Through boto3 these are ``SetDesiredCapacity``, ``DescribeAutoScalingGroups`` and
``DescribeInstances``: about 2.5, 4 and 8 ms each (parameter validation, request signing,
moto's request parsing and XML serialisation, botocore's parsing), against ~0.3 ms for
moto's own work. A week at one-minute steps has ~700 scaling actions, so the round trips
alone would take ~10 s of a run whose target is 1 s.

With the embedded backend in this process, these functions do the same on moto's objects:

- :func:`set_desired_capacity` calls the method moto's ``SetDesiredCapacity`` handler calls
  (so cloudlab's balancing of AZs in :mod:`cloudlab.cloud.moto_autoscaling` applies), then
  tells every ``after-call`` hook of the cloud, as a boto3 call would, so caches of the
  architecture (the network snapshot) are dropped. The effect is in moto: learners see it
  with ``describe_auto_scaling_groups`` like any other.
- :func:`auto_scaling_group` and :func:`instances` answer as the describe calls would,
  with only the keys their docstrings name.

Each returns ``None``/``False`` when it cannot act (another backend, an unknown account,
Region or name) and the caller then makes the boto3 call, so the simulation still runs on
other backends. ``tests/cloud/test_moto_direct.py`` compares every answer and effect with
boto3's and fails loudly if a moto upgrade renames what is used here.
"""

from __future__ import annotations

from typing import Any

__all__ = ["auto_scaling_group", "instances", "set_desired_capacity"]


#: moto's BackendDicts (module-level objects moto never replaces) by service, and the
#: account, once imported
_BACKENDS: dict[str, Any] = {}


def _backend(cloud: Any, service: str, region: str) -> Any:
    if getattr(cloud, "backend", None) != "embedded":
        return None
    if not _BACKENDS:
        try:
            from moto.autoscaling.models import autoscaling_backends
            from moto.core import DEFAULT_ACCOUNT_ID
            from moto.ec2.models import ec2_backends
        except ImportError:  # pragma: no cover - moto moved: use boto3
            return None
        _BACKENDS.update(autoscaling=autoscaling_backends, ec2=ec2_backends,
                         account=DEFAULT_ACCOUNT_ID)
    backends = _BACKENDS["autoscaling" if service == "autoscaling" else "ec2"]
    account_id = _BACKENDS["account"]
    # A BackendDict is a dict (account -> dict of Region -> backend) whose lookup builds a
    # missing entry, under a lock and after comparing itself with every BackendDict in use
    # (~2 us). An entry already built is the one that lookup returns: read it directly.
    account = dict.get(backends, account_id)
    backend = None if account is None else dict.get(account, region)
    if backend is not None:
        return backend
    try:
        return backends[account_id][region]
    except KeyError:  # pragma: no cover - an unknown Region: use boto3
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
    found = []
    for iid in instance_ids:
        # moto's own lookup copies every reservation ever made (terminated instances stay);
        # cloudlab.cloud.patches answers it from an index instead
        instance = backend.get_instance_by_id(iid)
        if instance is None:
            return None
        answer: dict[str, Any] = {
            "InstanceId": instance.id,
            "InstanceType": instance.instance_type,
            "Placement": {"AvailabilityZone": _zone(instance)},
            "SubnetId": instance.subnet_id,
            "ImageId": instance.image_id,
            "Monitoring": {"State": instance.monitoring_state},
            # moto's instance.get_tags() is describe_tags for this one id, which
            # cloudlab.cloud.patches answers from moto's tags dictionary, in its order:
            # read the dictionary here (.get: it is a defaultdict, and adds no entry)
            "Tags": [{"Key": key, "Value": value} for key, value in
                     (instance.ec2_backend.tags.get(instance.id) or {}).items()],
        }
        if instance.public_ip:
            answer["PublicIpAddress"] = instance.public_ip
        found.append(answer)
    return found


def set_desired_capacity(cloud: Any, region: str, name: str, desired: int) -> bool:
    """``SetDesiredCapacity`` (``HonorCooldown=False``) on moto's group, announced to the
    cloud's ``after-call`` hooks. ``False``, with nothing done, if it cannot act here."""
    backend = _backend(cloud, "autoscaling", region)
    if backend is None or name not in backend.autoscaling_groups:
        return False
    backend.set_desired_capacity(name, int(desired))
    _announce(cloud, region, "autoscaling", "SetDesiredCapacity",
              {"AutoScalingGroupName": name, "DesiredCapacity": int(desired),
               "HonorCooldown": False})
    return True


#: after-call event names by (service id, operation), as botocore names them
_EVENTS: dict[tuple[str, str], str] = {}
#: botocore's AWSResponse class, imported on first use (importing cloudlab imports no botocore)
_RESPONSE: list[Any] = []


def _announce(cloud: Any, region: str, service: str, operation: str,
              params: dict[str, Any]) -> None:
    """Give the cloud's ``after-call`` hooks what a successful boto3 call would give them."""
    if not _RESPONSE:  # an import statement here would cost more than the rest of the call
        from botocore.awsrequest import AWSResponse

        _RESPONSE.append(AWSResponse)
    service_model = cloud.client(service, region=region).meta.service_model
    model = service_model.operation_model(operation)  # botocore keeps it per service model
    service_id = service_model.service_id
    event = _EVENTS.get((service_id, operation))
    if event is None:  # a function of the two names: made once
        event = _EVENTS[service_id, operation] = (
            f"after-call.{service_id.hyphenize()}.{operation}")
    parsed: dict[str, Any] = {"ResponseMetadata": {
        "RequestId": "cloudlab-direct", "HTTPStatusCode": 200, "HTTPHeaders": {},
        "RetryAttempts": 0}}
    cloud.emit(event, http_response=_RESPONSE[0]("", 200, {}, None), parsed=parsed,
               model=model, context={"cloudlab_params": params, "client_region": region})
