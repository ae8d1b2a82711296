"""The one place where cloudlab changes moto's and botocore's internals for speed.

Everything else uses public extension points. The patches change no behaviour: the first
two only cache *decoded data* (each cached value is decoded anew on every load, since moto
and botocore mutate what they load, e.g. merging model extras), the third to fifth answer
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

Patch 4: instances by id without copying every reservation.
    moto's ``get_instance_by_id``, ``get_instance`` and ``get_multi_instances_by_id`` make
    a shallow copy of every
    reservation ever made (terminated instances stay) and then look for the id. They are
    called for each tag of a launched instance, each target an ELB registers and each
    termination, so in a
    week of Auto Scaling (~700 launches) each scaling action took 10 ms instead of 5 and kept
    slowing down. The patched lookups walk the same reservations in the same order without
    the copies (a copy shares its instances with the original) and return the same
    objects, or raise the same error.

Patch 5: the instance-type check of ``run_instances`` without a closure per offering.
    moto checks a launch's instance type against the Region's ~700 offerings with
    ``matches_filters``, which builds a closure per offering: ~2 ms per launch. With the one
    filter it is given there (``instance-type``) the answer is the same membership test,
    made directly.

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

__all__ = ["cache_dir", "install", "install_ami_lookup", "install_botocore_memo",
           "install_instance_lookup", "install_instance_type_check", "install_resource_cache"]

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


def install_instance_lookup() -> bool:
    """Find instances by id without copying every reservation. Idempotent; False if moto
    changed shape."""
    if "instance_lookup" in _patched:
        return True
    found = _moto_methods("moto.ec2.models.instances", "InstanceBackend", "get_instance_by_id",
                          "get_instance", "get_multi_instances_by_id")
    if found is None:  # pragma: no cover - moto moved them
        return False
    from moto.ec2.exceptions import InvalidInstanceIdError

    def get_instance_by_id(self: Any, instance_id: str) -> Any:
        for reservation in self.reservations.values():
            for instance in reservation.instances:
                if instance.id == instance_id:
                    return instance
        return None

    def get_instance(self: Any, instance_id: str) -> Any:
        instance = get_instance_by_id(self, instance_id)
        if instance is None:
            raise InvalidInstanceIdError(instance_id)
        return instance

    def get_multi_instances_by_id(self: Any, instance_ids: list[str],
                                  filters: Any = None) -> list[Any]:
        known = {instance.id: instance for reservation in self.reservations.values()
                 for instance in reservation.instances}
        missing = [iid for iid in instance_ids if iid not in known]
        if missing:
            raise InvalidInstanceIdError(missing)
        return [known[iid] for iid in instance_ids if known[iid].applies(filters)]

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
        if isinstance(filters, dict) and len(filters) == 1 and "instance-type" in filters:
            return offering.get("InstanceType") in filters["instance-type"]
        return bool(original(self, offering, filters, location_type))

    _replace(owner, matches_filters)
    _patched.add("instance_type_check")
    return True


def install() -> None:
    """Install the patches (called when the embedded backend starts)."""
    install_resource_cache()
    install_botocore_memo()
    install_ami_lookup()
    install_instance_lookup()
    install_instance_type_check()
