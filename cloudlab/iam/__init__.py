"""IAM in the mini cloud: a policy engine with explanations, and enforcement of it.

Engine (reads and decides; imports only ``cloudlab.cloud`` and ``cloudlab.errors``):

- :class:`Policy` parses and validates policy documents (:class:`~cloudlab.errors.
  MalformedPolicy` says what is wrong and where).
- :func:`evaluate` decides a :class:`Request` with AWS's single-account evaluation logic
  (explicit deny, then allow, then implicit deny; boundaries; resource policies) and
  returns a :class:`Decision` that renders as a table in a notebook.
- :func:`explain` does the same for a user or role of a :class:`~cloudlab.cloud.Cloud`,
  reading its policies through boto3.
- :class:`CallRecorder` records what code calls and writes the minimal policy;
  :func:`lint_policy` lists what makes a policy broader than it needs to be.

Enforcement (calls signed by learner-created users and role sessions are decided by the
engine before the mini cloud answers): :func:`enforce_iam`, :func:`enforcement`,
:func:`set_request_context`, :func:`action_for`, :func:`resource_for`; account settings
(:func:`account_facts`, :func:`enable_root_mfa`, :func:`set_billing_access`) and key pairs
(:func:`create_key_pair`, :func:`check_pem_permissions`).
"""

from __future__ import annotations

from cloudlab.cloud.session import add_start_hook
from cloudlab.iam.account import AccountFacts, account_facts, enable_root_mfa, set_billing_access
from cloudlab.iam.actions import action_for, resource_for
from cloudlab.iam.conditions import Condition, ConditionCheck
from cloudlab.iam.enforce import (
    DEFAULT_SOURCE_IP,
    ROOT_ARN,
    enforce_iam,
    enforcement,
    install,
    last_denial,
    set_request_context,
)
from cloudlab.iam.evaluate import Decision, MatchedStatement, PolicySource, Request, evaluate
from cloudlab.iam.explain import explain
from cloudlab.iam.keypairs import PemCheck, SavedKey, check_pem_permissions, create_key_pair
from cloudlab.iam.least_privilege import Call, CallRecorder, Finding, lint_policy
from cloudlab.iam.policy import Policy, Statement
from cloudlab.iam.sts import TrustVerdict, can_assume, sessions

__all__ = [
    "DEFAULT_SOURCE_IP",
    "ROOT_ARN",
    "AccountFacts",
    "Call",
    "CallRecorder",
    "Condition",
    "ConditionCheck",
    "Decision",
    "Finding",
    "MatchedStatement",
    "PemCheck",
    "Policy",
    "PolicySource",
    "Request",
    "SavedKey",
    "Statement",
    "TrustVerdict",
    "account_facts",
    "action_for",
    "can_assume",
    "check_pem_permissions",
    "create_key_pair",
    "enable_root_mfa",
    "enforce_iam",
    "enforcement",
    "evaluate",
    "explain",
    "install",
    "last_denial",
    "lint_policy",
    "resource_for",
    "set_billing_access",
    "sessions",
    "set_request_context",
]

# Every Cloud started after `import cloudlab.iam` keeps IAM's books from its first call
# (root identity, STS sessions); enforcement itself stays off until enforce_iam().
add_start_hook(install)
