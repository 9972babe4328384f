// Draws every chart whose figure dict the page carries in a <script type="application/json">.
// No inline scripts: the container names its data with data-figure="<json element id>".
(function () {
  "use strict";
  // On a phone the values written above standing bars would run into each other
  // ("9,6519,651"): they stand upright instead, with room above the tallest bar.
  // A title wider than the chart breaks at spaces, as measured in the chart's own font.
  var BAR_ROOM = 60;  // px per bar a value written across needs ("14,105" and a gap)
  function wrapTitle(layout, width) {
    var title = layout.title;
    if (!title || !title.text) { return; }
    var size = (title.font && title.font.size) || 16;
    var context = document.createElement("canvas").getContext("2d");
    context.font = size + "px " + ((layout.font && layout.font.family) || "sans-serif");
    var lines = [];
    title.text.split("<br>").forEach(function (part) {
      var line = "";
      part.split(" ").forEach(function (word) {
        var tried = line ? line + " " + word : word;
        if (line && context.measureText(tried).width > width - 16) {
          lines.push(line);
          line = word;
        } else {
          line = tried;
        }
      });
      lines.push(line);
    });
    title.text = lines.join("<br>");
    if (lines.length > 1 && layout.margin) {
      layout.margin.t = (layout.margin.t || 48) + (lines.length - 1) * Math.round(size * 1.25);
      layout.height = (layout.height || 340) + (lines.length - 1) * Math.round(size * 1.25);
    }
  }
  function fitNarrow(figure, width) {
    wrapTitle(figure.layout, width);
    var standing = figure.data.filter(function (trace) {
      return trace.type === "bar" && trace.orientation !== "h";
    });
    var bars = standing.length && standing.length * standing[0].x.length;
    if (!bars || width / bars >= BAR_ROOM) { return; }
    var turned = false;
    figure.data.forEach(function (trace) {
      if (trace.type === "bar" && trace.orientation !== "h" && trace.textposition === "outside") {
        trace.textangle = -90;
        trace.textfont = { size: 11 };
        turned = true;
      }
    });
    var axis = figure.layout.yaxis;
    if (turned && axis && axis.range) {
      axis.range = [axis.range[0], axis.range[1] * 1.3];
      figure.layout.bargroupgap = 0.25;
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
