"""Patches 7 and 8 of :mod:`cloudlab.cloud.patches`: moto's IAM, built less often and faster.

The mini cloud loads AWS's managed policies into IAM (``ReadOnlyAccess``,
``AmazonS3ReadOnlyAccess``..., for the security labs): ~1,600 policies decoded and built
each time an IAM backend is built, and moto builds one on the first request of every cloud.

Patch 7: a request's account found without building IAM for every partition.
    moto answers each request for an account, which it finds from the access key with
    ``moto.iam.models.get_account_id_from``: for every account it knows, it looks the key
    up in that account's IAM backend of *every partition* (``aws``, ``aws-cn``,
    ``aws-us-gov``, ``aws-iso``, ``aws-iso-b``, ``aws-eusc``), and looking one up builds
    it. So the second request of every cloud built five IAM backends of partitions no mini
    cloud uses, about 0.15-0.3 s each, more than a second in all. The patched lookup gives
    the same answer without building anything: a partition's IAM backend that was never
    built has no access keys (a new ``IAMBackend`` starts with none), so it cannot hold the
    key, and only the backends already built are looked at. A partition is still built the
    first time anything else asks for it.

Patch 8: the managed policies' data decoded once a process.
    Building IAM decodes moto's JSON of the managed policies and encodes each policy's
    document back to JSON text (~0.17 s of the ~0.2 s). The patched build keeps, once per
    process, what it gives each policy (name, version, path, document text, dates: all
    immutable) and makes every policy with the same arguments in the same order, so each
    backend still gets objects of its own and the same ids from the seeded random source.

``tests/cloud/test_patches.py`` compares each with moto's own and fails loudly if moto
moves them.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["install_account_lookup", "install_policy_data"]

_installed: set[str] = set()
#: per policy, the arguments moto gives it (Patch 8), once decoded
_POLICIES: list[tuple[str, dict[str, Any]]] = []


def install_account_lookup() -> bool:
    """Replace ``moto.iam.models.get_account_id_from`` (moto imports it by name inside
    ``BaseResponse.get_current_account`` on each request, so the module attribute is what
    it calls). Idempotent; False if moto changed shape."""
    if "account_lookup" in _installed:
        return True
    try:
        from moto.iam import models
        from moto.utilities.utils import PARTITION_NAMES
    except ImportError:  # pragma: no cover - moto moved it
        return False
    original = getattr(models, "get_account_id_from", None)
    if original is None or not hasattr(models, "iam_backends"):  # pragma: no cover
        return False
    default = models.DEFAULT_ACCOUNT_ID

    def get_account_id_from(access_key: str) -> str:
        # as moto's, without building a partition's backend to look in its empty key list
        for account_id, account in list(models.iam_backends.items()):
            for partition in PARTITION_NAMES:
                backend: Any = dict.get(account, partition)
                if backend is not None and access_key in backend.access_keys:
                    return str(account_id)
        return str(default)

    get_account_id_from.__wrapped__ = original  # type: ignore[attr-defined]
    models.get_account_id_from = get_account_id_from
    _installed.add("account_lookup")
    return True


def _policy_arguments(data: str) -> list[tuple[str, dict[str, Any]]]:
    """What moto's ``AWSManagedPolicy.from_data`` gives the constructor, for each policy of
    moto's managed-policy JSON ``data``, in its order (decoded on first use)."""
    if not _POLICIES:
        from datetime import datetime

        for name, d in json.loads(data).items():
            _POLICIES.append((name, {
                "default_version_id": d.get("DefaultVersionId"), "path": d.get("Path"),
                "document": json.dumps(d.get("Document")),
                "create_date": datetime.fromisoformat(d["CreateDate"]),
                "update_date": datetime.fromisoformat(d["UpdateDate"])}))
    return _POLICIES


def install_policy_data() -> bool:
    """Replace ``IAMBackend._init_aws_policies`` with one that builds the same policies
    from data decoded once. Idempotent; False if moto changed shape."""
    if "policy_data" in _installed:
        return True
    try:
        from moto.iam import models
    except ImportError:  # pragma: no cover - moto moved it
        return False
    original = getattr(models.IAMBackend, "_init_aws_policies", None)
    policy = getattr(models, "AWSManagedPolicy", None)
    data = getattr(models, "aws_managed_policies_data", None)
    enabled = getattr(models, "load_iam_aws_managed_policies", None)
    if original is None or policy is None or not isinstance(data, str) or enabled is None:
        return False  # pragma: no cover - moto moved it

    def _init_aws_policies(self: Any) -> list[Any]:
        if not enabled():
            return []
        return [policy(name, account_id=self.account_id, region=self.region_name, **kwargs)
                for name, kwargs in _policy_arguments(data)]

    _init_aws_policies.__wrapped__ = original  # type: ignore[attr-defined]
    models.IAMBackend._init_aws_policies = _init_aws_policies  # type: ignore[method-assign]
    _installed.add("policy_data")
    return True
