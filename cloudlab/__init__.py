"""CloudLab: a mini AWS cloud for learning cloud architecture in notebooks.

    >>> from cloudlab import Cloud, check          # doctest: +SKIP
    >>> cloud = Cloud(seed=42)                      # embedded mini cloud, virtual clock
    >>> cloud.client("s3").list_buckets()["Buckets"]
    []

The public surface is listed in ``__all__``; the simulation lives in
:mod:`cloudlab.sim` and the widgets in :mod:`cloudlab.viz`. Heavy parts are
imported on first use, so ``Cloud()`` starts as fast as the backend allows.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from cloudlab.cloud import Cloud, VirtualClock, add_start_hook
from cloudlab.errors import (
    BackendNotAvailable,
    ClockError,
    CloudLabError,
    CloudNotStarted,
    EndpointNotServed,
    GradingError,
    InvalidCidr,
    InvalidScenario,
    KeyFileExists,
    MalformedPolicy,
    NotANotebook,
    UnknownCheck,
    UnknownInstanceType,
    UnknownLab,
    UnknownPrincipal,
    UnknownResource,
)

if TYPE_CHECKING:
    from cloudlab.checks import check, check_all

__version__ = "0.1.0"

__all__ = [
    "BackendNotAvailable",
    "ClockError",
    "Cloud",
    "CloudLabError",
    "CloudNotStarted",
    "EndpointNotServed",
    "GradingError",
    "InvalidCidr",
    "InvalidScenario",
    "KeyFileExists",
    "MalformedPolicy",
    "NotANotebook",
    "UnknownCheck",
    "UnknownInstanceType",
    "UnknownLab",
    "UnknownPrincipal",
    "UnknownResource",
    "VirtualClock",
    "__version__",
    "check",
    "check_all",
]



def _install_simulation(cloud: Cloud) -> None:
    """Give every Cloud the behaviour moto lacks (boots, health checks, Auto Scaling,
    alarms): hooks only, so a cloud that never uses them pays almost nothing."""
    from cloudlab.sim import ebs, hooks

    hooks.install(cloud)
    ebs.install(cloud)


add_start_hook(_install_simulation)

# Names resolved on first access (PEP 562) to keep `import cloudlab` light.
_LAZY = {"check": "cloudlab.checks", "check_all": "cloudlab.checks"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cloudlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
