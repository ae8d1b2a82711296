"""Patch 7 of :mod:`cloudlab.cloud.patches`: moto's IAM managed policies, built faster.

The mini cloud loads AWS's managed policies into IAM (``ReadOnlyAccess``,
``AmazonS3ReadOnlyAccess``..., for the security labs): ~1,600 policies decoded and built
each time an IAM backend is built, and moto builds six on the first requests of every cloud
(one per partition: it looks a request's access key up in every partition's IAM, which
builds it). Not building the five unused ones would be faster still, but each build draws
~1,600 policy ids from moto's seeded random source, so every resource id made afterwards
(instance ids in the labs' stored outputs...) would change.

Patch 7: the managed policies' data decoded once a process.
    Building IAM decodes moto's JSON of the managed policies and encodes each policy's
    document back to JSON text (~0.17 s of the ~0.2 s). The patched build keeps, once per
    process, what it gives each policy (name, version, path, document text, dates: all
    immutable) and makes every policy with the same arguments in the same order, so each
    backend still gets objects of its own and the same ids from the seeded random source.

``tests/cloud/test_patches.py`` compares it with moto's own and fails loudly if moto moves it.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["install_policy_data"]

_installed: set[str] = set()
#: per policy, the arguments moto gives it, once decoded
_POLICIES: list[tuple[str, dict[str, Any]]] = []


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
