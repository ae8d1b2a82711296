"""The usage examples in the net package's docstrings are true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cloudlab.net as net

MODULES = ["cloudlab.net"] + sorted(
    f"cloudlab.net.{info.name}" for info in pkgutil.iter_modules(net.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
