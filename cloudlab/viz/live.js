// Shared by the views of cloudlab.viz's SVG widgets (chart, dashboard): Python puts this
// text before each widget's own module (cloudlab/viz/live.py, front_end), as an anywidget
// module cannot import the files next to it. Python renders the picture as SVG; these
// pieces only show it and the run's progress. They load nothing from the network.

// A status line (progress bar and its label) with the widget's class names
// (`${block}__status`, `${block}__progress`, `${block}__progress-label`).
function liveStatus(block) {
  const status = document.createElement("div");
  status.className = `${block}__status cloudlab-live__status`;
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const bar = document.createElement("progress");
  bar.className = `${block}__progress cloudlab-live__progress`;
  bar.max = 1;
  const label = document.createElement("span");
  label.className = `${block}__progress-label`;
  status.append(bar, label);
  return { status, bar, label };
}

// The element that shows the SVG (`${block}__svg`), and a function that draws the model's
// `svg` trait into it, or `emptyText` while there is no picture.
function liveSvg(block, model, emptyText) {
  const body = document.createElement("div");
  body.className = `${block}__svg cloudlab-live__svg`;
  function draw() {
    const svg = model.get("svg") || "";
    const at = svg.indexOf("<svg");
    if (at < 0) {
      body.textContent = emptyText;
      body.classList.add("is-empty");
      return;
    }
    body.classList.remove("is-empty");
    // Our own SVG (rendered by matplotlib in the kernel); drop the XML prolog.
    body.innerHTML = svg.slice(at);
  }
  return { body, draw };
}
