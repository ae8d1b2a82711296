"""TopologyWidget: traits, live refresh after mutating calls (throttled, no re-entry),
clicks, overlays, MIME bundle; topology() convenience."""

from __future__ import annotations

from typing import Any

import pytest
import traitlets
from test_topology_support import AMI, FakeHop, FakePath, build_network

from cloudlab import Cloud
from cloudlab.viz import TopologyWidget, render_topology_svg, topology
from cloudlab.viz.topology import WIDGET_VIEW_MIME, is_mutating_call


class FakeClock:
    """Wall clock the test moves by hand (the throttle reads it)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _live(cloud: Cloud, **kwargs: Any) -> tuple[TopologyWidget, FakeClock]:
    widget = TopologyWidget(cloud, **kwargs)
    clock = FakeClock()
    widget._clock = clock
    widget._last_refresh = clock.now
    widget._refresh_cost_s = 0.0
    return widget, clock


def _run(cloud: Cloud, subnet: str, count: int = 1) -> list[str]:
    out = cloud.client("ec2").run_instances(
        ImageId=AMI, MinCount=count, MaxCount=count, SubnetId=subnet
    )
    return [i["InstanceId"] for i in out["Instances"]]


def test_traits_are_synced_and_documented(cloud: Cloud) -> None:
    widget = TopologyWidget(cloud, live=False)
    for name in ("svg", "title", "show_security_groups", "selected", "details", "status"):
        trait = widget.traits()[name]
        assert trait.metadata.get("sync") is True, name
        assert trait.help, name


def test_esm_and_css_come_from_files_next_to_the_module(cloud: Cloud) -> None:
    widget = TopologyWidget(cloud, live=False)
    assert "export default" in widget._esm and "show_security_groups" in widget._esm
    assert "data-id" in widget._esm and "selected" in widget._esm
    assert ".cloudlab-topology" in widget._css


def test_widget_shows_the_same_svg_as_the_renderer(cloud: Cloud) -> None:
    build_network(cloud, azs=2, per_subnet=2)
    widget = topology(cloud, live=False)
    assert widget.svg == render_topology_svg(widget.model)
    assert widget.reads == 1 and "8 instances" in repr(widget)


def test_run_instances_refreshes_the_svg_live(cloud: Cloud) -> None:
    net = build_network(cloud, azs=2, per_subnet=1)
    widget, clock = _live(cloud)
    before = widget.svg
    clock.now += 1.0
    (new,) = _run(cloud, net.subnets[(1, 1)])
    assert widget.reads == 2 and new in widget.svg and widget.svg != before
    assert any(i.id == new for i in widget.model.instances)


def test_live_refresh_is_throttled_and_flushed_later(cloud: Cloud) -> None:
    net = build_network(cloud, azs=1, per_subnet=0, nat=False)
    widget, clock = _live(cloud)
    clock.now += 0.1  # less than 0.5 s after the last refresh
    (first,) = _run(cloud, net.subnets[(0, 0)])
    assert widget.reads == 1 and first not in widget.svg and widget._dirty
    widget.flush()  # what the end of the notebook cell does
    assert widget.reads == 2 and first in widget.svg and not widget._dirty
    widget.flush()
    assert widget.reads == 2  # nothing new: no re-read


def test_slow_refreshes_wait_as_long_as_they_took(cloud: Cloud) -> None:
    net = build_network(cloud, azs=1, per_subnet=0, nat=False)
    widget, clock = _live(cloud)
    widget._refresh_cost_s = 2.0
    clock.now += 1.0
    _run(cloud, net.subnets[(0, 0)])
    assert widget.reads == 1
    clock.now += 1.5
    _run(cloud, net.subnets[(0, 0)])
    assert widget.reads == 2


def test_reads_and_failed_calls_do_not_refresh(cloud: Cloud) -> None:
    net = build_network(cloud, azs=1, per_subnet=0, nat=False)
    widget, clock = _live(cloud)
    clock.now += 10
    ec2 = cloud.client("ec2")
    ec2.describe_instances()
    ec2.describe_subnets()
    cloud.client("s3").create_bucket(Bucket="not-a-network-change")
    with pytest.raises(Exception, match="InvalidSubnetID|does not exist"):
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId="subnet-nope")
    assert widget.reads == 1 and not widget._dirty
    ec2.create_security_group(GroupName="x", Description="x", VpcId=net.vpc)
    assert widget.reads == 2


def test_refresh_does_not_reenter_its_own_hook(cloud: Cloud) -> None:
    net = build_network(cloud, azs=1, per_subnet=0, nat=False)
    widget, clock = _live(cloud, min_interval_s=0.0)
    calls: list[str] = []
    original = widget._after_call

    def spy(**kwargs: Any) -> None:
        calls.append(kwargs["model"].name)
        original(**kwargs)

    widget._after_call = spy  # type: ignore[method-assign]
    clock.now += 1
    _run(cloud, net.subnets[(0, 0)])
    # the hook saw the learner's call; the widget's own describe calls returned early
    assert widget.reads == 2
    assert calls[0] == "RunInstances"
    assert all(c.startswith("Describe") for c in calls[1:])


def test_a_failing_refresh_never_breaks_the_learners_call(cloud: Cloud) -> None:
    net = build_network(cloud, azs=1, per_subnet=0, nat=False)
    widget, clock = _live(cloud)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("backend hiccup")

    widget.refresh = broken  # type: ignore[method-assign]
    clock.now += 1
    (iid,) = _run(cloud, net.subnets[(0, 0)])
    assert iid.startswith("i-")
    assert widget.status == "refresh failed: RuntimeError: backend hiccup"


def test_other_regions_do_not_refresh(cloud: Cloud) -> None:
    widget, clock = _live(cloud)
    clock.now += 1
    cloud.client("ec2", region="us-west-2").create_vpc(CidrBlock="10.9.0.0/16")
    assert widget.reads == 1


def test_widget_without_live_updates_ignores_calls(cloud: Cloud) -> None:
    net = build_network(cloud, azs=1, per_subnet=0, nat=False)
    widget = TopologyWidget(cloud, live=False)
    _run(cloud, net.subnets[(0, 0)])
    assert widget.reads == 1
    widget.refresh()
    assert widget.reads == 2 and len(widget.model.instances) == 1


@pytest.mark.parametrize(
    ("service", "operation", "expected"),
    [
        ("ec2", "RunInstances", True),
        ("ec2", "AuthorizeSecurityGroupIngress", True),
        ("ec2", "ReplaceRoute", True),
        ("elbv2", "CreateLoadBalancer", True),
        ("rds", "ModifyDBInstance", True),
        ("ec2", "DescribeInstances", False),
        ("s3", "CreateBucket", False),
        ("iam", "CreateUser", False),
    ],
)
def test_is_mutating_call(service: str, operation: str, expected: bool) -> None:
    assert is_mutating_call(service, operation) is expected


def test_checkbox_trait_toggles_security_group_arrows(cloud: Cloud) -> None:
    build_network(cloud, azs=1, per_subnet=1)
    widget = TopologyWidget(cloud, live=False)
    assert "Security-group inbound rules" not in widget.svg
    widget.show_security_groups = True  # what the view's checkbox does
    assert "Security-group inbound rules" in widget.svg and widget.reads == 1
    assert TopologyWidget(cloud, live=False, show_security_groups=True).svg == widget.svg


def test_clicking_a_tile_shows_its_details(cloud: Cloud) -> None:
    net = build_network(cloud, azs=1, per_subnet=1)
    widget = TopologyWidget(cloud, live=False)
    iid = net.instances[net.subnets[(0, 0)]][0]
    widget.selected = iid  # what the view sets on click
    assert widget.details.startswith(f"EC2 instance {iid} (web-a0)")
    assert 'class="cltopo-selected"' in widget.svg
    widget.selected = "i-gone"
    assert widget.details == "i-gone: not in the diagram (any more)."
    widget.selected = ""
    assert widget.details == "" and "cltopo-selected" not in widget.svg


def test_highlight_and_health_redraw(cloud: Cloud) -> None:
    net = build_network(cloud, azs=1, per_subnet=1)
    widget = TopologyWidget(cloud, live=False)
    iid = net.instances[net.subnets[(0, 1)]][0]
    hop = FakeHop("security-group", net.app_sg, "no rule allows tcp 22")
    widget.highlight(FakePath(False, [FakeHop("instance", iid), hop], hop))
    assert f"✕ blocked here: security-group {net.app_sg}" in widget.svg
    widget.highlight(None)
    assert "blocked here" not in widget.svg
    with pytest.raises(TypeError, match="highlight needs a reachability path with .hops"):
        widget.highlight(iid)
    widget.set_health({iid: "unhealthy"})
    assert ">✕ unhealthy</text>" in widget.svg
    with pytest.raises(ValueError, match="must be one of healthy"):
        widget.set_health({iid: "sick"})
    widget.set_health(None)
    assert "unhealthy" not in widget.svg


def test_svg_trait_rejects_non_svg(cloud: Cloud) -> None:
    widget = TopologyWidget(cloud, live=False)
    with pytest.raises(traitlets.TraitError, match="svg must be an SVG document"):
        widget.svg = "hello"


def test_bad_arguments_are_refused(cloud: Cloud) -> None:
    with pytest.raises(ValueError, match="width_px must be >= 480"):
        TopologyWidget(cloud, width_px=100)
    with pytest.raises(ValueError, match="min_interval_s must be >= 0 seconds, got -1"):
        TopologyWidget(cloud, min_interval_s=-1)


def test_mimebundle_has_widget_view_svg_and_text(cloud: Cloud) -> None:
    build_network(cloud, azs=1, per_subnet=1)
    widget = TopologyWidget(cloud, live=False)
    bundle = widget._repr_mimebundle_()
    assert WIDGET_VIEW_MIME in bundle
    assert bundle["image/svg+xml"] == widget.svg
    assert bundle["text/plain"].startswith("TopologyWidget(region='us-east-1': 1 VPC")


def test_refresh_updates_display_handles(cloud: Cloud) -> None:
    widget = TopologyWidget(cloud, live=False)

    class Handle:
        def __init__(self) -> None:
            self.updates: list[dict[str, Any]] = []

        def update(self, data: dict[str, Any], raw: bool = False) -> None:
            self.updates.append(data)

    handle = Handle()
    widget._handles.append(handle)
    cloud.client("ec2").create_vpc(CidrBlock="10.1.0.0/16")
    widget.refresh()
    assert handle.updates and "10.1.0.0/16" in handle.updates[-1]["image/svg+xml"]


def test_reset_marks_dirty(cloud: Cloud) -> None:
    build_network(cloud, azs=1, per_subnet=1)
    widget = TopologyWidget(cloud)
    cloud.reset()
    assert widget._dirty
    widget.flush()
    assert widget.model.instances == []
