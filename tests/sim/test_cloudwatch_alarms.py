"""CloudWatch alarm evaluation on the virtual clock, its history and its actions
(cloudlab.sim.cloudwatch.alarms, evaluation, history, actions, validation)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudlab import Cloud
from cloudlab.sim.cloudwatch import (
    AlarmTransition,
    alarms,
    metrics,
    register_alarm_action,
    unregister_alarm_action,
)
from cloudlab.sim.cloudwatch.evaluation import breaches, choose, decide

CPU = ("AWS/EC2", "CPUUtilization", {"InstanceId": "i-1"})
CW_DIMS = [{"Name": "InstanceId", "Value": "i-1"}]
ASG_POLICY = ("arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1234:"
              "autoScalingGroupName/web:policyName/scale-out")


@pytest.fixture
def cloud() -> Iterator[Cloud]:
    c = Cloud(seed=1)
    try:
        yield c
    finally:
        c.stop()


def put_alarm(cloud: Cloud, name: str = "cpu-high", **overrides: Any) -> None:
    params: dict[str, Any] = dict(
        AlarmName=name, Namespace="AWS/EC2", MetricName="CPUUtilization", Dimensions=CW_DIMS,
        Statistic="Average", Period=60, EvaluationPeriods=3, DatapointsToAlarm=3,
        Threshold=75.0, ComparisonOperator="GreaterThanThreshold")
    params.update(overrides)
    params = {k: v for k, v in params.items() if v is not None}
    cloud.client("cloudwatch").put_metric_alarm(**params)


def feed(cloud: Cloud, values: list[float | None], first_minute: int = 0) -> None:
    """One CPU datapoint in the middle of each minute (None: no datapoint)."""
    store = metrics(cloud)
    for i, v in enumerate(values):
        if v is not None:
            store.put(*CPU, (first_minute + i) * 60 + 30, v, unit="Percent")


def described(cloud: Cloud, name: str = "cpu-high") -> dict[str, Any]:
    (alarm,) = cloud.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return alarm


def states(engine: Any) -> list[tuple[float, str]]:
    return [(t.t_s, t.new_state) for t in engine.history]


# -- AWS semantics ---------------------------------------------------------------------------

def test_three_out_of_three_alarms_on_the_third_breaching_minute(cloud):
    engine = alarms(cloud)
    put_alarm(cloud)
    assert described(cloud)["StateValue"] == "INSUFFICIENT_DATA"  # as on AWS, not moto's OK
    feed(cloud, [50, 50, 50, 50, 50, 81, 82, 83, 84])
    cloud.advance(minutes=7)  # two breaching minutes (5 and 6) are complete
    assert states(engine) == [(60.0, "OK")]
    assert described(cloud)["StateValue"] == "OK"
    cloud.advance(minutes=1)  # 00:08:00: minute 7 (00:07-00:08) is the third breach
    assert states(engine) == [(60.0, "OK"), (480.0, "ALARM")]
    alarm = described(cloud)
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"] == (
        "Threshold Crossed: 3 out of the last 3 datapoints [83.0 (05/01/26 00:07:00), "
        "82.0 (05/01/26 00:06:00), 81.0 (05/01/26 00:05:00)] were greater than the "
        "threshold (75.0) (minimum 3 datapoints for OK -> ALARM transition).")
    assert alarm["StateUpdatedTimestamp"] == cloud.clock.start + timedelta(minutes=8)
    data = json.loads(alarm["StateReasonData"])
    assert data["recentDatapoints"] == [81.0, 82.0, 83.0] and data["threshold"] == 75.0


def test_two_out_of_three_needs_any_two_breaches_in_the_last_three(cloud):
    engine = alarms(cloud)
    put_alarm(cloud, DatapointsToAlarm=2)
    feed(cloud, [50, 50, 50, 90, 50, 50, 90, 50, 90, 50, 50, 50])
    cloud.advance(minutes=12)
    # at 00:09 minutes 6, 7, 8 are 90, 50, 90: two breaches -> ALARM; at 00:10 minutes
    # 7, 8, 9 are 50, 90, 50: one -> OK
    assert states(engine) == [(60.0, "OK"), (540.0, "ALARM"), (600.0, "OK")]
    assert described(cloud)["StateReason"].endswith(
        "(minimum 2 datapoints for ALARM -> OK transition).")


@pytest.mark.parametrize(("treat", "expected"), [
    # at 00:07 the range (minutes 2-6) holds two breaching datapoints, one fewer than
    # EvaluationPeriods: the third is filled in per TreatMissingData
    ("missing", [(60.0, "OK"), (240.0, "ALARM"), (420.0, "INSUFFICIENT_DATA")]),
    ("breaching", [(60.0, "OK"), (240.0, "ALARM")]),
    ("notBreaching", [(60.0, "OK"), (240.0, "ALARM"), (420.0, "OK")]),
    ("ignore", [(60.0, "OK"), (240.0, "ALARM")]),
])
def test_treat_missing_data_when_the_metric_stops(cloud, treat, expected):
    engine = alarms(cloud)
    put_alarm(cloud, TreatMissingData=treat)
    feed(cloud, [50, 90, 90, 90])  # then nothing from minute 4 on
    cloud.advance(minutes=12)
    assert states(engine) == expected


@pytest.mark.parametrize(("points", "m", "expected"), [
    # The two tables of "How alarm state is evaluated when data is missing" (CloudWatch
    # User Guide): N = 3, 5 datapoints retrieved, oldest first; 0 = not breaching,
    # X = breaching, - = missing. Columns: MISSING, IGNORE, BREACHING, NOT BREACHING.
    ("0-X-X", 3, ("OK", "OK", "OK", "OK")),
    ("0----", 3, ("OK", "OK", "OK", "OK")),
    ("-----", 3, ("INSUFFICIENT_DATA", None, "ALARM", "OK")),
    ("0XX-X", 3, ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("----X", 3, ("INSUFFICIENT_DATA", None, "ALARM", "OK")),
    ("0-X-X", 2, ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("00X0X", 2, ("ALARM", "ALARM", "ALARM", "ALARM")),
    ("0-X--", 2, ("OK", "OK", "ALARM", "OK")),
    ("----0", 2, ("OK", "OK", "ALARM", "OK")),
    ("----X", 2, ("INSUFFICIENT_DATA", None, "ALARM", "OK")),
])
def test_the_aws_missing_data_tables(points, m, expected):
    values = [{"0": 10.0, "X": 90.0, "-": float("nan")}[c] for c in points]
    hits = breaches(np.array(values), "GreaterThanThreshold", 50.0).tolist()
    got = tuple(choose(values, hits, 3, m, treat)[0]
                for treat in ("missing", "ignore", "breaching", "notBreaching"))
    assert got == expected


@pytest.mark.parametrize(("operator", "values", "state"), [
    ("LessThanThreshold", [20, 20, 20], "OK"),  # equal is not less
    ("LessThanThreshold", [19.5, 10, 0], "ALARM"),
    ("LessThanOrEqualToThreshold", [20, 20, 20], "ALARM"),
    ("LessThanOrEqualToThreshold", [20, 20, 20.5], "OK"),
    ("GreaterThanOrEqualToThreshold", [20, 20, 20], "ALARM"),
])
def test_comparison_operators(cloud, operator, values, state):
    engine = alarms(cloud)
    put_alarm(cloud, ComparisonOperator=operator, Threshold=20.0)
    feed(cloud, values)
    cloud.advance(minutes=3)
    assert engine.state("cpu-high") == state
    assert described(cloud)["StateValue"] == state


def test_extended_statistic_p95(cloud):
    engine = alarms(cloud)
    put_alarm(cloud, "p95-above-94", Statistic=None, ExtendedStatistic="p95", Threshold=94.0,
              EvaluationPeriods=1, DatapointsToAlarm=1)
    put_alarm(cloud, "p95-above-95", Statistic=None, ExtendedStatistic="p95", Threshold=95.0,
              EvaluationPeriods=1, DatapointsToAlarm=1)
    t = np.arange(100) * 0.6
    metrics(cloud).put_series(*CPU, t, np.arange(1.0, 101))  # p95 of 1..100 is 95
    cloud.advance(minutes=1)
    assert engine.state("p95-above-94") == "ALARM"
    assert engine.state("p95-above-95") == "OK"
    assert described(cloud, "p95-above-94")["StateReason"] == (
        "Threshold Crossed: 1 datapoint [95.0 (05/01/26 00:00:00)] was greater than the "
        "threshold (94.0).")


def test_learner_put_metric_data_feeds_alarms(cloud):
    engine = alarms(cloud)
    put_alarm(cloud, EvaluationPeriods=1, DatapointsToAlarm=1)
    cw = cloud.client("cloudwatch")
    cloud.advance(seconds=30)
    cw.put_metric_data(Namespace="AWS/EC2", MetricData=[
        {"MetricName": "CPUUtilization", "Dimensions": CW_DIMS, "Value": 99.0}])
    cloud.advance(seconds=30)
    assert states(engine) == [(60.0, "ALARM")]


def test_metric_math_alarm_is_not_evaluated_and_says_so(cloud):
    engine = alarms(cloud)
    cloud.client("cloudwatch").put_metric_alarm(
        AlarmName="math", EvaluationPeriods=1, Threshold=1.0,
        ComparisonOperator="GreaterThanThreshold",
        Metrics=[{"Id": "m1", "ReturnData": False, "MetricStat": {"Metric": {
            "Namespace": "AWS/EC2", "MetricName": "CPUUtilization", "Dimensions": CW_DIMS},
            "Period": 60, "Stat": "Average"}},
                 {"Id": "e1", "Expression": "m1 * 2", "ReturnData": True}])
    feed(cloud, [90, 90])
    cloud.advance(minutes=2)
    alarm = described(cloud, "math")
    assert alarm["StateValue"] == "INSUFFICIENT_DATA" and engine.history == []
    assert "does not evaluate metric-math alarms" in alarm["StateReason"]


def test_updating_an_alarm_keeps_its_state(cloud):
    engine = alarms(cloud)
    put_alarm(cloud, EvaluationPeriods=1, DatapointsToAlarm=1)
    feed(cloud, [90])
    cloud.advance(minutes=1)
    put_alarm(cloud, EvaluationPeriods=1, DatapointsToAlarm=1, Threshold=80.0)
    assert described(cloud)["StateValue"] == "ALARM"  # moto alone would say OK
    assert described(cloud)["AlarmConfigurationUpdatedTimestamp"] == cloud.now
    assert engine.state("cpu-high") == "ALARM"


def test_an_alarm_made_before_the_engine_is_taken_over(cloud):
    put_alarm(cloud, EvaluationPeriods=1, DatapointsToAlarm=1)  # no hooks yet: moto says OK
    engine = alarms(cloud)
    alarm = described(cloud)
    assert alarm["StateValue"] == "INSUFFICIENT_DATA"
    assert alarm["StateReason"] == "Unchecked: Initial alarm creation"
    feed(cloud, [90])
    cloud.advance(minutes=1)
    assert states(engine) == [(60.0, "ALARM")]
    assert engine.history[0].old_state == "INSUFFICIENT_DATA"


# -- history ----------------------------------------------------------------------------------

def test_describe_alarm_history(cloud):
    alarms(cloud)
    put_alarm(cloud, DatapointsToAlarm=2)
    feed(cloud, [50, 50, 50, 90, 90, 50, 50, 50])
    cloud.advance(minutes=8)
    cw = cloud.client("cloudwatch")
    items = cw.describe_alarm_history(AlarmName="cpu-high")["AlarmHistoryItems"]
    assert [(i["Timestamp"] - cloud.clock.start, i["HistorySummary"]) for i in items] == [
        (timedelta(minutes=7), "Alarm updated from ALARM to OK"),
        (timedelta(minutes=5), "Alarm updated from OK to ALARM"),
        (timedelta(minutes=1), "Alarm updated from INSUFFICIENT_DATA to OK"),
        (timedelta(0), 'Alarm "cpu-high" created'),
    ]
    data = json.loads(items[1]["HistoryData"])
    assert data["oldState"]["stateValue"] == "OK"
    assert data["newState"]["stateValue"] == "ALARM"
    assert data["newState"]["stateReasonData"]["recentDatapoints"] == [50.0, 90.0, 90.0]
    updates = cw.describe_alarm_history(AlarmName="cpu-high", HistoryItemType="StateUpdate",
                                        ScanBy="TimestampAscending", MaxRecords=2)
    assert [i["HistorySummary"][-5:] for i in updates["AlarmHistoryItems"]] == [
        "to OK", "ALARM"]
    rest = cw.describe_alarm_history(AlarmName="cpu-high", HistoryItemType="StateUpdate",
                                     ScanBy="TimestampAscending", MaxRecords=2,
                                     NextToken=updates["NextToken"])
    assert [i["HistorySummary"] for i in rest["AlarmHistoryItems"]] == [
        "Alarm updated from ALARM to OK"]
    assert "NextToken" not in rest
    window = cw.describe_alarm_history(
        StartDate=cloud.clock.start + timedelta(minutes=2),
        EndDate=cloud.clock.start + timedelta(minutes=6))["AlarmHistoryItems"]
    assert [i["HistorySummary"] for i in window] == ["Alarm updated from OK to ALARM"]
    assert cw.describe_alarm_history(AlarmName="nope")["AlarmHistoryItems"] == []
    with pytest.raises(ClientError) as info:
        cw.describe_alarm_history(NextToken="garbage")
    assert info.value.response["Error"]["Code"] == "InvalidNextToken"
    other = cloud.client("cloudwatch", region="eu-west-1")  # moto would raise NotImplemented
    assert other.describe_alarm_history()["AlarmHistoryItems"] == []


def test_history_outlives_a_deleted_alarm(cloud):
    alarms(cloud)
    put_alarm(cloud)
    cw = cloud.client("cloudwatch")
    cw.delete_alarms(AlarmNames=["cpu-high"])
    cloud.advance(minutes=2)
    summaries = [i["HistorySummary"] for i in cw.describe_alarm_history()["AlarmHistoryItems"]]
    assert summaries == ['Alarm "cpu-high" deleted', 'Alarm "cpu-high" created']


# -- actions ----------------------------------------------------------------------------------

def test_sns_action_delivers_the_aws_notification_to_a_subscribed_queue(cloud):
    sns, sqs = cloud.client("sns"), cloud.client("sqs")
    topic = sns.create_topic(Name="ops")["TopicArn"]
    queue = sqs.create_queue(QueueName="ops-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    alarms(cloud)
    put_alarm(cloud, EvaluationPeriods=1, DatapointsToAlarm=1, AlarmActions=[topic])
    feed(cloud, [50, 90, 95])
    cloud.advance(minutes=3)
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1  # entering ALARM once; staying there sends nothing more
    envelope = json.loads(messages[0]["Body"])
    assert envelope["Subject"] == 'ALARM: "cpu-high" in US East (N. Virginia)'
    note = json.loads(envelope["Message"])
    assert note["AlarmName"] == "cpu-high"
    assert (note["OldStateValue"], note["NewStateValue"]) == ("OK", "ALARM")
    assert note["StateChangeTime"] == "2026-01-05T00:02:00.000+0000"
    assert note["NewStateReason"].startswith("Threshold Crossed: 1 datapoint [90.0")
    assert note["Trigger"]["MetricName"] == "CPUUtilization"
    assert note["Trigger"]["Statistic"] == "AVERAGE"
    assert note["Trigger"]["Dimensions"] == [{"value": "i-1", "name": "InstanceId"}]
    assert note["AWSAccountId"] == "123456789012"


@pytest.fixture
def handlers() -> Iterator[dict[str, list[tuple[float, str, str]]]]:
    calls: dict[str, list[tuple[float, str, str]]] = {"asg": [], "lambda": []}

    def record(kind: str) -> Any:
        def handler(cloud: Cloud, arn: str, alarm: dict[str, Any], state: str) -> None:
            calls[kind].append((cloud.t, alarm["AlarmName"], state))
        return handler

    saved = {prefix: register_alarm_action(prefix, record(kind)) for prefix, kind in
             [("arn:aws:autoscaling:", "asg"), ("arn:aws:lambda:", "lambda")]}
    try:
        yield calls
    finally:  # put back what the simulation registered, if anything
        for prefix, previous in saved.items():
            unregister_alarm_action(prefix)
            if previous is not None:
                register_alarm_action(prefix, previous)


def test_autoscaling_actions_repeat_every_minute_in_alarm_others_run_once(cloud, handlers):
    function = "arn:aws:lambda:us-east-1:123456789012:function:page-oncall"
    alarms(cloud)
    put_alarm(cloud, EvaluationPeriods=1, DatapointsToAlarm=1,
              AlarmActions=[ASG_POLICY, function])
    feed(cloud, [90, 90, 90, 50, 50])
    cloud.advance(minutes=6)
    assert handlers["asg"] == [(60.0, "cpu-high", "ALARM"), (120.0, "cpu-high", "ALARM"),
                               (180.0, "cpu-high", "ALARM")]
    assert handlers["lambda"] == [(60.0, "cpu-high", "ALARM")]
    actions = cloud.client("cloudwatch").describe_alarm_history(
        HistoryItemType="Action", ScanBy="TimestampAscending")["AlarmHistoryItems"]
    assert [a["HistorySummary"] for a in actions] == [
        f"Successfully executed action {ASG_POLICY}",
        f"Successfully executed action {function}",
        f"Successfully executed action {ASG_POLICY}",
        f"Successfully executed action {ASG_POLICY}"]


def test_unknown_action_is_a_failed_action_in_history_not_a_crash(cloud):
    engine = alarms(cloud)
    arn = "arn:aws:ssm:us-east-1:123456789012:opsitem:3"
    missing_topic = "arn:aws:sns:us-east-1:123456789012:nobody-made-this"
    put_alarm(cloud, EvaluationPeriods=1, DatapointsToAlarm=1,
              AlarmActions=[arn, missing_topic])
    feed(cloud, [90])
    cloud.advance(minutes=1)
    assert engine.state("cpu-high") == "ALARM"
    actions = [i for i in engine.items if i.item_type == "Action"]
    assert [a.summary.split(". Received")[0] for a in actions] == [
        f"Failed to execute action {arn}", f"Failed to execute action {missing_topic}"]
    assert actions[0].data["actionState"] == "Failed"


def test_disabled_actions_do_not_run(cloud, handlers):
    alarms(cloud)
    put_alarm(cloud, EvaluationPeriods=1, DatapointsToAlarm=1, AlarmActions=[ASG_POLICY])
    cloud.client("cloudwatch").disable_alarm_actions(AlarmNames=["cpu-high"])
    feed(cloud, [90, 90])
    cloud.advance(minutes=2)
    assert handlers["asg"] == [] and alarms(cloud).state("cpu-high") == "ALARM"
    cloud.client("cloudwatch").enable_alarm_actions(AlarmNames=["cpu-high"])
    cloud.advance(minutes=1)
    assert handlers["asg"] == [(180.0, "cpu-high", "ALARM")]


def test_set_alarm_state_runs_actions_until_the_next_evaluation(cloud, handlers):
    engine = alarms(cloud)
    put_alarm(cloud, EvaluationPeriods=1, DatapointsToAlarm=1,
              OKActions=["arn:aws:lambda:us-east-1:123456789012:function:ok"])
    feed(cloud, [90, 90])
    cloud.advance(minutes=1)
    cloud.advance(seconds=10)
    cloud.client("cloudwatch").set_alarm_state(AlarmName="cpu-high", StateValue="OK",
                                               StateReason="testing the OK action")
    assert handlers["lambda"] == [(70.0, "cpu-high", "OK")]
    assert described(cloud)["StateValue"] == "OK"
    cloud.advance(seconds=50)
    assert states(engine) == [(60.0, "ALARM"), (70.0, "OK"), (120.0, "ALARM")]
    assert engine.history[1].reason == "testing the OK action"


def test_on_transition_callbacks_see_every_change(cloud):
    engine = alarms(cloud)
    seen: list[AlarmTransition] = []
    engine.on_transition(seen.append)
    put_alarm(cloud, EvaluationPeriods=1, DatapointsToAlarm=1)
    feed(cloud, [90, 10])
    cloud.advance(minutes=2)
    assert [(t.old_state, t.new_state) for t in seen] == [("INSUFFICIENT_DATA", "ALARM"),
                                                          ("ALARM", "OK")]
    assert seen == engine.history


# -- validation --------------------------------------------------------------------------------

@pytest.mark.parametrize(("overrides", "message"), [
    ({"Period": 45}, "Period must be 10, 20, 30 or a multiple of 60 seconds, got 45"),
    ({"Period": 60, "EvaluationPeriods": 1441, "DatapointsToAlarm": 1},
     "(Period x EvaluationPeriods = 60 x 1441 = 86460 seconds) must not exceed 86400"),
    ({"Period": 3600, "EvaluationPeriods": 169, "DatapointsToAlarm": 1},
     "= 608400 seconds) must not exceed 604800 seconds (seven days)"),
    ({"DatapointsToAlarm": 4}, "DatapointsToAlarm (4) must be between 1 and "
                               "EvaluationPeriods (3)"),
    ({"TreatMissingData": "zero"}, "Option zero is not supported"),
    ({"ComparisonOperator": "GreaterThan"}, "Value 'GreaterThan' at 'comparisonOperator'"),
    ({"ExtendedStatistic": "p90"}, "Exactly one of Statistic and ExtendedStatistic"),
])
def test_put_metric_alarm_validation(cloud, overrides, message):
    alarms(cloud)
    with pytest.raises(ClientError) as info:
        put_alarm(cloud, **overrides)
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationError"
    assert message in error["Message"]
    assert cloud.client("cloudwatch").describe_alarms()["MetricAlarms"] == []


def test_a_long_hourly_alarm_is_fine(cloud):
    alarms(cloud)
    put_alarm(cloud, Period=3600, EvaluationPeriods=168, DatapointsToAlarm=1)
    assert described(cloud)["EvaluationPeriods"] == 168


# -- reset and determinism -------------------------------------------------------------------

def test_reset_clears_state_and_leaves_one_evaluation_event(cloud):
    engine = alarms(cloud)
    put_alarm(cloud, EvaluationPeriods=1, DatapointsToAlarm=1)
    feed(cloud, [90])
    cloud.advance(minutes=2)
    assert engine.history
    hooks_before = len(cloud._hooks)
    cloud.reset()
    assert len(cloud.clock) == 0  # the old evaluation event is gone with the clock's queue
    fresh = alarms(cloud)
    assert fresh is not engine and fresh.history == [] and fresh.items == []
    assert len(metrics(cloud)) == 0
    assert len(cloud.clock) == 1
    put_alarm(cloud, EvaluationPeriods=1, DatapointsToAlarm=1)
    assert len(cloud._hooks) == hooks_before  # the hooks were attached once, not again
    assert described(cloud)["StateValue"] == "INSUFFICIENT_DATA"
    feed(cloud, [10])
    cloud.advance(minutes=2)
    assert states(fresh) == [(60.0, "OK")]
    assert states(engine) == [(60.0, "ALARM")]  # the old engine saw nothing after the reset


def run_scenario(seed: int) -> list[tuple[float, str, str, str, str]]:
    with Cloud(seed=seed) as cloud:
        engine = alarms(cloud)
        put_alarm(cloud, DatapointsToAlarm=2, TreatMissingData="breaching")
        rng = cloud.rng("cpu")
        values = rng.uniform(40, 100, 120)
        values[rng.random(120) < 0.2] = np.nan
        feed(cloud, [None if np.isnan(v) else float(v) for v in values])
        cloud.advance(hours=2)
        return [(t.t_s, t.alarm_name, t.old_state, t.new_state, t.reason)
                for t in engine.history]


def test_same_inputs_same_history():
    first = run_scenario(7)
    assert len(first) > 4
    assert run_scenario(7) == first


# -- the M out of N invariant ----------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=1, max_size=12),
       n=st.integers(1, 6), data=st.data(),
       treat=st.sampled_from(["missing", "notBreaching", "breaching", "ignore"]))
def test_never_alarm_with_fewer_than_m_breaching_datapoints(values, n, data, treat):
    m = data.draw(st.integers(1, n))
    v = np.array([np.nan if x is None else x for x in values])
    verdict = decide(v, np.arange(len(v)) * 60.0, threshold=50.0,
                     operator="GreaterThanThreshold", n=n, m=m, treat=treat, old_state="OK")
    real = sum(1 for i in verdict.evaluated if v[i] > 50.0)
    counted = real + (verdict.filled if treat == "breaching" else 0)
    assert len(verdict.evaluated) + verdict.filled == n
    if verdict.state == "ALARM":
        assert counted >= m
    if verdict.state == "OK":
        assert counted < m


_SHARED: dict[str, Any] = {}


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=3, max_size=10),
       m=st.integers(1, 3))
def test_engine_never_alarms_on_fewer_than_m_breaching_periods(values, m):
    # one cloud for every example (a reset per example would dominate the run time); each
    # example gets its own instance and alarm, deleted at the end
    cloud = _SHARED.get("cloud")
    if cloud is None or not cloud.running:
        cloud = _SHARED["cloud"] = Cloud(seed=3)
    _SHARED["n"] = k = _SHARED.get("n", 0) + 1
    dims = {"InstanceId": f"i-{k}"}
    engine = alarms(cloud)
    first = int(cloud.t // 60) + 1
    cloud.advance(seconds=first * 60 - cloud.t)
    put_alarm(cloud, f"alarm-{k}", DatapointsToAlarm=m,
              Dimensions=[{"Name": "InstanceId", "Value": f"i-{k}"}])
    for i, v in enumerate(values):
        if v is not None:
            metrics(cloud).put("AWS/EC2", "CPUUtilization", dims, (first + i) * 60 + 30, v)
    cloud.advance(minutes=len(values))
    cloud.client("cloudwatch").delete_alarms(AlarmNames=[f"alarm-{k}"])
    series = np.array([np.nan if x is None else x for x in values])
    for t in engine.history:
        if t.alarm_name != f"alarm-{k}" or t.new_state != "ALARM":
            continue
        end = int(t.t_s // 60) - first  # minutes [end - 5, end) of the values form the range
        window = series[max(0, end - 5):end]
        present = window[~np.isnan(window)][-3:]
        assert np.count_nonzero(present > 75.0) >= m
