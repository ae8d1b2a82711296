"""How the EBS simulation attaches to a cloud: two botocore hooks on every EC2 call.

:func:`install` registers, through ``cloud.on`` (so every client reaching the cloud is
covered, plain ``boto3.client("ec2")`` included):

- a ``before-call.ec2`` handler that refuses what AWS would refuse (returning the same error
  response AWS returns, which botocore raises as ``ClientError``), answers the calls moto lacks
  (fast snapshot restore, ``DescribeVolumeStatus``), and keeps the request parameters in the
  call's context for the after-call handler;
- an ``after-call.ec2`` handler that keeps the simulation's books (block maps, snapshot
  storage, modifications) and rewrites moto's answer to the virtual clock.

Importing :mod:`cloudlab.sim.ebs` installs the hooks on the active cloud and on every cloud
started afterwards (``add_start_hook``). The handlers for each operation live in
:mod:`~cloudlab.sim.ebs.volume_calls` and :mod:`~cloudlab.sim.ebs.snapshot_calls`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cloudlab.cloud.hooks import install_call_hooks
from cloudlab.sim.ebs import snapshot_calls, volume_calls
from cloudlab.sim.ebs._wire import AwsError, Call, answer, error_answer, region_of
from cloudlab.sim.ebs.state import EbsState, ebs_state

__all__ = ["install"]

_BEFORE: dict[str, Callable[[Call], dict[str, Any] | None]] = {**volume_calls.BEFORE,
                                                               **snapshot_calls.BEFORE}
_ANSWER: dict[str, Callable[[Call], dict[str, Any]]] = {**volume_calls.ANSWER,
                                                        **snapshot_calls.ANSWER}
_AFTER: dict[str, Callable[[Call, dict[str, Any]], None]] = {**volume_calls.AFTER,
                                                             **snapshot_calls.AFTER}
_CALL_KEY = "cloudlab_ebs_call"

def install(cloud: Any) -> EbsState:
    """Attach the EBS hooks to ``cloud`` (idempotent) and return its EBS state."""
    install_call_hooks(cloud, "sim.ebs", service="ec2",
                       before=lambda c, _event, **kw: _before(c, **kw),
                       after=lambda c, _event, **kw: _after(c, **kw))
    return ebs_state(cloud)


def _before(cloud: Any, *, model: Any = None, params: Any = None, context: Any = None,
            **_: Any) -> Any:
    if model is None or not isinstance(params, dict):
        return None
    operation = model.name
    if operation not in _BEFORE and operation not in _ANSWER and operation not in _AFTER:
        return None
    body = params.get("body")
    if not isinstance(body, dict):
        return None
    ctx = context if isinstance(context, dict) else {}
    call = Call(cloud=cloud, operation=operation, body=body, region=region_of(ctx),
                context=ctx, request=params)
    ctx[_CALL_KEY] = call
    try:
        if operation in _BEFORE:
            early = _BEFORE[operation](call)
            if early is not None:
                return answer(params, early)
        if operation in _ANSWER:
            return answer(params, _ANSWER[operation](call))
    except AwsError as error:
        return error_answer(params, error)
    return None


def _after(cloud: Any, *, http_response: Any = None, parsed: Any = None, model: Any = None,
           context: Any = None, **_: Any) -> None:
    if model is None or http_response is None or http_response.status_code >= 300:
        return
    handler = _AFTER.get(model.name)
    call = (context or {}).get(_CALL_KEY)
    if handler is None or not isinstance(call, Call) or not isinstance(parsed, dict):
        return
    if call.cloud is not cloud:
        return
    handler(call, parsed)
