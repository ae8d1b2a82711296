"""install_call_hooks: a subsystem's before/after-call handlers, attached once per cloud."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import boto3

from cloudlab import Cloud
from cloudlab.cloud.hooks import install_call_hooks


def test_hooks_get_the_cloud_and_are_attached_once_per_key(cloud: Cloud) -> None:
    calls: list[tuple[str, Any, str]] = []

    def before(owner: Any, event_name: str, **kw: Any) -> None:
        calls.append(("before", owner, event_name))

    def after(owner: Any, event_name: str, **kw: Any) -> None:
        calls.append(("after", owner, event_name))

    assert install_call_hooks(cloud, "demo", before=before, after=after) is True
    assert install_call_hooks(cloud, "demo", before=before, after=after) is False
    boto3.client("s3").list_buckets()
    assert calls == [("before", cloud, "before-call.s3.ListBuckets"),
                     ("after", cloud, "after-call.s3.ListBuckets")]


def test_keys_are_independent_and_a_service_filters(cloud: Cloud) -> None:
    seen: list[str] = []
    install_call_hooks(cloud, "all", after=lambda owner, event_name, **kw: seen.append(
        "all " + event_name))
    install_call_hooks(cloud, "ec2 only", service="ec2",
                       after=lambda owner, event_name, **kw: seen.append("ec2 " + event_name))
    cloud.client("s3").list_buckets()
    cloud.client("ec2").describe_vpcs()
    assert seen == ["all after-call.s3.ListBuckets", "all after-call.ec2.DescribeVpcs",
                    "ec2 after-call.ec2.DescribeVpcs"]


def test_a_before_hook_can_answer_the_call(cloud: Cloud) -> None:
    from botocore.awsrequest import AWSResponse

    def answer(owner: Any, event_name: str, **kw: Any) -> Any:
        return AWSResponse("", 200, {}, None), {"Buckets": [{"Name": "from-the-hook"}]}

    install_call_hooks(cloud, "answer", service="s3", before=answer)
    assert cloud.client("s3").list_buckets()["Buckets"][0]["Name"] == "from-the-hook"


def test_the_handlers_do_not_keep_the_cloud_alive() -> None:
    with Cloud(seed=0) as c:
        install_call_hooks(c, "demo", after=lambda owner, event_name, **kw: None)
        ref = weakref.ref(c)
    del c
    gc.collect()
    assert ref() is None
