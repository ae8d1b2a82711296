"""The compute chapters (08, 09, 11, 12) are in the built book (owner: course book).

Uses the book built by the ``html_dir`` fixture (``conftest.py``: built once per session when a
page is missing or older than its source, or always with ``CLOUDLAB_BOOK_REBUILD=1``) and checks
that each page exists, is listed in the table of contents in order, dates its facts ("as of
November 2026"), links to AWS documentation, and teaches the facts and corrections the labs
depend on: launch templates replace launch configurations (with their dates), IMDSv2, $0.005 per
public IPv4 address per hour since 1 February 2024, about 2 x 30 = 60 seconds for a dead target
to leave rotation, the ELB health-check type for Auto Scaling groups, and the availability
arithmetic.

Besides their executed demos (tested in ``test_book_demos.py``), the chapters show boto3 calls
as non-executed ``python`` blocks; a test here checks every call in them against botocore's
service models (parameter names and types), without sending a request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bookpages import check_dated_and_sourced, page_text, python_blocks, toc_positions

pytestmark = pytest.mark.book

CHAPTERS = (
    "08-ec2-amis-bootstrapping",
    "09-design-for-failure",
    "11-load-balancing",
    "12-auto-scaling-cloudwatch",
)


# ------------------------------------------------------- boto3 snippets against botocore


class _AnyValue(str):
    """A stand-in for response fields: a string that can also be indexed further."""

    def __getitem__(self, key: Any) -> _AnyValue:  # type: ignore[override]
        return _AnyValue("placeholder-1")


class _AnyResponse(dict):  # type: ignore[type-arg]
    def __getitem__(self, key: Any) -> _AnyValue:
        return _AnyValue("placeholder-1")


@pytest.fixture()
def offline_boto3(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make ``boto3.client`` validate parameters but never send: returns the operations called."""
    import boto3
    from botocore.awsrequest import AWSResponse

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(key, value)
    called: list[str] = []
    real_client = boto3.client

    def short_circuit(model: Any, **kwargs: Any) -> tuple[AWSResponse, _AnyResponse]:
        called.append(model.name)
        return AWSResponse("https://offline.invalid", 200, {}, None), _AnyResponse()

    def client(*args: Any, **kwargs: Any) -> Any:
        c = real_client(*args, **kwargs)
        c.meta.events.register("before-call.*.*", short_circuit)
        return c

    monkeypatch.setattr(boto3, "client", client)
    return called


def test_offline_client_rejects_a_wrong_parameter(offline_boto3: list[str]) -> None:
    import boto3
    from botocore.exceptions import ParamValidationError

    autoscaling = boto3.client("autoscaling", region_name="eu-west-1")
    with pytest.raises(ParamValidationError, match="HealthCheckGracePeriod"):
        autoscaling.update_auto_scaling_group(
            AutoScalingGroupName="web", HealthCheckGracePeriod="three minutes"
        )
    assert offline_boto3 == []


def _run_snippets(name: str) -> None:
    namespace: dict[str, Any] = {}
    for index, code in enumerate(python_blocks(name)):
        exec(compile(code, f"{name}.md python block {index}", "exec"), namespace)  # noqa: S102


@pytest.mark.parametrize("name", CHAPTERS)
def test_boto3_snippets_match_the_api(offline_boto3: list[str], name: str) -> None:
    _run_snippets(name)
    if name != "09-design-for-failure":
        assert offline_boto3, f"{name}: no boto3 call found in its python blocks"


def test_snippets_cover_the_main_api_calls(offline_boto3: list[str]) -> None:
    for name in CHAPTERS:
        _run_snippets(name)
    for operation in (
        "CreateLaunchTemplate",
        "CreateTargetGroup",
        "CreateListener",
        "UpdateAutoScalingGroup",
        "PutScalingPolicy",
        "PutMetricAlarm",
        "PutScheduledUpdateGroupAction",
    ):
        assert operation in offline_boto3, operation


# ------------------------------------------------------------------- the built pages


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_page_exists_and_is_dated(html_dir: Path, name: str) -> None:
    check_dated_and_sourced(html_dir, name)


def test_chapters_are_in_the_table_of_contents_in_order(html_dir: Path) -> None:
    # The EBS chapter sits between 09 and 11.
    toc_positions(html_dir, ("07-vpc", *CHAPTERS[:2], "10-ebs", *CHAPTERS[2:]))


def test_ec2_chapter_teaches_lifecycle_amis_and_the_corrections(html_dir: Path) -> None:
    text = page_text(html_dir, "08-ec2-amis-bootstrapping")
    for state in ("pending", "running", "stopping", "stopped", "shutting-down", "terminated"):
        assert state in text, state
    assert "60 seconds" in text and "per second" in text
    # AMIs are Regional; a copy is a new AMI.
    assert "amis are regional" in text and "copyimage" in text
    # User data: cloud-init, once, first boot, as root.
    assert "cloud-init" in text and "first boot" in text and "root" in text
    assert "golden ami" in text and "ec2 image builder" in text
    assert "imdsv2" in text and "httptokens" in text and "required" in text
    # Launch templates replace launch configurations, with the dates.
    assert "launch template" in text and "$default" in text and "$latest" in text
    assert "launch configuration" in text
    assert "1 january 2023" in text and "1 october 2024" in text
    assert "$0.005" in text and "1 february 2024" in text


def test_failure_chapter_teaches_redundancy_and_the_arithmetic(html_dir: Path) -> None:
    text = page_text(html_dir, "09-design-for-failure")
    assert "everything fails all the time" in text
    assert "single point of failure" in text and "availability zone" in text
    assert "at least three" in text
    assert "stateless" in text and "health check" in text
    assert "elastic ip" in text and "load balancer" in text
    assert "loose coupling" in text and "static stability" in text
    assert "rto" in text and "rpo" in text and "backup" in text
    assert "fault injection service" in text
    # Serial and parallel availability, worked.
    assert "99.8001%" in text and "99.9999%" in text


def test_load_balancing_chapter_teaches_health_checks_and_states(html_dir: Path) -> None:
    text = page_text(html_dir, "11-load-balancing")
    for kind in (
        "application load balancer",
        "network load balancer",
        "gateway load balancer",
        "classic load balancer",
    ):
        assert kind in text, kind
    assert "previous generation" in text
    assert "listener" in text and "target group" in text and "path" in text and "host" in text
    # Health-check defaults and the time to leave rotation.
    assert "30 s" in text and "healthy threshold" in text and "unhealthy threshold" in text
    assert "2 × 30" in text and "60 seconds" in text
    for state in ("initial", "healthy", "unhealthy", "unused", "draining", "unavailable"):
        assert f"`{state}`" in text or state in text, state
    assert "fails open" in text or "fail open" in text
    assert "deregistration delay" in text and "300 seconds" in text
    assert "cross-zone" in text and "dns name" in text
    assert "sticky" in text and "acm" in text


def test_scaling_chapter_teaches_the_elb_health_check_trap(html_dir: Path) -> None:
    text = page_text(html_dir, "12-auto-scaling-cloudwatch")
    assert "minimum size" in text and "desired capacity" in text and "maximum size" in text
    assert "healthchecktype=elb" in text and "dead web server" in text
    assert "300 seconds" in text and "0 seconds" in text  # grace period: console vs API
    assert "cooldown" in text and "warm-up" in text
    # The study notes' step example and the other policy kinds.
    assert "75%" in text and "35%" in text
    assert "target tracking" in text and "scheduled" in text and "predictive" in text
    assert "timezone" in text and "cron" in text
    assert "termination policy" in text
    # CloudWatch: monitoring resolution, alarms.
    assert "5 minutes" in text and "1 minute" in text
    assert "m out of n" in text and "insufficient_data" in text and "treatmissingdata" in text
    assert "sns" in text and "custom metrics" in text
