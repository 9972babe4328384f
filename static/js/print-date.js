// The printed card carries the date it was printed (the page itself may come from a cache).
(function () {
  function fill() {
    document.querySelectorAll(".print-date").forEach(function (node) {
      var language = node.getAttribute("data-language") === "en" ? "en-GB" : "ko-KR";
      // Korean time, like every date the portal prints (공표 dates, the as-of banner).
      var options = { year: "numeric", month: "long", day: "numeric", timeZone: "Asia/Seoul" };
      node.textContent = new Date().toLocaleDateString(language, options);
    });
  }
  fill();
  window.addEventListener("beforeprint", fill);
})();
