/* tms segment editor: vanilla JS, no framework. User text only ever goes through
   textContent / value, never as HTML markup. Unsaved text lives in localStorage until the
   server confirms it, so nothing typed is lost to a closed tab or a dropped connection. */
(function () {
  'use strict';
  var $ = function (s, r) { return (r || document).querySelector(s); };
  var cfgEl = $('#editor-config');
  if (!cfgEl) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var T = JSON.parse($('#editor-i18n').textContent);
  var csrf = ($('meta[name="csrf-token"]') || {}).content || '';
  var form = $('#ed'), ta = $('#ed-text'), statusEl = $('#ed-status'), tagsEl = $('#ed-tags');
  var chipsEl = $('#ed-chips'), panelBody = $('#ed-panel-body'), conflictEl = $('#ed-conflict');
  var help = $('#help');
  var cur = null, base = 0, panel = null, lastFocus = null;
  var PREFIX = 'tms:u:' + cfg.lang + ':';
  var TAG_RE = /<(\/?)(\d{1,4})(\/?)>/g;

  function fmt(s, p) {
    return String(s).replace(/%\((\w+)\)s/g, function (m, k) {
      return p && k in p ? String(p[k]) : m;
    }).replace(/%%/g, '%');
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  // The visible status moves with the editor; screen readers hear a fixed live region,
  // because a live region moved around the DOM is not announced reliably.
  var live = $('#ed-live');
  function announce(msg, kind) {
    statusEl.textContent = msg;
    live.textContent = msg;
    statusEl.className = 'ed-status' + (kind ? ' ' + kind : '');
  }

  /* ---- the tag language (mirror of tms.inline) ---- */
  function tokenize(text) {
    var out = [], pos = 0, m;
    TAG_RE.lastIndex = 0;
    while ((m = TAG_RE.exec(text)) !== null) {
      if (m[1] && m[3]) { continue; }
      if (m.index > pos) { out.push({ kind: 'text', value: text.slice(pos, m.index) }); }
      out.push({ kind: m[1] ? 'close' : (m[3] ? 'standalone' : 'open'), id: m[2], raw: m[0] });
      pos = m.index + m[0].length;
    }
    if (pos < text.length) { out.push({ kind: 'text', value: text.slice(pos) }); }
    return out;
  }
  function tagCounts(text) {
    var c = {};
    tokenize(text).forEach(function (t) { if (t.kind !== 'text') { c[t.raw] = (c[t.raw] || 0) + 1; } });
    return c;
  }
  function tagProblems(src, tgt) {
    var s = tagCounts(src), t = tagCounts(tgt), out = [], k;
    for (k in s) {
      if ((t[k] || 0) < s[k]) { out.push({ tag: k, msg: fmt(T.tagMissing, { tag: k }) }); }
      else if (t[k] > s[k]) { out.push({ tag: k, msg: fmt(T.tagTwice, { tag: k }) }); }
    }
    for (k in t) { if (!(k in s)) { out.push({ tag: k, msg: fmt(T.tagExtra, { tag: k }) }); } }
    var stack = [];
    tokenize(tgt).forEach(function (tok) {
      if (tok.kind === 'open') { stack.push(tok.id); }
      else if (tok.kind === 'close') {
        if (stack.length && stack[stack.length - 1] === tok.id) { stack.pop(); }
        else if (stack.indexOf(tok.id) >= 0) {
          out.push({ tag: tok.raw, msg: fmt(T.tagNesting, { tag: tok.raw }) });
          stack.splice(stack.lastIndexOf(tok.id), 1);
        }
      }
    });
    return out;
  }

  /* ---- rendering tagged text as chips, built node by node ---- */
  function chip(tok, labels) {
    var label = labels[tok.id] || '';
    var short = label.length > 14 ? label.slice(0, 13) + '…' : label;
    var c = el('span', 'chip c-' + tok.kind);
    c.dataset.t = tok.raw;
    c.setAttribute('role', 'img');
    c.title = label;
    if (tok.kind === 'close') {
      c.textContent = '/' + tok.id;
      c.setAttribute('aria-label', fmt(T.endTag, { id: tok.id, label: label }));
    } else {
      c.textContent = (tok.id + ' ' + short).trim();
      c.setAttribute('aria-label', fmt(tok.kind === 'open' ? T.startTag : T.standaloneTag,
        { id: tok.id, label: label }));
    }
    return c;
  }
  function renderTagged(target, text, labels) {
    target.textContent = '';
    tokenize(text || '').forEach(function (tok) {
      target.appendChild(tok.kind === 'text' ? document.createTextNode(tok.value) : chip(tok, labels));
    });
    return target;
  }
  function rawOf(node) {
    var s = '';
    node.childNodes.forEach(function (n) {
      if (n.nodeType === 3) { s += n.nodeValue; }
      else if (n.dataset && n.dataset.t) { s += n.dataset.t; }
      else { s += rawOf(n); }
    });
    return s;
  }
  function labelsOf(row) {
    var labels = {};
    row.querySelectorAll('.src .chip').forEach(function (c) {
      var m = /\d+/.exec(c.dataset.t);
      if (m && c.title) { labels[m[0]] = c.title; }
    });
    return labels;
  }
  function sourceOf(row) { return rawOf($('.src', row)); }

  /* ---- local keeping of unsaved text ---- */
  // p: the user asked for this text to be saved (a save that has not reached the server);
  // only those are sent again by themselves, typed-only text waits in the textarea.
  function keep(id, text, state, pending) {
    try {
      localStorage.setItem(PREFIX + id, JSON.stringify(
        { t: text, b: base, s: state || 'draft', p: !!pending, at: Date.now() }));
    } catch (e) { /* storage full or disabled: the server save is still tried */ }
    var row = document.getElementById('s' + id);
    if (row) { row.classList.add('unsaved'); }
  }
  function kept(id) {
    try { return JSON.parse(localStorage.getItem(PREFIX + id) || 'null'); } catch (e) { return null; }
  }
  function forget(id) {
    try { localStorage.removeItem(PREFIX + id); } catch (e) { /* nothing to do */ }
    var row = document.getElementById('s' + id);
    if (row) { row.classList.remove('unsaved'); }
    updateBanner();
  }
  function updateBanner() {
    var banner = $('#unsaved-banner'), n = keptIds().length;
    banner.textContent = n ? fmt(T.unsavedBanner, { n: n }) : '';
    banner.hidden = !n;
  }
  function keptIds() {
    var ids = [];
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (k && k.indexOf(PREFIX) === 0) { ids.push(k.slice(PREFIX.length)); }
      }
    } catch (e) { /* storage disabled */ }
    return ids;
  }

  /* ---- network ---- */
  function api(method, url, body, signal) {
    var opts = { method: method, credentials: 'same-origin', headers: { 'Accept': 'application/json' } };
    if (signal) { opts.signal = signal; }
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.headers['X-CSRFToken'] = csrf;
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (r) {
      return r.json().catch(function () { return { error: T.error }; }).then(function (data) {
        if (!r.ok) { var e = new Error(data.error || T.error); e.server = true; throw e; }
        return data;
      });
    });
  }
  function segUrl(id, what) { return cfg.api + id + '/' + encodeURIComponent(cfg.lang) + '/' + what; }

  /* ---- opening and closing a segment ---- */
  function rows() { return Array.prototype.slice.call(document.querySelectorAll('#segs .seg')); }

  function open(row, focus) {
    if (cur === row) { if (focus !== false) { ta.focus(); } return; }
    close(false);
    cur = row;
    row.classList.add('open');
    row.appendChild(form);
    form.hidden = false;
    conflictEl.hidden = true;
    base = parseInt(row.dataset.v, 10) || 0;
    var local = kept(row.dataset.id);
    ta.value = local ? local.t : rawOf($('.tgt', row));
    announce(local ? T.restored : '');
    if (local && typeof local.b === 'number') { base = local.b; }
    buildChips(row);
    checkTags();
    grow();
    if (focus !== false) { ta.focus(); }
    row.scrollIntoView({ block: 'nearest' });
    loadPanel(row);
  }
  function close(refocus) {
    if (!cur) { return; }
    var row = cur;
    cur = null;
    row.classList.remove('open');
    form.hidden = true;
    document.body.appendChild(form);
    if (refocus !== false) { $('.num', row).focus(); }
  }
  function neighbour(step) {
    var list = rows(), i = list.indexOf(cur);
    var next = list[i + step];
    if (next) { open(next); return true; }
    var link = document.querySelector(step > 0 ? '.pager a[rel=next]' : '.pager a[rel=prev]');
    if (link) { window.location.href = link.href + '&open=' + (step > 0 ? 'first' : 'last'); return true; }
    announce(step > 0 ? T.lastSegment : T.firstSegment);
    return false;
  }

  /* ---- tag chips above the textarea ---- */
  function buildChips(row) {
    chipsEl.textContent = '';
    var labels = labelsOf(row);
    var toks = tokenize(sourceOf(row)).filter(function (t) { return t.kind !== 'text'; });
    if (!toks.length) { chipsEl.appendChild(el('span', 'muted', T.noTags)); return; }
    toks.forEach(function (tok) {
      var b = el('button', 'chipbtn');
      b.type = 'button';
      b.dataset.t = tok.raw;
      b.appendChild(chip(tok, labels));
      b.setAttribute('aria-label', fmt(T.insertTag, { tag: tok.raw + ' ' + (labels[tok.id] || '') }));
      chipsEl.appendChild(b);
    });
  }
  function insertAtCursor(text, wrapClose) {
    var s = ta.selectionStart, e = ta.selectionEnd, v = ta.value;
    if (wrapClose) {
      ta.value = v.slice(0, s) + text + v.slice(s, e) + wrapClose + v.slice(e);
      var caret = e > s ? e + text.length + wrapClose.length : s + text.length;
      ta.setSelectionRange(caret, caret);
    } else {
      ta.value = v.slice(0, s) + text + v.slice(e);
      ta.setSelectionRange(s + text.length, s + text.length);
    }
    ta.focus();
    changed();
  }
  function insertTag(raw) {
    var m = /^<(\d+)>$/.exec(raw);
    var counts = tagCounts(ta.value);
    if (m && !counts['</' + m[1] + '>']) { insertAtCursor(raw, '</' + m[1] + '>'); }
    else { insertAtCursor(raw); }
  }
  function insertNextTag() {
    if (!cur) { return; }
    var need = tagCounts(sourceOf(cur)), have = tagCounts(ta.value);
    var toks = tokenize(sourceOf(cur));
    for (var i = 0; i < toks.length; i++) {
      var t = toks[i];
      if (t.kind !== 'text' && (have[t.raw] || 0) < need[t.raw]) { insertTag(t.raw); return; }
    }
  }
  function checkTags() {
    if (!cur) { return; }
    var problems = tagProblems(sourceOf(cur), ta.value);
    tagsEl.textContent = '';
    var have = tagCounts(ta.value);
    chipsEl.querySelectorAll('.chipbtn').forEach(function (b) {
      b.classList.toggle('done', !!have[b.dataset.t]);
    });
    if (!ta.value.trim()) { ta.removeAttribute('aria-invalid'); return; }
    if (!problems.length) {
      if (chipsEl.querySelector('.chipbtn')) { tagsEl.appendChild(el('span', 'ok', T.tagsOk)); }
      ta.removeAttribute('aria-invalid');
      tagsEl.className = 'ed-tags';
      return;
    }
    ta.setAttribute('aria-invalid', 'true');
    tagsEl.className = 'ed-tags err';
    problems.forEach(function (p, i) {
      if (i) { tagsEl.appendChild(document.createTextNode(' · ')); }
      tagsEl.appendChild(el('span', null, p.msg));
    });
  }
  function grow() {
    // CSSOM changes are allowed by the CSP (only style attributes in markup are not).
    ta.style.height = 'auto';
    ta.style.height = Math.min(ta.scrollHeight + 4, window.innerHeight * 0.6) + 'px';
  }
  function changed() {
    if (!cur) { return; }
    grow();
    keep(cur.dataset.id, ta.value, 'draft');
    checkTags();
  }

  /* ---- saving ---- */
  function bump(state, by) {
    var c = document.querySelector('[data-count="' + state + '"]');
    if (c) { c.textContent = String((parseInt(c.textContent, 10) || 0) + by); }
  }
  function updateRow(row, data) {
    if (data.state && row.dataset.st !== data.state) { bump(row.dataset.st, -1); bump(data.state, 1); }
    row.dataset.v = data.version;
    row.dataset.st = data.state;
    row.className = row.className.replace(/\bst-[a-z_]+/g, '') + ' st-' + data.state;
    row.className = row.className.replace(/\s+/g, ' ').trim();
    renderTagged($('.tgt', row), data.target, labelsOf(row));
    var badge = $('.meta .badge', row);
    if (badge && data.state_label) {
      badge.textContent = data.state_label;
      badge.className = 'badge st-' + data.state;
    }
  }
  function save(state, thenNext) {
    if (!cur) { return; }
    var row = cur, id = row.dataset.id, text = ta.value;
    keep(id, text, state, true);
    announce(T.saving);
    return api('POST', segUrl(id, 'save'), { target: text, state: state, base_version: base })
      .then(function (data) {
        if (data.status === 'conflict') {
          base = data.version;
          keep(id, text, state, false);
          showConflict(row, data.theirs || '', text, data);
          announce(T.conflict, 'err');
          return;
        }
        forget(id);
        base = data.version;
        updateRow(row, data);
        if (panel && cur === row) { renderIssues(data.issues || []); }
        var errors = (data.issues || []).filter(function (i) { return i.severity === 'error'; });
        if (thenNext && cur === row && !errors.length) { neighbour(1); }
        announce(data.status === 'suggested' ? T.suggested : T.saved, 'ok');
      })
      .catch(function (err) {
        if (err.server) { announce(T.error + ': ' + err.message, 'err'); return; }
        if (thenNext && cur === row) { neighbour(1); }
        announce(T.offline, 'err');
      });
  }
  function showConflict(row, theirs, mine, data) {
    var labels = labelsOf(row);
    renderTagged($('#cf-theirs'), theirs, labels);
    renderTagged($('#cf-mine'), mine, labels);
    conflictEl.hidden = false;
    conflictEl.dataset.theirs = theirs;
    conflictEl.dataset.state = data.state || '';
    conflictEl.dataset.label = data.state_label || '';
    $('[data-act=keep-mine]', conflictEl).focus();
  }
  function keepTheirs() {
    if (!cur) { return; }
    var theirs = conflictEl.dataset.theirs || '';
    ta.value = theirs;
    forget(cur.dataset.id);
    updateRow(cur, { version: base, state: conflictEl.dataset.state || cur.dataset.st,
      state_label: conflictEl.dataset.label, target: theirs });
    conflictEl.hidden = true;
    checkTags();
    ta.focus();
  }

  /* retry everything kept locally once the connection is back */
  function flushKept() {
    keptIds().forEach(function (id) {
      var k = kept(id);
      if (!k || !k.p || (cur && cur.dataset.id === id)) { return; }
      api('POST', segUrl(id, 'save'), { target: k.t, state: k.s || 'draft', base_version: k.b || 0 })
        .then(function (data) {
          if (data.status === 'conflict') { return; }
          forget(id);
          var row = document.getElementById('s' + id);
          if (row) { updateRow(row, data); }
        }).catch(function () { /* still offline: try again later */ });
    });
  }

  /* ---- side panel ---- */
  function section(title) {
    var s = el('section', 'pn');
    s.appendChild(el('h2', null, title));
    panelBody.appendChild(s);
    return s;
  }
  var panelCtl = null;
  function loadPanel(row) {
    panel = null;
    panelBody.textContent = '';
    panelBody.appendChild(el('p', 'muted', T.loading));
    // On a slow line, skipping through segments must not queue a panel download for each.
    if (panelCtl) { panelCtl.abort(); }
    panelCtl = window.AbortController ? new AbortController() : null;
    api('GET', segUrl(row.dataset.id, 'panel'), undefined, panelCtl && panelCtl.signal).then(function (data) {
      if (cur !== row) { return; }
      panel = data;
      var fresh = data.translation;
      // The page may be old: if someone saved since and nothing was typed here, catch up.
      if (fresh.version !== base && !kept(row.dataset.id) && ta.value === rawOf($('.tgt', row))) {
        base = fresh.version;
        ta.value = fresh.target;
        updateRow(row, { version: fresh.version, state: fresh.state, state_label: fresh.state_label,
          target: fresh.target });
        checkTags();
      }
      renderPanel(row, data);
    }).catch(function () {
      if (cur !== row) { return; }
      panelBody.textContent = '';
      panelBody.appendChild(el('p', 'muted', T.loadFailed));
    });
  }
  function renderPanel(row, data) {
    var labels = labelsOf(row);
    panelBody.textContent = '';
    if (data.source_change) {
      var ch = section(T.sourceChanged);
      var d = el('p', 'mem-src');
      data.source_change.forEach(function (x) {
        d.appendChild(x[0] === 'equal' ? document.createTextNode(x[1])
          : el(x[0] === 'insert' ? 'ins' : 'del', null, x[1]));
      });
      ch.appendChild(d);
    }
    var mem = section(T.memory);
    if (!data.memory.length) { mem.appendChild(el('p', 'muted', T.noMemory)); }
    var ol = el('ol', 'mem');
    data.memory.forEach(function (m, i) {
      var li = el('li');
      var head = el('p', 'mem-head');
      head.appendChild(el('span', 'score', fmt(T.score, { n: m.score })));
      head.appendChild(document.createTextNode(' ' + (m.origin || '')));
      li.appendChild(head);
      var diff = el('p', 'mem-src');
      m.diff.forEach(function (d) {
        diff.appendChild(d[0] === 'equal' ? document.createTextNode(d[1])
          : el(d[0] === 'insert' ? 'ins' : 'del', null, d[1]));
      });
      li.appendChild(diff);
      var tgt = renderTagged(el('p', 'mem-tgt'), m.target, labels);
      tgt.lang = cfg.lang; tgt.dir = cfg.dir;
      li.appendChild(tgt);
      if (i < 9) {
        var use = el('button', 'secondary small', fmt(T.useMatch, { n: i + 1 }));
        use.type = 'button';
        use.addEventListener('click', function () { useMatch(i); });
        li.appendChild(use);
      }
      ol.appendChild(li);
    });
    mem.appendChild(ol);

    var glo = section(T.glossary);
    if (!data.glossary.length) { glo.appendChild(el('p', 'muted', T.noGlossary)); }
    var ul = el('ul', 'glo');
    data.glossary.forEach(function (g) {
      var li = el('li', g.forbidden ? 'forbidden' : null);
      li.appendChild(el('b', null, g.source));
      li.appendChild(document.createTextNode(' → '));
      var t = el('span', null, g.target); t.lang = cfg.lang;
      li.appendChild(t);
      if (g.forbidden) { li.appendChild(el('span', 'badge err', T.forbidden)); }
      if (g.note) { li.appendChild(el('small', null, ' — ' + g.note)); }
      ul.appendChild(li);
    });
    glo.appendChild(ul);

    var qa = section(T.qa);
    qa.id = 'pn-qa';
    renderIssues(data.qa);

    renderSuggestions(row, data.suggestions || []);
    renderComments(row, data.comments);
    renderHistory(row, data.history);
  }
  function renderSuggestions(row, list) {
    var sec = $('#pn-sugg');
    if (!list.length) { if (sec) { sec.parentNode.removeChild(sec); } return; }
    if (!sec) { sec = section(T.suggestions); sec.id = 'pn-sugg'; }
    while (sec.childNodes.length > 1) { sec.removeChild(sec.lastChild); }
    var ol = el('ol', 'hist'), labels = labelsOf(row);
    list.forEach(function (sg) {
      var li = el('li');
      li.appendChild(el('p', 'h-head', sg.author + ' · ' + new Date(sg.created_at).toLocaleString()));
      var t = renderTagged(el('p', 'h-text'), sg.target, labels);
      t.lang = cfg.lang; t.dir = cfg.dir;
      li.appendChild(t);
      if (cfg.canReview) {
        var b = el('button', 'secondary small', T.accept); b.type = 'button';
        b.addEventListener('click', function () {
          api('POST', '/api/suggestions/' + sg.id + '/accept', {}).then(function (d) {
            if (cur !== row) { return; }
            base = d.version;
            ta.value = d.target;
            forget(row.dataset.id);
            updateRow(row, d);
            renderSuggestions(row, d.suggestions);
            renderHistory(row, d.history);
            checkTags();
            announce(T.accepted, 'ok');
          }).catch(function (e) { announce(e.message, 'err'); });
        });
        li.appendChild(b);
      }
      ol.appendChild(li);
    });
    sec.appendChild(ol);
  }
  function renderIssues(issues) {
    var qa = $('#pn-qa');
    if (!qa) { return; }
    while (qa.childNodes.length > 1) { qa.removeChild(qa.lastChild); }
    if (!issues.length) { qa.appendChild(el('p', 'muted', T.noQa)); return; }
    var ul = el('ul', 'qa');
    issues.forEach(function (i) { ul.appendChild(el('li', i.severity, i.message)); });
    qa.appendChild(ul);
  }
  function renderComments(row, list) {
    var old = $('#pn-comments');
    var sec = old || section(T.comments);
    sec.id = 'pn-comments';
    while (sec.childNodes.length > 1) { sec.removeChild(sec.lastChild); }
    if (!list.length) { sec.appendChild(el('p', 'muted', T.noComments)); }
    var ul = el('ul', 'comments');
    list.forEach(function (c) {
      var li = el('li', c.resolved ? 'resolved' : null);
      var head = el('p', 'c-head', c.author + ' · ' + new Date(c.created_at).toLocaleString());
      if (c.resolved) { head.appendChild(el('span', 'badge', T.resolved)); }
      li.appendChild(head);
      li.appendChild(el('p', 'c-body', c.body));
      var b = el('button', 'secondary small', c.resolved ? T.reopen : T.resolve);
      b.type = 'button';
      b.addEventListener('click', function () {
        api('POST', '/api/comments/' + c.id + '/resolve', { resolved: !c.resolved })
          .then(function (d) { renderComments(row, d.comments); })
          .catch(function (e) { announce(e.message, 'err'); });
      });
      li.appendChild(b);
      ul.appendChild(li);
    });
    sec.appendChild(ul);
    var lab = el('label', 'c-label', T.commentLabel);
    lab.htmlFor = 'c-new';
    var box = el('textarea'); box.id = 'c-new'; box.rows = 2;
    var add = el('button', 'secondary small c-add', T.addComment); add.type = 'button';
    add.addEventListener('click', function () {
      if (!box.value.trim()) { return; }
      api('POST', segUrl(row.dataset.id, 'comments'), { body: box.value })
        .then(function (d) { renderComments(row, d.comments); })
        .catch(function (e) { announce(e.message, 'err'); });
    });
    sec.appendChild(lab); sec.appendChild(box); sec.appendChild(add);
  }
  function renderHistory(row, list) {
    var sec = $('#pn-history') || section(T.history);
    sec.id = 'pn-history';
    while (sec.childNodes.length > 1) { sec.removeChild(sec.lastChild); }
    if (!list.length) { sec.appendChild(el('p', 'muted', T.noHistory)); return; }
    var ol = el('ol', 'hist');
    var labels = labelsOf(row);
    list.forEach(function (h, i) {
      var li = el('li');
      li.appendChild(el('p', 'h-head', h.author + ' · ' + new Date(h.created_at).toLocaleString() +
        ' · ' + h.state_label + ' · ' + h.origin));
      var t = renderTagged(el('p', 'h-text'), h.target, labels);
      t.lang = cfg.lang; t.dir = cfg.dir;
      li.appendChild(t);
      if (i > 0) {
        var b = el('button', 'secondary small', T.revert); b.type = 'button';
        b.addEventListener('click', function () {
          api('POST', '/api/revisions/' + h.id + '/revert', {}).then(function (d) {
            if (cur !== row) { return; }
            base = d.version;
            ta.value = d.target;
            forget(row.dataset.id);
            updateRow(row, d);
            renderHistory(row, d.history);
            checkTags();
            announce(T.reverted, 'ok');
          }).catch(function (e) { announce(e.message, 'err'); });
        });
        li.appendChild(b);
      }
      ol.appendChild(li);
    });
    sec.appendChild(ol);
  }
  function useMatch(i) {
    if (!panel || !panel.memory[i]) { return; }
    ta.value = panel.memory[i].target;
    ta.focus();
    changed();
  }

  /* ---- help overlay ---- */
  function showHelp() {
    lastFocus = document.activeElement;
    help.hidden = false;
    $('#help-close').focus();
  }
  function hideHelp() {
    help.hidden = true;
    if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
  }

  /* ---- events ---- */
  document.getElementById('segs').addEventListener('click', function (e) {
    var row = e.target.closest('.seg');
    if (!row || form.contains(e.target)) { return; }
    open(row);
  });
  form.addEventListener('click', function (e) {
    var b = e.target.closest('button');
    if (!b) { return; }
    if (b.classList.contains('chipbtn')) { insertTag(b.dataset.t); return; }
    var act = b.dataset.act;
    if (act === 'draft') { save('draft', false); }
    else if (act === 'translated') { save('translated', true); }
    else if (act === 'copy') { ta.value = sourceOf(cur); ta.focus(); changed(); }
    else if (act === 'prev') { neighbour(-1); }
    else if (act === 'next') { neighbour(1); }
    else if (act === 'close') { close(true); }
    else if (act === 'keep-theirs') { keepTheirs(); }
    else if (act === 'keep-mine') { conflictEl.hidden = true; save(kept(cur.dataset.id) ? kept(cur.dataset.id).s : 'draft', false); }
    else if (act === 'merge') { $('[data-act=keep-mine]', conflictEl).hidden = false; ta.focus(); }
  });
  ta.addEventListener('input', changed);
  ta.addEventListener('keydown', function (e) {
    // Tags are atomic: Backspace right after a tag (or Delete right before one) removes it whole.
    if ((e.key === 'Backspace' || e.key === 'Delete') && ta.selectionStart === ta.selectionEnd &&
        !e.ctrlKey && !e.altKey && !e.metaKey) {
      var pos = ta.selectionStart, v = ta.value, m;
      if (e.key === 'Backspace') { m = /<\/?\d{1,4}\/?>$/.exec(v.slice(0, pos)); }
      else { m = /^<\/?\d{1,4}\/?>/.exec(v.slice(pos)); }
      if (m) {
        e.preventDefault();
        var start = e.key === 'Backspace' ? pos - m[0].length : pos;
        ta.value = v.slice(0, start) + v.slice(start + m[0].length);
        ta.setSelectionRange(start, start);
        changed();
      }
    }
  });
  document.addEventListener('keydown', function (e) {
    var inField = /^(INPUT|TEXTAREA|SELECT)$/.test((e.target && e.target.tagName) || '');
    if (!help.hidden) {
      if (e.key === 'Escape') { e.preventDefault(); hideHelp(); }
      return;
    }
    if (e.key === 'F1' || (e.key === '?' && !inField)) { e.preventDefault(); showHelp(); return; }
    if (!cur) {
      var row = e.target.closest && e.target.closest('.seg');
      if (row && !inField && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        var list = rows(), n = list[list.indexOf(row) + (e.key === 'ArrowDown' ? 1 : -1)];
        if (n) { e.preventDefault(); $('.num', n).focus(); }
      }
      return;
    }
    if (!form.contains(e.target) && e.target !== document.body) { return; }
    var ctrl = e.ctrlKey || e.metaKey;
    if (e.target.id === 'c-new') {
      if (ctrl && e.key === 'Enter') { e.preventDefault(); $('#pn-comments .c-add').click(); }
      return;  // typing a comment: the translation shortcuts stay out of the way
    }
    if (ctrl && e.key === 'Enter') { e.preventDefault(); save('translated', true); }
    else if (ctrl && !e.shiftKey && (e.key === 's' || e.key === 'S')) { e.preventDefault(); save('draft', false); }
    else if ((e.altKey || ctrl) && e.key === 'ArrowDown') { e.preventDefault(); neighbour(1); }
    else if ((e.altKey || ctrl) && e.key === 'ArrowUp') { e.preventDefault(); neighbour(-1); }
    else if ((ctrl && e.shiftKey && e.code === 'KeyC') || (e.altKey && !ctrl && e.code === 'KeyC')) {
      e.preventDefault(); ta.value = sourceOf(cur); ta.focus(); changed();
    }
    else if (e.altKey && !ctrl && e.code === 'KeyT') { e.preventDefault(); insertNextTag(); }
    else if (e.altKey && !ctrl && /^Digit[1-9]$/.test(e.code)) {
      e.preventDefault(); useMatch(parseInt(e.code.slice(5), 10) - 1);
    }
    else if (e.key === 'Escape') { e.preventDefault(); close(true); }
  });
  $('#help-open').addEventListener('click', showHelp);
  $('#help-close').addEventListener('click', hideHelp);
  window.addEventListener('online', function () { announce(T.back, 'ok'); flushKept(); });

  /* ---- start: mark rows with text kept on this device, open a segment if asked ---- */
  var ids = keptIds();
  ids.forEach(function (id) {
    var row = document.getElementById('s' + id);
    if (row) { row.classList.add('unsaved'); }
  });
  updateBanner();
  if (window.matchMedia && window.matchMedia('(max-width: 40rem)').matches) {
    $('#ed-panel').open = false;  // phones: the panel stays folded below the text until asked
  }
  var want = new URLSearchParams(window.location.search).get('open');
  var list0 = rows();
  var target = null;
  if (/^s\d+$/.test(window.location.hash.slice(1))) { target = document.getElementById(window.location.hash.slice(1)); }
  else if (want === 'first') { target = list0[0]; }
  else if (want === 'last') { target = list0[list0.length - 1]; }
  if (target) { open(target); }
  if (navigator.onLine && ids.length) { flushKept(); }
}());
