// Draws every chart whose figure dict the page carries in a <script type="application/json">.
// No inline scripts: the container names its data with data-figure="<json element id>".
(function () {
  "use strict";
  // On a phone the values written above standing bars would run into each other
  // ("9,6519,651"): they stand upright instead, with room above the tallest bar.
  var NARROW = 768;
  function fitNarrow(figure, width) {
    if (width >= NARROW) { return; }
    var turned = false;
    figure.data.forEach(function (trace) {
      if (trace.type === "bar" && trace.orientation !== "h" && trace.textposition === "outside") {
        trace.textangle = -90;
        turned = true;
      }
    });
    var axis = figure.layout.yaxis;
    if (turned && axis && axis.range) {
      axis.range = [axis.range[0], axis.range[1] * 1.3];
    }
  }
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-figure]").forEach(function (container) {
      var source = document.getElementById(container.dataset.figure);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      fitNarrow(figure, container.clientWidth);
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
