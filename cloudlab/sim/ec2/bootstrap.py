"""Bootstrapping: from an AMI and its user data to a timeline of when an instance serves.

An instance is useful once its web server answers. How long that takes depends on what the
instance is given:

- a **golden AMI** (made with ``create_image`` from a configured instance) already carries
  the web server, enabled to start at boot: it serves soon after the OS is up;
- a base AMI plus **user data** that installs and starts the server serves later, by as much
  as the install takes (cloud-init runs user data once, as root, at the first boot);
- an instance whose image and user data never start a web server never passes an HTTP
  health check.

:func:`plan_boot` reads the image's :class:`Software` and the user data (a shell script or
``#cloud-config``) and returns a :class:`BootPlan`: when the instance is running, when (and
on which port) it serves, what software it has afterwards (what ``create_image`` would bake)
and the step-by-step timeline. Times are model figures from ``cloudlab/data/bootstrap.json``.

Example:
    >>> script = "#!/bin/bash\\ndnf install -y httpd\\nsystemctl enable --now httpd"
    >>> plan = plan_boot(Software(), script)
    >>> plan.serving_after_s, plan.port
    (70.0, 80)
    >>> plan_boot(plan.software_after, None).serving_after_s   # baked: a golden AMI
    47.0
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import shlex
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["BootPlan", "BootStep", "Software", "bootstrap_info", "decode_user_data", "plan_boot"]

_INSTALLERS = {"yum", "dnf", "apt-get", "apt", "amazon-linux-extras", "zypper"}
_UPDATE_WORDS = {"update", "upgrade", "dist-upgrade"}
_HTTP_SERVER = re.compile(r"python3?\s+-m\s+http\.server(?:\s+(\d+))?")


@lru_cache(maxsize=1)
def bootstrap_info() -> dict[str, Any]:
    """The model figures (and their sources) from ``cloudlab/data/bootstrap.json``."""
    text = resources.files("cloudlab.data").joinpath("bootstrap.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Software:
    """What an image carries: installed packages and services enabled at boot.

    Attributes:
        packages: installed package names, e.g. ``{"httpd"}``.
        enabled: services that start at boot, e.g. ``{"httpd"}``.
    """

    packages: frozenset[str] = frozenset()
    enabled: frozenset[str] = frozenset()

    def web_server(self) -> tuple[str, int] | None:
        """``(service, port)`` of an installed web server enabled at boot, if any."""
        servers = bootstrap_info()["web_servers"]
        for name in sorted(self.packages):
            server = servers.get(name)
            if server and server["service"] in self.enabled:
                return str(server["service"]), int(server["port"])
        return None


@dataclass(frozen=True)
class BootStep:
    """One step of a boot: ``at_s`` seconds after launch, ``what`` happened."""

    at_s: float
    what: str


@dataclass(frozen=True)
class BootPlan:
    """When an instance runs and serves, counted from its launch.

    Attributes:
        running_after_s: seconds from launch to the ``running`` state (billing starts).
        serving_after_s: seconds from launch until the web server answers, or ``None``
            if nothing ever listens for HTTP.
        port: the port the web server listens on (``None`` if none).
        software_after: the software once user data has finished (what an AMI made from
            this instance carries).
        steps: the timeline, for explanations.
        error: why the user data stopped early, if it did.
    """

    running_after_s: float
    serving_after_s: float | None
    port: int | None
    software_after: Software
    steps: tuple[BootStep, ...] = field(default=())
    error: str | None = None

    def explain(self) -> str:
        """The timeline in words, one step per line."""
        lines = [f"{s.at_s:6.0f} s  {s.what}" for s in self.steps]
        if self.serving_after_s is None:
            lines.append("         no web server ever listens: HTTP health checks will fail")
        if self.error:
            lines.append(f"         user data stopped: {self.error}")
        return "\n".join(lines)


def decode_user_data(user_data: str | bytes | None) -> str:
    """User data as text: base64 (as EC2 stores it) is decoded, plain text is kept."""
    if not user_data:
        return ""
    raw = user_data.encode("utf-8") if isinstance(user_data, str) else bytes(user_data)
    stripped = raw.strip()
    try:
        decoded = base64.b64decode(stripped, validate=True)
        text = decoded.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return raw.decode("utf-8", errors="replace")
    # Plain scripts are rarely valid base64; a decoded script must look like text.
    if text and all(ch.isprintable() or ch in "\n\r\t" for ch in text):
        return text
    return raw.decode("utf-8", errors="replace")


def plan_boot(image: Software, user_data: str | bytes | None) -> BootPlan:
    """The boot timeline of an instance launched from ``image`` with ``user_data``.

    Args:
        image: the AMI's software (empty for a base AMI).
        user_data: the user data, base64 or plain (a shell script or ``#cloud-config``).
    """
    figures = bootstrap_info()["boot"]
    running = float(figures["pending_s"])
    t = running + float(figures["os_boot_s"])
    steps = [BootStep(0.0, "launched (pending)"), BootStep(running, "running (billing starts)"),
             BootStep(t, "operating system up; cloud-init starts")]
    state = _State(set(image.packages), set(image.enabled))
    baked = image.web_server()
    if baked is not None:
        state.start(baked[0], baked[1], t + float(figures["service_start_s"]), steps,
                    "from the AMI")
    script = decode_user_data(user_data)
    error = None
    if script.strip():
        steps.append(BootStep(t, "user data starts"))
        commands, error = _commands(script)
        for command in commands:
            t, stop = _run(command, t, state, steps)
            if stop:
                error = stop
                break
        else:
            steps.append(BootStep(t, "user data finished"))
    return BootPlan(
        running_after_s=running,
        serving_after_s=state.serving_at,
        port=state.port,
        software_after=Software(frozenset(state.packages), frozenset(state.enabled)),
        steps=tuple(steps),
        error=error,
    )


class _State:
    def __init__(self, packages: set[str], enabled: set[str]) -> None:
        self.packages = packages
        self.enabled = enabled
        self.serving_at: float | None = None
        self.port: int | None = None

    def start(self, service: str, port: int, at: float, steps: list[BootStep], why: str) -> None:
        steps.append(BootStep(at, f"{service} listening on port {port} ({why})"))
        if self.serving_at is None:
            self.serving_at, self.port = at, port


def _commands(script: str) -> tuple[list[str], str | None]:
    if script.lstrip().startswith("#cloud-config"):
        return _cloud_config(script)
    commands: list[str] = []
    for line in script.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for part in re.split(r"\s*(?:&&|;|\|\|)\s*", line):
            if part:
                commands.append(part)
    return commands, None


def _cloud_config(script: str) -> tuple[list[str], str | None]:
    import yaml

    try:
        doc = yaml.safe_load(script) or {}
    except yaml.YAMLError as exc:
        return [], f"#cloud-config is not valid YAML ({exc.__class__.__name__})"
    if not isinstance(doc, dict):
        return [], "#cloud-config must be a YAML mapping (packages:, runcmd:, ...)"
    commands = []
    if doc.get("package_update") or doc.get("package_upgrade"):
        commands.append("dnf -y upgrade")
    packages = [str(p) for p in doc.get("packages") or []]
    if packages:
        commands.append("dnf install -y " + " ".join(packages))
    for item in doc.get("runcmd") or []:
        commands.append(" ".join(map(str, item)) if isinstance(item, list) else str(item))
    return commands, None


def _run(command: str, t: float, state: _State, steps: list[BootStep]) -> tuple[float, str | None]:
    figures = bootstrap_info()
    install = figures["install"]
    try:
        words = [w for w in shlex.split(command) if w not in ("sudo", "nohup", "&")]
    except ValueError:
        words = command.split()
    if not words:
        return t, None
    head = words[0]
    server = _HTTP_SERVER.search(command)
    if server:
        port = int(server.group(1) or 8000)
        t += float(figures["boot"]["service_start_s"])
        state.start("python http.server", port, t, steps, "started by user data")
        return t, None
    if head in _INSTALLERS:
        args = [w for w in words[1:] if not w.startswith("-")]
        if args and args[0] in _UPDATE_WORDS:
            t += float(install["system_update_s"])
            steps.append(BootStep(t, f"{head} {args[0]} done"))
            return t, None
        if args and args[0] == "install":
            packages = [_package_name(p) for p in args[1:]]
            known = install["packages_s"]
            t += float(install["per_command_s"]) + sum(
                float(known.get(p, install["per_package_s"])) for p in packages)
            state.packages.update(packages)
            steps.append(BootStep(t, f"installed {', '.join(packages) or 'nothing'}"))
            return t, None
    if head in ("pip", "pip3") and len(words) > 1 and words[1] == "install":
        packages = [w for w in words[2:] if not w.startswith("-")]
        t += float(install["pip_package_s"]) * max(1, len(packages))
        steps.append(BootStep(t, f"pip installed {', '.join(packages)}"))
        return t, None
    if head == "systemctl" and len(words) > 2:
        return _systemctl(words[1:], t, state, steps)
    if head == "service" and len(words) > 2 and words[2] in ("start", "restart"):
        return _start_services([words[1]], t, state, steps)
    if head == "sleep" and len(words) > 1:
        with contextlib.suppress(ValueError):
            t += max(0.0, float(words[1].rstrip("s")))
        return t, None
    if head == "exit" and len(words) > 1 and words[1] != "0":
        steps.append(BootStep(t, f"exit {words[1]}: the script ends with an error"))
        return t, f"the script ran `exit {words[1]}`"
    if head == "false":
        return t, None
    t += float(figures["boot"]["command_s"])
    return t, None


def _package_name(spec: str) -> str:
    return re.split(r"[=<>:]", spec, maxsplit=1)[0]


def _systemctl(args: list[str], t: float, state: _State,
               steps: list[BootStep]) -> tuple[float, str | None]:
    verb = args[0]
    now = "--now" in args
    units = [u.removesuffix(".service") for u in args[1:] if not u.startswith("-")]
    if verb == "enable":
        state.enabled.update(units)
        steps.append(BootStep(t, f"enabled {', '.join(units)} at boot"
                                 + ("" if now else " (not started now: add --now)")))
        if not now:
            return t, None
    elif verb not in ("start", "restart"):
        return t + float(bootstrap_info()["boot"]["command_s"]), None
    return _start_services(units, t, state, steps)


def _start_services(units: list[str], t: float, state: _State,
                    steps: list[BootStep]) -> tuple[float, str | None]:
    servers = bootstrap_info()["web_servers"]
    t += float(bootstrap_info()["boot"]["service_start_s"])
    for unit in units:
        package = next((p for p, s in servers.items() if s["service"] == unit), unit)
        if package not in state.packages:
            steps.append(BootStep(t, f"could not start {unit}: Unit {unit}.service not found "
                                     "(the package is not installed)"))
            continue
        server = servers.get(package)
        if server:
            state.start(unit, int(server["port"]), t, steps, "started by user data")
        else:
            steps.append(BootStep(t, f"started {unit}"))
    return t, None
