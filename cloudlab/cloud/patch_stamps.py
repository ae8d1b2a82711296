"""Patches 8 and 9 of :mod:`cloudlab.cloud.patches`: the stamps moto puts on every resource
it makes (its id and its creation time), made with fewer calls.

Every EC2 resource moto makes gets an id of 17 hex digits (``i-``, ``r-``, ``vol-``,
``eni-``, ``eni-attach-``...: five for each instance Auto Scaling launches), made by
``moto.ec2.utils.random_resource_id`` as ``"".join(random.choice(HEX_CHARS) for _ in
range(size))`` on moto's seeded ``mock_random``. Each digit is a ``choice`` call, which is a
``_randbelow(16)`` call, which draws ``getrandbits(5)`` until it is below 16 (every other
draw is rejected): about 35 Python-level calls per id, ~2 % of a virtual week of Auto
Scaling.

Patch 8: the same draws, made directly.
    The patched function runs ``_randbelow_with_getrandbits``' loop itself: for each digit,
    ``getrandbits(5)`` (``k = len(HEX_CHARS).bit_length()``) until the draw is below 16,
    then ``HEX_CHARS[draw]``. It makes the same ``getrandbits`` calls with the same
    arguments in the same order, so every id, and the generator's state afterwards, is
    moto's, in about a third of the time (no ``choice``/``_randbelow`` frame per digit, no
    generator expression). Drawing 32-bit words in batches was tried: slower (a digit is
    rejected every other draw, so a batch of 17 needs ~6 rounds).

    It is installed only while ``mock_random`` draws ``choice`` through
    ``_randbelow_with_getrandbits`` on the Mersenne Twister's own ``getrandbits`` (a
    subclass that overrode ``random()`` alone would use ``_randbelow_without_getrandbits``
    instead), and only after it gave the same ids as moto's function from the same state
    (then the state is put back).

Patch 9: ``moto.core.utils.utcnow`` without an import per call.
    moto stamps instances, volumes, attachments and terminations with ``utcnow()``, which
    runs ``from datetime import UTC`` on every call (~half its time; ~2,000 calls in a
    virtual week of Auto Scaling). The patched function computes the same expression,
    ``datetime.datetime.now(UTC).replace(tzinfo=None)``, with ``UTC`` read once (a constant
    of the ``datetime`` module) and ``datetime.datetime`` still read from the module on
    each call, as moto's does (so a library that swaps that class still sees its own used).
    It is installed only on Python 3.11 and later, where moto takes that branch.

Both replace the function in its moto module and in every loaded moto module that imported
it by name (modules imported later import the replacement). ``tests/cloud/test_patch_stamps.py``
compares many ids from identically seeded generators, and the stamps.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["install_direct_ids", "install_utcnow"]

_installed: set[str] = set()


def _direct(module: Any, hex_chars: list[str]) -> Callable[..., str]:
    """``random_resource_id`` of ``module`` (``moto.ec2.utils``), with ``choice``'s draws
    made directly."""
    n = len(hex_chars)
    k = n.bit_length()  # what _randbelow_with_getrandbits(n) asks getrandbits for

    def random_resource_id(size: int = 8) -> str:
        getrandbits = module.random.getrandbits  # moto's generator, read as moto reads it
        digits = []
        for _ in range(size):
            r = getrandbits(k)
            while r >= n:
                r = getrandbits(k)
            digits.append(hex_chars[r])
        return "".join(digits)

    return random_resource_id


def _draws_as_moto(rng: random.Random) -> bool:
    """Whether ``rng.choice`` draws with ``_randbelow_with_getrandbits`` on the Mersenne
    Twister's own ``getrandbits`` (what the patched function does itself)."""
    kind = type(rng)
    return (isinstance(rng, random.Random)
            and getattr(kind, "choice", None) is random.Random.choice
            and getattr(kind, "_randbelow", None)
            is getattr(random.Random, "_randbelow_with_getrandbits", ())
            and getattr(kind, "getrandbits", None) is random.Random.getrandbits)


def _same_ids(rng: random.Random, original: Callable[..., str],
              patched: Callable[..., str]) -> bool:
    """Whether both functions give the same ids and leave ``rng`` in the same state, from
    its current state (which is put back afterwards)."""
    saved = rng.getstate()
    sizes = [17, 8, 1, 0, 32, 4, 12] * 6
    try:
        theirs = [original(n) for n in sizes]
        their_state = rng.getstate()
        rng.setstate(saved)
        ours = [patched(n) for n in sizes]
        return ours == theirs and rng.getstate() == their_state
    except Exception:  # noqa: BLE001 - any failure means "not the same": keep moto's
        return False
    finally:
        rng.setstate(saved)


def install_direct_ids() -> bool:
    """Replace ``moto.ec2.utils.random_resource_id`` (and every moto module's name for it)
    with the direct draw. Idempotent; False if moto or Python changed shape."""
    if "direct_ids" in _installed:
        return True
    try:
        from moto.ec2 import utils
    except ImportError:  # pragma: no cover - moto moved it
        return False
    original = getattr(utils, "random_resource_id", None)
    rng = getattr(utils, "random", None)
    hex_chars = getattr(utils, "HEX_CHARS", None)
    if (original is None or not isinstance(rng, random.Random) or not _draws_as_moto(rng)
            or not isinstance(hex_chars, list) or not hex_chars):
        return False  # pragma: no cover - moto or Python moved it
    patched = _direct(utils, hex_chars)
    if not _same_ids(rng, original, patched):
        return False  # pragma: no cover - a Python whose draws differ
    _replace_everywhere("random_resource_id", original, patched)
    _installed.add("direct_ids")
    return True


def install_utcnow() -> bool:
    """Replace ``moto.core.utils.utcnow`` (and every moto module's name for it) with one
    that imports nothing. Idempotent; False if moto or Python changed shape."""
    if "utcnow" in _installed:
        return True
    try:
        import datetime

        from moto.core import utils
        from moto.core.versions import PYTHON_311
    except ImportError:  # pragma: no cover - moto moved it
        return False
    original = getattr(utils, "utcnow", None)
    if original is None or not PYTHON_311 or utils.datetime is not datetime:
        return False  # pragma: no cover - moto moved it, or an older Python
    utc = datetime.UTC
    module = utils.datetime  # moto's name for the datetime module

    def utcnow() -> datetime.datetime:
        # moto's branch for Python >= 3.11, with its `from datetime import UTC` hoisted
        return module.datetime.now(utc).replace(tzinfo=None)

    _replace_everywhere("utcnow", original, utcnow)
    _installed.add("utcnow")
    return True


def _replace_everywhere(name: str, original: Callable[..., Any],
                        patched: Callable[..., Any]) -> None:
    """Put ``patched`` (keeping ``original`` as its ``__wrapped__``) wherever a loaded moto
    module holds ``original`` under ``name``: its own module's callers read the module's
    name, and a module that imported it by name holds its own reference."""
    patched.__wrapped__ = original  # type: ignore[attr-defined]
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("moto.") and \
                getattr(module, "__dict__", {}).get(name) is original:
            setattr(module, name, patched)
