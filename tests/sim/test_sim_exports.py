"""``cloudlab.sim.__all__`` is the documented public surface (see the contract)."""

from __future__ import annotations

import cloudlab.sim as sim

CONTRACT = {
    "InstanceType", "instance_type", "instance_types",
    "TrafficModel", "Constant", "BusinessHours", "Spike", "Noise",
    "FixedFleet", "ElasticFleet", "ScheduledFleet", "instances_needed", "smallest_type_for",
    "Recorder", "Marker",
    "Scenario", "RunResult", "Comparison", "compare",
    "OnPremises", "on_demand_cost",
}  # fmt: skip


def test_all_covers_the_contract_and_resolves():
    assert set(sim.__all__) >= CONTRACT
    for name in sim.__all__:
        assert getattr(sim, name) is not None
    assert sim.__all__ == sorted(sim.__all__, key=lambda n: (not n.isupper(), n))


def test_every_sim_module_has_a_docstring():
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(sim.__path__):
        module = importlib.import_module(f"cloudlab.sim.{info.name}")
        assert module.__doc__ and len(module.__doc__) > 40, info.name


def test_sim_does_not_import_higher_layers():
    import subprocess
    import sys

    code = (
        "import sys, cloudlab.sim; "
        "print([m for m in sys.modules if m.startswith(('cloudlab.viz', 'cloudlab.checks', "
        "'cloudlab.grading', 'cloudlab.cli'))])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
