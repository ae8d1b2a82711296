"""Evaluation logic, table-driven from the AWS IAM User Guide ("Policy evaluation logic",
"NotAction", "NotResource", "Condition operators", "Permissions boundaries"), plus
Hypothesis properties of the decision procedure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudlab.iam import Decision, Policy, PolicySource, Request, evaluate

ACCT = "123456789012"
ALICE = f"arn:aws:iam::{ACCT}:user/alice"
BOB = f"arn:aws:iam::{ACCT}:user/engineering/bob"
ROOT = f"arn:aws:iam::{ACCT}:root"
ROLE = f"arn:aws:iam::{ACCT}:role/Dev"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/Dev/alice-laptop"
BUCKET = "arn:aws:s3:::reports"
OBJ = "arn:aws:s3:::reports/2026/q1.csv"
T0 = datetime(2026, 1, 5, tzinfo=UTC)


def stmt(effect: str = "Allow", action: Any = "s3:GetObject", resource: Any = "*",
         **extra: Any) -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": effect}
    if action is not None:
        s["Action"] = action
    if resource is not None:
        s["Resource"] = resource
    s.update(extra)
    return s


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


ALLOW, XDENY, IDENY = "allowed", "explicit deny", "implicit deny"

# id, identity docs, resource docs, boundary docs, principal, action, resource, context, reason
CASES: list[tuple[str, list[Any], list[Any], list[Any], str, str, str, dict[str, Any], str]] = [
    ("no policies: implicit deny", [], [], [], ALICE, "s3:GetObject", OBJ, {}, IDENY),
    ("exact allow", [doc(stmt(resource=OBJ))], [], [], ALICE, "s3:GetObject", OBJ, {}, ALLOW),
    ("other action: implicit deny", [doc(stmt(resource=OBJ))], [], [], ALICE,
     "s3:PutObject", OBJ, {}, IDENY),
    ("explicit deny beats allow in another policy",
     [doc(stmt()), doc(stmt("Deny"))], [], [], ALICE, "s3:GetObject", OBJ, {}, XDENY),
    ("explicit deny beats allow in the same policy",
     [doc(stmt(action="s3:*"), stmt("Deny", action="s3:Get*"))], [], [], ALICE,
     "s3:GetObject", OBJ, {}, XDENY),
    ("deny for another action does not deny",
     [doc(stmt(), stmt("Deny", action="s3:DeleteObject"))], [], [], ALICE,
     "s3:GetObject", OBJ, {}, ALLOW),
    ("action wildcard s3:Get*", [doc(stmt(action="s3:Get*"))], [], [], ALICE,
     "s3:GetObjectAcl", OBJ, {}, ALLOW),
    ("action ? wildcard", [doc(stmt(action="s3:GetObjec?"))], [], [], ALICE,
     "s3:GetObject", OBJ, {}, ALLOW),
    ("action match is case-insensitive", [doc(stmt(action="S3:getobject"))], [], [], ALICE,
     "s3:GetObject", OBJ, {}, ALLOW),
    ("action * allows every service", [doc(stmt(action="*"))], [], [], ALICE,
     "ec2:RunInstances", "*", {}, ALLOW),
    ("service prefix must match", [doc(stmt(action="s3:*"))], [], [], ALICE,
     "s3express:GetObject", OBJ, {}, IDENY),
    ("action list", [doc(stmt(action=["s3:PutObject", "s3:GetObject"]))], [], [], ALICE,
     "s3:GetObject", OBJ, {}, ALLOW),
    ("resource wildcard in ARN", [doc(stmt(resource="arn:aws:s3:::reports/*"))], [], [],
     ALICE, "s3:GetObject", OBJ, {}, ALLOW),
    ("bucket ARN does not cover its objects", [doc(stmt(resource=BUCKET))], [], [], ALICE,
     "s3:GetObject", OBJ, {}, IDENY),
    ("resource match is case-sensitive", [doc(stmt(resource="arn:aws:s3:::Reports/*"))],
     [], [], ALICE, "s3:GetObject", OBJ, {}, IDENY),
    ("wildcard region and account segments",
     [doc(stmt(action="dynamodb:GetItem", resource="arn:aws:dynamodb:*:*:table/Books"))],
     [], [], ALICE, "dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-1:{ACCT}:table/Books", {},
     ALLOW),
    ("segment wildcard stays in its segment",
     [doc(stmt(action="dynamodb:GetItem", resource="arn:aws:dynamodb:us-*:table/Books"))],
     [], [], ALICE, "dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCT}:table/Books", {},
     IDENY),
    ("short pattern arn:aws:ec2:* covers every EC2 ARN",
     [doc(stmt(action="ec2:*", resource="arn:aws:ec2:*"))], [], [], ALICE,
     "ec2:TerminateInstances", f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-1", {}, ALLOW),
    ("specific ARN does not cover a resource-less action",
     [doc(stmt(action="s3:ListAllMyBuckets", resource=BUCKET))], [], [], ALICE,
     "s3:ListAllMyBuckets", "*", {}, IDENY),
    ("NotAction with Allow allows everything else",
     [doc(stmt(action=None, NotAction="iam:*"))], [], [], ALICE, "s3:GetObject", OBJ, {},
     ALLOW),
    ("NotAction with Allow does not allow the listed action",
     [doc(stmt(action=None, NotAction="iam:*"))], [], [], ALICE, "iam:CreateUser", "*", {},
     IDENY),
    ("NotAction with Deny denies everything not listed",
     [doc(stmt(action="*"), stmt("Deny", action=None, NotAction=["iam:*", "sts:*"]))], [],
     [], ALICE, "s3:GetObject", OBJ, {}, XDENY),
    ("NotAction with Deny leaves listed actions allowed",
     [doc(stmt(action="*"), stmt("Deny", action=None, NotAction=["iam:*", "sts:*"]))], [],
     [], ALICE, "iam:ListUsers", "*", {}, ALLOW),
    ("NotResource with Deny (HR payroll example)",
     [doc(stmt(action="s3:*"),
          stmt("Deny", action="s3:*", resource=None,
               NotResource=["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]))],
     [], [], ALICE, "s3:GetObject", OBJ, {}, XDENY),
    ("NotResource with Deny spares the listed resources",
     [doc(stmt(action="s3:*"),
          stmt("Deny", action="s3:*", resource=None,
               NotResource=["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"]))],
     [], [], ALICE, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/jan.pdf", {}, ALLOW),
    ("IpAddress inside the CIDR",
     [doc(stmt(Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))], [], [],
     ALICE, "s3:GetObject", OBJ, {"aws:SourceIp": "203.0.113.77"}, ALLOW),
    ("IpAddress outside the CIDR",
     [doc(stmt(Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))], [], [],
     ALICE, "s3:GetObject", OBJ, {"aws:SourceIp": "198.51.100.10"}, IDENY),
    ("Deny with NotIpAddress outside the office",
     [doc(stmt(), stmt("Deny", action="*",
                       Condition={"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}))],
     [], [], ALICE, "s3:GetObject", OBJ, {"aws:SourceIp": "198.51.100.10"}, XDENY),
    ("Bool MFA present",
     [doc(stmt(Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))], [], [], ALICE,
     "s3:GetObject", OBJ, {"aws:MultiFactorAuthPresent": True}, ALLOW),
    ("Bool MFA key missing: condition false",
     [doc(stmt(Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))], [], [], ALICE,
     "s3:GetObject", OBJ, {}, IDENY),
    ("BoolIfExists false: deny when MFA is explicitly false",
     [doc(stmt(), stmt("Deny", action="*",
                       Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))],
     [], [], ALICE, "s3:GetObject", OBJ, {"aws:MultiFactorAuthPresent": False}, XDENY),
    ("BoolIfExists false: deny also when the key is missing (access keys)",
     [doc(stmt(), stmt("Deny", action="*",
                       Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))],
     [], [], ALICE, "s3:GetObject", OBJ, {}, XDENY),
    ("BoolIfExists false: no deny with MFA",
     [doc(stmt(), stmt("Deny", action="*",
                       Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))],
     [], [], ALICE, "s3:GetObject", OBJ, {"aws:MultiFactorAuthPresent": True}, ALLOW),
    ("SecureTransport false denied by bucket policy",
     [doc(stmt())], [doc(stmt("Deny", action="s3:*", resource="arn:aws:s3:::reports/*",
                              Principal="*",
                              Condition={"Bool": {"aws:SecureTransport": "false"}}))], [],
     ALICE, "s3:GetObject", OBJ, {"aws:SecureTransport": False}, XDENY),
    ("StringLike with policy variable: own prefix",
     [doc(stmt(action="s3:ListBucket", resource=BUCKET,
               Condition={"StringLike": {"s3:prefix": "home/${aws:username}/*"}}))], [], [],
     ALICE, "s3:ListBucket", BUCKET, {"s3:prefix": "home/alice/notes"}, ALLOW),
    ("StringLike with policy variable: someone else's prefix",
     [doc(stmt(action="s3:ListBucket", resource=BUCKET,
               Condition={"StringLike": {"s3:prefix": "home/${aws:username}/*"}}))], [], [],
     ALICE, "s3:ListBucket", BUCKET, {"s3:prefix": "home/bob/notes"}, IDENY),
    ("variable in Resource uses the user name (path ignored)",
     [doc(stmt(resource="arn:aws:s3:::reports/home/${aws:username}/*"))], [], [], BOB,
     "s3:GetObject", "arn:aws:s3:::reports/home/bob/a.txt", {}, ALLOW),
    ("variables are literal in version 2008-10-17",
     [doc(stmt(resource="arn:aws:s3:::reports/home/${aws:username}/*"), version="2008-10-17")],
     [], [], BOB, "s3:GetObject", "arn:aws:s3:::reports/home/bob/a.txt", {}, IDENY),
    ("role session has no aws:username: variable matches nothing",
     [doc(stmt(resource="arn:aws:s3:::reports/home/${aws:username}/*"))], [], [], SESSION,
     "s3:GetObject", "arn:aws:s3:::reports/home/alice-laptop/a.txt", {}, IDENY),
    ("DateLessThan before the deadline",
     [doc(stmt(Condition={"DateLessThan": {"aws:CurrentTime": "2026-02-01T00:00:00Z"}}))],
     [], [], ALICE, "s3:GetObject", OBJ, {"aws:CurrentTime": T0}, ALLOW),
    ("DateLessThan after the deadline",
     [doc(stmt(Condition={"DateLessThan": {"aws:CurrentTime": "2025-12-31T23:59:59Z"}}))],
     [], [], ALICE, "s3:GetObject", OBJ, {"aws:CurrentTime": T0}, IDENY),
    ("StringEquals on requested Region",
     [doc(stmt(action="ec2:*", Condition={"StringEquals": {
         "aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}))], [], [], ALICE,
     "ec2:RunInstances", "*", {"aws:RequestedRegion": "us-east-1"}, IDENY),
    ("condition keys are case-insensitive",
     [doc(stmt(Condition={"StringEquals": {"AWS:REQUESTEDREGION": "us-east-1"}}))], [], [],
     ALICE, "s3:GetObject", OBJ, {"aws:RequestedRegion": "us-east-1"}, ALLOW),
    ("two keys in one condition are ANDed",
     [doc(stmt(Condition={"StringEquals": {"aws:RequestedRegion": "us-east-1"},
                          "Bool": {"aws:SecureTransport": "true"}}))], [], [], ALICE,
     "s3:GetObject", OBJ, {"aws:RequestedRegion": "us-east-1", "aws:SecureTransport": False},
     IDENY),
    ("Null true: allowed only without temporary credentials",
     [doc(stmt(Condition={"Null": {"aws:TokenIssueTime": "true"}}))], [], [], ALICE,
     "s3:GetObject", OBJ, {}, ALLOW),
    ("Null true: key present, not allowed",
     [doc(stmt(Condition={"Null": {"aws:TokenIssueTime": "true"}}))], [], [], ALICE,
     "s3:GetObject", OBJ, {"aws:TokenIssueTime": T0}, IDENY),
    ("ForAnyValue: one tag key matches",
     [doc(stmt(action="ec2:CreateTags",
               Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]}}))],
     [], [], ALICE, "ec2:CreateTags", "*", {"aws:TagKeys": ["owner", "team"]}, ALLOW),
    ("ForAllValues: a tag key outside the list",
     [doc(stmt(action="ec2:CreateTags",
               Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}))],
     [], [], ALICE, "ec2:CreateTags", "*", {"aws:TagKeys": ["owner", "team"]}, IDENY),
    ("ForAllValues: key missing counts as true",
     [doc(stmt(action="ec2:CreateTags",
               Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}))],
     [], [], ALICE, "ec2:CreateTags", "*", {}, ALLOW),
    ("role session: aws:PrincipalArn is the role ARN",
     [doc(stmt(Condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/D*"}}))],
     [], [], SESSION, "s3:GetObject", OBJ, {}, ALLOW),
    ("bucket policy alone allows a user in the same account",
     [], [doc(stmt(Principal={"AWS": ALICE}, resource="arn:aws:s3:::reports/*"))], [], ALICE,
     "s3:GetObject", OBJ, {}, ALLOW),
    ("bucket policy naming another user does not allow",
     [], [doc(stmt(Principal={"AWS": BOB}, resource="arn:aws:s3:::reports/*"))], [], ALICE,
     "s3:GetObject", OBJ, {}, IDENY),
    ("bucket policy naming the role allows its sessions",
     [], [doc(stmt(Principal={"AWS": ROLE}, resource="arn:aws:s3:::reports/*"))], [], SESSION,
     "s3:GetObject", OBJ, {}, ALLOW),
    ("account principal delegates: grants nothing by itself",
     [], [doc(stmt(Principal={"AWS": f"arn:aws:iam::{ACCT}:root"}, resource=OBJ))], [],
     ALICE, "s3:GetObject", OBJ, {}, IDENY),
    ("bucket policy Deny beats identity Allow",
     [doc(stmt(action="s3:*"))], [doc(stmt("Deny", Principal="*", resource=OBJ))], [], ALICE,
     "s3:GetObject", OBJ, {}, XDENY),
    ("NotPrincipal Deny spares the listed user",
     [doc(stmt(action="s3:*"))], [doc(stmt("Deny", NotPrincipal={"AWS": ALICE}, resource=OBJ))],
     [], ALICE, "s3:GetObject", OBJ, {}, ALLOW),
    ("boundary allows: identity allow stands",
     [doc(stmt(action="s3:*"))], [], [doc(stmt(action="s3:Get*"))], ALICE,
     "s3:GetObject", OBJ, {}, ALLOW),
    ("boundary caps the identity allow",
     [doc(stmt(action="s3:*"))], [], [doc(stmt(action="s3:Get*"))], ALICE,
     "s3:PutObject", OBJ, {}, IDENY),
    ("boundary alone grants nothing", [], [], [doc(stmt(action="*"))], ALICE,
     "s3:GetObject", OBJ, {}, IDENY),
    ("Deny in the boundary is an explicit deny",
     [doc(stmt(action="s3:*"))], [], [doc(stmt(action="*"), stmt("Deny", action="s3:Get*"))],
     ALICE, "s3:GetObject", OBJ, {}, XDENY),
    ("resource policy naming the user is not capped by the boundary",
     [], [doc(stmt(Principal={"AWS": ALICE}, resource=OBJ))], [doc(stmt(action="ec2:*"))],
     ALICE, "s3:GetObject", OBJ, {}, ALLOW),
    ("resource policy naming the role is capped by the session's boundary",
     [], [doc(stmt(Principal={"AWS": ROLE}, resource=OBJ))], [doc(stmt(action="ec2:*"))],
     SESSION, "s3:GetObject", OBJ, {}, IDENY),
    ("root user: allowed without any policy", [], [], [], ROOT, "iam:CreateUser", "*", {},
     ALLOW),
    ("root user: a bucket policy Deny still applies",
     [], [doc(stmt("Deny", Principal="*", resource=OBJ))], [], ROOT, "s3:GetObject", OBJ, {},
     XDENY),
    ("NumericLessThan on MFA age",
     [doc(stmt(Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}))], [], [],
     ALICE, "s3:GetObject", OBJ, {"aws:MultiFactorAuthAge": 120}, ALLOW),
    ("StringNotEquals with the key missing is true",
     [doc(stmt(Condition={"StringNotEquals": {"aws:PrincipalTag/team": "ops"}}))], [], [],
     ALICE, "s3:GetObject", OBJ, {}, ALLOW),
]


@pytest.mark.parametrize(
    "identity,resource_docs,boundary,principal,action,resource,context,reason",
    [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_evaluation_table(identity: list[Any], resource_docs: list[Any], boundary: list[Any],
                          principal: str, action: str, resource: str, context: dict[str, Any],
                          reason: str) -> None:
    ids = [PolicySource(Policy.parse(d, name=f"p{i}"), "inline", f"p{i}")
           for i, d in enumerate(identity)]
    res = [PolicySource(Policy.parse(d, name="bucket"), "resource", "bucket")
           for d in resource_docs]
    bnd = [PolicySource(Policy.parse(d, name="cap"), "boundary", "cap") for d in boundary]
    d = evaluate(Request(principal, action, resource, context), ids, resource_policies=res,
                 boundaries=bnd)
    assert d.reason == reason, d.summary()
    assert d.allowed is (reason == ALLOW)
    assert bool(d) is d.allowed
    if reason == XDENY:
        assert d.deciding and all(m.statement.effect == "Deny" for m in d.deciding)
    if reason == ALLOW and principal != ROOT:
        assert d.deciding and all(m.statement.effect == "Allow" for m in d.deciding)


def test_table_has_at_least_forty_cases() -> None:
    assert len(CASES) >= 40
    assert {c[-1] for c in CASES} == {ALLOW, XDENY, IDENY}


def test_deciding_statement_names_source_sid_and_index() -> None:
    p = Policy.parse(doc(stmt(action="s3:*"), {**stmt("Deny", action="s3:Delete*"),
                                                 "Sid": "NoDelete"}), name="guard")
    d = evaluate(Request(ALICE, "s3:DeleteObject", OBJ), [PolicySource(p, "inline", "guard")])
    [m] = d.deciding
    assert (m.index, m.statement.sid, m.source.name) == (1, "NoDelete", "guard")
    assert "Deny statement 2 (sid 'NoDelete') of inline policy 'guard'" in d.summary()
    assert "s3:Delete*" in m.why
    assert d.considered == 2


def test_near_miss_reports_failed_condition() -> None:
    p = Policy.parse(doc(stmt(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    d = evaluate(Request(ALICE, "s3:GetObject", OBJ, {"aws:SourceIp": "192.0.2.1"}),
                 [PolicySource(p)])
    assert not d.allowed and d.deciding == []
    [m] = d.near_misses
    [c] = m.checks
    assert (c.ok, c.key, c.actual, c.expected) == (False, "aws:SourceIp", "192.0.2.1",
                                                   ("10.0.0.0/8",))


def test_boundary_block_is_flagged_with_a_note() -> None:
    ident = PolicySource(Policy.parse(doc(stmt(action="s3:*"))))
    cap = PolicySource(Policy.parse(doc(stmt(action="ec2:*"))), "boundary", "cap")
    d = evaluate(Request(ALICE, "s3:GetObject", OBJ), [ident], boundaries=[cap])
    assert d.boundary_blocked and "permissions boundary 'cap' does not" in d.note


def test_policy_source_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        PolicySource(Policy.parse(doc(stmt())), "group")


# -- properties ------------------------------------------------------------------------
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "ec2:RunInstances",
           "iam:CreateUser", "dynamodb:GetItem"]
PATTERNS = ACTIONS + ["*", "s3:*", "s3:Get*", "ec2:*", "iam:Create*"]
RESOURCES = [OBJ, BUCKET, "*", f"arn:aws:dynamodb:us-east-1:{ACCT}:table/Books"]
RPATTERNS = RESOURCES + ["arn:aws:s3:::reports/*", "arn:aws:dynamodb:*:*:table/*"]
CONDS = [None, {"Bool": {"aws:SecureTransport": "true"}},
         {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
         {"StringEqualsIfExists": {"aws:RequestedRegion": "us-east-1"}}]

statements = st.builds(
    lambda effect, acts, not_act, res, cond: {
        "Effect": effect, ("NotAction" if not_act else "Action"): acts, "Resource": res,
        **({"Condition": cond} if cond else {})},
    st.sampled_from(["Allow", "Deny"]),
    st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=3),
    st.booleans(),
    st.lists(st.sampled_from(RPATTERNS), min_size=1, max_size=2),
    st.sampled_from(CONDS),
)
policies = st.lists(statements, min_size=1, max_size=4).map(lambda s: doc(*s))
requests = st.builds(
    lambda a, r, ip, tls: Request(ALICE, a, r, {"aws:SourceIp": ip, "aws:SecureTransport": tls}),
    st.sampled_from(ACTIONS), st.sampled_from(RESOURCES),
    st.sampled_from(["203.0.113.9", "198.51.100.10"]), st.booleans())


def _decide(docs: list[dict[str, Any]], request: Request) -> Decision:
    return evaluate(request, [PolicySource(Policy.parse(d), "inline", f"p{i}")
                              for i, d in enumerate(docs)])


@given(st.lists(policies, min_size=1, max_size=3), statements, requests)
def test_adding_a_deny_never_turns_deny_into_allow(docs: list[dict[str, Any]],
                                                   extra: dict[str, Any],
                                                   request: Request) -> None:
    before = _decide(docs, request)
    after = _decide([*docs, doc({**extra, "Effect": "Deny"})], request)
    if not before.allowed:
        assert not after.allowed
    if before.reason == XDENY:
        assert after.reason == XDENY


@given(st.lists(policies, max_size=3).map(
           lambda ds: [{**d, "Statement": [s for s in d["Statement"] if s["Effect"] == "Allow"]}
                       for d in ds if any(s["Effect"] == "Allow" for s in d["Statement"])]),
       requests)
def test_allow_star_on_star_without_deny_allows_everything(docs: list[dict[str, Any]],
                                                           request: Request) -> None:
    d = _decide([*docs, doc(stmt(action="*", resource="*"))], request)
    assert d.allowed and d.reason == ALLOW


@given(st.lists(policies, min_size=1, max_size=4), requests, st.randoms(use_true_random=False))
def test_evaluation_is_order_independent(docs: list[dict[str, Any]], request: Request,
                                         rnd: Any) -> None:
    shuffled = list(docs)
    rnd.shuffle(shuffled)
    a, b = _decide(docs, request), _decide(shuffled, request)
    assert (a.allowed, a.reason) == (b.allowed, b.reason)


@given(policies, requests)
def test_deny_statement_that_matches_always_decides(d: dict[str, Any],
                                                    request: Request) -> None:
    decision = _decide([d], request)
    assert decision.allowed == (bool(decision.deciding) and decision.reason == ALLOW)
