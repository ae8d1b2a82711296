"""The public surface: every name in ``__all__`` exists, and every public name a package
defines is in its ``__all__`` (nothing exported by accident, nothing documented missing)."""

from __future__ import annotations

import importlib
import types

import pytest

PACKAGES = ["cloudlab", "cloudlab.cloud", "cloudlab.sim", "cloudlab.viz", "cloudlab.checks",
            "cloudlab.grading", "cloudlab.errors", "cloudlab.iam", "cloudlab.net"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_matches_public_members(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    for member in exported:
        assert getattr(module, member, None) is not None, f"{name}.{member} is in __all__ only"
    public = {
        n for n, v in vars(module).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType)
        and getattr(v, "__module__", name).startswith("cloudlab")
        and n not in {"annotations", "TYPE_CHECKING"}
    }
    helpers = {"Any", "import_module", "add_start_hook"}  # imported for use, not re-exported
    assert public <= exported | helpers, sorted(public - exported)


def test_top_level_names() -> None:
    import cloudlab

    assert {"Cloud", "check", "check_all", "CloudLabError", "__version__"} <= set(cloudlab.__all__)
    assert cloudlab.check is importlib.import_module("cloudlab.checks").check
