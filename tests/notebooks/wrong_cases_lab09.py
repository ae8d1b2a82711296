"""Wrong answers for lab 09 (Auto Scaling and CloudWatch): each must fail its question with
the hint given (see test_wrong_answers.py)."""

SOLUTION_SALE = ("sale_config = dict(min_size=3, scale_out_cpu=75, scale_in_cpu=35, "
                 "sale_actions=sale_actions)")

CASES = [
    ("09", "lab09.web_group",
     {'    HealthCheckType="ELB",\n    HealthCheckGracePeriod=300,':
      '    HealthCheckType="EC2",\n    HealthCheckGracePeriod=300,'},
     "Set HealthCheckType='ELB'"),
    ("09", "lab09.web_group", {"    HealthCheckGracePeriod=300,": "    HealthCheckGracePeriod=60,"},
     "replaced instances that were still booting"),
    ("09", "lab09.web_group",
     {'"Monitoring": {"Enabled": True},': '"Monitoring": {"Enabled": False},'},
     "turn on detailed monitoring"),
    ("09", "lab09.monitoring",
     {"Period=60, EvaluationPeriods=3, Threshold=80,":
      "Period=300, EvaluationPeriods=3, Threshold=80,"},
     "a 1-minute alarm has Period=60"),
    ("09", "lab09.monitoring",
     {'StartTime=probe_start, EndTime=probe_end, Period=60,':
      'StartTime=probe_start, EndTime=probe_end, Period=300,'},
     "Period=60"),
    ("09", "lab09.monitoring",
     {',\n                    ScanBy="TimestampAscending")["AlarmHistoryItems"]]':
      ')["AlarmHistoryItems"]]'},
     "is newest first"),
    ("09", "lab09.step_scaling",
     {"DatapointsToAlarm=2, Threshold=75,": "DatapointsToAlarm=2, Threshold=90,"},
     "should fire above 75% CPU"),
    ("09", "lab09.step_scaling",
     {'[{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 2}]':
      '[{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]'},
     "each scale-out should add 2 instances"),
    ("09", "lab09.step_scaling",
     {"AlarmActions=[scale_out_arn, topic_arn]": "AlarmActions=[topic_arn]"},
     "no alarm ran a scale-out policy"),
    ("09", "lab09.notifications", {"while True:\n    batch = sqs.receive_message":
                                   "for _ in range(1):\n    batch = sqs.receive_message"},
     "returns at most 10 messages a call"),
    ("09", "lab09.notifications",
     {"AlarmActions=[scale_out_arn, topic_arn], OKActions=[topic_arn])":
      "AlarmActions=[scale_out_arn])",
      "AlarmActions=[scale_in_arn, topic_arn])": "AlarmActions=[scale_in_arn])"},
     "no alarm notified your topic"),
    ("09", "lab09.notifications",
     {'notifications.append(json.loads(envelope["Message"]))': "notifications.append(envelope)"},
     "the body is the SNS envelope"),
    ("09", "lab09.target_tracking",
     {'cloudwatch.delete_alarms(AlarmNames=["cpu-high", "cpu-low"])\ntracking =': "tracking ="},
     "deleting a policy does not delete its alarms"),
    ("09", "lab09.target_tracking", {'"TargetValue": 50.0,': '"TargetValue": 70.0,'},
     "TargetValue=50.0"),
    ("09", "lab09.scheduled",
     {'Recurrence="0 8 * * MON-FRI", MinSize=6)': 'Recurrence="0 8 * * *", MinSize=6)'},
     "(set by office-open on Sunday at 08:00)"),
    ("09", "lab09.scheduled",
     {"StartTime=SALE_START - timedelta(minutes=30),":
      "StartTime=SALE_START + timedelta(minutes=30),"},
     "should raise MinSize above 3"),
    ("09", "lab09.scheduled",
     {"for action in sale_actions:\n    autoscaling.put_scheduled_update_group_action(":
      "for action in []:\n    autoscaling.put_scheduled_update_group_action("},
     "put each of `sale_actions` on `web-asg` too"),
    ("09", "lab09.sale_day",
     {SOLUTION_SALE:
      "sale_config = dict(min_size=3, scale_out_cpu=75, scale_in_cpu=35, sale_actions=[])"},
     "raise the minimum with a scheduled action"),
    ("09", "lab09.sale_day",
     {SOLUTION_SALE:
      "sale_config = dict(min_size=14, scale_out_cpu=75, scale_in_cpu=35, sale_actions=[])"},
     "over the budget of 60"),
]
