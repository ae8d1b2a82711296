"""Real-browser harness: JupyterLab on 127.0.0.1 driven by headless Chromium (Playwright).

Owns the reusable pieces of the browser tests; ``conftest.py`` turns them into fixtures.

- :func:`start_lab_server` starts ``jupyter lab`` from the project's venv on a free port
  with a random token, everything that would reach the network switched off, and its own
  settings, workspaces and runtime folders, then waits until ``/api/status`` answers.
- :func:`launch_chromium` starts Debian's ``/usr/bin/chromium`` through Playwright (never
  ``playwright install``).
- :func:`install_network_guard` makes a page abort and record every request whose host is
  not 127.0.0.1/localhost: a course page must work offline.
- :func:`run_notebook` opens a notebook, runs all cells the way a learner would (the
  ``notebook:run-all-cells`` command), waits until every code cell ran and the kernel is
  idle, and returns a :class:`NotebookRun` with cell errors, widget errors, blocked
  requests and a full-page screenshot in ``test-artifacts/``.

A new widget test is three lines::

    def test_my_widget(page, lab_server):
        run = run_notebook(page, lab_server, "fixtures/my_widget.ipynb")
        run.assert_ok()
        expect(page.locator(".my-widget svg")).to_be_visible()
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

REPO = Path(__file__).resolve().parents[2]
JUPYTER = REPO / ".venv" / "bin" / "jupyter"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})

#: Chromium flags verified on this kind of machine (see /work/shared/RECIPES.md).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: JupyterLab user settings for tests: render every cell (no virtual scrolling, so
#: off-screen widgets exist in the DOM and the screenshot shows the whole notebook) and
#: never ask about news or updates.
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

POLL_S = 0.25


# -- server -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where it listens and how to reach it."""

    url: str
    token: str
    root: Path
    log: Path
    pid: int

    def api(self, path: str, method: str = "GET") -> Any:
        """Call the server's REST API (``path`` like ``/api/sessions``); JSON or None."""
        sep = "&" if "?" in path else "?"
        req = urllib.request.Request(f"{self.url}{path}{sep}token={self.token}", method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def lab_url(self, relpath: str, workspace: str) -> str:
        """URL that opens ``relpath`` in a fresh workspace."""
        return (
            f"{self.url}/lab/workspaces/{quote(workspace)}/tree/{quote(relpath)}?token={self.token}"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextmanager
def start_lab_server(
    root: Path, state_dir: Path, *, timeout_s: float = 120.0
) -> Iterator[LabServer]:
    """Start JupyterLab serving ``root``; stop it (and its kernels) on exit.

    Args:
        root: folder served as the Jupyter root (notebook paths are relative to it).
        state_dir: empty folder for settings, workspaces, runtime files and the log.
        timeout_s: how long to wait for ``/api/status`` to answer.

    Raises:
        RuntimeError: the server exited or did not answer within ``timeout_s``.
    """
    if not JUPYTER.exists():
        raise RuntimeError(f"{JUPYTER} not found; run `make install` first")
    settings_dir = state_dir / "user-settings"
    for rel, value in LAB_SETTINGS.items():
        target = settings_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value))
    for sub in ("workspaces", "runtime", "config", "data", "ipython"):
        (state_dir / sub).mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(state_dir / "config"),
        "JUPYTER_RUNTIME_DIR": str(state_dir / "runtime"),
        "JUPYTER_DATA_DIR": str(state_dir / "data"),
        "IPYTHONDIR": str(state_dir / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    env.pop("JUPYTER_TOKEN", None)
    token = secrets.token_hex(24)
    port = _free_port()
    log = state_dir / "jupyter-lab.log"
    cmd = [
        str(JUPYTER),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--allow-root",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        f"--LabApp.user_settings_dir={settings_dir}",
        f"--LabApp.workspaces_dir={state_dir / 'workspaces'}",
    ]
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kernels stop with it
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, root, log, proc.pid)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"jupyter lab exited with code {proc.returncode}; log:\n{_tail(log)}"
                )
            try:
                server.api("/api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"jupyter lab did not answer /api/status within {timeout_s:.0f}s; "
                    f"log:\n{_tail(log)}"
                )
            time.sleep(POLL_S)
        yield server
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (the server and the kernels it started)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


# -- browser ------------------------------------------------------------------------------


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium through Playwright (no downloaded browser)."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} not found; run `make chromium` (apt-get install chromium)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


@dataclass
class PageLog:
    """What a page tried that a test may want to see: blocked requests, console errors."""

    blocked_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


_LOGS: dict[int, PageLog] = {}


def install_network_guard(page: Any) -> PageLog:
    """Abort and record every request of ``page`` to a host other than 127.0.0.1/localhost.

    Also records console errors and uncaught page errors. Returns the page's log (also
    found later with :func:`page_log`).
    """
    log = PageLog()

    def guard(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            log.blocked_requests.append(url)
            route.abort("blockedbyclient")

    page.route("**/*", guard)
    page.on(
        "console",
        lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda err: log.console_errors.append(f"pageerror: {err}"))
    _LOGS[id(page)] = log
    return log


def page_log(page: Any) -> PageLog:
    """The log of a guarded page (an empty one when the page has no guard)."""
    return _LOGS.get(id(page), PageLog())


# -- running a notebook -------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    """A problem seen in one cell's output."""

    cell: int  # index among all cells, 0-based
    kind: str  # "error" (an exception) or "widget" ("Error displaying widget")
    text: str


@dataclass
class NotebookRun:
    """The outcome of :func:`run_notebook`."""

    relpath: str
    code_cells: int
    executed_cells: int
    errors: list[CellError]
    blocked_requests: list[str]
    console_errors: list[str]
    screenshot: Path
    duration_s: float

    @property
    def ok(self) -> bool:
        """Every code cell ran, none failed, no widget error, nothing left 127.0.0.1."""
        return (
            not self.errors and not self.blocked_requests and self.executed_cells == self.code_cells
        )

    def problems(self) -> str:
        """A readable list of everything that went wrong (empty when :attr:`ok`)."""
        lines = [f"cell {e.cell} [{e.kind}]: {e.text[:1500]}" for e in self.errors]
        if self.executed_cells != self.code_cells:
            lines.append(f"only {self.executed_cells} of {self.code_cells} code cells ran")
        lines += [f"blocked external request: {url}" for url in self.blocked_requests]
        return "\n".join(lines)

    def assert_ok(self) -> None:
        """Fail with every problem listed (and the screenshot path) unless :attr:`ok`."""
        assert self.ok, (
            f"{self.relpath} did not run cleanly (screenshot {self.screenshot}):\n"
            + self.problems()
        )


_JS_FIND_PANEL = """
(relpath) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  for (const w of Array.from(app.shell.widgets('main'))) {
    if (w.context && w.context.path === relpath && w.content && w.content.model) return w;
  }
  return null;
}
"""

_JS_STATE = (
    """
(relpath) => {
  const find = """
    + _JS_FIND_PANEL
    + """;
  const panel = find(relpath);
  const dialog = document.querySelector('.jp-Dialog');
  if (!panel) return {panel: false, dialog: !!dialog};
  const sc = panel.sessionContext;
  const kernel = sc && sc.session && sc.session.kernel;
  const cells = panel.content.model.cells;
  let code = 0, executed = 0, running = 0, errors = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    code++;
    if (c.executionCount !== null && c.executionCount !== undefined) executed++;
    if (c.executionState === 'running') running++;
    for (let j = 0; j < c.outputs.length; j++) {
      if (c.outputs.get(j).type === 'error') errors++;
    }
  }
  return {
    panel: true,
    dialog: !!dialog,
    ready: !!(sc && sc.isReady),
    status: kernel ? kernel.status : 'none',
    code, executed, running, errors,
    runAll: window.__cloudlabRunAll || null,
  };
}
"""
)

_JS_COLLECT = (
    """
(relpath) => {
  const find = """
    + _JS_FIND_PANEL
    + """;
  const panel = find(relpath);
  const out = [];
  const cells = panel.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    for (let j = 0; j < c.outputs.length; j++) {
      const o = c.outputs.get(j).toJSON();
      if (o.output_type === 'error') {
        out.push({cell: i, kind: 'error',
                  text: `${o.ename}: ${o.evalue}\\n${(o.traceback || []).join('\\n')}`});
      }
    }
    const view = panel.content.widgets[i];
    const text = view && view.node ? view.node.innerText : '';
    if (text.includes('Error displaying widget')) {
      const line = text.split('\\n').find((l) => l.includes('Error displaying widget'));
      out.push({cell: i, kind: 'widget', text: line || 'Error displaying widget'});
    }
  }
  return out;
}
"""
)

_JS_LOADING_WIDGETS = """
() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
  .some((n) => (n.textContent || '').includes('Loading widget'))
"""


def _poll(page: Any, relpath: str, until: Any, what: str, deadline: float) -> dict[str, Any]:
    """Poll the notebook state until ``until(state)``; accept stray dialogs (kernel pick)."""
    state: dict[str, Any] = {}
    while True:
        state = page.evaluate(_JS_STATE, relpath) or {}
        if state.get("dialog"):
            accept = page.locator(".jp-Dialog .jp-mod-accept")
            if accept.count():
                accept.first.click()
        if until(state):
            return state
        if time.monotonic() > deadline:
            raise TimeoutError(f"{relpath}: timed out waiting for {what}; last state {state}")
        page.wait_for_timeout(POLL_S * 1000)


def _shutdown_sessions(server: LabServer, relpath: str) -> None:
    """Stop kernels left on ``relpath`` by an earlier run, so each run starts fresh."""
    for session in server.api("/api/sessions") or []:
        if session.get("path") == relpath:
            server.api(f"/api/sessions/{session['id']}", method="DELETE")


def run_notebook(
    page: Any,
    server: LabServer,
    relpath: str,
    *,
    timeout_s: float = 240.0,
    name: str | None = None,
    wait_for: str | None = None,
) -> NotebookRun:
    """Open ``relpath`` in JupyterLab, run all cells, and report what happened.

    Args:
        page: a Playwright page (use the ``page`` fixture: it has the network guard).
        server: the running :class:`LabServer`.
        relpath: notebook path relative to the server root, e.g. ``"01-fixed-fleet.ipynb"``
            or ``"fixtures/chart_widget.ipynb"``.
        timeout_s: overall limit for opening, running and rendering.
        name: screenshot name (``test-artifacts/<name>.png``); default from ``relpath``.
        wait_for: CSS selector that must be visible before the screenshot (e.g. a
            widget's root element).

    Returns:
        A :class:`NotebookRun`; call ``.assert_ok()`` to fail on any problem.
    """
    began = time.monotonic()
    deadline = began + timeout_s
    _shutdown_sessions(server, relpath)
    page.set_default_timeout(60_000)
    page.goto(server.lab_url(relpath, f"t{secrets.token_hex(4)}"), wait_until="domcontentloaded")

    # 1. the notebook is open and its kernel is ready and idle
    _poll(
        page,
        relpath,
        lambda s: s.get("panel") and s.get("ready") and s.get("status") == "idle",
        "the notebook to open with an idle kernel",
        deadline,
    )
    # 2. forget outputs saved in the file, then run everything like a learner would
    page.evaluate(
        """(relpath) => {
          const app = window.jupyterapp;
          const panel = ("""
        + _JS_FIND_PANEL
        + """)(relpath);
          app.shell.activateById(panel.id);
          window.__cloudlabRunAll = null;
          return app.commands.execute('notebook:clear-all-cell-outputs');
        }""",
        relpath,
    )
    _poll(page, relpath, lambda s: s.get("executed") == 0, "outputs to clear", deadline)
    page.evaluate(
        """() => {
          window.__cloudlabRunAll = {done: false};
          window.jupyterapp.commands.execute('notebook:run-all-cells').then(
            () => { window.__cloudlabRunAll = {done: true}; },
            (e) => { window.__cloudlabRunAll = {done: true, error: String(e)}; });
        }"""
    )
    # 3. done: run-all settled, kernel idle, nothing running, and every code cell ran
    #    (or one failed, which stops "run all" like it does for a learner)
    state = _poll(
        page,
        relpath,
        lambda s: (
            (s.get("runAll") or {}).get("done")
            and s.get("status") == "idle"
            and s.get("running") == 0
            and (s.get("executed") == s.get("code") or s.get("errors", 0) > 0)
        ),
        "all cells to run",
        deadline,
    )
    # 4. widgets finish rendering
    while page.evaluate(_JS_LOADING_WIDGETS) and time.monotonic() < deadline:
        page.wait_for_timeout(POLL_S * 1000)
    if wait_for:
        page.locator(wait_for).first.wait_for(
            state="visible", timeout=max(1.0, deadline - time.monotonic()) * 1000
        )
    errors = [CellError(**e) for e in page.evaluate(_JS_COLLECT, relpath)]
    screenshot = _screenshot(page, name or Path(relpath).stem)
    log = page_log(page)
    return NotebookRun(
        relpath=relpath,
        code_cells=int(state.get("code", 0)),
        executed_cells=int(state.get("executed", 0)),
        errors=errors,
        blocked_requests=list(log.blocked_requests),
        console_errors=list(log.console_errors),
        screenshot=screenshot,
        duration_s=time.monotonic() - began,
    )


def _screenshot(page: Any, name: str) -> Path:
    """Full-page screenshot, the viewport stretched so the whole notebook shows."""
    ARTIFACTS.mkdir(exist_ok=True)
    height = page.evaluate(
        """() => {
          const panel = '.jp-NotebookPanel:not(.lm-mod-hidden)';
          const outer = document.querySelector(`${panel} .jp-WindowedPanel-outer`)
            || document.querySelector(`${panel} .jp-NotebookPanel-notebook`);
          return outer ? outer.scrollHeight : 0;
        }"""
    )
    size = page.viewport_size or {"width": 1280, "height": 900}
    wanted = int(min(max(size["height"], height + 200), 12_000))
    if wanted != size["height"]:
        page.set_viewport_size({"width": size["width"], "height": wanted})
        page.wait_for_timeout(300)  # one layout pass after the resize
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
