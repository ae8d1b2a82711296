"""The :class:`Cloud`: one mini cloud per notebook, its clients, regions and clock.

A Cloud starts a backend (embedded moto by default), hands out boto3 clients
that reach it, owns the virtual clock and the seeded random streams, and is the
hook point where later subsystems attach behaviour (botocore call hooks,
clock events, reset hooks).

Only one Cloud is active in a process (the embedded backend patches botocore
globally): starting a new one stops the previous one, so re-running a
notebook's first cell simply gives a fresh cloud.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from cloudlab.cloud import waiters
from cloudlab.cloud.backends import Backend, make_backend
from cloudlab.cloud.clock import DEFAULT_START, ScheduledEvent, VirtualClock
from cloudlab.errors import CloudNotStarted, InvalidScenario

if TYPE_CHECKING:  # numpy is imported lazily: Cloud() must start fast
    import boto3
    import numpy as np

__all__ = ["DEFAULT_REGION", "Cloud", "Runnable", "active_cloud", "add_start_hook", "seeded_rng"]

DEFAULT_REGION = "us-east-1"

T = TypeVar("T")

_ACTIVE: Cloud | None = None
_START_HOOKS: list[Callable[[Cloud], object]] = []


def add_start_hook(hook: Callable[[Cloud], object]) -> None:
    """Call ``hook(cloud)`` whenever a Cloud starts (and now, for the active one).

    Higher layers (IAM enforcement, widgets) register here when they are imported, so a
    notebook that imports them gets their behaviour on every Cloud it creates, while the
    cloud layer never imports them.
    """
    if hook not in _START_HOOKS:
        _START_HOOKS.append(hook)
        if _ACTIVE is not None:
            hook(_ACTIVE)


def active_cloud() -> Cloud | None:
    """The Cloud currently running in this process, if any."""
    return _ACTIVE


class Runnable(Protocol):
    """Anything :meth:`Cloud.run` can run over virtual time (a simulation scenario)."""

    def run(self, cloud: Cloud, /, **kwargs: Any) -> Any: ...


class Cloud:
    """A mini AWS cloud for one notebook.

    Args:
        seed: seeds every random stream of the simulation; same seed, same numbers.
        backend: ``"embedded"`` (default, or ``$CLOUDLAB_BACKEND``).
        region: default Region for clients.
        start: calendar instant of virtual ``t = 0`` (default Monday 2026-01-05 00:00 UTC).
        autostart: start the backend now (default) or on first use of ``with``.

    Example:
        >>> with Cloud(seed=7) as cloud:                       # doctest: +SKIP
        ...     ec2 = cloud.client("ec2")
        ...     ec2.describe_instances()["Reservations"]
        ...     cloud.advance(minutes=5)
        []
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        backend: str | None = None,
        region: str = DEFAULT_REGION,
        start: datetime = DEFAULT_START,
        autostart: bool = True,
    ) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise InvalidScenario(f"seed must be an integer >= 0, got {seed!r}")
        self.seed = seed
        self.region = region
        self.clock = VirtualClock(start)
        self._backend: Backend = make_backend(backend)
        self._started = False
        self._session: boto3.Session | None = None
        self._clients: dict[tuple[str, str, str, str], Any] = {}
        self._hooks: list[tuple[str, Callable[..., Any]]] = []
        self._reset_hooks: list[Callable[[Cloud], None]] = []
        self._state: dict[str, Any] = {}
        if autostart:
            self.start()

    # -- lifecycle --------------------------------------------------------------------
    @property
    def backend(self) -> str:
        """Name of the backend answering this cloud's calls."""
        return self._backend.name

    @property
    def running(self) -> bool:
        return self._started

    def start(self) -> Cloud:
        """Start the backend (idempotent). Stops any other active Cloud first."""
        global _ACTIVE
        if self._started:
            return self
        if _ACTIVE is not None and _ACTIVE is not self:
            _ACTIVE.stop()
        self._backend.start(seed=self.seed)
        _install_dispatch()
        waiters.install()
        self._started = True
        _ACTIVE = self
        for hook in list(_START_HOOKS):
            hook(self)
        return self

    def stop(self) -> None:
        """Stop the backend and forget its state. Clients handed out stop working."""
        global _ACTIVE
        if not self._started:
            return
        self._backend.stop()
        self._started = False
        self._clients.clear()
        self._session = None
        if _ACTIVE is self:
            _ACTIVE = None

    def reset(self) -> None:
        """Empty the cloud: every resource gone, clock back to the start, hooks told."""
        self._require_started()
        self._backend.reset(seed=self.seed)
        self.clock.reset()
        self._state.clear()
        for hook in list(self._reset_hooks):
            hook(self)

    def __enter__(self) -> Cloud:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self._started else "stopped"
        return (
            f"<Cloud {state} backend={self.backend} region={self.region} seed={self.seed} "
            f"now={self.now.isoformat()}>"
        )

    def _require_started(self) -> None:
        if not self._started:
            raise CloudNotStarted(
                "this Cloud is stopped (another Cloud started, or stop() was called); "
                "create a new one with cloud = Cloud(seed=...)"
            )

    # -- clients ----------------------------------------------------------------------
    @property
    def session(self) -> boto3.Session:
        """A boto3 Session bound to the mini cloud (fake credentials, default Region)."""
        self._require_started()
        if self._session is None:
            import boto3

            self._session = boto3.Session(region_name=self.region, **self._backend.client_kwargs())
        return self._session

    def client(self, service: str, region: str | None = None, **kwargs: Any) -> Any:
        """A boto3 client for ``service`` (e.g. ``"ec2"``) in ``region`` (default: the cloud's).

        Clients without extra keyword arguments are cached, so asking twice is free.
        """
        # without keyword arguments (nearly every call) the last member is repr([]): "[]"
        key = ("client", service, region or self.region,
               repr(sorted(kwargs.items())) if kwargs else "[]")
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = self.session.client(
                service, region_name=region or self.region, **kwargs
            )
        return client

    def resource(self, service: str, region: str | None = None, **kwargs: Any) -> Any:
        """A boto3 resource (``cloud.resource("s3").Bucket("b")``)."""
        key = ("resource", service, region or self.region, repr(sorted(kwargs.items())))
        if key not in self._clients:
            self._clients[key] = self.session.resource(
                service, region_name=region or self.region, **kwargs
            )
        return self._clients[key]

    # -- geography --------------------------------------------------------------------
    def regions(self) -> list[str]:
        """Names of the Regions the mini cloud serves (``ec2.describe_regions``)."""
        answer = self.client("ec2").describe_regions()
        return sorted(r["RegionName"] for r in answer["Regions"])

    def azs(self, region: str | None = None) -> list[str]:
        """Availability Zone names of ``region`` (``ec2.describe_availability_zones``)."""
        answer = self.client("ec2", region=region).describe_availability_zones()
        return sorted(z["ZoneName"] for z in answer["AvailabilityZones"])

    # -- time -------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        """Current virtual time (timezone-aware)."""
        return self.clock.now

    @property
    def t(self) -> float:
        """Seconds of virtual time since the cloud's start."""
        return self.clock.t

    def advance(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> datetime:
        """Move virtual time forward, letting everything scheduled on the clock happen.
        Returns the new :attr:`now`."""
        self._require_started()
        self.clock.advance(seconds, minutes=minutes, hours=hours, days=days)
        return self.now

    def schedule(self, delay_s: float, callback: Callable[[VirtualClock], object], *,
                 name: str = "") -> ScheduledEvent:
        """Run ``callback(clock)`` once after ``delay_s`` seconds of virtual time."""
        return self.clock.schedule(delay_s, callback, name=name)

    def every(self, interval_s: float, callback: Callable[[VirtualClock], object], *,
              name: str = "") -> ScheduledEvent:
        """Run ``callback(clock)`` every ``interval_s`` seconds of virtual time."""
        return self.clock.every(interval_s, callback, name=name)

    def run(self, scenario: Runnable, /, **kwargs: Any) -> Any:
        """Run a simulation scenario over virtual time, e.g.
        ``cloud.run(scenario, hours=24)``; the scenario advances the clock."""
        self._require_started()
        if not hasattr(scenario, "run"):
            raise InvalidScenario(
                f"cloud.run() needs a scenario (an object with .run(cloud, ...)), "
                f"got {type(scenario).__name__}; build one with cloudlab.Scenario(...)"
            )
        return scenario.run(self, **kwargs)

    # -- randomness -------------------------------------------------------------------
    def rng(self, stream: str = "default") -> np.random.Generator:
        """An independent, seeded random generator for a named stream.

        Each subsystem asks for its own stream (``cloud.rng("traffic")``) so adding
        randomness in one place never shifts the numbers of another.
        """
        return seeded_rng(self.seed, stream)

    # -- hook points ------------------------------------------------------------------
    def on(self, event: str, handler: Callable[..., Any]) -> None:
        """Attach ``handler`` to a botocore event for every client reaching this cloud,
        including plain ``boto3.client(...)`` (e.g. ``"after-call.ec2.RunInstances"``)."""
        self._hooks.append((event, handler))

    def off(self, event: str, handler: Callable[..., Any]) -> None:
        """Detach a handler attached with :meth:`on` (no error if it is not attached)."""
        self._hooks = [(e, h) for e, h in self._hooks if not (e == event and h == handler)]

    def state(self, name: str, factory: Callable[[], T]) -> T:
        """Per-cloud state of a subsystem (``cloud.state("iam", IamState)``), created on first
        use and dropped by :meth:`reset`. Higher layers keep their state here so the cloud
        layer never has to know them."""
        try:  # asked ~25,000 times in a virtual week: one lookup when it exists
            return self._state[name]  # type: ignore[no-any-return]
        except KeyError:
            made = self._state[name] = factory()
            return made

    def on_reset(self, hook: Callable[[Cloud], None]) -> None:
        """Call ``hook(cloud)`` after every :meth:`reset`."""
        self._reset_hooks.append(hook)

    def emit(self, event_name: str, **kwargs: Any) -> Any:
        """Run the handlers attached with :meth:`on` for ``event_name``, as botocore does
        for a call (used when the cloud layer acts on the embedded backend without a boto3
        call, so hooks still see the change). Returns the first non-``None`` result."""
        return self._dispatch(event_name, **kwargs)

    def _dispatch(self, event_name: str, **kwargs: Any) -> Any:
        for prefix, handler in self._hooks:
            if event_name == prefix or event_name.startswith(prefix + "."):
                result = handler(event_name=event_name, **kwargs)
                if result is not None:
                    return result
        return None


_dispatch_installed = False


def _dispatch_to_active(event_name: str, **kwargs: Any) -> Any:
    cloud = _ACTIVE
    if cloud is None or not cloud._hooks:
        return None
    return cloud._dispatch(event_name, **kwargs)


def _keep_params(params: Any = None, context: Any = None, **_: Any) -> None:
    """Keep the caller's parameters in the request context, where ``after-call`` handlers
    (which botocore gives only the response) find them as ``context["cloudlab_params"]``."""
    if isinstance(context, dict) and isinstance(params, dict):
        context["cloudlab_params"] = dict(params)


def _install_dispatch() -> None:
    """Route botocore call events of every session created from now on to the active Cloud."""
    global _dispatch_installed
    if _dispatch_installed:
        return
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("before-parameter-build", _keep_params))
    BUILTIN_HANDLERS.append(("before-call", _dispatch_to_active))
    BUILTIN_HANDLERS.append(("after-call", _dispatch_to_active))
    _dispatch_installed = True


def seeded_rng(seed: int, stream: str) -> np.random.Generator:
    """The generator ``Cloud(seed=seed).rng(stream)`` returns, without a Cloud (for replays)."""
    import numpy as np

    key = zlib.crc32(stream.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(key,)))
