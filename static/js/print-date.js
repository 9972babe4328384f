// The printed card carries the date it was printed (the page itself may come from a cache).
(function () {
  function fill() {
    document.querySelectorAll(".print-date").forEach(function (node) {
      var language = node.getAttribute("data-language") === "en" ? "en-GB" : "ko-KR";
      var options = { year: "numeric", month: "long", day: "numeric" };
      node.textContent = new Date().toLocaleDateString(language, options);
    });
  }
  fill();
  window.addEventListener("beforeprint", fill);
})();
