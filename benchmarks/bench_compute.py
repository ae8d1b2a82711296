"""Benchmark of the compute simulation: ALB + Auto Scaling group with alarms, a day and a week.

Targets (issue 4): one virtual day at 1-second resolution of an ALB and an Auto Scaling group
(2-20 instances in 3 AZs, target tracking with its CloudWatch alarms evaluated every minute,
metrics recorded every minute) in <= 2 s wall; one virtual week at 1-minute resolution of the
same in <= 1 s. Also reported: the number of scaling activities in each run, the lazy flush
of a day's metrics to moto's CloudWatch (paid only when a learner reads metrics), the
datapoints of unread metrics a week leaves to add at the first read, and the process's peak
RSS. Figures are printed, never asserted.

Run: ``.venv/bin/python -m benchmarks.bench_compute``
"""

from __future__ import annotations

import base64
import resource
import time
from typing import Any

#: Runs per figure (each builds a fresh cloud; a week takes a while, so few): the figure is
#: their median, so an odd number (with two, the "median" was the slower run).
REPEATS = 3

WEB = "#!/bin/bash\ndnf install -y httpd\nsystemctl enable --now httpd\n"


def _stack(cloud: Any) -> None:
    ec2, elb, asg = cloud.client("ec2"), cloud.client("elbv2"), cloud.client("autoscaling")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])[:3]
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "m5.large",
        "UserData": base64.b64encode(WEB.encode()).decode(), "Monitoring": {"Enabled": True}})
    tg = elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc)
    tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
    lb = elb.create_load_balancer(Name="web", Subnets=[s["SubnetId"] for s in subnets])
    elb.create_listener(LoadBalancerArn=lb["LoadBalancers"][0]["LoadBalancerArn"],
                        Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}])
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web", MinSize=2, MaxSize=20, DesiredCapacity=2,
        LaunchTemplate={"LaunchTemplateName": "web", "Version": "$Latest"},
        VPCZoneIdentifier=",".join(s["SubnetId"] for s in subnets), TargetGroupARNs=[tg_arn],
        HealthCheckType="ELB", HealthCheckGracePeriod=300)
    asg.put_scaling_policy(
        AutoScalingGroupName="web", PolicyName="cpu50", PolicyType="TargetTrackingScaling",
        TargetTrackingConfiguration={"TargetValue": 50.0, "PredefinedMetricSpecification": {
            "PredefinedMetricType": "ASGAverageCPUUtilization"}})
    cloud.advance(minutes=10)


def bench() -> dict[str, float]:
    """Median wall-clock seconds (REPEATS runs each: every run is a fresh cloud)."""
    from cloudlab import Cloud
    from cloudlab.sim import BusinessHours, Noise, Spike, WebTraffic
    from cloudlab.sim.autoscaling.groups import auto_scaling
    from cloudlab.sim.cloudwatch import metrics

    traffic = (BusinessHours(200, 3000) + Spike(2000, at=19, duration_h=2)) * Noise(0.05)
    figures: dict[str, float] = {}
    peak = {"instances": 0.0}
    actions: dict[float, float] = {}

    def run(days: float, step_s: float) -> Any:
        def once() -> None:
            with Cloud(seed=1) as cloud:
                _stack(cloud)
                start, cpu = time.perf_counter(), time.process_time()
                result = cloud.run(WebTraffic(traffic, to="web", step_s=step_s), days=days,
                                   progress=False)
                once.elapsed.append(time.perf_counter() - start)  # type: ignore[attr-defined]
                once.cpu.append(time.process_time() - cpu)  # type: ignore[attr-defined]
                top = float(result.recorder["instances"].max())
                peak["instances"] = max(peak["instances"], top)
                actions[step_s] = float(len(auto_scaling(cloud).activities))
                if step_s == 1:
                    t0 = time.perf_counter()
                    metrics(cloud).flush()
                    once.flush.append(time.perf_counter() - t0)  # type: ignore[attr-defined]
                else:  # what the run left for the first read: datapoints of unread metrics
                    t0 = time.perf_counter()
                    _ = metrics(cloud).pending  # adds every waiting datapoint to its series
                    once.fold.append(time.perf_counter() - t0)  # type: ignore[attr-defined]
        once.elapsed, once.cpu, once.flush, once.fold = [], [], [], []  # type: ignore[attr-defined]
        for _ in range(REPEATS):  # the run alone is timed inside; building the stack is not
            once()
        return once

    day = run(1, 1.0)
    figures["alb_asg_day_1s_s"] = sorted(day.elapsed)[len(day.elapsed) // 2]
    # CPU seconds of this process: what the run costs, less sensitive to a busy machine
    figures["alb_asg_day_1s_cpu_s"] = sorted(day.cpu)[len(day.cpu) // 2]
    figures["alb_asg_day_metrics_flush_s"] = sorted(day.flush)[len(day.flush) // 2]
    week = run(7, 60.0)
    figures["alb_asg_week_1min_s"] = sorted(week.elapsed)[len(week.elapsed) // 2]
    figures["alb_asg_week_1min_cpu_s"] = sorted(week.cpu)[len(week.cpu) // 2]
    # paid at the first read of any metric after the run (not in the figures above)
    figures["alb_asg_week_deferred_fold_s"] = sorted(week.fold)[len(week.fold) // 2]
    figures["alb_asg_peak_instances"] = peak["instances"]
    # the night load sits at the 50 % target, so target tracking resizes ~100 times a day
    # (as AWS would): each action launches or terminates instances in moto
    figures["alb_asg_day_scaling_actions"] = actions[1.0]
    figures["alb_asg_week_scaling_actions"] = actions[60.0]
    figures["process_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


if __name__ == "__main__":
    for name, value in bench().items():
        print(f"{name:32s} {value:10.3f}")
