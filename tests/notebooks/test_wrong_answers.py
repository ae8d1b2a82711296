"""Every graded question fails, with a useful hint, on a plausible wrong answer.

Each case runs a solution's code with a few lines changed (the kind of mistake a learner
makes), then runs that question's checks, hidden ones included, and asserts the hint.
"""

from __future__ import annotations

import pytest
from course_notebooks import run_solution, solution

from cloudlab.checks import run_all

pytestmark = pytest.mark.notebooks

# (lab prefix, question, {solution text: wrong text}, words the hint must contain)
CASES = [
    ("00", "lab00.first_bucket", {'Body=b"Hello, cloud"': 'Body=b"Hello, world"'},
     "should contain exactly 'Hello, cloud'"),
    ("00", "lab00.first_bucket", {'bucket_name = "cloudlab-welcome"': 'bucket_name = "welcome"'},
     "should start with `cloudlab-`"),
    ("00", "lab00.first_bucket",
     {'s3.put_object(Bucket=bucket_name, Key="hello.txt", Body=b"Hello, cloud")': "pass"},
     "no object with the key `hello.txt`"),
    ("00", "lab00.mumbai_azs", {'cloud.client("ec2", region="ap-south-1")': 'cloud.client("ec2")'},
     "your default Region"),
    ("00", "lab00.mumbai_azs", {'z["ZoneName"] for z in zones': 'z["ZoneId"] for z in zones'},
     "should belong to ap-south-1"),
    ("00", "lab00.opening_time", {"cloud.advance(hours=7, minutes=30)": "cloud.advance(9)"},
     "advance(9) means 9 seconds"),
    ("01", "lab01.service_models", {'"Amazon EC2": "IaaS"': '"Amazon EC2": "PaaS"'},
     "Amazon EC2 is not 'PaaS'"),
    ("01", "lab01.service_models", {'"PaaS": "provider"': '"PaaS": "you"'},
     "who patches the operating system"),
    ("01", "lab01.peak_fleet",
     {"peak_rps = traffic.peak(days=1, seed=seed)":
      "peak_rps = (BusinessHours(base_rps=150, peak_rps=900)).peak(days=1, seed=seed)"},
     "below the day's busiest second"),
    ("01", "lab01.peak_fleet",
     {'fixed_size = instances_needed(peak_rps, "m5.large")':
      'fixed_size = int(peak_rps // instance_type("m5.large").rps)'},
     "round *up*"),
    ("01", "lab01.peak_fleet",
     {"MinCount=fixed_size, MaxCount=fixed_size": "MinCount=1, MaxCount=1"},
     "1 m5.large instances are running, but `fixed_size` is"),
    ("01", "lab01.peak_fleet", {"ImageId=ami_id": 'ImageId="ami-12c6146b"'},
     "Amazon Linux 2023 AMI"),
    ("01", "lab01.elasticity_savings",
     {"savings_pct = 100 * (1 - elastic_cost / fixed_cost)":
      "savings_pct = 100 * (fixed_cost - elastic_cost) / elastic_cost"},
     "you divided by the elastic cost"),
    ("01", "lab01.elasticity_savings",
     {"savings_pct = 100 * (1 - elastic_cost / fixed_cost)":
      "savings_pct = 1 - elastic_cost / fixed_cost"},
     "is a fraction"),
    ("01", "lab01.elasticity_savings",
     {'"elastic": ElasticFleet("m5.large", target_utilization=0.7)':
      '"elastic": ElasticFleet("m5.large", target_utilization=0.95)'},
     "is not ElasticFleet('m5.large', target_utilization=0.7)"),
    ("01", "lab01.scale_up_vs_out",
     {"scale_up_type = smallest_type_for(peak_rps).name": 'scale_up_type = "m5.4xlarge"'},
     "less than the peak"),
    ("01", "lab01.scale_up_vs_out",
     {"scale_up_type = smallest_type_for(peak_rps).name": 'scale_up_type = "m5.24xlarge"'},
     "a cheaper single type does too"),
    ("01", "lab01.scale_up_vs_out",
     {'no_single_point_of_failure = "scale out"': 'no_single_point_of_failure = "scale up"'},
     "if the one big instance fails"),
    ("01", "lab01.test_servers",
     {'ScheduledFleet("t3.medium", 4, days="Mon-Fri", start_h=9, end_h=17)':
      'ScheduledFleet("t3.medium", 4, days="Mon-Sun", start_h=0, end_h=24)'},
     "ran as long as the always-on one"),
    ("01", "lab01.test_servers",
     {'"always on": FixedFleet("t3.medium", 4)': '"always on": FixedFleet("t3.large", 4)'},
     "should be FixedFleet('t3.medium', 4)"),
    ("01", "lab01.test_servers", {"}), days=7)": "}), days=5)"},
     "run the experiment for days=7"),
    ("02", "lab02.root_and_admin", {"enable_root_mfa(cloud)\n": "\n"},
     "the root user has no MFA yet"),
    ("02", "lab02.root_and_admin",
     {'user_client("ce", admin_key).get_cost_and_usage(': 'cloud.client("ce").get_cost_and_usage('},
     "did you call it with the admin user's key"),
    ("02", "lab02.analysts",
     {'iam.put_group_policy(GroupName="analysts", PolicyName="read-reports",\n'
      '                     PolicyDocument=json.dumps(analyst_policy))':
      'iam.attach_group_policy(GroupName="analysts",\n'
      '                        PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")'},
     "reading payroll as alice should fail with AccessDenied"),
    ("02", "lab02.analysts",
     {'"Action": "s3:ListBucket",\n         "Resource": "arn:aws:s3:::cloudlab-reports"}':
      '"Action": "s3:ListBucket",\n         "Resource": "arn:aws:s3:::cloudlab-reports/*"}'},
     "allow s3:ListBucket on the bucket ARN"),
    ("02", "lab02.analysts",
     {'"Action": "s3:GetObject",\n         "Resource": "arn:aws:s3:::cloudlab-reports/*"}':
      '"Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],\n'
      '         "Resource": "arn:aws:s3:::cloudlab-reports/*"}'},
     "alice may do more than read reports"),
    ("02", "lab02.instance_role",
     {'"Principal": {"Service": "ec2.amazonaws.com"}':
      '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}'},
     "EC2 cannot assume app-server"),
    ("02", "lab02.instance_role",
     {'"Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/sessions"}': '"Resource": "*"}'},
     "allow only GetItem and PutItem on the sessions table"),
    ("02", "lab02.instance_role", {',\n    IamInstanceProfile={"Name": "app-server"})': ")"},
     "launch the instance with IamInstanceProfile"),
    ("02", "lab02.vendor_role", {"cloud.advance(hours=2)": "cloud.advance(minutes=30)"},
     "the second read still worked"),
    ("02", "lab02.vendor_role",
     {'"Action": "sts:AssumeRole",\n': '"Action": "sts:GetCallerIdentity",\n'},
     "vendor cannot assume vendor-support"),
    ("02", "lab02.rotate_key",
     {'iam.delete_access_key(UserName="alice", AccessKeyId=old_key_id)': "pass"},
     "the old key still exists"),
]


@pytest.mark.parametrize(
    ("prefix", "name", "replace", "hint"), CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)]
)
def test_wrong_answer_fails_with_hint(
    prefix: str, name: str, replace: dict[str, str], hint: str
) -> None:
    namespace = run_solution(solution(prefix), replace)
    try:
        lab = name.split(".")[0]
        result = {q.name: q for q in run_all(lab, namespace, include_hidden=True)}[name]
    finally:
        namespace["cloud"].stop()
    assert result.score < result.max_score, f"{name} accepted a wrong answer"
    assert hint in result.hint, result.hint


def test_every_graded_question_has_a_wrong_answer_case() -> None:
    from cloudlab.checks import lab_questions

    covered = {c[1] for c in CASES}
    for lab in ("lab00", "lab01", "lab02"):
        for q in lab_questions(lab):
            assert q.name in covered, f"{q.name} has no wrong-answer case"
