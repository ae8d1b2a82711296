"""The network snapshot: what moto returns, the gaps the snapshot fills, the cache."""

from __future__ import annotations

from ipaddress import IPv4Network
from types import SimpleNamespace
from typing import Any

from cloudlab.net import NetworkModel, snapshot
from cloudlab.net.model import DEFAULT_VPC_IGW


def test_reads_the_lab_vpc(lab: SimpleNamespace) -> None:
    model = NetworkModel.from_cloud(lab.cloud)
    assert model.vpcs[lab.vpc].cidrs == (IPv4Network("10.0.0.0/16"),)
    assert model.route_table_of(lab.public).id == lab.rt_public       # type: ignore[union-attr]
    assert model.route_table_of(lab.data).id == lab.main_rt           # type: ignore[union-attr]
    assert model.is_public_subnet(lab.public)
    assert not model.is_public_subnet(lab.private)
    assert model.nacl_of(lab.data).id == lab.default_acl              # type: ignore[union-attr]
    assert model.igw_of(lab.vpc).id == lab.igw                        # type: ignore[union-attr]
    nat = model.nats[lab.nat]
    assert (nat.subnet_id, nat.state) == (lab.public, "available") and nat.public_ip
    web_eni = model.primary_eni(model.instances[lab.web])
    assert web_eni is not None and web_eni.public_ip and web_eni.group_ids == (lab.web_sg,)
    assert model.primary_eni(model.instances[lab.db]).public_ip is None  # type: ignore[union-attr]
    # moto's default NACL has rule 100 allow and the * rule, both directions
    rules = model.nacls[lab.default_acl].rules(egress=False)
    assert [(r.label, r.action) for r in rules] == [("100", "allow"), ("*", "deny")]


def test_default_security_group_gets_awss_self_rule(lab: SimpleNamespace) -> None:
    raw = lab.ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [lab.vpc]}, {"Name": "group-name", "Values": ["default"]}],
    )["SecurityGroups"][0]
    assert raw["IpPermissions"] == []          # the moto gap this test documents
    default = NetworkModel.from_cloud(lab.cloud).default_security_group(lab.vpc)
    assert default is not None
    assert [(r.protocol, r.group_ids) for r in default.ingress] == [("-1", (default.id,))]
    assert "members of this group" in default.ingress[0].note
    fresh = NetworkModel.from_cloud(lab.cloud).security_groups[lab.web_sg]
    assert all(default.id not in r.group_ids for r in fresh.ingress)


def test_default_vpc_gets_its_internet_gateway(cloud: Any) -> None:
    ec2 = cloud.client("ec2")
    assert ec2.describe_internet_gateways()["InternetGateways"] == []   # the moto gap
    model = NetworkModel.from_cloud(cloud)
    vpc = next(v for v in model.vpcs.values() if v.is_default)
    assert model.igw_of(vpc.id).id == DEFAULT_VPC_IGW                  # type: ignore[union-attr]
    subnet = next(s for s in model.subnets.values() if s.vpc_id == vpc.id)
    assert model.is_public_subnet(subnet.id)


def test_snapshot_is_cached_until_the_network_changes(lab: SimpleNamespace) -> None:
    first = snapshot(lab.cloud)
    assert snapshot(lab.cloud) is first
    lab.ec2.describe_instances()                           # reading changes nothing
    lab.cloud.client("s3").create_bucket(Bucket="unrelated")
    assert snapshot(lab.cloud) is first
    lab.ec2.create_tags(Resources=[lab.web], Tags=[{"Key": "Name", "Value": "web"}])
    second = snapshot(lab.cloud)
    assert second is not first
    assert second.instances[lab.web].label == f"{lab.web} (web)"
    assert snapshot(lab.cloud, "eu-west-1") is not second
    lab.cloud.reset()
    assert lab.web not in snapshot(lab.cloud).instances
