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
    ("03", "lab03.key_pair", {"os.chmod(copy, 0o644)": "os.chmod(copy, 0o400)"},
     "it should report a problem"),
    ("03", "lab03.key_pair", {"key_mode = oct(os.stat(key).st_mode & 0o777)": "key_mode = 400"},
     "`key_mode` should be the string"),
    ("03", "lab03.web_tier",
     {'"FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": OFFICE}]':
      '"FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]'},
     "anyone on the internet can open SSH"),
    ("03", "lab03.web_tier",
     {'{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,':
      '{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 8080,'},
     "is open to the internet: allow only 80 and 443"),
    ("03", "lab03.web_tier",
     {'                        "AssociatePublicIpAddress": True}],':
      '                        "AssociatePublicIpAddress": False}],'},
     "the web server has no public IP"),
    ("03", "lab03.web_tier",
     {"ssh_blocked_by = reachable(cloud, \"internet\", web_id, 22).blocked_by.kind":
      "ssh_blocked_by = reachable(cloud, \"internet\", web_id, 22).blocked_by.id"},
     "`ssh_blocked_by` should be the kind of the blocking hop"),
    ("03", "lab03.db_tier",
     {'"UserIdGroupPairs": [{"GroupId": web_sg}]}': '"IpRanges": [{"CidrIp": "10.0.0.0/16"}]}'},
     "use the web security group as the source"),
    ("03", "lab03.db_tier",
     {'{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,':
      '{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535,'},
     "allow only 5432"),
    ("03", "lab03.cidr",
     {"usable_per_quarter = usable_addresses(quarters[0])":
      "usable_per_quarter = address_count(quarters[0])"},
     "AWS reserves 5 addresses"),
    ("03", "lab03.cidr", {'quarters = split("10.0.0.0/16", count=4)':
                          'quarters = split("10.0.0.0/16", count=4)[::-1]'},
     "the four /18 blocks of 10.0.0.0/16, in order"),
    ("04", "lab04.default_vpc",
     {'default_vpc_cidr = default_vpc["CidrBlock"]': 'default_vpc_cidr = "10.0.0.0/16"'},
     "CidrBlock of the VPC whose isDefault is true"),
    ("04", "lab04.subnets",
     {'"private-b": ("10.0.11.0/24", az_b)}': '"private-b": ("10.0.11.0/24", az_a)}'},
     "each AZ should hold one public and one private subnet"),
    ("04", "lab04.subnets",
     {'"public-b": ("10.0.1.0/24", az_b),': '"public-b": ("10.0.1.0/24", az_a),',
      '"private-b": ("10.0.11.0/24", az_b)}': '"private-b": ("10.0.11.0/24", az_a)}'},
     "are in the same AZ"),
    ("04", "lab04.routes", {'for name in ("public-a", "public-b"):\n    ec2.associate':
                            'for name in ("public-a",):\n    ec2.associate'},
     "public-b has no route 0.0.0.0/0 to the internet gateway"),
    ("04", "lab04.routes",
     {'ec2.create_route(RouteTableId=private_rtb, DestinationCidrBlock="0.0.0.0/0", '
      'NatGatewayId=nat_id)':
      'ec2.create_route(RouteTableId=private_rtb, DestinationCidrBlock="0.0.0.0/0", '
      'GatewayId=igw_id)'},
     "routes 0.0.0.0/0 to the internet gateway: that makes it public"),
    ("04", "lab04.routes",
     {'nat_id = ec2.create_nat_gateway(SubnetId=subnets["public-a"],':
      'nat_id = ec2.create_nat_gateway(SubnetId=subnets["private-a"],'},
     "the NAT gateway must sit in a public subnet"),
    ("04", "lab04.proof",
     {"app_from_web = reachable(cloud, web_id, app_id, 8080).reachable": "app_from_web = False"},
     "`app_from_web` should be True"),
    ("04", "lab04.proof",
     {"blocked_kind = from_internet.blocked_by.kind": "blocked_kind = from_internet.blocked_by.id"},
     "`blocked_kind` should be the .kind"),
    ("07", "lab07.incremental",
     {"    if day > 0:\n        write_blocks(cloud, data_vol, gib=2)\n": ""},
     "the application changes 2 GiB a day"),
    ("07", "lab07.incremental", {"    cloud.advance(days=1)\n": "    cloud.advance(hours=1)\n"},
     "take one snapshot a day"),
    ("07", "lab07.incremental",
     {"stored_gib = storage.stored_gib": "stored_gib = storage.full_copies_gib"},
     "snapshots are incremental"),
    ("07", "lab07.incremental",
     {"monthly_savings_usd = (full_copies_gib - stored_gib) * 0.05":
      "monthly_savings_usd = full_copies_gib - stored_gib"},
     "multiply by the standard-tier snapshot price"),
    ("07", "lab07.delete_oldest",
     {'oldest_id = by_age[0]["SnapshotId"]': 'oldest_id = by_age[1]["SnapshotId"]'},
     "the snapshot with the earliest StartTime"),
    ("07", "lab07.delete_oldest",
     {"freed_gib = before - snapshot_storage(cloud).stored_gib":
      "freed_gib = snapshot_usage(cloud, newest_id).full_gib"},
     "does not free all its data"),
    ("07", "lab07.delete_oldest",
     {"restored_vol = ec2.create_volume(AvailabilityZone=az, SnapshotId=newest_id,":
      "restored_vol = ec2.create_volume(AvailabilityZone=az, SnapshotId=daily_snapshots[1],"},
     "restore from the newest snapshot"),
    ("07", "lab07.disaster_recovery",
     {"dr_volume = dr_ec2.create_volume(AvailabilityZone=DR_AZ,":
      'dr_volume = dr_ec2.create_volume(AvailabilityZone="us-west-2a",'},
     "create it in DR_AZ"),
    ("07", "lab07.disaster_recovery",
     {"dr_snapshot = dr_ec2.copy_snapshot(SourceSnapshotId=newest_id,":
      "dr_snapshot = dr_ec2.copy_snapshot(SourceSnapshotId=daily_snapshots[1],"},
     "copy the newest daily snapshot"),
    ("07", "lab07.prewarm", {"cloud.advance(seconds=prewarm.eta_s)\n": ""},
     "was read when it was only 0% initialised"),
    ("07", "lab07.prewarm",
     {"cold_p99_ms = read_blocks(cloud, cold_vol, gib=1).p99_ms":
      "cold_p99_ms = read_blocks(cloud, cold_vol, gib=1).p50_ms"},
     "`cold_p99_ms` should be the p99_ms of the first read"),
    ("07", "lab07.grow_in_place",
     {"ec2.modify_volume(VolumeId=data_vol, Size=200, Iops=4000)":
      "ec2.modify_volume(VolumeId=data_vol, Size=200)"},
     "4,000 IOPS in one call"),
    ("07", "lab07.grow_in_place",
     {"ec2.modify_volume(VolumeId=data_vol, Size=200, Iops=4000)":
      'ec2.detach_volume(VolumeId=data_vol, InstanceId=instance_id, Device="/dev/sdf")\n'
      'ec2.attach_volume(VolumeId=data_vol, InstanceId=instance_id, Device="/dev/sdf")\n'
      "ec2.modify_volume(VolumeId=data_vol, Size=200, Iops=4000)"},
     "change a volume in place"),
    ("07", "lab07.grow_in_place",
     {"filesystem_gib = extend_file_system(cloud, data_vol)":
      "filesystem_gib = volume_usage(cloud, data_vol).size_gib"},
     "its file system did not"),
]



def _more_cases() -> list[tuple[str, str, dict[str, str], str]]:
    """Cases of later labs live next to this file, one module per lab
    (``wrong_cases_lab05.py`` with a ``CASES`` list), so labs are written independently."""
    import importlib.util
    from pathlib import Path

    found = []
    for path in sorted(Path(__file__).parent.glob("wrong_cases_lab*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found.extend(module.CASES)
    return found


CASES += _more_cases()


@pytest.mark.parametrize(
    ("prefix", "name", "replace", "hint"), CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)]
)
def test_wrong_answer_fails_with_hint(
    prefix: str, name: str, replace: dict[str, str], hint: str
) -> None:
    namespace = run_solution(solution(prefix), replace, stop_after=name)
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
    from pathlib import Path

    import cloudlab.checks

    labs = sorted(p.stem for p in Path(cloudlab.checks.__file__).parent.glob("lab[0-9]*.py"))
    assert len(labs) >= 6
    for lab in labs:
        for q in lab_questions(lab):
            assert q.name in covered, f"{q.name} has no wrong-answer case"
