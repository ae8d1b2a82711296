"""Checks for lab 00 (welcome): a first bucket, AZs of a Region, the virtual clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from cloudlab.checks import question

GREETING = "Hello, cloud"


@question("lab00.first_bucket", points=1, title="A bucket with a greeting")
def first_bucket(bucket_name: Any, cloud: Any) -> None:
    assert isinstance(bucket_name, str), (
        f"`bucket_name` should be the bucket's name as a string, got {type(bucket_name).__name__}"
    )
    assert bucket_name.startswith("cloudlab-"), (
        f"the bucket name should start with `cloudlab-`, got {bucket_name!r}"
    )
    s3 = cloud.client("s3")
    try:
        s3.head_bucket(Bucket=bucket_name)
    except ClientError:
        raise AssertionError(
            f"there is no bucket {bucket_name!r} in your mini cloud yet: call "
            "s3.create_bucket(Bucket=bucket_name)"
        ) from None
    try:
        body = s3.get_object(Bucket=bucket_name, Key="hello.txt")["Body"].read()
    except ClientError:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket_name).get("Contents", [])]
        raise AssertionError(
            f"the bucket exists, but has no object with the key `hello.txt` (keys found: "
            f"{keys or 'none'}); upload it with s3.put_object(...)"
        ) from None
    text = body.decode("utf-8", errors="replace").strip()
    assert text == GREETING, (
        f"hello.txt contains {text[:40]!r}; it should contain exactly {GREETING!r}"
    )


@question("lab00.mumbai_azs", points=1, title="How many AZs in Mumbai?")
def mumbai_count(mumbai_az_count: Any, cloud: Any) -> None:
    expected = len(cloud.azs("ap-south-1"))
    assert isinstance(mumbai_az_count, int) and not isinstance(mumbai_az_count, bool), (
        f"`mumbai_az_count` should be a whole number, got {mumbai_az_count!r}"
    )
    if mumbai_az_count == len(cloud.azs()):
        assert mumbai_az_count == expected, (
            f"{mumbai_az_count} is the number of AZs in {cloud.region}, your default Region; "
            "create the client with region='ap-south-1'"
        )
    assert mumbai_az_count == expected, (
        f"{mumbai_az_count} is not what describe_availability_zones reports for ap-south-1; "
        "count the entries of response['AvailabilityZones']"
    )


@question("lab00.mumbai_azs", points=1, hidden=True)
def mumbai_names(mumbai_azs: Any, cloud: Any) -> None:
    expected = cloud.azs("ap-south-1")
    assert isinstance(mumbai_azs, list), "`mumbai_azs` should be a list of zone names"
    assert all(str(z).startswith("ap-south-1") for z in mumbai_azs), (
        "every zone in `mumbai_azs` should belong to ap-south-1 (names like ap-south-1a)"
    )
    assert mumbai_azs == expected, (
        f"`mumbai_azs` should be the sorted zone names {expected}, got {mumbai_azs}"
    )


@question("lab00.opening_time", points=1, title="Open for business")
def opening_time(opening_time: Any, cloud: Any) -> None:
    assert isinstance(opening_time, datetime), (
        f"`opening_time` should be `cloud.now` (a datetime), got {type(opening_time).__name__}"
    )
    target = cloud.clock.start + timedelta(hours=9)
    if opening_time < target:
        gap = target - opening_time
        raise AssertionError(
            f"it is only {opening_time:%H:%M:%S} on {opening_time:%A}: advance the clock by "
            f"another {gap} (remember: advance(9) means 9 seconds; use hours=/minutes=)"
        )
    assert opening_time == target, (
        f"you went past opening time: {opening_time:%A %H:%M:%S}, expected Monday 09:00:00. "
        "Time only moves forward: restart the kernel and run from the top"
    )
