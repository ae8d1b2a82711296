"""Elastic IP addresses of terminated instances, as EC2 leaves them.

When an instance is terminated "the Elastic IP address is disassociated from the instance";
when it is stopped (or rebooted, or hibernated) "the Elastic IP address remains associated
with the instance" (Amazon EC2 User Guide, instance lifecycle, "Differences between reboot,
stop, hibernate, and terminate"). The address stays allocated to the account, and still
costs public IPv4 ($0.005 per hour), until it is released.

moto 5.2 keeps the address associated with the terminated instance. :func:`disassociate`
drops the association after ``TerminateInstances``, so ``describe_addresses`` shows the
address with no ``InstanceId`` or ``AssociationId``, and traffic sent to it finds no server.
:func:`tidy` drops the empty members moto answers for any address that is not associated.
"""

from __future__ import annotations

from typing import Any

__all__ = ["disassociate", "elastic_ips", "tidy"]

#: Members moto answers as ``""`` for an address that is not associated; EC2 leaves them out.
_EMPTY_WHEN_FREE = ("InstanceId", "AssociationId", "NetworkInterfaceId",
                    "NetworkInterfaceOwnerId", "PrivateIpAddress")


def elastic_ips(cloud: Any) -> dict[str, str]:
    """The Elastic IPs of the cloud's Region: public IP -> instance id (``""`` when free).

    Read with one ``describe_addresses`` and kept until a call that is not the
    simulation's own may have changed them (the instance book's ``config_generation``)."""
    from cloudlab.sim.ec2.instances import instance_book

    book = instance_book(cloud)
    cached = cloud.state("sim.ec2.addresses", dict)
    if cached.get("generation") != book.config_generation:
        with book.own_calls():
            found = cloud.client("ec2").describe_addresses().get("Addresses", [])
        cached.update(generation=book.config_generation,
                      ips={a["PublicIp"]: a.get("InstanceId", "") for a in found})
    return cached["ips"]  # type: ignore[no-any-return]


def disassociate(cloud: Any, region: str, instance_ids: list[str]) -> list[str]:
    """Disassociate every Elastic IP held by ``instance_ids``; return the public IPs freed."""
    if not instance_ids:
        return []
    ec2 = cloud.client("ec2", region=region)
    held = ec2.describe_addresses(
        Filters=[{"Name": "instance-id", "Values": list(instance_ids)}]).get("Addresses", [])
    freed = []
    for address in held:
        if address.get("AssociationId"):
            ec2.disassociate_address(AssociationId=address["AssociationId"])
            freed.append(address["PublicIp"])
    return freed


def tidy(parsed: dict[str, Any]) -> None:
    """Leave out of a ``describe_addresses`` answer the members moto gives as ``""``."""
    for address in parsed.get("Addresses", []):
        for key in _EMPTY_WHEN_FREE:
            if address.get(key) == "":
                del address[key]
