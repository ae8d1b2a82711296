"""The account itself: root user versus administrators, root MFA, billing visibility.

Owns the account-level facts a learner meets in the "root vs admin" lesson:

- the **root user** (the mini cloud's default credentials) can do everything, always;
- an IAM user with ``AdministratorAccess`` can do almost everything, but **cannot see
  billing** (Cost Explorer ``ce:*``, ``aws-portal:*``, budgets, ...) until the root user
  activates "IAM user and role access to Billing information" in the account settings
  (AWS Billing user guide, "Activating access to the Billing and Cost Management console",
  read 2026-11). :func:`set_billing_access` is that switch; enforcement
  (:mod:`cloudlab.iam.enforce`) applies it;
- **MFA on the root user**: :func:`enable_root_mfa` stands in for assigning an MFA device
  to root (moto cannot), and ``iam.get_account_summary()["SummaryMap"]
  ["AccountMFAEnabled"]`` then answers 1 instead of 0, as AWS does.

All of it is per-cloud state, forgotten by ``cloud.reset()``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from cloudlab.iam.actions import ACCOUNT_ID
from cloudlab.iam.enforce import ROOT_ARN, install

__all__ = [
    "ACCOUNT_ID",
    "ROOT_ARN",
    "AccountFacts",
    "account_facts",
    "enable_root_mfa",
    "set_billing_access",
]


@dataclass(frozen=True)
class AccountFacts:
    """Account-level security facts (see :func:`account_facts`)."""

    account_id: str
    root_arn: str
    root_mfa_enabled: bool
    iam_users_can_see_billing: bool
    enforcement_enabled: bool
    users: int
    groups: int
    roles: int
    policies: int
    active_sessions: int

    def _rows(self) -> list[tuple[str, str]]:
        yes = {True: "yes", False: "no"}
        return [
            ("account", self.account_id),
            ("root user", self.root_arn),
            ("MFA on the root user", yes[self.root_mfa_enabled]),
            ("IAM users and roles can see billing", yes[self.iam_users_can_see_billing]),
            ("IAM enforcement in this cloud", "on" if self.enforcement_enabled else "off"),
            ("users / groups / roles", f"{self.users} / {self.groups} / {self.roles}"),
            ("customer managed policies", str(self.policies)),
            ("active STS sessions", str(self.active_sessions)),
        ]

    def __repr__(self) -> str:
        return "AccountFacts(" + ", ".join(f"{k}: {v}" for k, v in self._rows()) + ")"

    def _repr_html_(self) -> str:
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                       f"<td>{html.escape(v)}</td></tr>" for k, v in self._rows())
        return f"<table><caption>Account security facts</caption>{body}</table>"


def account_facts(cloud: Any) -> AccountFacts:
    """Read the account's security facts (counts from ``iam.get_account_summary``)."""
    state = install(cloud)
    summary = cloud.client("iam").get_account_summary()["SummaryMap"]
    now = cloud.now
    active = sum(1 for s in state.sessions.values()
                 if s.expires_at is None or s.expires_at > now)
    return AccountFacts(
        account_id=ACCOUNT_ID,
        root_arn=ROOT_ARN,
        root_mfa_enabled=bool(summary.get("AccountMFAEnabled", 0)),
        iam_users_can_see_billing=state.billing_access,
        enforcement_enabled=state.enabled,
        users=int(summary.get("Users", 0)),
        groups=int(summary.get("Groups", 0)),
        roles=int(summary.get("Roles", 0)),
        policies=int(summary.get("Policies", 0)),
        active_sessions=active,
    )


def set_billing_access(cloud: Any, enabled: bool = True) -> None:
    """Activate (or deactivate) "IAM user and role access to Billing information".

    Only the root user can change this setting on AWS; in the mini cloud the notebook acts
    as root. While off (the default), IAM users and roles are refused billing actions even
    with ``AdministratorAccess``; the root user always has them.
    """
    install(cloud).billing_access = bool(enabled)


def enable_root_mfa(cloud: Any, enabled: bool = True) -> None:
    """Record that the root user has (or no longer has) an MFA device; from now on
    ``get_account_summary`` reports ``AccountMFAEnabled`` as 1 (or 0)."""
    install(cloud).root_mfa = bool(enabled)
