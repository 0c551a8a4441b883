/* The workshop deck's notes view: key N (or the Notes button) shows each slide's speaker notes beside it;
   ?notes in the address opens the deck in the notes view. */
(function () {
  "use strict";
  var toggle = document.getElementById("deck-notes-toggle");
  if (!toggle) { return; }
  function set(on) {
    document.documentElement.classList.toggle("notes-view", on);
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
  }
  toggle.addEventListener("click", function () {
    set(!document.documentElement.classList.contains("notes-view"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.key === "n" || event.key === "N") {
      set(!document.documentElement.classList.contains("notes-view"));
      event.preventDefault();
    }
  });
  if (/[?&]notes\b/.test(window.location.search)) { set(true); }
}());
