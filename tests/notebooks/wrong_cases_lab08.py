"""Wrong-answer cases for lab 08 (load balancing): each is a mistake a learner makes, with
words the hint must contain. Collected by test_wrong_answers.py."""

CASES = [
    # Q1: registering while the instances are still pending: the cell raises AWS's
    # InvalidTarget (whose message says to wait), so `registered_t` is never set
    ("08", "lab08.alb",
     {"wait_until_running(web)\nelbv2.register_targets(":
      "elbv2.register_targets("},
     "define `registered_t` first"),
    ("08", "lab08.alb",
     {"Subnets=[subnet_of[az] for az in azs], SecurityGroups=[alb_sg],":
      "Subnets=[subnet_of[az] for az in azs[:2]], SecurityGroups=[alb_sg],"},
     "one subnet in each of the three AZs"),
    ("08", "lab08.alb",
     {"web = [launch_web(az) for az in azs for _ in range(2)]":
      "web = [launch_web(az) for _ in range(2) for az in azs]"},
     "keep `web` in the order of `azs`"),
    # Q2: the prediction ignores the check interval, or uses the healthy threshold
    ("08", "lab08.target_health",
     {"predicted_healthy_after_s = math.ceil(web_server_up_s / interval_s) * interval_s":
      "predicted_healthy_after_s = web_server_up_s"},
     "only notices at its next check"),
    ("08", "lab08.target_health",
     {"predicted_healthy_after_s = math.ceil(web_server_up_s / interval_s) * interval_s":
      "predicted_healthy_after_s = (math.ceil(web_server_up_s / interval_s) + 4) * interval_s"},
     "needs one passing check, not HealthyThresholdCount"),
    ("08", "lab08.target_health",
     {"web_server_up_s = boot.serving_t - registered_t": "web_server_up_s = boot.serving_t"},
     "boot.serving_t - registered_t"),
    # Q3: no tuning; the same server crashed twice;
    # a timeout as long as the interval (hidden check)
    ("08", "lab08.detection",
     {"elbv2.modify_target_group(TargetGroupArn=tg_arn, HealthCheckIntervalSeconds=10,\n"
      "                          HealthCheckTimeoutSeconds=5, UnhealthyThresholdCount=2)":
      "pass"},
     "with a 30 s interval and 2 failures"),
    ("08", "lab08.detection",
     {"crash_web_server(cloud, web[2], at=cloud.t + 75)":
      "crash_web_server(cloud, web[0], at=cloud.t + 75)"},
     "crash another server that still works"),
    ("08", "lab08.detection",
     {"HealthCheckIntervalSeconds=10,\n                          HealthCheckTimeoutSeconds=5,":
      "HealthCheckIntervalSeconds=5,\n                          HealthCheckTimeoutSeconds=5,"},
     # AWS refuses it in the cell (ValidationError: the interval must be greater than the
     # timeout), so the tuned run never happens
     "define `tuned_run` first"),
    # Q4: traffic by name instead of the DNS name; a replacement in another AZ
    ("08", "lab08.stable_dns",
     {"via_dns_run = cloud.run(WebTraffic(traffic, to=alb_dns)":
      'via_dns_run = cloud.run(WebTraffic(traffic, to="web-alb")'},
     "to the load balancer's DNS name"),
    ("08", "lab08.stable_dns",
     {"    replacements[old] = launch_web(az)": "    replacements[old] = launch_web(azs[2])"},
     "in the AZ of the server it replaces"),
    # Q5: stopping a registered server; keeping the 300 s default delay
    ("08", "lab08.draining",
     {'elbv2.deregister_targets(TargetGroupArn=tg_arn, Targets=[{"Id": web[4]}])':
      'ec2.stop_instances(InstanceIds=[web[4]])'},
     "requests failed during the maintenance"),
    ("08", "lab08.draining",
     {'elbv2.modify_target_group_attributes(TargetGroupArn=tg_arn, Attributes=[\n'
      '    {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}])': "pass"},
     "still draining after the 1-minute run"),
    # Q6: breaking the servers instead of the check; an alarm that cannot fire;
    # leaving the check broken
    ("08", "lab08.fail_open",
     {'elbv2.modify_target_group(TargetGroupArn=tg_arn, HealthCheckPort="8080")':
      'for d in elbv2.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]:\n'
      '    crash_web_server(cloud, d["Target"]["Id"])'},
     "not the servers"),
    ("08", "lab08.fail_open",
     {"Statistic=\"Minimum\", Period=60, EvaluationPeriods=1, Threshold=1,":
      "Statistic=\"Minimum\", Period=60, EvaluationPeriods=1, Threshold=0,"},
     "did not go to ALARM"),
    ("08", "lab08.fail_open",
     {'elbv2.modify_target_group(TargetGroupArn=tg_arn, HealthCheckPort="traffic-port")': "pass"},
     "put the health check back"),
    # Q7: shares as if cross-zone were on; the hop paid by every request
    ("08", "lab08.cross_zone",
     {"share_without_cross_zone = {az: (1 / len(azs)) / n for az, n in per_az.items()}":
      "share_without_cross_zone = {az: 1 / sum(per_az.values()) for az in per_az}"},
     "is what cross-zone balancing gives"),
    ("08", "lab08.cross_zone",
     {"hop_ms = cross_az_fraction * inter_az_rtt_ms()": "hop_ms = inter_az_rtt_ms()"},
     "only the requests that cross an AZ pay the hop"),
    ("08", "lab08.cross_zone",
     {"cloud.advance(minutes=3)\n": ""},
     "advance the clock 3 minutes"),
]
