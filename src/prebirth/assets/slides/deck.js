/* Pre-birth Data Book slides: keyboard and button navigation, one slide at a time.
   Right arrow, Page Down or Space: next. Left arrow or Page Up: previous. Home / End: first / last. */
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll("section.slide"));
  if (!slides.length) { return; }
  document.documentElement.classList.add("deck-js");
  var counter = document.getElementById("deck-counter");
  var spoken = document.getElementById("deck-spoken");
  var previous = document.getElementById("deck-previous");
  var next = document.getElementById("deck-next");
  var current = 0;

  function fromHash() {
    var match = /^#slide-(\d+)$/.exec(window.location.hash);
    return match ? parseInt(match[1], 10) - 1 : 0;
  }

  function show(index) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, i) { slide.classList.toggle("current", i === current); });
    var heading = slides[current].querySelector("h1, h2");
    counter.textContent = "Slide " + (current + 1) + " of " + slides.length;
    spoken.textContent = counter.textContent + (heading ? ": " + heading.textContent : "");
    previous.disabled = current === 0;
    next.disabled = current === slides.length - 1;
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#slide-" + (current + 1));
    }
    slides[current].scrollTop = 0;
  }

  previous.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var onButton = event.target && event.target.tagName === "BUTTON";
    var key = event.key;
    if (key === "ArrowRight" || key === "PageDown" || ((key === " " || key === "Spacebar") && !onButton)) {
      show(current + 1);
    } else if (key === "ArrowLeft" || key === "PageUp") {
      show(current - 1);
    } else if (key === "Home") {
      show(0);
    } else if (key === "End") {
      show(slides.length - 1);
    } else {
      return;
    }
    event.preventDefault();
  });
  window.addEventListener("hashchange", function () { show(fromHash()); });
  show(fromHash());
}());
