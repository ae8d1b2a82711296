"""The live network-topology widget and the ``topology()`` convenience.

This module owns :class:`TopologyWidget`, an ``anywidget`` view of one Region of the mini
cloud: Python reads the network through boto3 (:meth:`TopologyModel.from_cloud
<cloudlab.viz.topology_model.TopologyModel.from_cloud>`), draws it as SVG
(:func:`~cloudlab.viz.topology_layout.render_topology_svg`) and syncs the SVG as a trait;
the front end (``topology.js`` / ``topology.css`` next to this file) shows it, offers a
"security-group rules" checkbox, and reports which resource the learner clicked
(``selected``), whose details Python sends back as plain text (``details``).

Live updates: the widget attaches a botocore ``after-call`` hook with ``cloud.on``. After
a *successful mutating* EC2, ELBv2 or RDS call (``Create*``, ``Run*``, ``Delete*``,
``Terminate*``, ``Stop*``, ``Start*``, ``Attach*``, ``Detach*``, ``Associate*``,
``Disassociate*``, ``Modify*``, ``Authorize*``, ``Revoke*``, ``Replace*``, ``Allocate*``,
``Release*``) it marks itself dirty and re-reads the backend at most every
:data:`MIN_REFRESH_INTERVAL_S` seconds of wall time (or, when a re-read took longer, once
per re-read time); what is left dirty is drawn when the
notebook cell finishes (IPython ``post_execute``) or on :meth:`TopologyWidget.refresh`.
The hook runs after the call has completed, and a flag keeps the widget's own
``describe_*`` calls from re-entering it. A failed refresh never breaks the learner's
call: the error is shown in the widget's status line instead.

The widget also has a static form: its MIME bundle carries ``image/svg+xml`` next to the
widget view, so GitHub, the course book and nbval see the diagram without JavaScript.

Example:
    >>> from cloudlab.viz import topology
    >>> view = topology(cloud)          # shows the VPCs of the cloud's Region  # doctest: +SKIP
    >>> view.highlight(path)            # a cloudlab.net reachability path    # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import math
import time
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from cloudlab.errors import UnknownResource
from cloudlab.viz.static import StaticSvgMixin
from cloudlab.viz.topology_layout import (
    DEFAULT_WIDTH_PX,
    HEALTH_STYLES,
    render_topology_svg,
)
from cloudlab.viz.topology_model import TopologyModel

__all__ = [
    "MIN_REFRESH_INTERVAL_S",
    "MUTATING_PREFIXES",
    "WATCHED_SERVICES",
    "TopologyWidget",
    "is_mutating_call",
    "topology",
]

_HERE = Path(__file__).parent

#: Least wall-clock time between two live re-reads of the backend.
MIN_REFRESH_INTERVAL_S = 0.5

#: botocore service names whose calls can change the picture.
WATCHED_SERVICES = frozenset({"ec2", "elbv2", "rds"})

#: Operation-name prefixes of calls that change resources.
MUTATING_PREFIXES = (
    "Create",
    "Run",
    "Delete",
    "Terminate",
    "Stop",
    "Start",
    "Attach",
    "Detach",
    "Associate",
    "Disassociate",
    "Modify",
    "Authorize",
    "Revoke",
    "Replace",
    "Allocate",
    "Release",
    "Register",
    "Deregister",
    "Reboot",
    "Promote",
    "Failover",
    "Set",
)

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


def is_mutating_call(service: str, operation: str) -> bool:
    """Whether a call of ``service`` (botocore name) can change the topology picture."""
    return service in WATCHED_SERVICES and operation.startswith(MUTATING_PREFIXES)


class TopologyWidget(StaticSvgMixin, anywidget.AnyWidget):  # type: ignore[misc]
    """VPCs, subnets, gateways, instances, load balancers and databases, live in JupyterLab.

    Args:
        cloud: the running :class:`cloudlab.Cloud` to draw.
        region: Region to draw; default: the cloud's.
        show_security_groups: start with the security-group rule arrows shown.
        include_default_vpc: see :meth:`TopologyModel.from_cloud`.
        width_px: width of the diagram in CSS pixels.
        live: refresh after mutating calls (default ``True``).
        min_interval_s: least wall time between two live refreshes.
        **kwargs: passed to ``anywidget.AnyWidget``.

    Example:
        >>> view = TopologyWidget(cloud)                       # doctest: +SKIP
        >>> view                                               # doctest: +SKIP
        >>> ec2.run_instances(..., SubnetId=public_subnet)     # the view updates  # doctest: +SKIP
    """

    _esm = _HERE / "topology.js"
    _css = _HERE / "topology.css"

    svg = traitlets.Unicode(
        "", help="The diagram as an SVG document (rendered in Python, shown as is by the view)."
    ).tag(sync=True)
    title = traitlets.Unicode(
        "", help="Heading of the diagram; empty means 'Network topology of <region>'."
    ).tag(sync=True)
    show_security_groups = traitlets.Bool(
        False, help="Draw inbound security-group rules as labelled arrows (view checkbox)."
    ).tag(sync=True)
    selected = traitlets.Unicode(
        "", help="Id of the resource the learner clicked in the diagram ('' for none)."
    ).tag(sync=True)
    details = traitlets.Unicode(
        "", help="Plain-text details of the selected resource (set by Python)."
    ).tag(sync=True)
    status = traitlets.Unicode(
        "", help="One line about the last refresh (time, or the error that stopped it)."
    ).tag(sync=True)

    def __init__(
        self,
        cloud: Any,
        *,
        region: str | None = None,
        show_security_groups: bool = False,
        include_default_vpc: bool | None = None,
        width_px: int = DEFAULT_WIDTH_PX,
        live: bool = True,
        min_interval_s: float = MIN_REFRESH_INTERVAL_S,
        title: str = "",
        **kwargs: Any,
    ) -> None:
        if width_px < 480:
            raise ValueError(f"width_px must be >= 480 (room for the AZ columns), got {width_px}")
        if min_interval_s < 0:
            raise ValueError(f"min_interval_s must be >= 0 seconds, got {min_interval_s}")
        self._cloud = cloud
        self._region: str = region or cloud.region
        self._include_default_vpc = include_default_vpc
        self._width_px = width_px
        self._min_interval_s = min_interval_s
        self._clock: Callable[[], float] = time.monotonic
        self._last_refresh = -math.inf
        self._refresh_cost_s = 0.0
        self._reading = False
        self._rendering_ready = False
        self._dirty = False
        self._highlight: Any = None
        self._health: dict[str, str] = {}
        self._init_static()
        self._post_execute: tuple[Any, Callable[[], None]] | None = None
        self.model: TopologyModel = TopologyModel(region=self._region)
        self.reads = 0
        self.renders = 0
        super().__init__(show_security_groups=show_security_groups, title=title, **kwargs)
        self._rendering_ready = True
        self.refresh()
        if live:
            self._attach_hooks()

    # -- reading and drawing -------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the backend now and redraw (also updates the saved static SVG).

        Raises:
            CloudNotStarted: the cloud was stopped (create a new one and a new widget).
        """
        began = self._clock()
        self._reading = True
        try:
            self.model = TopologyModel.from_cloud(
                self._cloud, self._region, include_default_vpc=self._include_default_vpc
            )
        finally:
            self._reading = False
        self.reads += 1
        self._dirty = False
        self._last_refresh = self._clock()
        self._refresh_cost_s = self._last_refresh - began
        now = getattr(self._cloud, "now", None)
        self.status = f"read at virtual time {now:%Y-%m-%d %H:%M:%S}" if now else "read"
        if self.selected:
            self._update_details()
        self._render()
        self._refresh_saved_output()

    def flush(self) -> None:
        """Refresh if a mutating call happened since the last refresh."""
        if self._dirty and not self._reading:
            self.refresh()

    def _render(self) -> None:
        if not self._rendering_ready:
            return
        self.svg = render_topology_svg(
            self.model,
            show_security_groups=self.show_security_groups,
            highlight=self._highlight,
            health=self._health,
            width_px=self._width_px,
            title=self.title or None,
            selected=self.selected,
        )
        self.renders += 1

    @traitlets.observe("show_security_groups", "title")
    def _redraw(self, change: dict[str, Any]) -> None:
        self._render()

    @traitlets.observe("selected")
    def _selected_changed(self, change: dict[str, Any]) -> None:
        self._update_details()
        self._render()

    def _update_details(self) -> None:
        if not self.selected:
            self.details = ""
            return
        try:
            self.details = self.model.describe(self.selected)
        except UnknownResource:
            self.details = f"{self.selected}: not in the diagram (any more)."

    @traitlets.validate("svg")
    def _valid_svg(self, proposal: dict[str, Any]) -> str:
        value = str(proposal["value"])
        if value and "<svg" not in value[:200]:
            raise traitlets.TraitError(
                f"svg must be an SVG document (starting with '<svg'), got {value[:40]!r}; "
                "set it with render_topology_svg(...)"
            )
        return value

    # -- overlays ------------------------------------------------------------------------

    def highlight(self, path: Any) -> None:
        """Outline a reachability path (``cloudlab.net.reachable(...)``); ``None`` clears it.

        Raises:
            TypeError: ``path`` has no ``.hops`` (it is not a reachability path).
        """
        if path is not None and not hasattr(path, "hops"):
            raise TypeError(
                f"highlight needs a reachability path with .hops, got {type(path).__name__}; "
                "pass the result of cloudlab.net.reachable(cloud, src, dst, port) or None"
            )
        self._highlight = path
        self._render()

    def set_health(self, health: Mapping[str, str] | None) -> None:
        """Show load-balancer target health per instance id; ``None`` or ``{}`` clears it.

        Args:
            health: ``{instance_id: state}`` with states ``healthy``, ``unhealthy``,
                ``initial``, ``draining``, ``unused`` or ``unavailable``.

        Raises:
            ValueError: a state that is not one of those.
        """
        health = dict(health or {})
        for rid, state in sorted(health.items()):
            if state not in HEALTH_STYLES:
                raise ValueError(
                    f"health of {rid} must be one of {', '.join(HEALTH_STYLES)}, got {state!r}"
                )
        self._health = health
        self._render()

    # -- live updates --------------------------------------------------------------------

    def _attach_hooks(self) -> None:
        ref = weakref.ref(self)

        def after_call(**kwargs: Any) -> None:
            widget = ref()
            if widget is not None:
                widget._after_call(**kwargs)

        self._cloud.on("after-call", after_call)
        self._after_call_hook: Callable[..., None] | None = after_call

        def on_reset(cloud: Any) -> None:
            widget = ref()
            if widget is not None:
                widget._mark_dirty()

        if hasattr(self._cloud, "on_reset"):
            self._cloud.on_reset(on_reset)
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython ships with the lab extra
            return
        shell = get_ipython()
        if shell is not None:

            def post_execute() -> None:
                widget = ref()
                if widget is None:
                    return
                try:
                    widget.flush()
                except Exception as err:  # noqa: BLE001 - show, never break the next cell
                    widget.status = f"refresh failed: {type(err).__name__}: {err}"

            shell.events.register("post_execute", post_execute)
            self._post_execute = (shell, post_execute)

    def _mark_dirty(self) -> None:
        self._dirty = True

    def _after_call(self, **kwargs: Any) -> None:
        """botocore ``after-call``: note a successful mutating call, refresh if due."""
        if self._reading:  # our own describe calls
            return
        model = kwargs.get("model")
        if model is None:
            return
        service = model.service_model.service_name
        if not is_mutating_call(service, model.name):
            return
        region = (kwargs.get("context") or {}).get("client_region")
        if region and region != self._region:
            return
        http = kwargs.get("http_response")
        status_code = getattr(http, "status_code", 200)
        parsed = kwargs.get("parsed") or {}
        if status_code >= 300 or (isinstance(parsed, dict) and "Error" in parsed):
            return
        self._dirty = True
        # wait at least min_interval_s, and at least as long as the last refresh took, so
        # re-reading never takes more than about half of a busy cell's wall time
        wait = max(self._min_interval_s, self._refresh_cost_s)
        if self._clock() - self._last_refresh >= wait:
            try:
                self.refresh()
            except Exception as err:  # noqa: BLE001 - the learner's call already succeeded
                self.status = f"refresh failed: {type(err).__name__}: {err}"

    def close(self) -> None:
        """Stop live updates from the notebook and close the view."""
        shell_hook = getattr(self, "_post_execute", None)
        if shell_hook is not None:
            shell, hook = shell_hook
            with contextlib.suppress(ValueError):
                shell.events.unregister("post_execute", hook)
            self._post_execute = None
        hook = getattr(self, "_after_call_hook", None)
        if hook is not None:
            self._cloud.off("after-call", hook)
            self._after_call_hook = None
        super().close()

    # -- display -------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"TopologyWidget(region={self._region!r}: {self.model.summary()})"


def topology(
    cloud: Any,
    *,
    region: str | None = None,
    show_security_groups: bool = False,
    **kwargs: Any,
) -> TopologyWidget:
    """A live topology diagram of ``cloud`` (the last expression of a cell shows it).

    Args:
        cloud: the running :class:`cloudlab.Cloud`.
        region: Region to draw; default the cloud's.
        show_security_groups: start with security-group rule arrows shown.
        **kwargs: more :class:`TopologyWidget` options (``width_px``, ``title``, ...).

    Returns:
        The widget.
    """
    return TopologyWidget(cloud, region=region, show_security_groups=show_security_groups, **kwargs)
