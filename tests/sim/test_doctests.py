"""The usage examples in the simulation's docstrings are true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cloudlab.sim as sim

MODULES = sorted(info.name for info in pkgutil.iter_modules(sim.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"cloudlab.sim.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
