// Alignment proposal page: choose a split point with the text cursor, tick pairs.
// Everything here is an extra: the forms work without it.
(function () {
  "use strict";
  var strings = {};
  var data = document.getElementById("align-strings");
  if (data) {
    try { strings = JSON.parse(data.textContent || "{}"); } catch (e) { strings = {}; }
  }

  function fill(template, n) {
    return (template || "").replace("%(n)s", String(n));
  }

  // Offset of the caret inside el, counted in characters (code points, as Python counts).
  function caretOffset(el) {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0) { return null; }
    var range = sel.getRangeAt(0);
    if (!el.contains(range.startContainer)) { return null; }
    var before = document.createRange();
    before.selectNodeContents(el);
    before.setEnd(range.startContainer, range.startOffset);
    return Array.from(before.toString()).length;
  }

  function choose(el) {
    var offset = caretOffset(el);
    var pair = el.getAttribute("data-pair");
    var input = document.getElementById("off-" + pair);
    if (offset === null || !input) { return; }
    var length = Array.from(el.textContent || "").length;
    if (offset <= 0 || offset >= length) { return; }
    input.value = String(offset);
    input.setAttribute("title", fill(strings.cursor, offset));
  }

  document.querySelectorAll(".tgt-text").forEach(function (el) {
    el.setAttribute("title", strings.hint || "");
    el.addEventListener("mouseup", function () { choose(el); });
    el.addEventListener("keyup", function () { choose(el); });
  });
})();
