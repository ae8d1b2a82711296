"""The one place where cloudlab changes moto's and botocore's internals for speed.

Everything else uses public extension points. The patches change no behaviour: the first
two only cache *decoded data* (each cached value is decoded anew on every load, since moto
and botocore mutate what they load, e.g. merging model extras), the third to seventh answer
lookups the same way, without scans, copies or closures.

Patch 1: a disk cache for moto's bundled JSON catalogues.
    moto decodes ~100 gzip'd JSON files (instance types, instance-type offerings for every
    Region and zone, AMIs) the first time a notebook touches EC2: about 0.9 s of JSON
    decoding in a 1.4 s first call. The cache stores each decoded catalogue once with
    :mod:`marshal` (plain data only, no code, unlike pickle) under the user's cache folder,
    keyed by moto's and Python's versions, and answers later loads from it. The cached value
    is decoded anew on every load, so moto can still mutate what it gets.

    It must be installed before moto imports its service models, because they bind
    ``load_resource`` with ``from moto.utilities.utils import load_resource`` at import time.

Patch 2: an in-process memo of botocore's JSON data files.
    moto creates fresh botocore sessions while it answers the first EC2 call, and each one
    decodes the EC2 service model (~100-280 ms) and endpoint data again: four times in all.
    The memo keeps each file's decoded data as :mod:`pickle` bytes made in this process
    (botocore decodes into ``OrderedDict``, which marshal cannot hold) and rebuilds it from
    there, 2.5-3 times faster than decoding the JSON again.

Patch 3: one AMI by id without scanning every AMI.
    Each instance moto launches looks its AMI up with ``describe_images(filters={"image-id":
    id})``, which copies and filters every AMI of the Region (thousands are loaded): about
    23 ms per launch, the largest part of an Auto Scaling scale-out. With exactly that filter
    (one id, no wildcard, nothing else asked) the answer is the AMI from moto's own
    ``amis`` dictionary, or nothing, which is what the scan gives.

Patch 4: instances by id from an index.
    moto's ``get_instance_by_id``, ``get_instance`` and ``get_multi_instances_by_id`` make
    a shallow copy of every reservation ever made (terminated instances stay) and then look
    for the id. They are called for each target an ELB registers (Auto Scaling registers
    its whole group after each change), each root volume a launch attaches and each
    termination, so a week of Auto Scaling (~700 actions) kept slowing down. The patched
    lookups answer from an index of id -> (reservation, instance), trusting an entry only
    while moto still holds that instance in that reservation, and look for an id not
    indexed yet newest reservation first (a launch looks up the instance it has just made).
    They return the same objects, or raise the same error.

Patch 5: the instance-type check of ``run_instances`` without a closure per offering.
    moto checks a launch's instance type against the offerings of its Region (~1,400) or,
    when it is given a zone, of every zone of the Region (~6,400), one ``matches_filters``
    call per offering until one matches (~530 for m5.large), and each call builds a
    closure: ~2 ms per launch. With the one filter it is given there (``instance-type``) the
    answer is the same membership test, made directly: ~0.1 ms per launch.

Patch 5b: that check finds the launched type first.
    The check is ``any(...)`` over the offerings, and the zones a Region offers is a set:
    neither depends on the offerings' order. ``run_instances`` gets its own copy of the
    lists, in which a type's first offering moves to the front whenever that type is
    launched, so the next launch of it makes one ``matches_filters`` call instead of ~530
    (~0.1 ms, 700 launches in a virtual week of Auto Scaling). moto's own lists, which
    ``describe_instance_type_offerings`` reads, keep their order.

Patch 6: the tags of one resource without scanning every tag.
    ``get_tags`` of a moto resource (an instance's ``Tags`` in ``describe_instances``, the
    simulation reading a launched instance) asks ``describe_tags`` for one ``resource-id``,
    which copies the tags of every resource and matches each id against a shell pattern:
    ~0.3 ms per instance after a week of launches. For one id without pattern characters
    the answer is that resource's entry of moto's ``tags`` dictionary, in the same order.

Patch 7, in :mod:`cloudlab.cloud.patch_iam`: IAM's ~1,600 managed policies built from data
decoded once a process.

Patches 8 and 9, in :mod:`cloudlab.cloud.patch_stamps`: EC2's random resource ids drawn
without a ``random.choice`` call per digit (the same draws, so the same ids), and
``utcnow`` without an import per call.

Patch 10, in :mod:`cloudlab.cloud.patch_targets`: Auto Scaling registers with its target
groups only the targets that registering changes, not its whole group after each action.

``tests/cloud/test_patches.py`` fails loudly if a moto or botocore upgrade moves any of this.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cloudlab.cloud.patch_iam import install_policy_data
from cloudlab.cloud.patch_stamps import install_direct_ids, install_utcnow
from cloudlab.cloud.patch_targets import install_target_registration

__all__ = ["cache_dir", "install", "install_ami_lookup", "install_botocore_memo",
           "install_instance_lookup", "install_instance_type_check",
           "install_offering_order", "install_resource_cache",
           "install_tag_lookup"]

_installed = False
_original: Callable[[str], Any] | None = None
_memo_installed = False
#: the lookup patches (3 to 5) installed so far
_patched: set[str] = set()


def cache_dir() -> Path:
    """Where decoded catalogues are kept (``$CLOUDLAB_CACHE_DIR``, else the XDG cache)."""
    import moto

    base = os.environ.get("CLOUDLAB_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "cloudlab"
    )
    tag = f"moto-{moto.__version__}-py{sys.version_info[0]}{sys.version_info[1]}"
    return Path(base) / tag


def _cached_load_resource(resource: str) -> Any:
    assert _original is not None
    folder = cache_dir()
    path = folder / (hashlib.sha1(resource.encode()).hexdigest() + ".marshal")
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    value = _original(resource)
    try:
        data = marshal.dumps(value)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # atomic: concurrent kernels never read half a file
    except (OSError, ValueError):
        pass  # read-only home or unmarshallable value: just don't cache
    return value


def install_resource_cache() -> bool:
    """Route moto's ``load_resource`` through the disk cache. Idempotent.

    Returns:
        False when ``CLOUDLAB_NO_MOTO_CACHE`` is set, else True.
    """
    global _installed, _original
    if _installed:
        return True
    if os.environ.get("CLOUDLAB_NO_MOTO_CACHE"):
        return False
    import moto.utilities.utils as moto_utils

    _original = moto_utils.load_resource
    moto_utils.load_resource = _cached_load_resource
    _installed = True
    return True


def install_botocore_memo() -> None:
    """Memoise ``botocore.loaders.JSONFileLoader.load_file`` for this process. Idempotent."""
    global _memo_installed
    if _memo_installed or os.environ.get("CLOUDLAB_NO_MOTO_CACHE"):
        return
    from botocore.loaders import JSONFileLoader

    original = JSONFileLoader.load_file
    memo: dict[str, bytes] = {}

    def load_file(self: Any, file_path: str) -> Any:
        blob = memo.get(file_path)
        if blob is not None:
            return pickle.loads(blob)  # noqa: S301 - bytes this process made itself
        value = original(self, file_path)
        if value is not None:
            with contextlib.suppress(pickle.PicklingError, TypeError):
                memo[file_path] = pickle.dumps(value, protocol=5)  # before anyone mutates it
        return value

    load_file.__wrapped__ = original  # type: ignore[attr-defined]
    JSONFileLoader.load_file = load_file  # type: ignore[method-assign]
    _memo_installed = True


def _moto_methods(module: str, cls: str, *names: str) -> tuple[Any, list[Any]] | None:
    """moto's class ``module.cls`` and its methods ``names``; ``None`` if moto moved any."""
    import importlib

    try:
        owner = getattr(importlib.import_module(module), cls)
    except (ImportError, AttributeError):  # pragma: no cover - moto moved it
        return None
    originals = [getattr(owner, name, None) for name in names]
    return None if None in originals else (owner, originals)


def _replace(owner: Any, *replacements: Callable[..., Any]) -> None:
    """Put each replacement on ``owner`` under its own name, keeping moto's method as its
    ``__wrapped__`` (the tests compare both)."""
    for new in replacements:
        new.__wrapped__ = getattr(owner, new.__name__)  # type: ignore[attr-defined]
        setattr(owner, new.__name__, new)


def install_ami_lookup() -> bool:
    """Answer moto's one-AMI-by-id lookup from its dictionary. Idempotent; False if moto
    changed shape."""
    if "ami_lookup" in _patched:
        return True
    found = _moto_methods("moto.ec2.models.amis", "AmiBackend", "describe_images")
    if found is None:  # pragma: no cover - moto moved it
        return False
    owner, (original,) = found

    def describe_images(self: Any, ami_ids: Any = None, filters: Any = None,
                        exec_users: Any = None, owners: Any = None) -> Any:
        if not ami_ids and not exec_users and not owners and filters \
                and list(filters) == ["image-id"]:
            wanted = filters["image-id"]
            one = wanted if isinstance(wanted, str) else (
                wanted[0] if isinstance(wanted, list | tuple) and len(wanted) == 1 else None)
            if isinstance(one, str) and not any(c in one for c in "*?[]"):
                ami = self.amis.get(one)
                return [] if ami is None else [ami]
        return original(self, ami_ids=ami_ids, filters=filters, exec_users=exec_users,
                        owners=owners)

    _replace(owner, describe_images)
    _patched.add("ami_lookup")
    return True


#: attribute of an EC2 backend holding its instance index (id -> (reservation, instance))
_INDEX = "_cloudlab_instance_index"


def _indexed_instance(backend: Any, instance_id: str) -> Any:
    """The instance ``instance_id`` of ``backend``, or ``None``: what moto's walk over every
    reservation finds, from an index of the instances seen so far.

    An indexed entry is used only while its reservation is still the backend's and still
    holds the instance (moto never takes either away, but a test or a future moto might).
    An id not indexed yet is looked for newest reservation first, indexing what the walk
    passes, so the instance a launch has just made (``run_instances`` attaches its root
    volume by id) is found at once; only an unknown id walks everything, as moto does.
    Instance ids are unique (17 random hex digits, never reused), so which instance the walk
    reaches first does not change the answer."""
    index: dict[str, tuple[Any, Any]] | None = backend.__dict__.get(_INDEX)
    if index is None:
        index = {}
        setattr(backend, _INDEX, index)
    reservations = backend.reservations
    hit = index.get(instance_id)
    if hit is not None:
        reservation, instance = hit
        if reservations.get(reservation.id) is reservation and instance in reservation.instances:
            return instance
        del index[instance_id]
    for reservation in reversed(reservations.values()):
        for instance in reservation.instances:
            if instance.id not in index:
                index[instance.id] = (reservation, instance)
            if instance.id == instance_id:
                return instance
    return None


def install_instance_lookup() -> bool:
    """Find instances by id from an index instead of copying every reservation. Idempotent;
    False if moto changed shape."""
    if "instance_lookup" in _patched:
        return True
    found = _moto_methods("moto.ec2.models.instances", "InstanceBackend", "get_instance_by_id",
                          "get_instance", "get_multi_instances_by_id")
    if found is None:  # pragma: no cover - moto moved them
        return False
    from moto.ec2.exceptions import InvalidInstanceIdError

    def get_instance_by_id(self: Any, instance_id: str) -> Any:
        return _indexed_instance(self, instance_id)

    def get_instance(self: Any, instance_id: str) -> Any:
        instance = _indexed_instance(self, instance_id)
        if instance is None:
            raise InvalidInstanceIdError(instance_id)
        return instance

    def get_multi_instances_by_id(self: Any, instance_ids: list[str],
                                  filters: Any = None) -> list[Any]:
        known = [_indexed_instance(self, iid) for iid in instance_ids]
        missing = [iid for iid, instance in zip(instance_ids, known, strict=True)
                   if instance is None]
        if missing:
            raise InvalidInstanceIdError(missing)
        return [instance for instance in known if instance.applies(filters)]

    _replace(found[0], get_instance_by_id, get_instance, get_multi_instances_by_id)
    _patched.add("instance_lookup")
    return True


def install_instance_type_check() -> bool:
    """Answer moto's one-filter instance-type match without a closure. Idempotent; False
    if moto changed shape."""
    if "instance_type_check" in _patched:
        return True
    found = _moto_methods("moto.ec2.models.instance_types", "InstanceTypeOfferingBackend",
                          "matches_filters")
    if found is None:  # pragma: no cover - moto moved it
        return False
    owner, (original,) = found

    def matches_filters(self: Any, offering: dict[str, Any], filters: Any,
                        location_type: str) -> bool:
        # called for each of ~6,000 offerings until one matches (~500 per m5.large launch):
        # as few steps as possible; any other filter (or a filter that is not a dict) falls
        # through to moto, by a KeyError or TypeError raised before anything is decided
        try:
            if len(filters) == 1:
                return offering.get("InstanceType") in filters["instance-type"]
        except (KeyError, TypeError):
            pass
        return bool(original(self, offering, filters, location_type))

    _replace(owner, matches_filters)
    _patched.add("instance_type_check")
    return True


def install_offering_order() -> bool:
    """Let moto's ``run_instances`` find the offering of the type it launches at once.
    Idempotent; False if moto changed shape.

    Every launch asks whether some offering of the Region has the instance type, with
    ``any(...)`` over some 6,000 offerings (about 500 before it reaches m5.large: ~100 us
    per launch, for an answer moto ignores unless instance-type validation is on), and
    which zones the Region offers (a set). Neither answer depends on the order of the
    offerings, so ``run_instances`` gets its own copy of the lists, in which a type's first
    offering moves to the front whenever it is launched: the next check of it stops there.
    ``describe_instance_type_offerings`` keeps moto's lists and their order."""
    if "offering_order" in _patched:
        return True
    import importlib

    try:
        module = importlib.import_module("moto.ec2.models.instances")
        offerings = module.INSTANCE_TYPE_OFFERINGS
    except (ImportError, AttributeError):  # pragma: no cover - moto moved it
        return False
    found = _moto_methods("moto.ec2.models.instances", "InstanceBackend", "run_instances")
    if found is None:  # pragma: no cover - moto moved it
        return False
    owner, (original,) = found
    ordered = {location: {region: list(items) for region, items in by_region.items()}
               for location, by_region in offerings.items()}
    absent: set[tuple[str, str, str]] = set()  # types a list does not offer (not looked for again)

    def to_front(location: str, region: str, kind: Any) -> None:
        items = ordered.get(location, {}).get(region)
        if (not items or not isinstance(kind, str) or items[0].get("InstanceType") == kind
                or (location, region, kind) in absent):
            return
        for k, offering in enumerate(items):  # near the front for a type launched lately
            if offering.get("InstanceType") == kind:
                items.insert(0, items.pop(k))
                return
        absent.add((location, region, kind))

    def run_instances(self: Any, image_id: Any, count: Any, user_data: Any,
                      security_group_names: Any, **kwargs: Any) -> Any:
        # the same location and Region as moto's check (a launch template's type, read
        # inside, is not known here: its check then scans as before)
        to_front("availability-zone" if kwargs.get("placement") else "region",
                 kwargs.get("region_name", "us-east-1"), kwargs.get("instance_type"))
        return original(self, image_id, count, user_data, security_group_names, **kwargs)

    module.INSTANCE_TYPE_OFFERINGS = ordered  # type: ignore[attr-defined]
    _replace(owner, run_instances)
    _patched.add("offering_order")
    return True


def install_tag_lookup() -> bool:
    """Answer moto's tags-of-one-resource query from its dictionary. Idempotent; False if
    moto changed shape."""
    if "tag_lookup" in _patched:
        return True
    found = _moto_methods("moto.ec2.models.tags", "TagBackend", "describe_tags")
    if found is None:  # pragma: no cover - moto moved it
        return False
    owner, (original,) = found
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix

    def describe_tags(self: Any, filters: Any = None) -> Any:
        if isinstance(filters, dict) and list(filters) == ["resource-id"]:
            wanted = filters["resource-id"]
            one = wanted[0] if isinstance(wanted, list) and len(wanted) == 1 else None
            # moto matches the id as a shell pattern (``fnmatch``), after turning ``\*``
            # and ``\?`` into literals: an id without those characters matches itself only
            if isinstance(one, str) and not any(c in one for c in "*?[\\"):
                tags = self.tags.get(one)  # .get: moto's scan adds no empty entry either
                if not tags:
                    return []
                kind = EC2_PREFIX_TO_RESOURCE.get(get_prefix(one), "")
                return [{"resource_id": one, "key": key, "value": value, "resource_type": kind}
                        for key, value in tags.items()]
        return original(self, filters=filters)

    _replace(owner, describe_tags)
    _patched.add("tag_lookup")
    return True


def install() -> None:
    """Install the patches (called when the embedded backend starts)."""
    install_resource_cache()
    install_botocore_memo()
    install_ami_lookup()
    install_instance_lookup()
    install_instance_type_check()
    install_offering_order()
    install_tag_lookup()
    install_policy_data()
    install_direct_ids()
    install_utcnow()
    install_target_registration()
