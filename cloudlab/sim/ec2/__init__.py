"""EC2 on the virtual clock: boots from an AMI and its user data, status checks, golden AMIs.

- :mod:`~cloudlab.sim.ec2.bootstrap`: :func:`plan_boot` turns an image's :class:`Software`
  and the user data into a :class:`BootPlan` (running at, serving at, on which port).
- :mod:`~cloudlab.sim.ec2.instances`: the per-cloud :class:`InstanceBook`
  (:func:`instance_book`) of every instance's timeline and injected failures.
"""

from __future__ import annotations

from cloudlab.sim.ec2.bootstrap import BootPlan, BootStep, Software, bootstrap_info, plan_boot
from cloudlab.sim.ec2.instances import InstanceBook, InstanceRecord, instance_book

__all__ = ["BootPlan", "BootStep", "InstanceBook", "InstanceRecord", "Software",
           "bootstrap_info", "instance_book", "plan_boot"]
