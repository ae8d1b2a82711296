"""Checks for lab 02 (IAM): root and admin, a least-privilege group, an instance role, a
vendor's role with temporary credentials, key rotation.

The checks ask the policy engine what each principal may do (``explain``), the way the IAM
policy simulator would, so any correct policy passes, not only the one in the solution.
"""

from __future__ import annotations

from typing import Any

from cloudlab.checks import question
from cloudlab.iam import can_assume, explain, lint_policy, sessions

ACCOUNT = "123456789012"
REPORTS = "arn:aws:s3:::cloudlab-reports"
PAYROLL = "arn:aws:s3:::cloudlab-payroll"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/sessions"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"


def _allowed(cloud: Any, who: str, action: str, resource: str) -> bool:
    return explain(cloud, who, action, resource).allowed


def _user_exists(cloud: Any, name: str) -> bool:
    names = {u["UserName"] for u in cloud.client("iam").list_users()["Users"]}
    return name in names


# -- Question 1 ------------------------------------------------------------------------------
@question("lab02.root_and_admin", points=1, title="Root and an administrator")
def root_mfa(cloud: Any) -> None:
    summary = cloud.client("iam").get_account_summary()["SummaryMap"]
    assert summary.get("AccountMFAEnabled") == 1, (
        "the root user has no MFA yet: call enable_root_mfa(cloud)"
    )


@question("lab02.root_and_admin", points=1)
def admin_no_billing(admin_billing_error: Any, cloud: Any) -> None:
    assert _user_exists(cloud, "admin"), "create an IAM user called `admin`"
    attached = cloud.client("iam").list_attached_user_policies(UserName="admin")
    arns = {p["PolicyArn"] for p in attached["AttachedPolicies"]}
    assert ADMIN_POLICY in arns, f"attach {ADMIN_POLICY} to the admin user"
    assert admin_billing_error is not None, (
        "the Cost Explorer call did not fail: did you call it with the admin user's key "
        "(user_client('ce', admin_key)) rather than the notebook's root credentials?"
    )
    assert admin_billing_error == "AccessDeniedException", (
        f"`admin_billing_error` should be the error code from err.response['Error']['Code'], "
        f"got {admin_billing_error!r}"
    )


# -- Question 2 ------------------------------------------------------------------------------
@question("lab02.analysts", points=1, title="Analysts read reports, and only reports")
def analysts_can_read(report: Any, payroll_error: Any, cloud: Any) -> None:
    assert _user_exists(cloud, "alice"), "create the user `alice`"
    groups = cloud.client("iam").list_groups_for_user(UserName="alice")["Groups"]
    assert "analysts" in {g["GroupName"] for g in groups}, "add alice to the `analysts` group"
    assert _allowed(cloud, "alice", "s3:GetObject", f"{REPORTS}/2026/q3.csv"), (
        "alice cannot read objects in cloudlab-reports: allow s3:GetObject on "
        "arn:aws:s3:::cloudlab-reports/* (the objects, note the /*)"
    )
    assert _allowed(cloud, "alice", "s3:ListBucket", REPORTS), (
        "alice cannot list cloudlab-reports: allow s3:ListBucket on the bucket ARN "
        "arn:aws:s3:::cloudlab-reports (without /*)"
    )
    assert isinstance(report, bytes) and report.startswith(b"region,revenue"), (
        "`report` should be the bytes of 2026/q3.csv read as alice (...['Body'].read())"
    )
    assert payroll_error == "AccessDenied", (
        f"reading payroll as alice should fail with AccessDenied, `payroll_error` is "
        f"{payroll_error!r}"
    )


@question("lab02.analysts", points=1)
def analysts_least_privilege(cloud: Any) -> None:
    too_much = [
        (a, r) for a, r in (
            ("s3:GetObject", f"{PAYROLL}/2026/salaries.csv"),
            ("s3:PutObject", f"{REPORTS}/2026/q4.csv"),
            ("s3:DeleteObject", f"{REPORTS}/2026/q3.csv"),
            ("s3:ListBucket", PAYROLL),
            ("s3:DeleteBucket", REPORTS),
        ) if _allowed(cloud, "alice", a, r)
    ]
    assert not too_much, (
        f"alice may do more than read reports: {', '.join(f'{a} on {r}' for a, r in too_much)}"
        "; allow only s3:ListBucket on the bucket and s3:GetObject on its objects"
    )
    iam = cloud.client("iam")
    attached = iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"]
    own = iam.list_user_policies(UserName="alice")["PolicyNames"] + [
        p["PolicyArn"] for p in attached
    ]
    assert not own, "give the permissions to the group, not to alice herself"
    for name in iam.list_group_policies(GroupName="analysts")["PolicyNames"]:
        doc = iam.get_group_policy(GroupName="analysts", PolicyName=name)["PolicyDocument"]
        wild = [f.message for f in lint_policy(doc) if f.severity in {"error", "warning"}]
        assert not wild, f"the analysts' policy {name!r}: {wild[0]}"


# -- Question 3 ------------------------------------------------------------------------------
@question("lab02.instance_role", points=1, title="A role for the app servers")
def app_role(cloud: Any) -> None:
    roles = {r["RoleName"] for r in cloud.client("iam").list_roles()["Roles"]}
    assert "app-server" in roles, "create the role `app-server`"
    ec2_trust = can_assume(cloud, "ec2.amazonaws.com", "app-server")
    assert ec2_trust.allowed, (
        f"EC2 cannot assume app-server ({ec2_trust.reason}): its trust policy needs "
        '"Principal": {"Service": "ec2.amazonaws.com"}'
    )
    assert not can_assume(cloud, "alice", "app-server").allowed, (
        "alice can assume app-server: trust only the EC2 service"
    )
    role = "role/app-server"
    for action in ("dynamodb:GetItem", "dynamodb:PutItem"):
        assert _allowed(cloud, role, action, TABLE), f"the role cannot {action} on the table"
    for action, resource in (("dynamodb:DeleteTable", TABLE),
                             ("dynamodb:GetItem", TABLE.replace("sessions", "orders")),
                             ("s3:GetObject", f"{REPORTS}/2026/q3.csv")):
        assert not _allowed(cloud, role, action, resource), (
            f"the role may also {action} on {resource}: allow only GetItem and PutItem on the "
            "sessions table"
        )


@question("lab02.instance_role", points=1)
def app_instance(app_instance_id: Any, cloud: Any) -> None:
    found = cloud.client("ec2").describe_instances(InstanceIds=[str(app_instance_id)])
    instance = found["Reservations"][0]["Instances"][0]
    profile = instance.get("IamInstanceProfile", {}).get("Arn", "")
    assert profile.endswith(":instance-profile/app-server"), (
        "launch the instance with IamInstanceProfile={'Name': 'app-server'}"
    )
    roles = cloud.client("iam").get_instance_profile(InstanceProfileName="app-server")
    assert [r["RoleName"] for r in roles["InstanceProfile"]["Roles"]] == ["app-server"], (
        "add the app-server role to the app-server instance profile"
    )


# -- Question 4 ------------------------------------------------------------------------------
@question("lab02.vendor_role", points=1, title="The vendor's role")
def vendor_role(cloud: Any, vendor_creds: Any = None) -> None:
    assert _user_exists(cloud, "vendor"), "create the user `vendor`"
    assert can_assume(cloud, "vendor", "vendor-support").allowed, (
        "vendor cannot assume vendor-support: the role must trust the account "
        "(arn:aws:iam::123456789012:root) and vendor's own policy must allow sts:AssumeRole on it"
    )
    assert not _allowed(cloud, "vendor", "s3:GetObject", f"{REPORTS}/2026/q3.csv"), (
        "the vendor user can read reports directly: give the read permission to the role only"
    )
    assert _allowed(cloud, "role/vendor-support", "s3:GetObject", f"{REPORTS}/2026/q3.csv"), (
        "the vendor-support role cannot read the reports"
    )
    assert not _allowed(cloud, "role/vendor-support", "s3:GetObject", f"{PAYROLL}/x"), (
        "the vendor-support role can read payroll: allow only cloudlab-reports objects"
    )
    assert vendor_creds is not None, (
        "define `vendor_creds`: the Credentials that assume_role returns to the vendor"
    )
    assert isinstance(vendor_creds, dict) and str(vendor_creds.get("AccessKeyId", "")).startswith(
        "ASIA"
    ), "`vendor_creds` should be the Credentials returned by assume_role (keys start with ASIA)"
    held = [s for s in sessions(cloud, active_only=False)
            if s.access_key == vendor_creds["AccessKeyId"]]
    assert held and held[0].arn.startswith(
        f"arn:aws:sts::{ACCOUNT}:assumed-role/vendor-support/"
    ), "assume the role as the vendor user (sign assume_role with vendor_key)"


@question("lab02.vendor_role", points=1)
def vendor_expired(expired_error: Any) -> None:
    assert expired_error is not None, (
        "the second read still worked: advance the clock past the session's end "
        "(cloud.advance(hours=2)) before trying again"
    )
    assert expired_error == "ExpiredToken", (
        f"`expired_error` should be the error code after the session ended, got {expired_error!r}"
    )


# -- Question 5 ------------------------------------------------------------------------------
@question("lab02.rotate_key", points=1, title="Rotate alice's key")
def rotated(old_key_id: Any, new_key_id: Any, cloud: Any) -> None:
    keys = cloud.client("iam").list_access_keys(UserName="alice")["AccessKeyMetadata"]
    ids = {k["AccessKeyId"]: k["Status"] for k in keys}
    assert new_key_id in ids and ids[new_key_id] == "Active", (
        "`new_key_id` should be alice's new, active key"
    )
    assert old_key_id != new_key_id, "`old_key_id` should be the key alice had before"
    assert old_key_id not in ids, (
        "the old key still exists: deactivate it, check, then delete_access_key"
        if ids.get(old_key_id) == "Inactive" else
        "the old key is still active: deactivate it, then delete it"
    )
