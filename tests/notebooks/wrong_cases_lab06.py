"""Wrong-answer cases for lab 06 (design for failure), read by test_wrong_answers.py:
(lab prefix, question, {solution text: wrong text}, words the hint must contain)."""

CASES = [
    ("06", "lab06.single_point",
     {'spof_downtime_s = float((rec["errors_rps"] > 0).sum()) * rec.step_s':
      'spof_downtime_s = float((rec["errors_rps"] > 0).sum())'},
     "counts samples, not seconds"),
    ("06", "lab06.single_point",
     {"fail_instance(cloud, web1, at=cloud.t + 15 * 60)": "fail_instance(cloud, web1)"},
     "fails 15 minutes into the run"),
    ("06", "lab06.single_point",
     {"spof_run = cloud.run(WebTraffic(TRAFFIC, to=eip_public_ip,":
      "spof_run = cloud.run(WebTraffic(TRAFFIC, to=web1,"},
     "send the traffic to the Elastic IP"),
    ("06", "lab06.single_point",
     {"spof_availability_pct = 100 * (1 - spof_downtime_s / rec.duration_s)":
      "spof_availability_pct = 1 - spof_downtime_s / rec.duration_s"},
     "is a fraction"),
    ("06", "lab06.warm_standby",
     {"SubnetId=subnets[AZS[1]]": "SubnetId=subnets[AZS[0]]"},
     "one AZ outage would take both"),
    ("06", "lab06.warm_standby",
     {"cloud.clock.schedule_at(fail_at + DETECT_S, fail_over":
      "cloud.clock.schedule_at(fail_at, fail_over"},
     "no request failed"),
    ("06", "lab06.warm_standby",
     {'cloud.clock.schedule_at(fail_at + DETECT_S, fail_over, name="move the Elastic IP")': ""},
     "the Elastic IP never moved"),
    ("06", "lab06.warm_standby",
     {'standby_downtime_s = float((standby_run.recorder["errors_rps"] > 0).sum()) * 5':
      'standby_downtime_s = float((standby_run.recorder["errors_rps"] > 0).sum())'},
     "counts samples, not seconds"),
    ("06", "lab06.availability",
     {"web_pair = 1 - (1 - WEB) ** 2": "web_pair = WEB * WEB"},
     "two web servers in series"),
    ("06", "lab06.availability",
     {"chain_one_web = LB * WEB * DB": "chain_one_web = min(LB, WEB, DB)"},
     "multiply: LB * WEB * DB"),
    ("06", "lab06.availability",
     {"* HOURS_PER_YEAR\n": "* HOURS_PER_YEAR * 60\n"},
     "is in minutes"),
    ("06", "lab06.multi_az",
     {'HealthCheckType="ELB", HealthCheckGracePeriod=300,':
      'HealthCheckType="EC2", HealthCheckGracePeriod=300,'},
     "HealthCheckType='ELB'"),
    ("06", "lab06.multi_az",
     {'VPCZoneIdentifier=",".join(subnets[az] for az in AZS),':
      'VPCZoneIdentifier=",".join(subnets[az] for az in AZS[:2]),'},
     "launches only in us-east-1a, us-east-1b"),
    ("06", "lab06.multi_az",
     {"restore_az(cloud, AZS[0], at=start + 75 * 60)\n": ""},
     "bring us-east-1a back"),
    ("06", "lab06.drill", {"drill_size = 8": "drill_size = 6"},
     "losing the busiest AZ must leave enough"),
    ("06", "lab06.drill", {"drill_size = 8": "drill_size = 7"},
     "losing the busiest AZ must leave enough"),
    ("06", "lab06.drill", {"drill_size = 8": "drill_size = 9"},
     "over the budget"),
    ("06", "lab06.drill",
     {'outage_p95_ms = float(np.nanmax(rec["p95_ms"][outage]))':
      'outage_p95_ms = float(np.nanmedian(rec["p95_ms"][outage]))'},
     "the worst minute of the outage"),
]
