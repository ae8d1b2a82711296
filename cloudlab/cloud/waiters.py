"""boto3 waiters wait on the virtual clock of the mini cloud.

A waiter such as ``ec2.get_waiter("instance_running").wait(InstanceIds=[...])`` repeats a
describe call and sleeps between attempts (15 s for ``instance_running``, at most 40
attempts) with ``time.sleep`` inside ``botocore.waiter``. In the mini cloud nothing changes
while real time passes: only the virtual clock moves an instance from ``pending`` to
``running``. So, while a :class:`~cloudlab.cloud.Cloud` with the embedded backend is active,
those sleeps advance that cloud's clock instead: the waiter sees what AWS would show after
the same wait, returns at once in real time, and ``cloud.now`` has moved by the waiter's
delays (whole multiples of its ``Delay``, as on AWS).

This is one of the two places where cloudlab changes what botocore *does* (the other is
:mod:`cloudlab.cloud.backends`' refusal of real endpoints): it replaces the module
attribute ``botocore.waiter.time`` with an object whose ``sleep`` advances the active
cloud's clock. Without an active embedded cloud, the real ``time.sleep`` runs.
``tests/cloud/test_waiters.py`` fails if a botocore upgrade stops sleeping through
``botocore.waiter.time``.
"""

from __future__ import annotations

import time as _time
from typing import Any

__all__ = ["install"]

_installed = False


class _VirtualTime:
    """Stands in for the ``time`` module inside ``botocore.waiter``."""

    def sleep(self, seconds: float) -> None:
        from cloudlab.cloud.session import active_cloud

        cloud = active_cloud()
        if cloud is None or cloud.backend != "embedded":
            _time.sleep(seconds)
            return
        cloud.advance(seconds=seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(_time, name)


def install() -> bool:
    """Make botocore's waiters sleep on the virtual clock (idempotent). Returns False if
    botocore no longer sleeps through ``botocore.waiter.time``."""
    global _installed
    if _installed:
        return True
    import botocore.waiter

    if getattr(botocore.waiter, "time", None) is not _time:
        return False
    botocore.waiter.time = _VirtualTime()  # type: ignore[attr-defined]
    _installed = True
    return True
