"""Glossary exchange: TBX (TBX-Basic / TBX 2008 martif and TBX v3) and CSV.

TBX: a termEntry (v3: conceptEntry) holds one langSet (langSec) per language, each with
terms in tig/ntig (termSec). The source language is the one given by the caller, else the
martif/tbx xml:lang, else the first language of the first entry; every other language gives
entries for that target language. Language variants match their language (a file's en-US
is the en asked for, and the other way round), but two regions never match each other.
Every target term of a concept gives an entry, each with its usage status (TBX-Basic's
administrativeStatus: preferred, admitted, deprecated, superseded) and its notes (the
concept's, the language set's and the term's own: note, definition, context, and term
notes such as partOfSpeech). A deprecated or superseded term (or a normativeAuthorization
deprecatedTerm) is a forbidden translation. The source term is the first one not
deprecated.

CSV: a header row names the columns: source, target, and optionally note, forbidden,
source_language, target_language, status (preferred, admitted, deprecated,
superseded) (language codes may also stand for source/target: a
header "en,fr" reads as source=en, target=fr). The delimiter (comma, semicolon or tab) is
sniffed; UTF-8 with or without BOM, or UTF-16 with a BOM (Excel's "Unicode text").
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import PurePath

from lxml import etree

from tms.formats.base import FormatError, GlossaryEntry
from tms.formats.xliff import xml_text
from tms.formats.xmlsafe import parse_xml
from tms.i18n import _

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TBX3_NS = "urn:iso:std:iso:30042:ed-2"
FORBIDDEN_STATUS = ("deprecatedterm", "supersededterm", "deprecated", "superseded", "forbidden")
TRUE_WORDS = frozenset({"1", "yes", "y", "true", "x", "forbidden", "oui", "ja", "да", "так"})
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection): a
# term such as "=HYPERLINK(...)" could make Excel fetch a URL when a volunteer opens it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LANG_CODE = re.compile(r"^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$")


def read(data: bytes, *, filename: str, source_language: str | None = None,
         target_language: str | None = None) -> list[GlossaryEntry]:
    """Glossary entries from a .tbx or .csv file (.tsv and .txt read as CSV)."""
    ext = PurePath(filename).suffix.lower()
    if ext in (".tbx", ".xml"):
        return read_tbx(data, filename=filename, source_language=source_language,
                        target_language=target_language)
    if ext in (".csv", ".tsv", ".txt"):
        return read_csv(data, filename=filename, source_language=source_language or "",
                        target_language=target_language or "")
    raise FormatError(_("glossaries can be imported from .tbx or .csv files, not '%(ext)s'",
                        ext=ext or "(none)"), where=filename)


# --- TBX -----------------------------------------------------------------------------


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el: etree._Element, *names: str) -> list[etree._Element]:
    return [c for c in el if _local(c) in names]


def _descendants(el: etree._Element, *names: str) -> list[etree._Element]:
    return [c for c in el.iter() if _local(c) in names]


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


STATUS_WORDS = {"preferredterm": "preferred", "preferred": "preferred",
                "admittedterm": "admitted", "admitted": "admitted",
                "deprecatedterm": "deprecated", "deprecated": "deprecated",
                "forbidden": "deprecated", "supersededterm": "superseded",
                "superseded": "superseded"}
_STATUS_KINDS = ("administrativestatus", "normativeauthorization")


def _is_status(el: etree._Element) -> bool:
    return (_local(el) in ("administrativeStatus", "normativeAuthorization")
            or (el.get("type") or "").lower() in _STATUS_KINDS)


def _status(term_group: etree._Element) -> str:
    """The usage status of a term ("" if the file gives none)."""
    for el in term_group.iter():
        if _is_status(el):
            value = _text(el).lower().replace("-admn-sts", "").replace(" ", "")
            if value in STATUS_WORDS:
                return STATUS_WORDS[value]
    return ""


def _forbidden(term_group: etree._Element) -> bool:
    return _status(term_group) in ("deprecated", "superseded")


def _notes(el: etree._Element) -> list[str]:
    """The notes of a concept, language set or term: note, descrip, definition and term
    notes other than the status (as "partOfSpeech: noun")."""
    notes = []
    for child in el:
        name = _local(child)
        kind = child.get("type") or ""
        text = _text(child)
        if not text or _is_status(child):
            continue
        if name in ("note", "definition") or (name == "descrip" and kind.lower()
                                               in ("definition", "context", "")):
            notes.append(text)
        elif name in ("termNote", "descrip") and kind:
            notes.append(f"{kind}: {text}")
    return notes


def _groups(el: etree._Element) -> list[etree._Element]:
    """The term groups of a language set, and of a tig/termSec wrapper inside it."""
    return _children(el, "tig", "ntig", "termSec")


def lang_match(a: str, b: str) -> bool:
    """True if one language code is the other or a variant of it (en, en-US), case and
    - / _ ignored; en-US and en-GB do not match."""
    x = a.replace("_", "-").lower().split("-")
    y = b.replace("_", "-").lower().split("-")
    shorter, longer = sorted((x, y), key=len)
    return longer[: len(shorter)] == shorter


def read_tbx(data: bytes, *, filename: str, source_language: str | None = None,
             target_language: str | None = None) -> list[GlossaryEntry]:
    """Entries from a TBX file: termEntry/langSet/tig (TBX 2008) or conceptEntry/langSec
    (TBX v3), one entry per (preferred source term, target term), every target kept."""
    root = parse_xml(data, where=filename)
    if _local(root) not in ("martif", "tbx"):
        raise FormatError(_("this is not a TBX file (its root element is <%(name)s>)",
                            name=_local(root)), where=filename)
    concepts = _descendants(root, "termEntry", "conceptEntry")
    entries: list[GlossaryEntry] = []
    src = source_language
    for concept in concepts:
        # language -> [(term, status, notes)]
        by_lang: dict[str, list[tuple[str, str, list[str]]]] = {}
        order: list[str] = []
        for lang_set in _children(concept, "langSet", "langSec"):
            lang = lang_set.get(XML_LANG) or lang_set.get("lang") or ""
            if not lang:
                raise FormatError(_("the language set at line %(line)s has no xml:lang",
                                    line=lang_set.sourceline), where=filename)
            set_notes = _notes(lang_set)
            for group in _groups(lang_set):
                term_el = next(iter(_descendants(group, "term")), None)
                if term_el is None or not _text(term_el):
                    continue
                if lang not in by_lang:
                    by_lang[lang] = []
                    order.append(lang)
                term_notes = [n for g in (group, *_descendants(group, "termGrp"))
                              for n in _notes(g)]
                by_lang[lang].append((_text(term_el), _status(group), set_notes + term_notes))
        if not order:
            continue
        if src is None:
            src = root.get(XML_LANG) if root.get(XML_LANG) in by_lang else order[0]
        src_langs = [lang for lang in order if lang_match(lang, src)]
        source_terms = [(t, notes) for lang in src_langs for t, status, notes in by_lang[lang]
                        if status not in ("deprecated", "superseded")]
        if not source_terms:
            continue
        source_term, source_notes = source_terms[0]
        concept_notes = _notes(concept)
        for lang in order:
            if lang in src_langs or (target_language and not lang_match(lang,
                                                                        target_language)):
                continue
            for term, status, notes in by_lang[lang]:
                note = "; ".join(dict.fromkeys([*concept_notes, *source_notes, *notes]))
                entries.append(GlossaryEntry(source_term=source_term, target_term=term,
                                             source_language=src_langs[0],
                                             target_language=lang, note=note,
                                             forbidden=status in ("deprecated", "superseded"),
                                             status=status))
    return entries


def write_tbx(entries: list[GlossaryEntry]) -> bytes:
    """A TBX-Basic (TBX 2008 martif) file: one termEntry per source term and target language."""
    source_language = entries[0].source_language if entries else "en"
    root = etree.Element("martif", {"type": "TBX-Basic", XML_LANG: source_language})
    header = etree.SubElement(root, "martifHeader")
    file_desc = etree.SubElement(header, "fileDesc")
    etree.SubElement(etree.SubElement(file_desc, "sourceDesc"), "p").text = "Exported by tms"
    body = etree.SubElement(etree.SubElement(root, "text"), "body")
    grouped: dict[tuple[str, str, str], list[GlossaryEntry]] = {}
    for entry in entries:
        k = (entry.source_language, entry.source_term, entry.target_language)
        grouped.setdefault(k, []).append(entry)
    for n, ((src_lang, src_term, tgt_lang), group) in enumerate(grouped.items(), start=1):
        term_entry = etree.SubElement(body, "termEntry", id=f"t{n}")
        notes = sorted({e.note for e in group if e.note})
        if notes:
            etree.SubElement(term_entry, "note").text = xml_text("; ".join(notes))
        src_set = etree.SubElement(term_entry, "langSet", {XML_LANG: src_lang})
        etree.SubElement(etree.SubElement(src_set, "tig"), "term").text = xml_text(src_term)
        tgt_set = etree.SubElement(term_entry, "langSet", {XML_LANG: tgt_lang})
        for entry in group:
            if not entry.target_term:
                continue
            tig = etree.SubElement(tgt_set, "tig")
            etree.SubElement(tig, "term").text = xml_text(entry.target_term)
            status = entry.status or ("deprecated" if entry.forbidden else "preferred")
            if entry.forbidden and status not in ("deprecated", "superseded"):
                status = "deprecated"
            etree.SubElement(tig, "termNote", type="administrativeStatus").text = (
                f"{status}Term-admn-sts")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- CSV -----------------------------------------------------------------------------


def decode_csv(data: bytes, *, filename: str) -> str:
    """CSV bytes as text: UTF-16 with a BOM, else UTF-8 (BOM allowed); NUL is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise FormatError(_("the file starts like UTF-16 text but is not"),
                              where=filename) from None
        if "\x00" not in text:
            return text
    if b"\x00" in data:  # anywhere: PostgreSQL cannot store NUL
        raise FormatError(_("this is not a CSV text file (it contains binary data)"),
                          where=filename)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(_("the file is not UTF-8 text (line %(line)s); save the CSV as "
                            "UTF-8", line=line), where=filename) from None


def unescape_cell(cell: str) -> str:
    """Undo write_csv's formula escaping ("'=x" -> "=x")."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_START:
        return cell[1:]
    return cell


def read_csv(data: bytes, *, filename: str, source_language: str = "",
             target_language: str = "") -> list[GlossaryEntry]:
    """Entries from a CSV with a header row (source, target[, note][, forbidden])."""
    text = decode_csv(data, filename=filename)
    # Only the delimiter is guessed (from the header row); csv.Sniffer also guesses a quote
    # character and takes the apostrophes of escaped formulas for quotes.
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise FormatError(_("the CSV file is empty"), where=filename) from None
    except csv.Error as exc:
        raise FormatError(_("the CSV header cannot be read (%(error)s)", error=str(exc)),
                          where=filename) from None
    columns = {name: i for i, name in enumerate(header)}
    if "source" not in columns and len(header) >= 2 and all(
        _LANG_CODE.match(h) for h in header[:2]
    ):
        source_language = source_language or header[0]
        target_language = target_language or header[1]
        columns.setdefault("source", 0)
        columns.setdefault("target", 1)
    if "source" not in columns or "target" not in columns:
        raise FormatError(
            _("the first row must name the columns: source, target (and optionally note, "
              "forbidden); found: %(found)s", found=", ".join(header) or "(nothing)"),
            where=filename,
        )

    def cell(row: list[str], name: str) -> str:
        i = columns.get(name)
        return unescape_cell(row[i].strip()) if i is not None and i < len(row) else ""

    entries: list[GlossaryEntry] = []
    try:
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            source = cell(row, "source")
            if not source:
                raise FormatError(_("line %(line)s has no source term", line=reader.line_num),
                                  where=filename)
            entries.append(GlossaryEntry(
                source_term=source,
                target_term=cell(row, "target"),
                source_language=cell(row, "source_language") or source_language,
                target_language=cell(row, "target_language") or target_language,
                note=cell(row, "note"),
                forbidden=cell(row, "forbidden").lower() in TRUE_WORDS,
                status=STATUS_WORDS.get(cell(row, "status").lower(), ""),
            ))
    except csv.Error as exc:
        raise FormatError(_("line %(line)s cannot be read (%(error)s)", line=reader.line_num,
                            error=str(exc)), where=filename) from None
    return entries


def _escape(cell: str) -> str:
    """Prefix a formula-looking cell with an apostrophe so spreadsheets show it as text."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def write_csv(entries: list[GlossaryEntry]) -> bytes:
    """A UTF-8 CSV (with BOM, so Excel reads the accents) of glossary entries."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["source", "target", "note", "forbidden", "source_language",
                     "target_language", "status"])
    for e in entries:
        writer.writerow([_escape(e.source_term), _escape(e.target_term), _escape(e.note),
                         "yes" if e.forbidden else "", e.source_language, e.target_language,
                         e.status])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
