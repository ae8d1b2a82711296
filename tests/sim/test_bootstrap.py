"""The bootstrapping model: golden AMIs vs user data, scripts that never start a server."""

from __future__ import annotations

import base64

import pytest

from cloudlab.sim.ec2.bootstrap import Software, bootstrap_info, decode_user_data, plan_boot

WEB = "#!/bin/bash\ndnf install -y httpd\nsystemctl enable --now httpd\n"


def test_user_data_that_installs_and_starts_httpd_serves_after_the_install() -> None:
    plan = plan_boot(Software(), WEB)
    boot = bootstrap_info()["boot"]
    install = bootstrap_info()["install"]
    expected = (boot["pending_s"] + boot["os_boot_s"] + install["per_command_s"]
                + install["packages_s"]["httpd"] + boot["service_start_s"])
    assert plan.serving_after_s == pytest.approx(expected)
    assert plan.port == 80
    assert "httpd" in plan.software_after.enabled


def test_a_golden_ami_serves_sooner_than_bootstrapping() -> None:
    golden = plan_boot(Software(), WEB).software_after
    baked = plan_boot(golden, None)
    assert baked.serving_after_s is not None
    assert baked.serving_after_s < plan_boot(Software(), WEB).serving_after_s  # type: ignore[operator]


def test_more_packages_take_longer() -> None:
    small = plan_boot(Software(), "dnf install -y httpd\nsystemctl start httpd")
    big = plan_boot(Software(), "dnf -y update\ndnf install -y httpd php mariadb105-server\n"
                                "systemctl start httpd")
    assert big.serving_after_s > small.serving_after_s  # type: ignore[operator]


@pytest.mark.parametrize("script", [
    "",                                                     # nothing at all
    "#!/bin/bash\ndnf install -y httpd\n",                  # installed, never started
    "#!/bin/bash\ndnf install -y httpd\nsystemctl enable httpd\n",  # enabled, not started now
    "#!/bin/bash\nsystemctl start httpd\n",                 # started, never installed
    "#!/bin/bash\ndnf install -y httpd\nexit 1\nsystemctl start httpd\n",  # script fails first
])
def test_scripts_that_never_start_a_web_server_never_serve(script: str) -> None:
    plan = plan_boot(Software(), script)
    assert plan.serving_after_s is None
    assert "health checks will fail" in plan.explain()


def test_enable_without_now_is_explained() -> None:
    plan = plan_boot(Software(), "dnf install -y httpd\nsystemctl enable httpd")
    assert "add --now" in plan.explain()
    # ...but an AMI made from it starts httpd at boot
    assert plan_boot(plan.software_after, None).port == 80


def test_cloud_config_and_base64_user_data() -> None:
    doc = "#cloud-config\npackages: [nginx]\nruncmd:\n  - systemctl start nginx\n"
    plan = plan_boot(Software(), base64.b64encode(doc.encode()).decode())
    assert plan.port == 80 and plan.serving_after_s is not None
    assert decode_user_data("echo hi") == "echo hi"


def test_python_http_server_on_a_custom_port() -> None:
    plan = plan_boot(Software(), "nohup python3 -m http.server 8080 &")
    assert plan.port == 8080
