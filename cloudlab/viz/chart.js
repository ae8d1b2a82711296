// Front end of cloudlab.viz.DemandCapacityChart (anywidget ESM).
// Python renders the chart as SVG; this view only shows it, with a progress bar while a
// run is still going (progress < 1). It holds no simulation logic and loads nothing from
// the network. liveStatus and liveSvg come from live.js (put before this file by Python).

const EMPTY_TEXT = "No data yet: run a scenario with live=chart to fill this chart.";

function render({ model, el }) {
  const root = document.createElement("figure");
  root.className = "cloudlab-chart cloudlab-live";
  const { status, bar, label } = liveStatus("cloudlab-chart");
  const { body, draw: drawSvg } = liveSvg("cloudlab-chart", model, EMPTY_TEXT);
  root.append(status, body);
  el.append(root);

  function drawProgress() {
    const p = Number(model.get("progress"));
    const running = p < 1;
    status.hidden = !running;
    root.classList.toggle("is-running", running);
    bar.value = p;
    label.textContent = `simulating\u2026 ${Math.round(p * 100)}%`;
  }

  function drawTitle() {
    root.setAttribute("aria-label", model.get("title") || "Demand and capacity chart");
  }

  drawSvg();
  drawProgress();
  drawTitle();
  model.on("change:svg", drawSvg);
  model.on("change:progress", drawProgress);
  model.on("change:title", drawTitle);
  return () => {
    model.off("change:svg", drawSvg);
    model.off("change:progress", drawProgress);
    model.off("change:title", drawTitle);
  };
}

export default { render };
