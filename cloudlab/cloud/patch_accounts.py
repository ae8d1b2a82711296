"""Patch 7 of :mod:`cloudlab.cloud.patches`: moto finds a request's account without
building IAM for every partition.

moto answers each request for an account, which it finds from the access key with
``moto.iam.models.get_account_id_from``: for every account it knows, it looks the key up in
that account's IAM backend of *every partition* (``aws``, ``aws-cn``, ``aws-us-gov``,
``aws-iso``, ``aws-iso-b``, ``aws-eusc``), and looking one up builds it. The mini cloud
loads AWS's managed policies into IAM (``ReadOnlyAccess``, ``AmazonS3ReadOnlyAccess``...,
for the security labs): ~1,600 policies decoded and built per IAM backend. So the second
request of every cloud built five IAM backends of partitions no mini cloud uses, about
0.15-0.3 s each, more than a second in all.

The patched lookup gives the same answer without building anything: a partition's IAM
backend that was never built has no access keys (a new ``IAMBackend`` starts with none),
so it cannot hold the key, and only the backends already built are looked at. A partition
is still built the first time anything else asks for it.

``tests/cloud/test_patches.py`` compares both lookups and fails loudly if moto moves this.
"""

from __future__ import annotations

from typing import Any

__all__ = ["install_account_lookup"]

_installed = False


def install_account_lookup() -> bool:
    """Replace ``moto.iam.models.get_account_id_from`` (moto imports it by name inside
    ``BaseResponse.get_current_account`` on each request, so the module attribute is what
    it calls). Idempotent; False if moto changed shape."""
    global _installed
    if _installed:
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
    _installed = True
    return True
