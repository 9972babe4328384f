// Draws every chart whose figure dict the page carries in a <script type="application/json">.
// No inline scripts: the container names its data with data-figure="<json element id>".
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-figure]").forEach(function (container) {
      var source = document.getElementById(container.dataset.figure);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(container, figure.data, figure.layout, {
        displayModeBar: false,
        responsive: true,
        staticPlot: false
      }).then(function () {
        container.classList.add("is-drawn");
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
