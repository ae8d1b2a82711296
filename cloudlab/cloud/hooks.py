"""Attaching a subsystem's behaviour to every API call of a cloud, once.

This module owns :func:`install_call_hooks`: the one way a subsystem above the cloud layer
(IAM enforcement, the compute, CloudWatch and EBS simulations, the network analyzer's
cache) puts a ``before-call`` and/or ``after-call`` handler on every client of a
:class:`~cloudlab.cloud.Cloud` (through :meth:`Cloud.on <cloudlab.cloud.Cloud.on>`). It
attaches each subsystem at most once per cloud, and holds the cloud weakly, so the
handlers stored on the cloud keep no cycle back to it (a dropped cloud's handlers do
nothing). Hooks survive ``cloud.reset()``, as :meth:`Cloud.on` handlers do.

Example:
    >>> def after(cloud, event_name, *, parsed=None, **_):          # doctest: +SKIP
    ...     ...
    >>> install_call_hooks(cloud, "iam.enforce", after=after)       # doctest: +SKIP
    True
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

__all__ = ["install_call_hooks"]

_INSTALLED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def install_call_hooks(
    cloud: Any,
    key: str,
    *,
    before: Callable[..., Any] | None = None,
    after: Callable[..., Any] | None = None,
    service: str = "",
) -> bool:
    """Attach ``before`` / ``after`` to every API call of ``cloud``, unless ``key`` already is.

    Args:
        cloud: the :class:`~cloudlab.cloud.Cloud` (anything with ``on(event, handler)``).
        key: who attaches, e.g. ``"iam.enforce"``; a second call with the same key and
            cloud does nothing.
        before: called as ``before(cloud, event_name, **kwargs)`` on ``before-call``
            events (botocore's keyword arguments: ``model``, ``params``, ``context``...);
            a non-``None`` result answers the call instead of the backend.
        after: called as ``after(cloud, event_name, **kwargs)`` on ``after-call`` events
            (``http_response``, ``parsed``, ``model``, ``context``...); its result is ignored.
        service: only calls to this service (a botocore service id, e.g. ``"ec2"``);
            default: every service.

    Returns:
        ``True`` when the hooks were attached now, ``False`` when ``key`` already was.
    """
    done = _INSTALLED.setdefault(cloud, set())
    if key in done:
        return False
    ref = weakref.ref(cloud)
    suffix = f".{service}" if service else ""
    if before is not None:
        call_before = before

        def on_before(event_name: str, **kwargs: Any) -> Any:
            owner = ref()
            return None if owner is None else call_before(owner, event_name, **kwargs)

        cloud.on("before-call" + suffix, on_before)
    if after is not None:
        call_after = after

        def on_after(event_name: str, **kwargs: Any) -> None:
            owner = ref()
            if owner is not None:
                call_after(owner, event_name, **kwargs)

        cloud.on("after-call" + suffix, on_after)
    done.add(key)
    return True
