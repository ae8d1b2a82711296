"""Checks for lab 03: a key pair stored safely, least-privilege security groups for a web
and a database tier (proven with reachability), CIDR arithmetic.

Security groups are checked by behaviour (what ``reachable`` says about traffic) as well as
by their rules, so any set of rules with the right effect passes.
"""

from __future__ import annotations

import os
from typing import Any

from cloudlab.checks import question
from cloudlab.net import reachable

OFFICE_HOST = "203.0.113.25"
ELSEWHERE = "198.51.100.77"


def _group(cloud: Any, group_id: Any) -> dict[str, Any]:
    found = cloud.client("ec2").describe_security_groups(GroupIds=[str(group_id)])
    return found["SecurityGroups"][0]  # type: ignore[no-any-return]


def _instance(cloud: Any, instance_id: Any) -> dict[str, Any]:
    found = cloud.client("ec2").describe_instances(InstanceIds=[str(instance_id)])
    return found["Reservations"][0]["Instances"][0]  # type: ignore[no-any-return]


def _groups_of(instance: dict[str, Any]) -> set[str]:
    return {g["GroupId"] for eni in instance.get("NetworkInterfaces", [])
            for g in eni.get("Groups", [])} | {g["GroupId"] for g in instance["SecurityGroups"]}


# -- Question 1 ------------------------------------------------------------------------------
@question("lab03.key_pair", points=1, title="Your key, safely stored")
def key_pair(key: Any, key_mode: Any, copy_check: Any, cloud: Any) -> None:
    names = {k["KeyName"] for k in cloud.client("ec2").describe_key_pairs()["KeyPairs"]}
    assert "lab-key" in names, "create the key pair `lab-key` with create_key_pair(cloud, ...)"
    assert os.path.exists(key), f"the private key file {key} does not exist any more"
    mode = os.stat(key).st_mode & 0o777
    assert mode == 0o400, (
        f"the key file has mode {oct(mode)}: only you should read it (0o400); ssh refuses "
        "keys that others can read"
    )
    assert key_mode == "0o400", (
        f"`key_mode` should be the string oct(os.stat(key).st_mode & 0o777), got {key_mode!r}"
    )
    assert getattr(copy_check, "ok", None) is False, (
        "`copy_check` should be check_pem_permissions(copy) for the copy with mode 0o644: it "
        "should report a problem"
    )


# -- Question 2 ------------------------------------------------------------------------------
@question("lab03.web_tier", points=1, title="The web security group")
def web_tier(web_sg: Any, web_id: Any, cloud: Any) -> None:
    instance = _instance(cloud, web_id)
    assert web_sg in _groups_of(instance), "launch the web server in the `web` security group"
    assert instance.get("PublicIpAddress"), (
        "the web server has no public IP: set AssociatePublicIpAddress=True on its interface"
    )
    for port in (80, 443):
        path = reachable(cloud, "internet", web_id, port)
        assert path.reachable, (
            f"the internet cannot reach the web server on tcp/{port}: {path.reason}"
        )
    ssh_office = reachable(cloud, OFFICE_HOST, web_id, 22)
    assert ssh_office.reachable, f"SSH from the office is blocked: {ssh_office.reason}"
    ssh_world = reachable(cloud, ELSEWHERE, web_id, 22)
    assert not ssh_world.reachable, (
        "anyone on the internet can open SSH to the web server: allow tcp/22 only from OFFICE"
    )
    for port in (3389, 5432, 8080):
        assert not reachable(cloud, "internet", web_id, port).reachable, (
            f"tcp/{port} is open to the internet: allow only 80 and 443 from everywhere"
        )


@question("lab03.web_tier", points=1, hidden=True)
def web_tier_rules(web_sg: Any, ssh_blocked_by: Any, cloud: Any) -> None:
    rules = _group(cloud, web_sg)["IpPermissions"]
    assert len([r for r in rules for _ in r.get("IpRanges", [])]) == 3, (
        "the web group should have exactly three inbound rules (80, 443 from anywhere; 22 from "
        "the office)"
    )
    assert ssh_blocked_by == "security-group", (
        f"`ssh_blocked_by` should be the kind of the blocking hop, got {ssh_blocked_by!r}"
    )


# -- Question 3 ------------------------------------------------------------------------------
@question("lab03.db_tier", points=1, title="The database security group")
def db_tier(db_sg: Any, db_id: Any, web_id: Any, cloud: Any) -> None:
    instance = _instance(cloud, db_id)
    assert db_sg in _groups_of(instance), "launch the database server in the `db` group"
    assert not instance.get("PublicIpAddress"), (
        "the database server has a public IP: launch it without one (no "
        "AssociatePublicIpAddress)"
    )
    path = reachable(cloud, web_id, db_id, 5432)
    assert path.reachable, f"the web server cannot reach the database on 5432: {path.reason}"
    assert not reachable(cloud, "internet", db_id, 5432).reachable, (
        "the internet can reach the database"
    )
    assert not reachable(cloud, web_id, db_id, 22).reachable, (
        "the web tier can open other ports on the database (tcp/22): allow only 5432"
    )


@question("lab03.db_tier", points=1)
def db_by_reference(db_sg: Any, web_sg: Any, cloud: Any) -> None:
    rules = _group(cloud, db_sg)["IpPermissions"]
    cidrs = [ip["CidrIp"] for r in rules for ip in r.get("IpRanges", [])]
    assert not cidrs, (
        f"the db group admits address ranges {cidrs}: anything placed there later gets in too; "
        "use the web security group as the source instead"
    )
    refs = {(r.get("FromPort"), r.get("ToPort"), p["GroupId"])
            for r in rules for p in r.get("UserIdGroupPairs", [])}
    assert refs == {(5432, 5432, web_sg)}, (
        "the db group should have one inbound rule: tcp 5432 from the web security group"
    )


# -- Question 4 ------------------------------------------------------------------------------
@question("lab03.cidr", points=1, title="Plan the addresses")
def cidr(office_addresses: Any, quarters: Any, usable_per_quarter: Any) -> None:
    assert office_addresses == 256, (
        f"a /24 holds 2**(32-24) addresses; `office_addresses` is {office_addresses!r}"
    )
    expected = ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"]
    assert [str(q) for q in quarters] == expected, (
        "`quarters` should be the four /18 blocks of 10.0.0.0/16, in order (split(..., count=4))"
    )
    if usable_per_quarter == 2 ** 14:
        raise AssertionError("AWS reserves 5 addresses in every subnet: subtract them")
    assert usable_per_quarter == 2 ** 14 - 5, (
        "`usable_per_quarter` should be the usable addresses of one /18, got "
        f"{usable_per_quarter!r}"
    )
