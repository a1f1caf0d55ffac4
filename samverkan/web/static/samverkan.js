// Progressive enhancement only: every page works without this file.
// Copy buttons: <button data-copy="#id-of-input"> copies the input's value to the clipboard.
(function () {
  "use strict";
  function copy(button) {
    var target = document.querySelector(button.getAttribute("data-copy"));
    if (!target) { return; }
    var done = function () {
      var status = document.getElementById(button.getAttribute("aria-controls") || "");
      if (status) { status.textContent = button.getAttribute("data-copied") || ""; }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(target.value).then(done, function () {
        target.select(); document.execCommand("copy"); done();
      });
    } else {
      target.select(); document.execCommand("copy"); done();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  });
})();

// "Print or save as PDF" on the council report: the browser's own print dialog.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();

// Search filters behind a button on a phone: <details data-closed-below="48rem"> starts closed
// when the viewport is narrower, so the results come first.
(function () {
  "use strict";
  function fold(root) {
    root.querySelectorAll("details[data-closed-below]").forEach(function (details) {
      var width = details.getAttribute("data-closed-below");
      if (window.matchMedia("(max-width: " + width + ")").matches) { details.open = false; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { fold(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    // A filter just chosen keeps the filters open; typing a new search folds them again.
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (source && source.closest && source.closest(".facets")) { return; }
    fold(event.target);
  });
})();

// Search filters (<select data-apply hx-trigger="apply-filter">): a choice made with the pointer
// applies at once, but stepping through the options with the arrow keys, which Chromium reports
// as a change per step, does not (WCAG 3.2.2 On Input); Enter or the button applies it.
(function () {
  "use strict";
  function filterOf(event) {
    return event.target.closest ? event.target.closest("select[data-apply]") : null;
  }
  function apply(select) {
    if (window.htmx) { window.htmx.trigger(select, "apply-filter"); }
  }
  document.addEventListener("pointerdown", function (event) {
    var select = filterOf(event);
    if (select) { select.setAttribute("data-chosen-by", "pointer"); }
  }, true);
  document.addEventListener("keydown", function (event) {
    var select = filterOf(event);
    if (!select) { return; }
    if (event.key === "Enter") {
      event.preventDefault();
      apply(select);
    } else {
      select.setAttribute("data-chosen-by", "keyboard");
    }
  }, true);
  document.addEventListener("change", function (event) {
    var select = filterOf(event);
    if (select && select.getAttribute("data-chosen-by") === "pointer") { apply(select); }
  });
})();

// The search box is marked invalid while the message next to it (swapped in by htmx) says why.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    var box = document.getElementById("q");
    var problem = document.getElementById("q-problem");
    if (!box || !problem) { return; }
    box.setAttribute("aria-invalid", problem.textContent.trim() ? "true" : "false");
  });
})();
