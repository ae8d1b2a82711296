"""Policy parsing: accepted shapes, and MalformedPolicy messages that say what and where."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloudlab.errors import CloudLabError, MalformedPolicy
from cloudlab.iam import Policy
from cloudlab.iam.matching import match_action, match_arn, substitute

GOOD = {"Version": "2012-10-17", "Statement": [
    {"Sid": "S3Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
    {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"},
]}


def test_parse_accepts_string_or_list_and_json_text() -> None:
    p = Policy.parse(json.dumps(GOOD), name="read")
    assert p.name == "read" and p.version == "2012-10-17" and p.variables
    s1, s2 = p.statements
    assert s1.sid == "S3Read" and s1.actions == ("s3:GetObject", "s3:ListBucket")
    assert s1.conditions[0].operator == "Bool" and s1.conditions[0].values == ("true",)
    assert s2.sid is None and s2.not_actions == ("iam:*",) and s2.resources == ("*",)


def test_single_statement_object_and_round_trip() -> None:
    p = Policy.parse({"Version": "2012-10-17",
                      "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}})
    assert len(p.statements) == 1
    again = Policy.parse(p.to_dict())
    assert again.to_dict() == p.to_dict()
    assert Policy.parse(GOOD).to_dict()["Statement"][0]["Condition"] == {
        "Bool": {"aws:SecureTransport": ["true"]}}


def test_trust_policy_needs_no_resource() -> None:
    p = Policy.parse({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}, kind="trust")
    assert p.statements[0].principals == {"Service": ("ec2.amazonaws.com",)}
    star = Policy.parse({"Statement": [{"Effect": "Allow", "Principal": "*",
                                        "Action": "s3:GetObject", "Resource": "*"}]})
    assert star.statements[0].principals == {"AWS": ("*",)} and not star.variables


def stmt(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def pol(*statements: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements), **top}


MALFORMED = [
    ("bad json", '{"Version": "2012-10-17",}', "not valid JSON"),
    ("not an object", "[1, 2]", "must be a JSON object"),
    ("bad version", pol(stmt(), Version="2024-01-01"),
     'Version must be "2012-10-17" or "2008-10-17", got \'2024-01-01\''),
    ("missing statement", {"Version": "2012-10-17"}, 'missing "Statement"'),
    ("empty statement list", pol(), "non-empty list"),
    ("misspelt top key", {"Version": "2012-10-17", "Statements": [stmt()]},
     "unknown element 'Statements'; did you mean \"Statement\"?"),
    ("lower-case effect", pol(stmt(), stmt(Sid="S3Read", Effect="allow")),
     'statement 2 (sid \'S3Read\'): Effect must be "Allow" or "Deny", got "allow"'),
    ("missing effect", pol(stmt(Effect=None)), "statement 1: missing Effect"),
    ("action and notaction", pol(stmt(NotAction="s3:PutObject")),
     "statement 1: Action and NotAction both present"),
    ("no action", pol(stmt(Action=None)), "statement 1: missing Action (or NotAction)"),
    ("no resource", pol(stmt(Resource=None)), "missing Resource (or NotResource)"),
    ("resource and notresource", pol(stmt(NotResource="arn:aws:s3:::x")),
     "Resource and NotResource both present"),
    ("bare bucket name", pol(stmt(Resource="reports")),
     "resource 'reports' is not an ARN; write \"*\" or an ARN such as "
     "\"arn:aws:s3:::reports\""),
    ("action without service", pol(stmt(Action="GetObject")),
     "action 'GetObject' must look like \"service:Action\""),
    ("empty action list", pol(stmt(Action=[])), "Action must be a string or a non-empty list"),
    ("unknown operator", pol(stmt(Condition={"StringEqual": {"aws:username": "a"}})),
     'unknown condition operator "StringEqual"; did you mean "StringEquals"?'),
    ("wrong case operator", pol(stmt(Condition={"stringequals": {"aws:username": "a"}})),
     'did you mean "StringEquals"?'),
    ("bad set prefix", pol(stmt(Condition={"ForSomeValues:StringEquals": {"k": "a"}})),
     '"ForSomeValues:" is not a set operator'),
    ("null ifexists", pol(stmt(Condition={"NullIfExists": {"k": "true"}})),
     'unknown condition operator "NullIfExists"'),
    ("bad cidr", pol(stmt(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}})),
     "Condition IpAddress aws:SourceIp: IpAddress needs an IP address or CIDR block"),
    ("bad bool", pol(stmt(Condition={"Bool": {"aws:SecureTransport": "yes"}})),
     'Bool needs "true" or "false", got \'yes\''),
    ("bad date", pol(stmt(Condition={"DateLessThan": {"aws:CurrentTime": "tomorrow"}})),
     "DateLessThan needs an ISO 8601 date"),
    ("bad number", pol(stmt(Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "x"}})),
     "NumericLessThan needs a number"),
    ("condition not a map", pol(stmt(Condition={"StringEquals": "a"})),
     "Condition StringEquals must map condition keys to values"),
    ("duplicate sid", pol(stmt(Sid="A"), stmt(Sid="A")), "statement 2: duplicate Sid 'A'"),
    ("unknown statement key", pol(stmt(Efect="Allow")),
     "unknown element 'Efect'; did you mean \"Effect\"?"),
    ("principal in identity policy", pol(stmt(Principal="*")),
     "Principal is not allowed in an identity-based policy"),
    ("bad principal type", pol(stmt(Principal={"Aws": "*"})),
     "Principal type 'Aws' is not one of AWS, Service, Federated, CanonicalUser; "
     'did you mean "AWS"?'),
]


@pytest.mark.parametrize("document,message", [m[1:] for m in MALFORMED],
                         ids=[m[0] for m in MALFORMED])
def test_malformed_policy_messages(document: Any, message: str) -> None:
    kind = "auto" if "Principal" not in json.dumps(document) or "Aws" in json.dumps(document) \
        else "identity"
    with pytest.raises(MalformedPolicy) as err:
        Policy.parse(document, name="mine", kind=kind)
    assert message in str(err.value)
    assert str(err.value).startswith("policy 'mine': ")
    assert isinstance(err.value, CloudLabError) and isinstance(err.value, ValueError)


def test_resource_policy_needs_principal() -> None:
    with pytest.raises(MalformedPolicy, match="missing Principal; a resource policy"):
        Policy.parse(pol(stmt()), kind="resource")


def test_unknown_kind_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        Policy.parse(pol(stmt()), kind="bucket")


@pytest.mark.parametrize("pattern,action,expected", [
    ("s3:*", "s3:GetObject", True), ("S3:GET*", "s3:getobject", True),
    ("s3:Get?bject", "s3:GetObject", True), ("s3:Get?", "s3:GetObject", False),
    ("*", "ec2:RunInstances", True), ("ec2:*", "s3:GetObject", False),
])
def test_match_action(pattern: str, action: str, expected: bool) -> None:
    assert match_action(pattern, action) is expected


@pytest.mark.parametrize("pattern,arn,expected", [
    ("arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c", True),
    ("arn:aws:s3:::b/*", "arn:aws:s3:::B/a", False),
    ("arn:aws:s3:::b", "arn:aws:s3:::b/a", False),
    ("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", True),
    ("arn:aws:ec2:*:instance/*", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", False),
    ("arn:aws:iam::*", "arn:aws:iam::123456789012:user/a", True),
    ("arn:aws:sqs:us-east-?:123456789012:q", "arn:aws:sqs:us-east-1:123456789012:q", True),
    ("*", "*", True), ("arn:aws:s3:::*", "*", False),
])
def test_match_arn(pattern: str, arn: str, expected: bool) -> None:
    assert match_arn(pattern, arn) is expected


def test_variables_substitute_defaults_escapes_and_literals() -> None:
    ctx = {"aws:username": "al*ce"}
    assert substitute("home/${aws:username}/", ctx) == "home/al*ce/"
    assert substitute("${aws:PrincipalTag/team, 'none'}", ctx) == "none"
    assert substitute("a${*}b${$}", ctx) == "a*b$"
    assert substitute("${aws:userid}", ctx) is None
    assert substitute("${aws:username}", None) == "${aws:username}"
    # a substituted * is literal, not a wildcard
    assert match_arn("arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/al*ce", ctx)
    assert not match_arn("arn:aws:s3:::b/${aws:username}", "arn:aws:s3:::b/alice", ctx)
