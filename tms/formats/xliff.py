"""XLIFF 1.2 (strict schema) for offline translation in CAT tools.

One <file> per export, one <trans-unit id=key resname=key> per segment. Inline tags are
<g id="n">…</g> for paired tags and <x id="n"/> for standalone ones, built here with lxml
(translate-toolkit's target setter keeps stale inline elements and writes XLIFF 1.1).
Reading, one walker (read_inline) serves XLIFF 1.x and 2.0: each version only declares
the roles of its inline elements (ROLES_12 here, xliff2.ROLES_20): paired wrapper, opening
and closing halves, standalone, unwrapped, and the attributes that name their ids.

State mapping (tms.models.State -> XLIFF 1.2 state):
    untranslated -> <target state="new"> holding a copy of the source (ExportMeta.
                    xliff_prefill, the default: CAT tools such as OmegaT count no segment
                    without a target), or no <target> when prefill is off
    needs_work   -> "needs-translation"         (a reviewer sent it back: rework the text)
    draft        -> "needs-review-translation"  (written, not yet submitted)
    translated   -> "translated"                (awaiting review)
    approved     -> "final" with approved="yes"
    outdated     -> "needs-review-translation" whatever the state (the source moved)
Reading back, any "needs-*" state counts as fuzzy, like a PO fuzzy flag. A target still
equal to its source in state "new" is untranslated (the prefilled copy); one that differs
is a translation (OmegaT fills targets and leaves their state as it was).

approved="yes": translate-toolkit (xliff2po, pofilter) reads every unit with a target but
without approved="yes" as fuzzy, so text awaiting review comes out fuzzy there. That is
the truth by default (it is not approved yet); ExportMeta.xliff_approve_translated puts
approved="yes" on text awaiting review too, for teams that hand files to such tools.

Keys through other tools: each trans-unit also names its key in a location context group
(<context-group purpose="location"><context context-type="sourcefile">key</context>),
which translate-toolkit's xliff2po turns into a "#: key" reference and po2xliff back into
the same group; a unit without resname takes its key from there (then from its id). The
gettext header unit po2xliff adds (restype x-gettext-domain-header) is not a unit.

Layout: the file is indented, but never inside <source>, <target> or <note>: they are
xml:space="preserve" and indentation would become part of the text.

Export fingerprint: each trans-unit carries extradata="tms-base:<hash>" (po.base_hash of
the target as exported), an attribute the strict schema allows and CAT tools keep, so an
upload can tell whether the online text changed since the export.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TypedDict

from lxml import etree

from tms.formats.base import (
    BilingualFile,
    ExportMeta,
    ExportUnit,
    FormatError,
    ImportedUnit,
    MemoryPair,
    Tag,
)
from tms.formats.po import UnitsFile, base_hash, tag_legend
from tms.formats.xmlsafe import parse_xml
from tms.i18n import _
from tms.inline import ForeignIds, balance, strip_tags, tokenize

NS = "urn:oasis:names:tc:xliff:document:1.2"
NS_11 = "urn:oasis:names:tc:xliff:document:1.1"
XML_NS = "http://www.w3.org/XML/1998/namespace"
BASE_PREFIX = "tms-base:"

# tms.models.State values (formats import no database code).
UNTRANSLATED, NEEDS_WORK, DRAFT, TRANSLATED, APPROVED = 0, 10, 20, 30, 40
STATE_WORDS = {
    NEEDS_WORK: "needs-translation",
    DRAFT: "needs-review-translation",
    TRANSLATED: "translated",
    APPROVED: "final",
}
FUZZY_WORDS = frozenset({
    "needs-translation", "needs-review-translation", "needs-adaptation",
    "needs-l10n", "needs-review-adaptation", "needs-review-l10n",
})
# Characters XML 1.0 cannot carry; lxml would refuse the whole document for one of them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PAIRED_CTYPE = {"bold": "bold", "italic": "italic", "underline": "underlined", "link": "link"}
_STANDALONE_CTYPE = {"image": "image", "break": "lb", "page_break": "pb"}


def xml_text(text: str) -> str:
    """Text with the characters XML cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def state_word(state: int, *, outdated: bool = False) -> str:
    """The XLIFF 1.2 state attribute for one of our states."""
    if outdated:
        return "needs-review-translation"
    return STATE_WORDS.get(state, "new")


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _ctype(tag: Tag | None, *, paired: bool) -> str | None:
    if tag is None:
        return None
    table = _PAIRED_CTYPE if paired else _STANDALONE_CTYPE
    if tag.kind in table:
        return table[tag.kind]
    kind = "".join(ch if not ch.isspace() else "_" for ch in tag.kind)
    return f"x-{kind}" if kind else None


def _attrs_12(tag: Tag | None, paired: bool) -> dict[str, str]:
    """The ctype of one tag on a <g> or <x/> (XLIFF 1.2)."""
    ctype = _ctype(tag, paired=paired)
    return {"ctype": ctype} if ctype else {}


def fill_inline(element: etree._Element, text: str, tags: dict[str, Tag], *,
                paired: str = _q("g"), standalone: str = _q("x"),
                attrs: Callable[[Tag | None, bool], dict[str, str]] = _attrs_12) -> None:
    """Write a tagged text into an XLIFF element as text, <g> and <x/> children (XLIFF 2.0
    passes its <pc> and <ph/> names and attributes)."""
    stack: list[etree._Element] = [element]
    last: etree._Element | None = None  # the element whose tail takes the next text

    def add_text(value: str) -> None:
        if last is None:
            stack[-1].text = (stack[-1].text or "") + value
        else:
            last.tail = (last.tail or "") + value

    for tok in tokenize(text):
        if tok.kind == "text":
            add_text(xml_text(tok.value))
        elif tok.kind == "open":
            g = etree.SubElement(stack[-1], paired, id=tok.value)
            for name, value in attrs(tags.get(tok.value), True).items():
                g.set(name, value)
            stack.append(g)
            last = None
        elif tok.kind == "close":
            if len(stack) > 1 and stack[-1].get("id") == tok.value:
                last = stack.pop()
            else:
                add_text(tok.raw)  # a stray closing tag stays visible rather than vanishing
        else:
            x = etree.SubElement(stack[-1], standalone, id=tok.value)
            for name, value in attrs(tags.get(tok.value), False).items():
                x.set(name, value)
            last = x
    # An unclosed opening tag (a bad target) stays an element closed at the end.


STRUCTURE = frozenset({"xliff", "file", "header", "body", "group", "trans-unit", "tool"})


def indent(element: etree._Element, *, structure: frozenset[str], level: int = 0) -> None:
    """Indent the structural elements of a tree, leaving the content of the others alone
    (lxml's pretty_print indents inside any element without text, such as a source that
    starts with a tag)."""
    children = list(element)
    if not children or etree.QName(element).localname not in structure:
        return
    pad = "\n" + "  " * (level + 1)
    element.text = pad
    for child in children:
        indent(child, structure=structure, level=level + 1)
        child.tail = pad
    children[-1].tail = "\n" + "  " * level


def _note(parent: etree._Element, text: str, *, annotates: str = "general") -> None:
    note = etree.SubElement(parent, _q("note"), annotates=annotates)
    note.text = xml_text(text)


def unit_notes(unit: ExportUnit) -> list[str]:
    """The notes an exported unit carries: context, block, tag legend, previous source."""
    notes = []
    if unit.context:
        notes.append(f"Context: {unit.context}")
    notes.append(f"Block: {unit.block_type} (position {unit.position})")
    legend = tag_legend(unit.source, unit.tags)
    if legend:
        notes.append(f"Tags: {legend}")
    if unit.outdated and unit.previous_source:
        notes.append(f"Previous source: {unit.previous_source}")
    return [text for text in [*notes, *unit.notes] if text.strip()]


def write(units: list[ExportUnit], meta: ExportMeta) -> bytes:
    """An XLIFF 1.2 document of a document's segments, valid against the strict schema."""
    root = etree.Element(_q("xliff"), nsmap={None: NS}, version="1.2")
    file_el = etree.SubElement(root, _q("file"), {
        "original": meta.document_slug,
        "source-language": meta.source_language,
        "target-language": meta.target_language,
        "datatype": "plaintext",
    })
    header = etree.SubElement(file_el, _q("header"))
    etree.SubElement(header, _q("tool"), {"tool-id": meta.generator, "tool-name": meta.generator})
    _note(header, f"{meta.document_title} — {meta.target_language}")
    if meta.translators:  # only when the publisher turned credits on
        _note(header, "Translators: " + ", ".join(meta.translators))
    body = etree.SubElement(file_el, _q("body"))
    for unit in units:
        tu = etree.SubElement(body, _q("trans-unit"), {
            "id": unit.key,
            "resname": unit.key,
            "extradata": BASE_PREFIX + base_hash(unit.target),
            f"{{{XML_NS}}}space": "preserve",
        })
        source = etree.SubElement(tu, _q("source"))
        fill_inline(source, unit.source, unit.tags)
        translated = bool(unit.target) or unit.state > UNTRANSLATED
        if translated or meta.xliff_prefill:
            target = etree.SubElement(tu, _q("target"))
            target.set("state", state_word(unit.state, outdated=unit.outdated)
                       if translated else "new")
            fill_inline(target, unit.target if translated else unit.source, unit.tags)
            approved_from = TRANSLATED if meta.xliff_approve_translated else APPROVED
            if translated and unit.state >= approved_from and not unit.outdated:
                tu.set("approved", "yes")
        group = etree.SubElement(tu, _q("context-group"), purpose="location")
        etree.SubElement(group, _q("context"), {"context-type": "sourcefile"}).text = unit.key
        for text in unit_notes(unit):
            _note(tu, text)
    indent(root, structure=STRUCTURE)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


class Role(Enum):
    """What an inline element of an XLIFF <source> or <target> stands for in a tagged text."""

    WRAPPER = "wrapper"  # <g>, <pc>: an opening tag, the element's content, a closing tag
    OPEN = "open"  # <bx>, <bpt>, <sc>: an opening tag whose closing half is another element
    CLOSE = "close"  # <ex>, <ept>, <ec>: the closing half of one of those
    STANDALONE = "standalone"  # <x>, <ph>, <it>: a standalone tag (any content is native code)
    UNWRAP = "unwrap"  # <mrk>: its content, without a tag
    CHARACTER = "character"  # <cp hex>: the one character it encodes


@dataclass(frozen=True)
class Inline:
    """An inline element's role and the attributes that name its tag (the first one set)."""

    role: Role
    ids: tuple[str, ...] = ("id",)


@dataclass(frozen=True)
class InlineRoles:
    """A format's inline elements by local name; an element it does not name (sm/em,
    comments, processing instructions) carries no text, only its tail does.

    isolated: what an OPEN or CLOSE element with isolated="yes" is instead (XLIFF 2.0's
    <sc>/<ec> whose other half is in another unit)."""

    elements: Mapping[str, Inline]
    isolated: Inline | None = None

    def of(self, el: etree._Element) -> Inline | None:
        """The role of one child element, or None for one that carries no text."""
        inline = self.elements.get(_local(el))
        if (self.isolated is not None and inline is not None
                and inline.role in (Role.OPEN, Role.CLOSE) and el.get("isolated") == "yes"):
            return self.isolated
        return inline


ROLES_12 = InlineRoles({
    "g": Inline(Role.WRAPPER, ("id", "rid")),
    "mrk": Inline(Role.UNWRAP),
    **dict.fromkeys(("x", "ph", "it"), Inline(Role.STANDALONE, ("id", "rid"))),
    **dict.fromkeys(("bx", "bpt"), Inline(Role.OPEN, ("rid", "id"))),
    **dict.fromkeys(("ex", "ept"), Inline(Role.CLOSE, ("rid", "id"))),
})
_TAG_MARKUP = {Role.OPEN: "<{}>", Role.CLOSE: "</{}>", Role.STANDALONE: "<{}/>"}


def read_inline(element: etree._Element, roles: InlineRoles, *, where: str,
                number: Callable[[str], str]) -> str:
    """An XLIFF <source>/<target>'s content as a tagged text, its elements read by roles."""
    out: list[str] = []

    def ident(el: etree._Element, names: tuple[str, ...]) -> str:
        value = next((v for name in names if (v := el.get(name))), "")
        if not value:
            raise FormatError(_("an inline <%(name)s> element at line %(line)s has no id",
                                name=_local(el), line=el.sourceline), where=where)
        return number(value)

    def character(el: etree._Element) -> str:
        try:
            return xml_text(chr(int(el.get("hex") or "", 16)))
        except (ValueError, OverflowError):
            # XLIFF 2.0's <cp> is the one element with this role, hence the message
            raise FormatError(_("the <cp> at line %(line)s has no valid hex code",
                                line=el.sourceline), where=where) from None

    def visit(el: etree._Element, inline: Inline) -> None:
        if inline.role is Role.UNWRAP:
            walk(el)
        elif inline.role is Role.CHARACTER:
            out.append(character(el))
        elif inline.role is Role.WRAPPER:
            tag = ident(el, inline.ids)
            out.append(f"<{tag}>")
            walk(el)
            out.append(f"</{tag}>")
        else:
            out.append(_TAG_MARKUP[inline.role].format(ident(el, inline.ids)))

    def walk(el: etree._Element) -> None:
        if el.text:
            out.append(el.text)
        for child in el:
            inline = roles.of(child)
            if inline is not None:
                visit(child, inline)
            # comments, processing instructions and elements of no role carry no text;
            # their tails do
            if child.tail:
                out.append(child.tail)

    walk(element)
    return "".join(out)


def inline_text(element: etree._Element, *, where: str,
                number: Callable[[str], str] | None = None) -> str:
    """A <source>/<target> element's content as a tagged text (tags may come reordered).

    <g id> becomes <id>…</id>; <x id/>, <ph id> and <it id> become <id/>; <bx>/<ex> and
    <bpt>/<ept> become opening and closing tags paired by rid (or id); <mrk> is unwrapped;
    the native code inside ph/bpt/ept/it (and its <sub>) is not text. number turns the
    file's ids into tms ids (ForeignIds); without it they are kept as written.
    """
    return read_inline(element, ROLES_12, where=where,
                       number=number or (lambda value: value))


def _location(tu: etree._Element, ns: str) -> str | None:
    """The key a trans-unit names in a location context group (ours, or po2xliff's)."""
    for group in tu.findall(_in(ns, "context-group")):
        if group.get("purpose") != "location":
            continue
        for context in group.findall(_in(ns, "context")):
            if context.get("context-type") == "sourcefile" and (context.text or "").strip():
                return (context.text or "").strip()
    return None


def _in(ns: str, name: str) -> str:
    """An element name in the file's namespace (XLIFF 1.0 files have none)."""
    return f"{{{ns}}}{name}" if ns else name


def open_xliff(data: bytes, *, filename: str) -> tuple[etree._Element, str]:
    """The root of an XLIFF 1.x file and its namespace ("" for XLIFF 1.0 without one)."""
    root = parse_xml(data, where=filename)
    if _local(root) != "xliff":
        raise FormatError(_("this is not an XLIFF file (its root element is <%(name)s>)",
                            name=_local(root)), where=filename)
    ns = etree.QName(root).namespace or ""
    if ns not in (NS, NS_11, ""):
        raise FormatError(
            _("this XLIFF file uses the namespace '%(ns)s'; tms reads XLIFF 1.2 and 1.1 "
              "(and 1.0 without a namespace)", ns=ns),
            where=filename,
        )
    if root.find(_in(ns, "file")) is None:
        raise FormatError(_("the XLIFF file has no <file> element"), where=filename)
    return root, ns


@dataclass
class XliffUnit:
    """One trans-unit of an XLIFF 1.x file (or one segment of it, for a file segmented
    with <seg-source> and <mrk mtype="seg">, as Trados writes)."""

    key: str
    source: str
    target: str
    has_target: bool
    state: str | None
    approved: bool  # approved="yes"
    line: int | None
    source_language: str
    target_language: str
    base: str | None = None  # the tms export fingerprint
    context: str = ""  # resname (when it is not the key) or the location the file names


def _segments(tu: etree._Element, ns: str) -> list[tuple[str, etree._Element,
                                                          etree._Element | None]]:
    """(mid, source mrk, target mrk) of a trans-unit segmented with <seg-source>."""
    seg_source = tu.find(_in(ns, "seg-source"))
    if seg_source is None:
        return []
    target = tu.find(_in(ns, "target"))
    targets = {m.get("mid"): m for m in (target.iter(_in(ns, "mrk")) if target is not None
                                         else ()) if m.get("mtype") == "seg"}
    return [(m.get("mid") or "", m, targets.get(m.get("mid")))
            for m in seg_source.iter(_in(ns, "mrk")) if m.get("mtype") == "seg"]


def iter_units(root: etree._Element, ns: str, *, filename: str,
               numbering: Callable[[], Callable[[str], str]]) -> Iterator[XliffUnit]:
    """Every trans-unit of an XLIFF 1.x file; numbering gives each unit its id mapper."""
    for file_el in root.iter(_in(ns, "file")):
        languages = (file_el.get("source-language") or "", file_el.get("target-language") or "")
        for tu in file_el.iter(_in(ns, "trans-unit")):
            if tu.get("restype") == "x-gettext-domain-header":
                continue  # the PO header po2xliff carries along, not a unit
            yield from _trans_unit(tu, ns, languages, filename=filename, numbering=numbering)


class _UnitFacts(TypedDict):
    """What a trans-unit says of all the units it gives (one per segment when segmented)."""

    state: str | None
    approved: bool
    source_language: str
    target_language: str
    base: str | None
    context: str


def _trans_unit(tu: etree._Element, ns: str, languages: tuple[str, str], *, filename: str,
                numbering: Callable[[], Callable[[str], str]]) -> Iterator[XliffUnit]:
    """The unit of one trans-unit, or one unit per segment of a segmented one."""
    location = _location(tu, ns)
    key = tu.get("resname") or location or tu.get("id")
    if not key:
        raise FormatError(_("the trans-unit at line %(line)s has no id",
                            line=tu.sourceline), where=filename)
    source_el = tu.find(_in(ns, "source"))
    if source_el is None:
        raise FormatError(_("the trans-unit '%(key)s' at line %(line)s has no "
                            "<source>", key=key, line=tu.sourceline), where=filename)
    target_el = tu.find(_in(ns, "target"))
    facts = _unit_facts(tu, key, location, target_el, languages)
    segments = _segments(tu, ns)
    if not segments:
        yield _unit(key, source_el, target_el, line=tu.sourceline, facts=facts,
                    where=filename, number=numbering())
    for mid, src_mrk, tgt_mrk in segments:
        # each segment is a unit of its own: its codes are numbered apart from the others'
        yield _unit(f"{key}#{mid}", src_mrk, tgt_mrk, line=src_mrk.sourceline, facts=facts,
                    where=filename, number=numbering())


def _unit_facts(tu: etree._Element, key: str, location: str | None,
                target_el: etree._Element | None, languages: tuple[str, str]) -> _UnitFacts:
    """The state, approval, languages, fingerprint and context of a trans-unit."""
    extradata = tu.get("extradata") or ""
    base = (extradata[len(BASE_PREFIX) :].strip()
            if extradata.startswith(BASE_PREFIX) else None)
    context = tu.get("resname") if tu.get("resname") not in (None, key) else ""
    return {"state": target_el.get("state") if target_el is not None else None,
            "approved": tu.get("approved") == "yes",
            "source_language": languages[0], "target_language": languages[1],
            "base": base, "context": context or location or ""}


def _unit(key: str, source_el: etree._Element, target_el: etree._Element | None, *,
          line: int | None, facts: _UnitFacts, where: str,
          number: Callable[[str], str]) -> XliffUnit:
    """One unit: the tagged texts of its source and target (elements or segment mrks)."""
    return XliffUnit(
        key=key, source=inline_text(source_el, where=where, number=number),
        target=(inline_text(target_el, where=where, number=number)
                if target_el is not None else ""),
        has_target=target_el is not None, line=line, **facts)


def read_file(data: bytes, *, filename: str) -> UnitsFile:
    """An XLIFF 1.2, 1.1 or 1.0 file edited offline: units by id, header facts, fingerprints."""
    root, ns = open_xliff(data, filename=filename)
    files = root.findall(_in(ns, "file"))
    units: list[ImportedUnit] = []
    bases: dict[str, str] = {}
    for unit in iter_units(root, ns, filename=filename, numbering=ForeignIds):
        target = unit.target
        if unit.state == "new" and target == unit.source:
            target = ""  # the copy of the source a prefilled export (or a CAT tool) put there
        fuzzy = bool(target) and unit.state in FUZZY_WORDS
        units.append(ImportedUnit(key=unit.key, source=unit.source, target=target,
                                  fuzzy=fuzzy, state=unit.state, line=unit.line,
                                  context=unit.context))
        if unit.base is not None:
            bases[unit.key] = unit.base
    return UnitsFile(
        format="xliff",
        units=units,
        language=files[0].get("target-language") or None,
        source_language=files[0].get("source-language"),
        document=files[0].get("original"),
        bases=bases,
    )


def read_units(data: bytes, *, filename: str) -> list[ImportedUnit]:
    """The units of an XLIFF file exported by tms and translated in a CAT tool."""
    return read_file(data, filename=filename).units


def pair_texts(found: BilingualFile, source: str, target: str, *, line: int | None,
               copy_reason: str | None) -> tuple[str, str] | None:
    """A unit's source and target for a memory pair, balanced, or None when it gives none
    (the reason noted in found for the skipped lines: an empty side, or a target equal to
    its source when copy_reason says the unit's state is that of a prefilled copy)."""
    source, target = balance(source), balance(target)
    if not strip_tags(source).strip():
        found.skip(line, _("the source is empty"))
    elif not strip_tags(target).strip():
        found.skip(line, _("the unit has no translation"))
    elif copy_reason is not None and target == source:
        found.skip(line, copy_reason)
    else:
        return source, target
    return None


def read_pairs(data: bytes, *, filename: str) -> BilingualFile:
    """The translated units of any XLIFF 1.x file as memory pairs (inline codes renumbered
    1, 2, 3... in order of appearance; a code whose other half is in another segment is
    dropped); untranslated units are skipped with the reason and the line."""
    root, ns = open_xliff(data, filename=filename)
    found = BilingualFile(format="xliff")
    for unit in iter_units(root, ns, filename=filename,
                           numbering=lambda: ForeignIds(keep_numeric=False)):
        copy_reason = (_("the target is still a copy of the source (state new)")
                       if unit.state == "new" else None)
        texts = pair_texts(found, unit.source, unit.target, line=unit.line,
                           copy_reason=copy_reason)
        if texts is not None:
            found.pairs.append(MemoryPair(
                source=texts[0], target=texts[1], source_language=unit.source_language,
                target_language=unit.target_language, origin=f"xliff: {filename}",
                line=unit.line, context=unit.context,
                approved=unit.approved or unit.state not in (*FUZZY_WORDS, "new")))
    return found
