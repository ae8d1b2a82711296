"""The instance book: what every EC2 instance is doing on the virtual clock.

moto answers the EC2 API but its instances are ``running`` the moment they launch and never
fail. The book keeps, per instance, what moto lacks: when it was launched on the virtual
clock, its :class:`~cloudlab.sim.ec2.bootstrap.BootPlan` (when it runs and when its web
server answers), and the failures injected into it. It learns about instances from botocore
``after-call`` hooks (``RunInstances``, Auto Scaling calls that launch instances) and from
``describe_instances``, and it corrects what learners read back: ``State`` is ``pending``
until the instance is running, ``LaunchTime`` is virtual time, and status checks report
``impaired`` for an instance with a failed host or in a failed Availability Zone.

AMIs made with ``create_image`` remember the software of the instance they were made from,
so a clone launched from a golden AMI in any AZ (or Region, after ``copy_image``) serves
without reinstalling anything.

Use :func:`instance_book` to reach the per-cloud book.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from cloudlab.cloud import moto_direct
from cloudlab.sim.ec2.bootstrap import BootPlan, Software, plan_boot
from cloudlab.sim.ec2.records import InstanceRecord

__all__ = ["InstanceBook", "InstanceRecord", "instance_book"]

_MUTATING_SERVICES = ("ec2", "autoscaling", "elasticloadbalancing", "elb", "elbv2")
_READ_PREFIXES = ("Describe", "Get", "List")


class InstanceBook:
    """Per-cloud record of every instance's timeline, failures and the AMIs' software."""

    def __init__(self, cloud: Any) -> None:
        self.cloud = cloud
        self.records: dict[str, InstanceRecord] = {}
        self.images: dict[str, Software] = {}
        self.down_azs: set[str] = set()
        self.generation = 0
        self.config_generation = 0
        self.quiet = False
        self._dirty_regions: set[str] = {cloud.region}
        self._syncing = False
        self.listeners: list[Any] = []
        self._template_cache: dict[tuple[str, str], dict[str, Any]] = {}
        self._plans: dict[tuple[Software, Any], BootPlan] = {}
        self.deferred = False

    # -- reading ------------------------------------------------------------------------
    def __iter__(self) -> Iterator[InstanceRecord]:
        self.sync()
        return iter(list(self.records.values()))

    def get(self, instance_id: str) -> InstanceRecord:
        """The record of one instance (synced from the backend first)."""
        self.sync()
        try:
            return self.records[instance_id]
        except KeyError:
            from cloudlab.errors import UnknownResource

            raise UnknownResource(
                f"no instance {instance_id!r} in the mini cloud; list them with "
                "ec2.describe_instances()") from None

    def alive(self, t: float | None = None) -> list[InstanceRecord]:
        """Instances pending or running at ``t`` (default: now)."""
        t = self.cloud.t if t is None else t
        return [r for r in self if r.state_at(t) in ("pending", "running")]

    # -- learning from the backend --------------------------------------------------------
    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Defer re-reading the backend until a group of calls is done (the simulation's own
        actions at one instant: one read afterwards instead of one per call)."""
        outer = self.deferred
        self.deferred = True
        try:
            yield
        finally:
            self.deferred = outer
        if not outer:
            self.sync()

    def own_calls(self) -> _OwnCalls:
        """The simulation's own API calls (Auto Scaling launching or terminating instances):
        the caller applies their effects itself, so the hooks neither mark the backend as
        changed nor re-read it. A long run pays for its scaling actions, not for re-reading
        the whole architecture after each one. Use as ``with book.own_calls(): ...``."""
        return _OwnCalls(self)

    def changed(self) -> None:
        """Something changed that views derived from the book depend on (an injected
        failure, an instance the simulation launched): they are rebuilt, nothing is
        re-read from the backend."""
        self.generation += 1

    def mark_dirty(self, region: str | None = None) -> None:
        """A call may have changed the backend: views read from it are read again."""
        self.generation += 1
        self.config_generation += 1
        self._dirty_regions.add(region or self.cloud.region)

    def learn(self, instance_ids: list[str], region: str | None = None) -> None:
        """Record instances the simulation itself had launched (read from moto's records
        when the embedded backend runs here, else one ``DescribeInstances``)."""
        if not instance_ids:
            return
        region = region or self.cloud.region
        ec2 = self.cloud.client("ec2", region=region)
        now = self.cloud.t
        with self.own_calls():
            found = moto_direct.instances(self.cloud, region, sorted(instance_ids))
            if found is None:
                answer = ec2.describe_instances(InstanceIds=sorted(instance_ids))
                found = [inst for reservation in answer["Reservations"]
                         for inst in reservation["Instances"]]
            new = []
            for inst in found:
                if inst["InstanceId"] not in self.records:
                    record = self._record(ec2, inst, region, now)
                    self.records[record.instance_id] = record
                    new.append(record)
        self.changed()
        for listener in self.listeners:
            for record in new:
                listener(record)

    def ended(self, instance_ids: list[str], t: float | None = None) -> None:
        """Mark instances the simulation itself had terminated."""
        t = self.cloud.t if t is None else t
        for iid in instance_ids:
            record = self.records.get(iid)
            if record is not None and record.ended_t is None:
                record.ended_t, record.ended = t, "terminated"
        self.changed()

    def sync(self) -> None:
        """Read instances the book has not seen yet (e.g. launched by Auto Scaling)."""
        if not self._dirty_regions or self._syncing or self.deferred:
            return
        self._syncing = True
        try:
            regions, self._dirty_regions = self._dirty_regions, set()
            for region in sorted(regions):
                self._sync_region(region)
        finally:
            self._syncing = False

    def _sync_region(self, region: str) -> None:
        ec2 = self.cloud.client("ec2", region=region)
        now = self.cloud.t
        new = []
        seen = set()
        # Terminated instances stay in moto forever; reading only live ones keeps a long run
        # with many replacements fast. A known instance missing from the answer has ended.
        live = [{"Name": "instance-state-name",
                 "Values": ["pending", "running", "stopping", "stopped"]}]
        for page in ec2.get_paginator("describe_instances").paginate(Filters=live):
            for reservation in page["Reservations"]:
                for inst in reservation["Instances"]:
                    iid = inst["InstanceId"]
                    seen.add(iid)
                    record = self.records.get(iid)
                    state = inst["State"]["Name"]
                    if record is None:
                        record = self._record(ec2, inst, region, now)
                        self.records[iid] = record
                        new.append(record)
                    elif state == "stopped" and record.ended_t is None:
                        record.ended_t, record.ended = now, state
        for iid, record in self.records.items():
            if record.region == region and iid not in seen and record.ended_t is None:
                record.ended_t, record.ended = now, "terminated"
        for listener in self.listeners:
            for record in new:
                listener(record)

    def _register_launched(self, parsed: dict[str, Any], params: dict[str, Any], region: str,
                           now: float) -> None:
        """Record instances from ``RunInstances``' own answer (no extra calls)."""
        template = params.get("LaunchTemplate")
        if template:  # the template holds the user data and monitoring: read it back
            self.sync()
            return
        for inst in parsed.get("Instances", []):
            if inst["InstanceId"] in self.records:
                continue
            record = self._record(None, inst, region, now, user_data=params.get("UserData"))
            record.detailed_monitoring = bool((params.get("Monitoring") or {}).get("Enabled"))
            self.records[record.instance_id] = record
            for listener in self.listeners:
                listener(record)

    def _record(self, ec2: Any, inst: dict[str, Any], region: str, now: float, *,
                user_data: Any = None) -> InstanceRecord:
        iid = inst["InstanceId"]
        tags = {t["Key"]: t["Value"] for t in inst.get("Tags") or []}
        template = None
        if "aws:ec2launchtemplate:id" in tags:
            template = (tags["aws:ec2launchtemplate:id"],
                        tags.get("aws:ec2launchtemplate:version", "1"))
        if ec2 is not None and template is not None and "aws:autoscaling:groupName" in tags:
            # Auto Scaling cannot override the template's user data: no call per instance
            user_data = self._template_data(ec2, template).get("UserData")
        elif ec2 is not None:
            user_data = ec2.describe_instance_attribute(
                InstanceId=iid, Attribute="userData").get("UserData", {}).get("Value")
        image = self.images.get(inst.get("ImageId", ""), Software())
        return InstanceRecord(
            instance_id=iid,
            instance_type=inst.get("InstanceType", "t3.micro"),
            az=inst.get("Placement", {}).get("AvailabilityZone", ""),
            subnet_id=inst.get("SubnetId"),
            image_id=inst.get("ImageId", ""),
            region=region,
            launch_t=now,
            plan=self._plan(image, user_data),
            asg=tags.get("aws:autoscaling:groupName"),
            launch_template=template,
            public_ip=bool(inst.get("PublicIpAddress")),
            detailed_monitoring=((inst.get("Monitoring") or {}).get("State") == "enabled"
                                 or (ec2 is not None and template is not None and bool(
                                     (self._template_data(ec2, template).get("Monitoring")
                                      or {}).get("Enabled")))),
        )

    def _plan(self, image: Software, user_data: Any) -> BootPlan:
        # plan_boot depends on nothing but its two arguments (and the model figures, read
        # once) and a BootPlan is frozen, so instances launched alike share one: an Auto
        # Scaling group's launches parse the same user data ~700 times a week otherwise
        key = (image, user_data)
        try:
            plan = self._plans.get(key)
        except TypeError:  # user data boto3 would not have sent (unhashable): no memo
            return plan_boot(image, user_data)
        if plan is None:
            plan = self._plans[key] = plan_boot(image, user_data)
        return plan

    def _template_data(self, ec2: Any, template: tuple[str, str]) -> dict[str, Any]:
        # A launch template version never changes once made, so it is read once. moto
        # launches Auto Scaling instances without the template's Monitoring setting.
        if template not in self._template_cache:
            versions = ec2.describe_launch_template_versions(
                LaunchTemplateId=template[0], Versions=[template[1]]).get(
                "LaunchTemplateVersions", [])
            self._template_cache[template] = (
                versions[0].get("LaunchTemplateData", {}) if versions else {})
        return self._template_cache[template]

    # -- hooks --------------------------------------------------------------------------
    def after_call(self, operation: str, service: str, region: str, params: dict[str, Any],
                   parsed: Any) -> None:
        if operation.startswith(_READ_PREFIXES):
            if operation == "DescribeInstances" and not self._syncing:
                self._rewrite_instances(parsed)
            elif operation == "DescribeInstanceStatus":
                self._rewrite_status(parsed)
            return
        self.mark_dirty(region)
        now = self.cloud.t
        if operation == "RunInstances":
            self._register_launched(parsed, params, region, now)
        elif operation == "StartInstances" or service == "autoscaling":
            self.sync()
        if operation == "StartInstances":
            for item in parsed.get("StartingInstances", []):
                record = self.records.get(item["InstanceId"])
                if record is not None and record.ended == "stopped":
                    image = record.software_at(now, self.images.get(record.image_id, Software()))
                    record.plan = plan_boot(image, None)  # user data runs at first boot only
                    record.launch_t, record.ended_t, record.ended = now, None, None
                    # a stopped and started instance boots afresh on a new host
                    record.app_crashed = record.host_failed = False
        elif operation in ("TerminateInstances", "StopInstances"):
            terminate = operation == "TerminateInstances"
            key = "TerminatingInstances" if terminate else "StoppingInstances"
            for item in parsed.get(key, []):
                record = self.records.get(item["InstanceId"])
                if record is not None and record.ended_t is None:
                    record.ended_t = now
                    record.ended = "terminated" if terminate else "stopped"
        elif operation == "CreateImage" and parsed.get("ImageId"):
            record = self.records.get(str(params.get("InstanceId", "")))
            if record is not None:
                base = self.images.get(record.image_id, Software())
                self.images[parsed["ImageId"]] = record.software_at(now, base)
        elif operation == "CopyImage" and parsed.get("ImageId"):
            source = self.images.get(str(params.get("SourceImageId", "")))
            if source is not None:
                self.images[parsed["ImageId"]] = source

    def _rewrite_instances(self, parsed: Any) -> None:
        now = self.cloud.t
        start = self.cloud.clock.start
        for reservation in parsed.get("Reservations", []):
            for inst in reservation.get("Instances", []):
                record = self.records.get(inst.get("InstanceId", ""))
                if record is None:
                    continue
                inst["LaunchTime"] = start + timedelta(seconds=record.launch_t)
                state = record.state_at(now)
                if state == "pending" and inst.get("State", {}).get("Name") == "running":
                    inst["State"] = {"Code": 0, "Name": "pending"}

    def _rewrite_status(self, parsed: Any) -> None:
        for status in parsed.get("InstanceStatuses", []):
            record = self.records.get(status.get("InstanceId", ""))
            if record is None:
                continue
            bad = record.impaired(self.down_azs)
            if record.state_at(self.cloud.t) == "pending":
                status["InstanceState"] = {"Code": 0, "Name": "pending"}
            which = "SystemStatus" if record.az in self.down_azs or record.host_failed else None
            for key in ("InstanceStatus", "SystemStatus"):
                failed = bad and (which == key or key == "InstanceStatus")
                status[key] = {
                    "Status": "impaired" if failed else "ok",
                    "Details": [{"Name": "reachability",
                                 "Status": "failed" if failed else "passed"}],
                }


class _OwnCalls:
    """The context of :meth:`InstanceBook.own_calls`: the book is quiet inside it and as
    quiet as before after it, also when the calls raise. (A class rather than a
    ``contextlib.contextmanager`` generator: entered ~1,000 times in a virtual week.)"""

    __slots__ = ("book", "outer")

    def __init__(self, book: InstanceBook) -> None:
        self.book = book
        self.outer = False

    def __enter__(self) -> None:
        self.outer = self.book.quiet
        self.book.quiet = True

    def __exit__(self, *exc: object) -> None:
        self.book.quiet = self.outer


def instance_book(cloud: Any) -> InstanceBook:
    """The per-cloud :class:`InstanceBook` (created on first use, dropped on reset)."""
    return cloud.state("sim.instances", lambda: InstanceBook(cloud))  # type: ignore[no-any-return]


def is_mutating(service: str, operation: str) -> bool:
    """Whether a call may change compute resources (so cached views must be re-read)."""
    return service in _MUTATING_SERVICES and not operation.startswith(_READ_PREFIXES)
