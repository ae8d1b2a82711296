"""The cloud layer: backends, the :class:`Cloud` session, the virtual clock.

Imports only the standard library, boto3 and moto; nothing above it.
"""

from cloudlab.cloud.backends import AVAILABLE_BACKENDS, PLANNED_BACKENDS
from cloudlab.cloud.clock import DEFAULT_START, ScheduledEvent, VirtualClock
from cloudlab.cloud.session import (
    DEFAULT_REGION,
    Cloud,
    Runnable,
    active_cloud,
    add_start_hook,
)

__all__ = [
    "AVAILABLE_BACKENDS",
    "DEFAULT_REGION",
    "DEFAULT_START",
    "PLANNED_BACKENDS",
    "Cloud",
    "Runnable",
    "ScheduledEvent",
    "VirtualClock",
    "active_cloud",
    "add_start_hook",
]
