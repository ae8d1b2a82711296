"""Sphinx extension: static pages show widgets only through their static form (owner: book).

The book shows a widget through the static form in its output bundle (the chart's
``image/svg+xml``; see ``nb_mime_priority_overrides`` in ``_config.yml``) and loads no widget
JavaScript (``nb_ipywidgets_js: {}``). Two leftovers of executing notebooks are removed here,
right after each page is read:

- outputs that are *only* a live widget (a widget view plus its ``text/plain`` repr, e.g. the
  tqdm progress bar of a long simulation run): with no JavaScript there is nothing to show,
  and the repr text (``0%| | 0/24``) would only confuse a reader;
- the notebook's saved widget state, which myst-nb embeds in a
  ``<script type="application/vnd.jupyter.widget-state+json">``: hundreds of kilobytes (each
  chart's SVG again) that nothing reads.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Mime types that count as a static form of a widget.
STATIC_FORMS = frozenset(
    {"image/svg+xml", "image/png", "image/jpeg", "image/gif", "text/html", "text/markdown"}
)
#: Keys under which myst-nb registers a page's widget scripts (state and loader scripts).
_WIDGET_KEYS_PREFIX = "ipywidgets_"


def _is_live_only_widget(node: nodes.Node) -> bool:
    if not (isinstance(node, nodes.container) and node.get("nb_element") == "mime_bundle"):
        return False
    mime_types = {child.get("mime_type") for child in node.children}
    return WIDGET_VIEW in mime_types and not (mime_types & STATIC_FORMS)


def _drop_live_widgets(app: Sphinx, doctree: nodes.document) -> None:
    for node in list(doctree.findall(_is_live_only_widget)):
        node.parent.remove(node)
    env = app.env
    per_doc = getattr(env, "nb_metadata", {}).get(env.docname, {})
    js_files = per_doc.get("js_files", {})
    for key in [k for k in js_files if k.startswith(_WIDGET_KEYS_PREFIX)]:
        del js_files[key]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the handler (Sphinx entry point)."""
    app.connect("doctree-read", _drop_live_widgets)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
