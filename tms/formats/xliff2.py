"""XLIFF 2.0 (OASIS core) for offline translation, and other tools' XLIFF 2.x files.

One <file> per export, one <unit id name=key> per segment holding one <segment>. Inline
tags are <pc id="n">…</pc> for paired tags and <ph id="n"/> for standalone ones (type and
subType say bold, italic, link, image, line break where tms knows it).

State mapping (tms.models.State -> XLIFF 2.0 segment state / subState):
    untranslated -> "initial", the target a copy of the source (ExportMeta.xliff_prefill)
                    or no target
    needs_work   -> "initial", subState "tms:needs-work"
    draft        -> "initial", subState "tms:draft"
    translated   -> "translated"  (awaiting review)
    approved     -> "final"
    outdated     -> "initial", subState "tms:outdated", whatever the state
Reading back, a target in state "initial" (or with one of those subStates) counts as fuzzy,
like a PO fuzzy flag, and an "initial" target equal to its source is untranslated.

The export fingerprint (tms.formats.po.base_hash) is the attribute tms:base on each unit,
in tms's own namespace, which the core schema allows on <unit>.

Reading other tools' files: <pc>, <sc>/<ec> (paired by startRef; isolated ones are
standalone), <ph> become tms tags; <mrk> is unwrapped, <sm>/<em> are dropped and <cp>
gives its character. A unit with several segments gives one unit per segment (key
"unit#segment"). No Flask and no database here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

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
from tms.formats.po import UnitsFile, base_hash
from tms.formats.xliff import (
    APPROVED,
    TRANSLATED,
    UNTRANSLATED,
    Inline,
    InlineRoles,
    Role,
    fill_inline,
    indent,
    pair_texts,
    read_inline,
    unit_notes,
    xml_text,
)
from tms.formats.xmlsafe import parse_xml
from tms.i18n import _
from tms.inline import ForeignIds

NS = "urn:oasis:names:tc:xliff:document:2.0"
TMS_NS = "urn:x-tms:xliff"
NEEDS_WORK, DRAFT = 10, 20
SUBSTATES = {NEEDS_WORK: "tms:needs-work", DRAFT: "tms:draft"}
OUTDATED = "tms:outdated"
FUZZY_SUBSTATES = frozenset({*SUBSTATES.values(), OUTDATED})
STRUCTURE = frozenset({"xliff", "file", "unit", "group", "segment", "notes"})
_NMTOKEN = re.compile(r"^[\w.:-]+$")
_FORMATTING = {"bold": "xlf:b", "italic": "xlf:i", "underline": "xlf:u",
               "strike": "xlf:s", "superscript": "xlf:sup", "subscript": "xlf:sub"}


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _attrs(tag: Tag | None, paired: bool) -> dict[str, str]:
    """type/subType of a <pc> or <ph> for the tags whose meaning XLIFF 2.0 names."""
    if tag is None:
        return {}
    if tag.kind in _FORMATTING:
        return {"type": "fmt", "subType": _FORMATTING[tag.kind]}
    if tag.kind == "link":
        return {"type": "link"}
    if tag.kind == "image" and not paired:
        return {"type": "image"}
    if tag.kind in ("break", "page_break") and not paired:
        return {"type": "fmt", "subType": "xlf:lb" if tag.kind == "break" else "xlf:pb"}
    return {}


def segment_state(state: int, *, outdated: bool) -> tuple[str, str | None]:
    """The XLIFF 2.0 state and subState of one of our states."""
    if outdated:
        return "initial", OUTDATED
    if state >= APPROVED:
        return "final", None
    if state >= TRANSLATED:
        return "translated", None
    return "initial", SUBSTATES.get(state)


def write(units: list[ExportUnit], meta: ExportMeta) -> bytes:
    """An XLIFF 2.0 document of a document's segments, valid against the core schema."""
    root = etree.Element(_q("xliff"), nsmap={None: NS, "tms": TMS_NS}, version="2.0",
                         srcLang=meta.source_language, trgLang=meta.target_language)
    file_el = etree.SubElement(root, _q("file"), id="f1", original=meta.document_slug)
    notes = [f"{meta.document_title} — {meta.target_language}"]
    if meta.translators:  # only when the publisher turned credits on
        notes.append("Translators: " + ", ".join(meta.translators))
    _notes(file_el, notes)
    for n, unit in enumerate(units, start=1):
        el = etree.SubElement(file_el, _q("unit"), {
            "id": unit.key if _NMTOKEN.match(unit.key) else f"u{n}",
            "name": unit.key,
            f"{{{TMS_NS}}}base": base_hash(unit.target),
            "{http://www.w3.org/XML/1998/namespace}space": "preserve",
        })
        _notes(el, unit_notes(unit))
        segment = etree.SubElement(el, _q("segment"), id="s1")
        fill_inline(etree.SubElement(segment, _q("source")), unit.source, unit.tags,
                    paired=_q("pc"), standalone=_q("ph"), attrs=_attrs)
        translated = bool(unit.target) or unit.state > UNTRANSLATED
        if translated or meta.xliff_prefill:
            state, sub = (segment_state(unit.state, outdated=unit.outdated) if translated
                          else ("initial", None))
            segment.set("state", state)
            if sub:
                segment.set("subState", sub)
            fill_inline(etree.SubElement(segment, _q("target")),
                        unit.target if translated else unit.source, unit.tags,
                        paired=_q("pc"), standalone=_q("ph"), attrs=_attrs)
    indent(root, structure=STRUCTURE)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _notes(parent: etree._Element, texts: list[str]) -> None:
    if not texts:
        return
    notes = etree.SubElement(parent, _q("notes"))
    for text in texts:
        etree.SubElement(notes, _q("note")).text = xml_text(text)


# --------------------------------------------------------------------------- reading


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def is_xliff2(root: etree._Element) -> bool:
    """True if a parsed root is an XLIFF 2.x document."""
    return _local(root) == "xliff" and etree.QName(root).namespace == NS


ROLES_20 = InlineRoles({
    "pc": Inline(Role.WRAPPER),
    "mrk": Inline(Role.UNWRAP),
    "ph": Inline(Role.STANDALONE),
    "sc": Inline(Role.OPEN),
    "ec": Inline(Role.CLOSE, ("startRef", "id")),
    "cp": Inline(Role.CHARACTER),
}, isolated=Inline(Role.STANDALONE))  # an <sc>/<ec> whose other half is in another unit


def inline_text(element: etree._Element, *, where: str,
                number: Callable[[str], str]) -> str:
    """A <source>/<target>'s content as a tagged text, the file's ids turned by number."""
    return read_inline(element, ROLES_20, where=where, number=number)


@dataclass
class Xliff2Segment:
    """One segment of an XLIFF 2.x file, with what its unit says."""

    key: str
    source: str
    target: str
    state: str
    sub_state: str
    line: int | None
    base: str | None


def _open(data: bytes, *, filename: str) -> etree._Element:
    root = parse_xml(data, where=filename)
    if not is_xliff2(root):
        raise FormatError(_("this is not an XLIFF 2 file (its root element is <%(name)s>)",
                            name=_local(root)), where=filename)
    if not root.get("srcLang"):
        raise FormatError(_("the <xliff> element has no srcLang"), where=filename)
    if root.find(_q("file")) is None:
        raise FormatError(_("the XLIFF file has no <file> element"), where=filename)
    return root


def iter_segments(root: etree._Element, *, filename: str,
                  numbering: Callable[[], Callable[[str], str]]) -> Iterator[Xliff2Segment]:
    """Every segment of every unit; numbering gives each segment its id mapper."""
    for unit in root.iter(_q("unit")):
        key = unit.get("name") or unit.get("id") or ""
        if not key:
            raise FormatError(_("the unit at line %(line)s has no id", line=unit.sourceline),
                              where=filename)
        segments = unit.findall(_q("segment"))
        for n, segment in enumerate(segments, start=1):
            number = numbering()
            source_el = segment.find(_q("source"))
            if source_el is None:
                raise FormatError(_("the unit '%(key)s' at line %(line)s has no <source>",
                                    key=key, line=segment.sourceline), where=filename)
            target_el = segment.find(_q("target"))
            yield Xliff2Segment(
                key=key if len(segments) == 1 else f"{key}#{segment.get('id') or n}",
                source=inline_text(source_el, where=filename, number=number),
                target=(inline_text(target_el, where=filename, number=number)
                        if target_el is not None else ""),
                state=segment.get("state") or "initial",
                sub_state=segment.get("subState") or "",
                line=segment.sourceline,
                base=unit.get(f"{{{TMS_NS}}}base"))


def _fuzzy(segment: Xliff2Segment) -> bool:
    return segment.state == "initial" or segment.sub_state in FUZZY_SUBSTATES


def read_file(data: bytes, *, filename: str) -> UnitsFile:
    """An XLIFF 2.x file edited offline: units by name (or id), languages, fingerprints."""
    root = _open(data, filename=filename)
    units: list[ImportedUnit] = []
    bases: dict[str, str] = {}
    for seg in iter_segments(root, filename=filename, numbering=ForeignIds):
        target = seg.target
        if seg.state == "initial" and not seg.sub_state and target == seg.source:
            target = ""  # the copy of the source a prefilled export put there
        units.append(ImportedUnit(key=seg.key, source=seg.source, target=target,
                                  fuzzy=bool(target) and _fuzzy(seg), state=seg.state,
                                  line=seg.line))
        if seg.base is not None:
            bases[seg.key] = seg.base
    first = root.find(_q("file"))
    return UnitsFile(format="xliff2", units=units, language=root.get("trgLang") or None,
                     source_language=root.get("srcLang"),
                     document=first.get("original") if first is not None else None,
                     bases=bases)


def read_pairs(data: bytes, *, filename: str) -> BilingualFile:
    """The translated segments of any XLIFF 2.x file as memory pairs (codes renumbered in
    order of appearance; "initial" ones not approved)."""
    root = _open(data, filename=filename)
    found = BilingualFile(format="xliff2")
    source_language, target_language = root.get("srcLang") or "", root.get("trgLang") or ""
    for seg in iter_segments(root, filename=filename,
                             numbering=lambda: ForeignIds(keep_numeric=False)):
        copy_reason = (_("the target is still a copy of the source (state initial)")
                       if seg.state == "initial" else None)
        texts = pair_texts(found, seg.source, seg.target, line=seg.line,
                           copy_reason=copy_reason)
        if texts is not None:
            found.pairs.append(MemoryPair(
                source=texts[0], target=texts[1], source_language=source_language,
                target_language=target_language, origin=f"xliff: {filename}",
                approved=not _fuzzy(seg), line=seg.line, context=seg.key))
    return found
