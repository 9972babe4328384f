// Binds the export page's "select all" toggle (instead of an inline onchange handler).
document.querySelectorAll(".select-toggle").forEach(function (toggle) {
  toggle.addEventListener("change", window.onSelectToggleChange);
});
