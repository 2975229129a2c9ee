// Progressive enhancement of our own forms; every form works without it.
// 1. Warn before leaving a record form with unsaved typing.
// 2. Ask before a delete.
// 3. Fill in how a save moved the assessment once the server has recomputed it.
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
