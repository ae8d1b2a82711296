// Front end of cloudlab.viz.ScalingDashboard (anywidget ESM).
// Python renders the dashboard as SVG; this view shows it, with the run's progress
// ("t = 14:00 of 24:00") while a run is going, the error of a failed replay, and, when a
// replay function is attached, one slider per control and a "Replay" button. A click
// sends {event: "replay", values} to Python, which runs the replay and redraws.
// It holds no simulation logic and loads nothing from the network. liveStatus and liveSvg
// come from live.js (put before this file by Python).

const EMPTY_TEXT = "No data yet: pass a recorder, or run a scenario with live=dashboard.";

function formatValue(value) {
  const n = Number(value);
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, "").replace(/\.$/, "");
}

function render({ model, el }) {
  const root = document.createElement("figure");
  root.className = "cloudlab-dashboard cloudlab-live";
  const { status, bar, label } = liveStatus("cloudlab-dashboard");

  const error = document.createElement("div");
  error.className = "cloudlab-dashboard__error";
  error.setAttribute("role", "alert");

  const { body, draw: drawSvg } = liveSvg("cloudlab-dashboard", model, EMPTY_TEXT);

  const form = document.createElement("form");
  form.className = "cloudlab-dashboard__controls";
  form.setAttribute("aria-label", "Replay with other settings");
  const sliders = document.createElement("div");
  sliders.className = "cloudlab-dashboard__sliders";
  const button = document.createElement("button");
  button.type = "submit";
  button.className = "cloudlab-dashboard__replay";
  button.textContent = "Replay";
  const state = document.createElement("span");
  state.className = "cloudlab-dashboard__replay-state";
  state.setAttribute("aria-live", "polite");
  const actions = document.createElement("div");
  actions.className = "cloudlab-dashboard__actions";
  actions.append(button, state);
  form.append(sliders, actions);

  root.append(status, error, body, form);
  el.append(root);

  const inputs = new Map(); // control name -> {input, output}
  let waiting = false; // clicked, Python has not answered yet

  function drawProgress() {
    const p = Number(model.get("progress"));
    const running = p < 1;
    const text = model.get("progress_text") || "";
    status.hidden = !text && !running;
    bar.hidden = !running;
    bar.value = p;
    label.textContent = running ? `simulating\u2026 ${text || "waiting for data"}` : text;
    root.classList.toggle("is-running", running);
  }

  function drawTitle() {
    root.setAttribute("aria-label", model.get("title") || "Scaling dashboard");
  }

  function drawError() {
    const text = model.get("error") || "";
    error.textContent = text;
    error.hidden = !text;
  }

  function drawControls() {
    const controls = model.get("controls") || {};
    const values = model.get("values") || {};
    sliders.replaceChildren();
    inputs.clear();
    for (const [name, spec] of Object.entries(controls)) {
      const row = document.createElement("label");
      row.className = "cloudlab-dashboard__control";
      const text = document.createElement("span");
      text.className = "cloudlab-dashboard__control-label";
      text.textContent = spec.label || name;
      const input = document.createElement("input");
      input.type = "range";
      input.name = name;
      input.min = spec.min;
      input.max = spec.max;
      input.step = spec.step;
      input.value = name in values ? values[name] : spec.value;
      const output = document.createElement("output");
      output.className = "cloudlab-dashboard__control-value";
      output.textContent = formatValue(input.value);
      input.addEventListener("input", () => {
        output.textContent = formatValue(input.value);
      });
      input.addEventListener("change", () => {
        model.set("values", { ...(model.get("values") || {}), [name]: Number(input.value) });
        model.save_changes();
      });
      row.append(text, input, output);
      sliders.append(row);
      inputs.set(name, { input, output });
    }
  }

  function drawValues() {
    const values = model.get("values") || {};
    for (const [name, { input, output }] of inputs) {
      if (name in values && Number(input.value) !== Number(values[name])) {
        input.value = values[name];
        output.textContent = formatValue(values[name]);
      }
    }
  }

  function drawReplayState() {
    form.hidden = !model.get("can_replay");
    const running = !!model.get("running");
    if (running) waiting = false;
    const busy = running || waiting;
    button.disabled = busy;
    state.textContent = busy ? "replaying\u2026" : "";
    root.classList.toggle("is-replaying", busy);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = {};
    for (const [name, { input }] of inputs) values[name] = Number(input.value);
    waiting = true;
    drawReplayState();
    model.set("values", values);
    model.save_changes();
    model.send({ event: "replay", values });
  });

  function svgChanged() {
    waiting = false;
    drawSvg();
    drawReplayState();
  }

  drawSvg();
  drawProgress();
  drawTitle();
  drawError();
  drawControls();
  drawReplayState();
  const handlers = [
    ["change:svg", svgChanged],
    ["change:progress", drawProgress],
    ["change:progress_text", drawProgress],
    ["change:title", drawTitle],
    ["change:error", () => { waiting = false; drawError(); drawReplayState(); }],
    ["change:controls", drawControls],
    ["change:values", drawValues],
    ["change:running", drawReplayState],
    ["change:can_replay", drawReplayState],
  ];
  for (const [event, fn] of handlers) model.on(event, fn);
  return () => {
    for (const [event, fn] of handlers) model.off(event, fn);
  };
}

export default { render };
