"""Backends: what answers the boto3 calls a notebook makes.

Only ``embedded`` exists today: moto running in this process (``mock_aws``,
Lambda's Docker mode off). The names of the backends on the roadmap are listed
so that choosing one gives a clear error that says what exists.

Safety: while the embedded backend runs, every botocore request is either
answered by moto or refused by :func:`_answer_or_refuse` before it is sent, so a
notebook can never reach real AWS by accident, even through a client created
with a custom ``endpoint_url``.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Protocol

from cloudlab.errors import BackendNotAvailable, EndpointNotServed

__all__ = [
    "AVAILABLE_BACKENDS",
    "FAKE_CREDENTIALS",
    "MOTO_CONFIG",
    "PLANNED_BACKENDS",
    "Backend",
    "EmbeddedBackend",
    "make_backend",
]

#: Credentials every client of the mini cloud signs with. moto accepts any
#: credentials while IAM enforcement is off; these can never sign a real request.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIACLOUDLABTESTING0",
    "AWS_SECRET_ACCESS_KEY": "cloudlab-fake-secret-key-never-valid-on-aws",
    "AWS_SESSION_TOKEN": "cloudlab-fake-session-token",
}

#: moto settings of the embedded backend: Lambda handlers never need Docker; AWS managed
#: policies (AdministratorAccess, ReadOnlyAccess, ...) exist as on AWS (moto loads them on
#: the first IAM call, about 2 s, so labs that never touch IAM do not pay for them).
MOTO_CONFIG: dict[str, Any] = {
    "lambda": {"use_docker": False},
    "iam": {"load_aws_managed_policies": True},
}

#: Backends named in the architecture that are not built yet.
PLANNED_BACKENDS = {
    "server": "moto server on 127.0.0.1 for the AWS CLI and other tools",
    "localstack": "a LocalStack you run yourself",
    "aws": "your real AWS account, with explicit opt-in and guardrails",
}

# Environment variables that could point a client at a real account or endpoint.
_HIDDEN_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN",
               "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


class Backend(Protocol):
    """What a Cloud needs from a backend."""

    name: str

    def start(self, seed: int = 0) -> None: ...
    def stop(self) -> None: ...
    def reset(self, seed: int = 0) -> None: ...
    def client_kwargs(self) -> dict[str, Any]: ...


_guard_installed = False
_guard_active = False


def _drop_backends() -> None:
    """Empty every moto backend, so each is built on its first use, after the seed.

    moto's reset re-initialises the backends in use one after the other and empties their
    dicts as it goes, but re-initialising one can build another: a fresh Auto Scaling
    backend builds an EC2 backend (default VPC, subnets, AMI snapshots: tens of thousands of
    random draws) after EC2's dict was emptied. That EC2 backend outlives the reset, made
    before the cloud is seeded and unknown to the next reset, so resource ids came out
    different for the same seed after a cloud that used Auto Scaling."""

    from moto.core.base_backend import BackendDict

    for backends in _backend_dicts():
        backends.clear()
    BackendDict._instances.clear()  # type: ignore[misc]
    _forget_dropped_backends()


def _drop_before_reset() -> None:
    """Before moto's reset: empty the backends whose reset only re-initialises them.

    moto's reset builds every backend in use anew (EC2's default AMIs and their snapshots,
    IAM's ~1,600 managed policies: ~0.2-0.4 s a cloud), and the mini cloud then drops what
    it built (:func:`_drop_backends`, or the next cloud's start does). A backend class with
    a reset of its own (S3 closes its objects' temporary files and frees the bucket names
    shared by all accounts) is left for moto to reset."""
    from moto.core.base_backend import BaseBackend

    for backends in _backend_dicts():
        if getattr(backends.backend, "reset", None) is BaseBackend.reset:
            backends.clear()


def _backend_dicts() -> list[Any]:
    """moto's BackendDicts holding backends, in the models modules imported so far."""
    from moto.core.base_backend import BackendDict

    found = []
    for name, module in list(sys.modules.items()):
        if name.startswith("moto.") and ".models" in name and module is not None:
            for value in list(vars(module).values()):
                if isinstance(value, BackendDict) and value:
                    found.append(value)
    return found


#: moto methods cached with ``functools.lru_cache``/``cache`` on the instance (the cache
#: key holds ``self``, so the cache holds the object and, through it, its backend):
#: (module, class, method)
_INSTANCE_CACHES = (
    ("moto.core.base_backend", "AccountSpecificBackend", "_generate_regions"),
    ("moto.ec2.models.subnets", "Subnet", "_base_avail_ip_iterator"),
    ("moto.sns.models", "Subscription", "private_key"),
    ("moto.rds.models", "RDSBackend", "db_cluster_options"),
    ("moto.emr.models", "ElasticMapReduceBackend", "_get_instance_type_names"),
)


def _forget_dropped_backends() -> None:
    """Let the backends moto dropped be freed.

    A few moto methods are cached per object, and those caches keep their objects alive
    after a reset: every subnet ever made (``Subnet._base_avail_ip_iterator`` has no size
    limit), each account's backends through its Regions list
    (https://github.com/getmoto/moto/issues/6592). Each cloud made in a kernel kept its
    backends (~22,000 objects: the default AMIs, their snapshots and volumes, instances...)
    alive. Emptied when no object of theirs is in use (moto's backends were just dropped);
    the entries are rebuilt on first use. Modules not imported yet are left alone."""
    for module_name, cls_name, method in _INSTANCE_CACHES:
        module = sys.modules.get(module_name)
        cached = getattr(getattr(module, cls_name, None), method, None)
        clear = getattr(cached, "cache_clear", None)
        if clear is not None:
            clear()


def _answer_or_refuse(event_name: str, request: Any, **kwargs: Any) -> Any:
    """botocore ``before-send`` handler that stands in for moto's own: moto answers the
    request, and while the embedded backend runs, a request moto does not answer is
    refused here instead of going out to the network."""
    from moto.core.models import botocore_stubber

    response = botocore_stubber(event_name, request, **kwargs)
    if response is None and _guard_active:
        raise EndpointNotServed(
            f"the embedded mini cloud cannot answer {request.method} {request.url}; "
            "nothing was sent to AWS. Use the service's default endpoint (no endpoint_url), "
            "or check that the service is one the mini cloud emulates."
        )
    return response


def _install_guard() -> None:
    """Put :func:`_answer_or_refuse` where moto registered its stubber in botocore's
    built-in handlers (botocore calls every ``before-send`` handler, so a second handler
    could not tell whether moto answered)."""
    global _guard_installed
    if _guard_installed:
        return
    from botocore.handlers import BUILTIN_HANDLERS
    from moto.core.models import botocore_stubber

    for i, entry in enumerate(BUILTIN_HANDLERS):
        if entry[0] == "before-send" and entry[1] is botocore_stubber:
            BUILTIN_HANDLERS[i] = ("before-send", _answer_or_refuse)
            break
    else:  # pragma: no cover - a moto upgrade changed how it hooks botocore
        raise RuntimeError(
            "moto's botocore stubber is not in botocore's BUILTIN_HANDLERS; this moto "
            "version is not supported by cloudlab (see pyproject.toml for the tested range)"
        )
    _guard_installed = True


class EmbeddedBackend:
    """moto in-process. Starts in ~0.2 s; services load lazily on their first call."""

    name = "embedded"

    def __init__(self) -> None:
        self._mock: Any = None
        self._saved_env: dict[str, str | None] = {}

    def start(self, seed: int = 0) -> None:
        global _guard_active
        if self._mock is not None:
            return
        self._saved_env = {k: os.environ.get(k) for k in (*FAKE_CREDENTIALS, *_HIDDEN_ENV)}
        for k in _HIDDEN_ENV:
            os.environ.pop(k, None)
        os.environ.update(FAKE_CREDENTIALS)
        from moto import mock_aws

        from cloudlab.cloud import patches

        patches.install()
        _install_guard()
        self._mock = mock_aws(config=MOTO_CONFIG)  # type: ignore[call-overload]
        _drop_before_reset()
        self._mock.start(reset=True)
        _drop_backends()
        os.environ.update(FAKE_CREDENTIALS)  # moto sets its own; ours name the mini cloud
        self.seed(seed)
        _guard_active = True

    def seed(self, seed: int) -> None:
        """Seed moto's random source (resource ids, request ids), as moto's own
        ``/moto-api/seed`` does: the same seed gives the same ``i-...``, ``subnet-...`` ids."""
        from moto.moto_api._internal import mock_random

        mock_random.seed(seed)

    def stop(self) -> None:
        global _guard_active
        if self._mock is None:
            return
        _drop_before_reset()
        self._mock.stop(remove_data=True)
        self._mock = None
        _forget_dropped_backends()
        _guard_active = False
        for k, v in self._saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def reset(self, seed: int = 0) -> None:
        if self._mock is not None:
            _drop_before_reset()
            self._mock.reset()
            _drop_backends()
            self.seed(seed)

    def client_kwargs(self) -> dict[str, Any]:
        return {
            "aws_access_key_id": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            "aws_session_token": FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
        }


AVAILABLE_BACKENDS = {"embedded": EmbeddedBackend}


def make_backend(name: str | None) -> Backend:
    """The backend called ``name`` (default: ``$CLOUDLAB_BACKEND`` or ``embedded``).

    Raises:
        BackendNotAvailable: for a name that is unknown or not built yet.
    """
    chosen = (name or os.environ.get("CLOUDLAB_BACKEND") or "embedded").strip().lower()
    if chosen in AVAILABLE_BACKENDS:
        return AVAILABLE_BACKENDS[chosen]()  # type: ignore[return-value]
    exists = ", ".join(sorted(AVAILABLE_BACKENDS))
    if chosen in PLANNED_BACKENDS:
        raise BackendNotAvailable(
            f"backend {chosen!r} ({PLANNED_BACKENDS[chosen]}) is not built yet; "
            f"available: {exists}. Unset CLOUDLAB_BACKEND or pass backend='embedded'."
        )
    planned = ", ".join(sorted(PLANNED_BACKENDS))
    raise BackendNotAvailable(
        f"unknown backend {chosen!r}; available: {exists} (planned: {planned}). "
        "Unset CLOUDLAB_BACKEND or pass backend='embedded'."
    )
