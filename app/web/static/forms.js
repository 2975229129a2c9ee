// Progressive enhancement of our own forms; every form works without it.
// 1. Warn before leaving a record form with unsaved typing.
// 2. Ask before a delete.
// 3. Fill in how a save moved the assessment once the server has recomputed it.
// 4. Copy a shown-once secret (a new API token) with one click.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-guard]").forEach(function (form) {
      var dirty = false;
      form.addEventListener("input", function () { dirty = true; });
      form.addEventListener("submit", function () { dirty = false; });
      window.addEventListener("beforeunload", function (event) {
        if (dirty) { event.preventDefault(); event.returnValue = ""; }
      });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var field = document.getElementById(button.getAttribute("data-copy"));
        var done = function () { button.textContent = button.getAttribute("data-copied") || "Copied"; };
        field.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
        } else {
          document.execCommand("copy");
          done();
        }
      });
    });
    document.querySelectorAll("[data-movement-poll]").forEach(function (notice) {
      fetch(notice.getAttribute("data-movement-poll"), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (!body.ready) { return; }
          notice.textContent = body.lines.join(" ");
          notice.classList.remove("pending");
          notice.removeAttribute("data-movement-poll");
        })
        .catch(function () { notice.textContent = "How the assessment moved will show on the next page."; });
    });
  });
})();
