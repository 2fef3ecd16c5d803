// Print check on the publish page: start the job without leaving the page, show its
// progress, and reload the language's section when the pages are ready. Without JavaScript
// the form posts and the page shows the job when it is reloaded. Every sentence shown comes
// from the server, already translated.
"use strict";
(function () {
  function poll(box) {
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector("progress");
    var text = box.querySelector("span");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (resp) { return resp.json(); })
      .then(function (status) {
        if (bar) { bar.max = status.steps; bar.value = status.step; }
        if (text) { text.textContent = status.state === "failed" ? status.message : status.label; }
        if (status.state === "running") {
          window.setTimeout(function () { poll(box); }, 1000);
        } else if (status.state === "done") {
          var section = box.closest("section.print-check");
          window.location.hash = section ? section.id : "";
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 3000); });
  }

  function statusBox(form, url) {
    var box = form.parentElement.querySelector(".preview-status");
    if (!box) {
      box = document.createElement("p");
      box.className = "preview-status";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      box.appendChild(document.createElement("progress"));
      box.appendChild(document.createTextNode(" "));
      box.appendChild(document.createElement("span"));
      form.insertAdjacentElement("afterend", box);
    }
    box.setAttribute("data-status-url", url);
    return box;
  }

  document.querySelectorAll("form[data-previews]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                           headers: { Accept: "application/json" } })
        .then(function (resp) {
          if (!resp.ok) { throw new Error(String(resp.status)); }
          return resp.json();
        })
        .then(function (started) { poll(statusBox(form, started.status_url)); })
        .catch(function () { form.submit(); });  // the plain form says what went wrong
    });
  });
  document.querySelectorAll(".preview-status[data-status-url]").forEach(poll);
})();
