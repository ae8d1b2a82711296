"""EC2 key pairs saved safely on disk, and a check of a private key file's permissions.

Owns :func:`create_key_pair` (``ec2.create_key_pair`` plus writing the private key as a
``.pem`` file readable only by its owner, mode ``0o400``, never overwriting one),
:class:`SavedKey` (what was saved; it never shows the key material) and
:func:`check_pem_permissions` (what is wrong with a key file's mode, in words).

Why the mode matters: OpenSSH refuses a private key that other users can read ("WARNING:
UNPROTECTED PRIVATE KEY FILE!") and AWS's EC2 user guide tells you to ``chmod 400`` the
``.pem`` file you download (source: docs.aws.amazon.com/AWSEC2/latest/UserGuide/
create-key-pairs.html, read 2026-11).
"""

from __future__ import annotations

import html
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudlab.errors import KeyFileExists, UnknownResource

__all__ = ["DEFAULT_KEY_DIRECTORY", "PemCheck", "SavedKey", "check_pem_permissions",
           "create_key_pair"]

#: Where :func:`create_key_pair` saves keys unless told otherwise.
DEFAULT_KEY_DIRECTORY = "~/.ssh"

#: The mode AWS recommends for a private key file: read-only, owner only.
PEM_MODE = 0o400


@dataclass(frozen=True)
class SavedKey:
    """A key pair created in the mini cloud whose private key was saved to :attr:`path`.

    It behaves like a path (``open(key)``, ``Path(key)``) and its repr shows name,
    fingerprint, path and mode, never the private key.
    """

    name: str
    fingerprint: str
    path: Path
    key_pair_id: str = ""

    @property
    def mode(self) -> int:
        """The file's current permission bits (``0o400`` when saved)."""
        return stat.S_IMODE(os.stat(self.path).st_mode)

    def __fspath__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return (f"SavedKey(name={self.name!r}, fingerprint={self.fingerprint!r}, "
                f"path={str(self.path)!r}, mode={self._mode_text()})")

    def _mode_text(self) -> str:
        try:
            return oct(self.mode)
        except OSError:
            return "missing"

    def _repr_html_(self) -> str:
        rows = [("name", self.name), ("fingerprint", self.fingerprint),
                ("path", str(self.path)), ("mode", self._mode_text()),
                ("private key", "saved in the file only; never displayed")]
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                       f"<td><code>{html.escape(v)}</code></td></tr>" for k, v in rows)
        return f"<table><caption>EC2 key pair</caption>{body}</table>"


def create_key_pair(
    cloud: Any,
    name: str,
    *,
    directory: str | os.PathLike[str] = DEFAULT_KEY_DIRECTORY,
    region: str | None = None,
) -> SavedKey:
    """Create an EC2 key pair and save its private key as ``<directory>/<name>.pem``.

    The file is created with mode ``0o400`` (owner read-only) and is never overwritten:
    the check happens before the key pair is created, so a refusal leaves the cloud unchanged.

    Args:
        cloud: the :class:`~cloudlab.cloud.Cloud`.
        name: key pair name (also the file name, plus ``.pem``).
        directory: folder for the file (created with mode ``0o700`` if missing).
        region: Region of the key pair (default: the cloud's).

    Returns:
        A :class:`SavedKey` (name, fingerprint, path; usable as a path).

    Raises:
        KeyFileExists: the ``.pem`` file already exists.
    """
    if not name or "/" in name or name in (".", ".."):
        raise ValueError(f"key pair name must be a plain name like 'lab-key', got {name!r}")
    folder = Path(os.path.expanduser(os.fspath(directory)))
    path = folder / f"{name}.pem"
    if path.exists():
        raise KeyFileExists(
            f"{path} already exists; CloudLab never overwrites a private key. Use another "
            f"name, or delete the old file yourself if you are sure you no longer need it."
        )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    answer = cloud.client("ec2", region=region).create_key_pair(KeyName=name)
    material: str = answer["KeyMaterial"]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PEM_MODE)
    try:
        os.write(fd, material.encode("ascii"))
    finally:
        os.close(fd)
    os.chmod(path, PEM_MODE)  # whatever the umask did
    return SavedKey(name=name, fingerprint=answer.get("KeyFingerprint", ""), path=path,
                    key_pair_id=answer.get("KeyPairId", ""))


@dataclass(frozen=True)
class PemCheck:
    """Result of :func:`check_pem_permissions`: ``ok`` and, if not, what to fix."""

    path: Path
    mode: int
    ok: bool
    problems: tuple[str, ...]
    fix: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        if self.ok:
            return f"{self.path}: mode {oct(self.mode)} is fine (only you can read it)"
        return (f"{self.path}: mode {oct(self.mode)}: " + "; ".join(self.problems)
                + f". Fix: {self.fix}")

    def _repr_html_(self) -> str:
        verdict = ("<b style='color:#1a7f37'>OK</b>" if self.ok
                   else "<b style='color:#cf222e'>Needs fixing</b>")
        items = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
        fix = f"<p>Fix: <code>{html.escape(self.fix)}</code></p>" if self.fix else ""
        return (f"<div>{verdict}: <code>{html.escape(str(self.path))}</code> has mode "
                f"<code>{oct(self.mode)}</code><ul>{items}</ul>{fix}</div>")


def check_pem_permissions(path: str | os.PathLike[str]) -> PemCheck:
    """Explain whether a private key file's permissions are safe for ssh.

    Safe means nobody but the owner can read or write it (``0o400`` or ``0o600``).

    Args:
        path: the ``.pem`` file.

    Returns:
        A :class:`PemCheck`; ``bool(check)`` is True when the mode is safe.

    Raises:
        UnknownResource: the file does not exist.
    """
    p = Path(os.path.expanduser(os.fspath(path)))
    try:
        mode = stat.S_IMODE(os.stat(p).st_mode)
    except FileNotFoundError:
        raise UnknownResource(
            f"no key file at {p}; create one with create_key_pair(cloud, name) or check the path"
        ) from None
    problems: list[str] = []
    if mode & (stat.S_IROTH | stat.S_IWOTH):
        problems.append("other users on this computer can read or change your private key "
                        "(ssh refuses such a key: 'UNPROTECTED PRIVATE KEY FILE')")
    if mode & (stat.S_IRGRP | stat.S_IWGRP):
        problems.append("members of the file's group can read or change your private key")
    if mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
        problems.append("the file is marked executable, which a key never needs")
    if not mode & stat.S_IRUSR:
        problems.append("you cannot read it yourself, so ssh cannot use it")
    fix = f"chmod 400 {p}" if problems else ""
    return PemCheck(path=p, mode=mode, ok=not problems, problems=tuple(problems), fix=fix)
