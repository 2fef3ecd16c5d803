// Small progressive enhancements for tms forms (no inline scripts: the CSP forbids them).
// - [data-copy="input-id"]: copy that input's value to the clipboard (button hidden without JS).
// - [data-confirm="question"]: ask before submitting the button's form.
// - [data-select-on-focus]: select an input's whole text when it gets focus.
"use strict";
(function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var status = button.parentElement.querySelector(".copy-status");
      var done = function () { if (status) { status.textContent = button.getAttribute("data-copied") || ""; } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
      } else {
        input.select();
        try { if (document.execCommand("copy")) { done(); } } catch (e) { /* the user copies by hand */ }
      }
    });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
