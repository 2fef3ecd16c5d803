// Review queue keyboard shortcuts (progressive enhancement: every action is a plain form).
// j / k: next / previous item; a: approve the current item; s: open its send-back form.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".review-item"));
  if (!items.length) { return; }
  var current = -1;

  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function focusItem(i) {
    if (i < 0 || i >= items.length) { return; }
    if (current >= 0) { items[current].classList.remove("current"); }
    current = i;
    items[i].classList.add("current");
    items[i].focus();
    items[i].scrollIntoView({ block: "nearest" });
  }

  function currentIndex() {
    var active = document.activeElement;
    for (var i = 0; i < items.length; i++) {
      if (items[i] === active || items[i].contains(active)) { return i; }
    }
    return current;
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || typing(ev.target)) { return; }
    var i = currentIndex();
    if (ev.key === "j") {
      focusItem(i + 1);
    } else if (ev.key === "k") {
      focusItem(i <= 0 ? 0 : i - 1);
    } else if (ev.key === "a" && i >= 0) {
      var button = items[i].querySelector(".approve-form button[data-key='a']");
      if (button && !button.disabled) { button.form.requestSubmit ? button.form.requestSubmit(button) : button.form.submit(); }
    } else if (ev.key === "s" && i >= 0) {
      var details = items[i].querySelector("details.send-back");
      if (details) {
        details.open = true;
        var area = details.querySelector("textarea");
        if (area) { area.focus(); }
        ev.preventDefault();  // keep the "s" out of the reason box
      }
    } else {
      return;
    }
  });
})();
