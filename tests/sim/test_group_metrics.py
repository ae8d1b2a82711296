"""Auto Scaling group metrics: enabled with the API, published every minute, read with boto3."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from webstack import build_stack

from cloudlab import Cloud


@pytest.fixture
def cloud() -> Cloud:
    c = Cloud(seed=3)
    yield c
    c.stop()


def _points(cloud: Cloud, metric: str) -> list[float]:
    answer = cloud.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/AutoScaling", MetricName=metric,
        Dimensions=[{"Name": "AutoScalingGroupName", "Value": "web"}],
        StartTime=cloud.now - timedelta(hours=1), EndTime=cloud.now, Period=60,
        Statistics=["Maximum"])
    return [p["Maximum"] for p in sorted(answer["Datapoints"], key=lambda p: p["Timestamp"])]


def test_enabled_group_metrics_count_pending_then_in_service(cloud: Cloud) -> None:
    build_stack(cloud, asg={"DesiredCapacity": 3})
    asg = cloud.client("autoscaling")
    asg.enable_metrics_collection(AutoScalingGroupName="web", Granularity="1Minute",
                                  Metrics=["GroupInServiceInstances", "GroupDesiredCapacity"])
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]
    assert {m["Metric"] for m in group["EnabledMetrics"]} == {"GroupInServiceInstances",
                                                                "GroupDesiredCapacity"}
    cloud.advance(minutes=3)
    assert _points(cloud, "GroupDesiredCapacity") == [3.0, 3.0, 3.0]
    assert _points(cloud, "GroupInServiceInstances") == [3.0, 3.0, 3.0]  # running after 20 s
    assert _points(cloud, "GroupPendingInstances") == []                 # not enabled
    asg.set_desired_capacity(AutoScalingGroupName="web", DesiredCapacity=5)
    cloud.advance(seconds=10)
    asg.enable_metrics_collection(AutoScalingGroupName="web", Granularity="1Minute")
    cloud.advance(seconds=50)  # the next minute's datapoints: all metrics, the new size
    assert _points(cloud, "GroupDesiredCapacity")[-1] == 5.0
    assert _points(cloud, "GroupTotalInstances")[-1] == 5.0


def test_disabling_stops_the_datapoints(cloud: Cloud) -> None:
    build_stack(cloud, asg={})
    asg = cloud.client("autoscaling")
    asg.enable_metrics_collection(AutoScalingGroupName="web", Granularity="1Minute")
    cloud.advance(minutes=2)
    asg.disable_metrics_collection(AutoScalingGroupName="web")  # moto crashes on this
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]
    assert group["EnabledMetrics"] == []
    cloud.advance(minutes=3)
    assert len(_points(cloud, "GroupTotalInstances")) == 2


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"Granularity": "5Minute"}, "1Minute"),
    ({"Granularity": "1Minute", "Metrics": ["GroupCPU"]}, "GroupCPU"),
    ({"Granularity": "1Minute", "AutoScalingGroupName": "nope"}, "nope"),
])
def test_what_aws_refuses_is_refused(cloud: Cloud, kwargs: dict[str, object], word: str) -> None:
    build_stack(cloud, asg={})
    with pytest.raises(ClientError) as err:
        cloud.client("autoscaling").enable_metrics_collection(
            **{"AutoScalingGroupName": "web", **kwargs})
    assert err.value.response["Error"]["Code"] == "ValidationError"
    assert word in err.value.response["Error"]["Message"]
