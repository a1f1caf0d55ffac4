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
