"""Root versus admin: root MFA and billing visibility (cloudlab.iam.account)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError

from cloudlab import Cloud
from cloudlab.iam.account import (
    ROOT_ARN,
    account_facts,
    enable_root_mfa,
    set_billing_access,
)
from cloudlab.iam.enforce import enforce_iam

ADMIN = "arn:aws:iam::123456789012:user/admin"
PERIOD = {"TimePeriod": {"Start": "2026-01-01", "End": "2026-01-02"}, "Granularity": "DAILY",
          "Metrics": ["UnblendedCost"]}


@pytest.fixture
def managed_cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    """A cloud whose IAM knows AWS managed policies (AdministratorAccess)."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    c = Cloud(seed=0)
    try:
        yield c
    finally:
        c.stop()


def admin_ce(cloud: Cloud) -> object:
    iam = cloud.client("iam")
    iam.create_user(UserName="admin")
    iam.attach_user_policy(UserName="admin",
                           PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="admin")["AccessKey"]
    return boto3.client("ce", region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"])


def test_admin_cannot_see_billing_until_activated(managed_cloud: Cloud) -> None:
    cloud = managed_cloud
    ce = admin_ce(cloud)
    enforce_iam(cloud)
    with pytest.raises(ClientError) as info:
        ce.get_cost_and_usage(**PERIOD)  # type: ignore[attr-defined]
    err = info.value.response["Error"]
    assert err["Code"] == "AccessDeniedException"
    assert err["Message"].startswith(
        f"User: {ADMIN} is not authorized to perform: ce:GetCostAndUsage on resource: * "
        "because IAM user and role access to Billing information is not activated for "
        "account 123456789012.")
    assert "set_billing_access(cloud, True)" in err["Message"]
    assert "AdministratorAccess" in err["Message"]
    # the root user always can
    assert "ResultsByTime" in cloud.client("ce").get_cost_and_usage(**PERIOD)
    # and the admin can once root activates the setting
    set_billing_access(cloud, True)
    assert "ResultsByTime" in ce.get_cost_and_usage(**PERIOD)  # type: ignore[attr-defined]
    assert account_facts(cloud).iam_users_can_see_billing
    set_billing_access(cloud, False)
    with pytest.raises(ClientError, match="Billing information is not activated"):
        ce.get_cost_and_usage(**PERIOD)  # type: ignore[attr-defined]


def test_billing_still_needs_a_policy_once_activated(cloud: Cloud) -> None:
    iam = cloud.client("iam")
    iam.create_user(UserName="dev")
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    ce = boto3.client("ce", region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                      aws_secret_access_key=key["SecretAccessKey"])
    enforce_iam(cloud)
    set_billing_access(cloud, True)
    with pytest.raises(ClientError) as info:
        ce.get_cost_and_usage(**PERIOD)
    assert info.value.response["Error"]["Message"].endswith(
        "because no identity-based policy allows the ce:GetCostAndUsage action")


def test_root_mfa_in_account_summary(cloud: Cloud) -> None:
    iam = cloud.client("iam")
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0
    facts = account_facts(cloud)
    assert not facts.root_mfa_enabled
    enable_root_mfa(cloud)
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1
    assert account_facts(cloud).root_mfa_enabled
    enable_root_mfa(cloud, False)
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0


def test_account_facts_render(cloud: Cloud) -> None:
    cloud.client("iam").create_user(UserName="alice")
    enforce_iam(cloud)
    facts = account_facts(cloud)
    assert (facts.account_id, facts.root_arn) == ("123456789012", ROOT_ARN)
    assert ROOT_ARN == "arn:aws:iam::123456789012:root"
    assert (facts.users, facts.roles, facts.active_sessions) == (1, 0, 0)
    assert facts.enforcement_enabled and not facts.iam_users_can_see_billing
    assert "MFA on the root user: no" in repr(facts)
    html = facts._repr_html_()
    assert "<table>" in html and "IAM users and roles can see billing" in html


def test_reset_forgets_account_settings(cloud: Cloud) -> None:
    enable_root_mfa(cloud)
    set_billing_access(cloud, True)
    cloud.reset()
    facts = account_facts(cloud)
    assert not facts.root_mfa_enabled and not facts.iam_users_can_see_billing
    assert not facts.enforcement_enabled
