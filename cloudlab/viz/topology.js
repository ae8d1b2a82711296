// Front end of cloudlab.viz.TopologyWidget (anywidget ESM).
// Python reads the mini cloud and renders the diagram as SVG; this view shows it, offers
// a checkbox for the security-group rule arrows (the show_security_groups trait) and
// reports clicks on resources (the selected trait; Python answers with details).
// It holds no cloud logic and loads nothing from the network.

function render({ model, el }) {
  const root = document.createElement("figure");
  root.className = "cloudlab-topology";

  const bar = document.createElement("div");
  bar.className = "cloudlab-topology__bar";
  const toggle = document.createElement("label");
  toggle.className = "cloudlab-topology__toggle";
  const box = document.createElement("input");
  box.type = "checkbox";
  box.className = "cloudlab-topology__sg";
  toggle.append(box, document.createTextNode(" show security-group rules"));
  const status = document.createElement("span");
  status.className = "cloudlab-topology__status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  bar.append(toggle, status);

  const body = document.createElement("div");
  body.className = "cloudlab-topology__svg";

  const details = document.createElement("pre");
  details.className = "cloudlab-topology__details";
  details.setAttribute("aria-live", "polite");

  root.append(bar, body, details);
  el.append(root);

  function drawSvg() {
    const svg = model.get("svg") || "";
    const at = svg.indexOf("<svg");
    body.innerHTML = at < 0 ? "" : svg.slice(at); // our own SVG, rendered in the kernel
    root.setAttribute("aria-label", model.get("title") || "Network topology");
  }
  function drawToggle() {
    box.checked = !!model.get("show_security_groups");
  }
  function drawStatus() {
    status.textContent = model.get("status") || "";
    status.classList.toggle("is-error", (model.get("status") || "").startsWith("refresh failed"));
  }
  function drawDetails() {
    const text = model.get("details") || "";
    details.textContent = text;
    details.hidden = !text;
  }

  box.addEventListener("change", () => {
    model.set("show_security_groups", box.checked);
    model.save_changes();
  });
  body.addEventListener("click", (event) => {
    const hit = event.target.closest("[data-id]");
    const id = hit ? hit.getAttribute("data-id") : "";
    model.set("selected", id === model.get("selected") ? "" : id);
    model.save_changes();
  });

  drawSvg();
  drawToggle();
  drawStatus();
  drawDetails();
  model.on("change:svg", drawSvg);
  model.on("change:title", drawSvg);
  model.on("change:show_security_groups", drawToggle);
  model.on("change:status", drawStatus);
  model.on("change:details", drawDetails);
  return () => {
    model.off("change:svg", drawSvg);
    model.off("change:title", drawSvg);
    model.off("change:show_security_groups", drawToggle);
    model.off("change:status", drawStatus);
    model.off("change:details", drawDetails);
  };
}

export default { render };
