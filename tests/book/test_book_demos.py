"""The executed demos of chapters 08-12 ran in the book build and show what the text says.

Each chapter runs its demos on the mini cloud (``{code-cell}`` blocks, seeded, so the figures
are the same at every build). The tests read only the executed cells' outputs on the built
pages (``cell_outputs``), never the prose or the code, and check both the exact figures the
prose quotes and the relations it draws from them (a golden AMI serves sooner; a load balancer
loses fewer requests than an Elastic IP failover; ...). The book is built by the ``html_dir``
fixture in ``conftest.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bookpages import cell_outputs, code_cells, has_svg_chart, page_html, source

pytestmark = pytest.mark.book

DEMO_CHAPTERS = (
    "08-ec2-amis-bootstrapping",
    "09-design-for-failure",
    "10-ebs",
    "11-load-balancing",
    "12-auto-scaling-cloudwatch",
)


def _outputs(html_dir: Path, name: str) -> str:
    return " | ".join(cell_outputs(html_dir, name))


def _numbers(pattern: str, text: str) -> list[tuple[float, ...]]:
    """Every match of ``pattern`` in ``text``, its groups as numbers (commas dropped)."""
    found = re.findall(pattern, text)
    assert found, f"{pattern!r} not in the outputs: {text[:600]}"
    return [tuple(float(g.replace(",", "")) for g in (m if isinstance(m, tuple) else (m,)))
            for m in found]


# ------------------------------------------------------------------- the chapter sources


@pytest.mark.parametrize("name", DEMO_CHAPTERS)
def test_demos_run_on_a_seeded_cloud(name: str) -> None:
    text = source(name)
    assert text.startswith("---\njupytext:"), f"{name}: no notebook front matter, never executed"
    cells = code_cells(text)
    assert cells, f"{name}: no executed cell"
    assert re.search(r"Cloud\(seed=\d+\)", text), f"{name}: the demo cloud is not seeded"
    # Chapters are read offline and their numbers must not depend on the wall clock.
    assert not any("time.time" in c or "datetime.now" in c for c in cells), name


# --------------------------------------------------------------------- the built pages


@pytest.mark.parametrize("name", DEMO_CHAPTERS)
def test_every_demo_cell_left_its_output(html_dir: Path, name: str) -> None:
    outputs = cell_outputs(html_dir, name)
    assert len(outputs) >= 2, f"{name}: {len(outputs)} executed outputs on the page"
    for text in outputs:
        assert "traceback" not in text and "error:" not in text, text[:300]
        # No live-only widget repr and nothing stamped with the build's wall-clock time.
        assert "widget" not in text and "datetime.datetime(" not in text, text[:300]


def test_ec2_demo_boots_from_user_data_and_from_a_golden_ami(html_dir: Path) -> None:
    out = _outputs(html_dir, "08-ec2-amis-bootstrapping")
    # describe_instances: pending (not billed), then running 20 s after the launch.
    assert "0 s after launch: pending" in out and "20 s after launch: running" in out
    assert "running (billing starts)" in out and "dnf upgrade done" in out
    assert "httpd listening on port 80 (started by user data)" in out
    (user_run, user_serve), (gold_run, gold_serve) = _numbers(
        r"running after\s+(\d+) s, serving after\s+(\d+) s", out)
    assert (user_serve, gold_serve) == (185, 47)
    # The prose: same moment to running, serving "about three minutes" after launch with user
    # data, and "more than two minutes sooner" from the golden AMI.
    assert user_run == gold_run
    assert 150 <= user_serve <= 210 and user_serve - gold_serve > 120


def test_failure_demo_compares_eip_failover_alb_and_static_stability(html_dir: Path) -> None:
    name = "09-design-for-failure"
    out = _outputs(html_dir, name)
    rows = dict(zip(
        ("eip", "alb", "six", "nine"),
        _numbers(r"requests failing for\s+(\d+) s, worst moment\s+(\d+)% failed, "
                 r"([\d.]+)% of all requests lost", out),
        strict=True))
    assert rows["eip"] == (90, 100, 5.0)           # down for the whole 90 s detection time
    assert rows["alb"] == (30, 33, 0.56)           # a third of the requests, until ejected
    assert 30 <= rows["alb"][0] <= 60 and rows["alb"][2] < rows["eip"][2] / 5
    assert rows["six"][:2] == (210, 20)            # 800 of 1,000 req/s served: a fifth fails
    assert rows["six"][0] >= 120                   # "minutes" until replacements serve
    assert rows["nine"] == (0, 0, 0.0)             # statically stable: nobody notices
    html = page_html(html_dir, name)
    assert has_svg_chart(html), "no static dashboard of the AZ outage"
    assert "application/vnd.jupyter.widget-view+json" not in html


def test_ebs_demo_moves_a_volume_to_another_az(html_dir: Path) -> None:
    out = _outputs(html_dir, "10-ebs")
    assert re.search(r"attach a volume in us-east-1a to an instance in us-east-1b: "
                     r"invalidvolume\.zonemismatch", out), out[:600]
    assert "restored in us-east-1b from snap c, same data: true" in out
    assert "stored for all three: 16.0 gib" in out


def test_load_balancing_demo_ejects_a_crashed_target(html_dir: Path) -> None:
    out = _outputs(html_dir, "11-load-balancing")
    assert ("{'healthcheckintervalseconds': 30, 'healthchecktimeoutseconds': 5, "
            "'healthythresholdcount': 5, 'unhealthythresholdcount': 2}") in out
    timeline = _numbers(r"(\d+) s after the crash: (?:healthy|unhealthy)", out)
    assert "0 s after the crash: healthy" in out
    assert "60 s after the crash: unhealthy target.failedhealthchecks" in out
    assert timeline[-1] == (60,)                   # 2 failed checks x 30 s
    (i30, s30, n30), (i10, s10, n10) = _numbers(
        r"interval\s+(\d+) s: requests failed for\s+(\d+) s,\s+([\d,]+) failed in all", out)
    assert (i30, s30, n30) == (30, 59, 3540) and (i10, s10, n10) == (10, 19, 1425)
    # "Shrink the window in proportion"; the failed requests "not quite as much".
    assert s10 * 3 == pytest.approx(s30, abs=3)
    assert n10 / n30 > s10 / s30


def test_load_balancing_demo_reads_the_lcu_dimensions_from_cloudwatch(html_dir: Path) -> None:
    out = _outputs(html_dir, "11-load-balancing")
    # two 4-minute runs at 300 requests/s; 22 kB a request
    assert "144,000 requests, 3.17 gb processed" in out
    [(connections, processed, billed, usd)] = re.findall(
        r"lcu-hours: new connections ([\d.]+), processed bytes ([\d.]+) -> billed ([\d.]+) "
        r"lcu-hours = \$([\d.]+)", out)
    assert float(connections) == 0.16 and float(processed) == float(billed) == 3.17
    assert float(usd) == pytest.approx(3.168 * 0.008, abs=1e-4)  # "bytes win by twenty"
    assert float(processed) / float(connections) > 19


def test_scaling_demo_tracks_a_day_and_draws_the_dashboard(html_dir: Path) -> None:
    name = "12-auto-scaling-cloudwatch"
    out = _outputs(html_dir, name)
    assert "greaterthanthreshold 50, 3 of 3 minutes" in out
    assert "lessthanthreshold 45, 15 of 15 minutes" in out
    [(night, peak, hours, cost)] = _numbers(
        r"instances: (\d+) at night, (\d+) at the busiest minute; (\d+) instance-hours, "
        r"\$([\d.]+) for the day", out)
    assert (night, peak, hours, cost) == (2, 13, 126, 20.16)  # $13.73 before the ALB billed bytes
    assert night == 2 and peak < 20               # at the minimum all night, below the maximum
    [(unmet,)] = _numbers(r"requests not served: ([\d.]+)%", out)
    assert unmet < 0.5                            # "almost every request is served"
    html = page_html(html_dir, name)
    assert has_svg_chart(html), "no static scaling dashboard"
    assert "application/vnd.jupyter.widget-view+json" not in html
