// Front end of cloudlab.viz.DemandCapacityChart (anywidget ESM).
// Python renders the chart as SVG; this view only shows it, with a progress bar while a
// run is still going (progress < 1). It holds no simulation logic and loads nothing from
// the network.

const EMPTY_TEXT = "No data yet: run a scenario with live=chart to fill this chart.";

function render({ model, el }) {
  const root = document.createElement("figure");
  root.className = "cloudlab-chart";

  const status = document.createElement("div");
  status.className = "cloudlab-chart__status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const bar = document.createElement("progress");
  bar.className = "cloudlab-chart__progress";
  bar.max = 1;
  const label = document.createElement("span");
  label.className = "cloudlab-chart__progress-label";
  status.append(bar, label);

  const body = document.createElement("div");
  body.className = "cloudlab-chart__svg";

  root.append(status, body);
  el.append(root);

  function drawSvg() {
    const svg = model.get("svg") || "";
    const at = svg.indexOf("<svg");
    if (at < 0) {
      body.textContent = EMPTY_TEXT;
      body.classList.add("is-empty");
      return;
    }
    body.classList.remove("is-empty");
    // Our own SVG (rendered by matplotlib in the kernel); drop the XML prolog.
    body.innerHTML = svg.slice(at);
  }

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
