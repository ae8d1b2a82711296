"""The static side of every CloudLab widget: one output bundle with the live widget view for
JupyterLab *and* an SVG plus a short text for everything that cannot run widgets (GitHub, the
book, nbval, a notebook opened without its kernel).

Widgets mix in :class:`StaticSvgMixin`, keep their current picture in an ``svg`` trait, and
call :meth:`StaticSvgMixin._refresh_saved_output` after a render that should also replace
the picture saved in the notebook.
"""

from __future__ import annotations

from typing import Any

__all__ = ["StaticSvgMixin"]


class StaticSvgMixin:
    """Adds the SVG and text fallbacks to an anywidget's output bundle.

    The host class must be an ``anywidget.AnyWidget`` with an ``svg`` trait, and must call
    ``self._init_static()`` in its ``__init__``.
    """

    svg: str

    def _init_static(self) -> None:
        self._handles: list[Any] = []

    def _mimebundle(self) -> dict[str, Any]:
        base = super()._repr_mimebundle_()  # type: ignore[misc]  # anywidget: (data, metadata)
        data = dict(base[0] if isinstance(base, tuple) else base or {})
        data["image/svg+xml"] = self.svg
        data["text/plain"] = repr(self)
        return data

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """Widget view for JupyterLab, plus the SVG and a short text for static viewers."""
        return self._mimebundle()

    def _ipython_display_(self) -> None:
        """Display with a display id, so later renders can refresh the saved SVG too."""
        from IPython.display import display

        handle = display(self._mimebundle(), raw=True, display_id=True)
        if handle is not None:
            self._handles.append(handle)

    def _refresh_saved_output(self) -> None:
        """Replace the picture saved in the notebook by the current one."""
        for handle in self._handles:
            handle.update(self._mimebundle(), raw=True)
