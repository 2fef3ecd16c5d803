"""Gettext PO: the offline round trip (write / read_units) and interface catalogues (read /
write_catalog).

Two uses, two shapes:
- Exchange (offline translation in Poedit, OmegaT...): one entry per segment, msgctxt = the
  segment key, msgid/msgstr = the tagged source/target, `#.` comments with the block context,
  a legend of the tags and the export fingerprint (`tms-base: <hash>`, see `base_hash`),
  `#:` "slug:position", `fuzzy` for outdated targets.
- Interface catalogue: a PO/POT of the application's own strings imported as a document of
  kind "interface" (one "message" block per entry), and written back as a normal gettext
  catalogue (msgid = the original msgid) for the application to compile.

Plural entries: the block text is the singular and the plural msgid joined by
PLURAL_SEPARATOR, and the translator writes nplurals forms joined by the same separator.
write_catalog writes the forms as msgstr[0..n-1] when their number equals nplurals, and
leaves the entry untranslated otherwise (gettext then falls back to the English forms,
which is better than a wrong form). Likewise a translation whose python-format or
python-brace-format placeholders do not match its msgid is left out (placeholders_match).
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import polib
from babel import Locale, UnknownLocaleError
from babel.messages.plurals import get_plural
from babel.plural import PluralRule, to_gettext

from tms.formats.base import (
    BilingualFile,
    ExportMeta,
    ExportUnit,
    FormatError,
    ImportedUnit,
    MemoryPair,
    ParsedBlock,
    ParsedDocument,
    Tag,
    TargetBlock,
)
from tms.i18n import _
from tms.inline import TAG_RE, tokenize

PLURAL_SEPARATOR = "\n||\n"
MAX_PO_BYTES = 20 * 1024 * 1024
BASE_PREFIX = "tms-base: "
DOCUMENT_HEADER = "X-TMS-Document"
SOURCE_LANGUAGE_HEADER = "X-TMS-Source-Language"
_QUOTED_LINE = re.compile(r'^\s*(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"')


@dataclass
class UnitsFile:
    """An exchange file read back: its units and what its header says.

    bases maps a unit key to the fingerprint of the target as it was exported (see
    base_hash); a unit without one was not exported by tms or lost its comment.
    """

    format: str
    units: list[ImportedUnit]
    language: str | None = None  # target language declared by the file
    source_language: str | None = None
    document: str | None = None  # the document slug tms wrote, if any
    bases: dict[str, str] = field(default_factory=dict)


def base_hash(target: str) -> str:
    """The export fingerprint of a target: what the online text was when the file was written."""
    return hashlib.sha1(target.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def tag_legend(text: str, tags: dict[str, Tag]) -> str:
    """A one-line legend of the tags in a tagged text, e.g. "<1>…</1> bold; <2/> footnote 1"."""
    parts: list[str] = []
    seen: set[str] = set()
    for tok in tokenize(text):
        if tok.kind not in ("open", "standalone") or tok.value in seen:
            continue
        seen.add(tok.value)
        tag = tags.get(tok.value)
        label = (tag.label or tag.kind) if tag else "formatting"
        shape = f"<{tok.value}>…</{tok.value}>" if tok.kind == "open" else f"<{tok.value}/>"
        parts.append(f"{shape} {label}")
    return "; ".join(parts)


def match_newlines(source: str, target: str) -> str:
    """The target with the source's leading/trailing newline, as gettext requires."""
    if not target:
        return target
    if source.startswith("\n") != target.startswith("\n"):
        target = "\n" + target if source.startswith("\n") else target.lstrip("\n")
    if source.endswith("\n") != target.endswith("\n"):
        target = target + "\n" if source.endswith("\n") else target.rstrip("\n")
    return target


def po_language(code: str) -> str:
    """A BCP 47 code in gettext's spelling (pt-BR -> pt_BR)."""
    return code.replace("-", "_")


def same_language(a: str, b: str) -> bool:
    """True if two language codes name the same language (case and - / _ ignored)."""
    return a.replace("_", "-").lower() == b.replace("_", "-").lower()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000")


def _header(meta: ExportMeta, *, creation: str | None = None) -> dict[str, str]:
    team = meta.team or f"{meta.target_language} team"
    return {
        "Project-Id-Version": meta.document_slug,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": creation or _now(),
        "PO-Revision-Date": _now(),
        # Volunteers' pseudonyms appear only when the publisher turned credits on.
        "Last-Translator": ", ".join(meta.translators) if meta.translators else team,
        "Language-Team": team,
        "Language": po_language(meta.target_language),
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": meta.plural_forms,
        "X-Generator": meta.generator,
        DOCUMENT_HEADER: meta.document_slug,
        SOURCE_LANGUAGE_HEADER: meta.source_language,
    }


def _one_line(text: str) -> str:
    return " ".join(text.split())


def write(units: list[ExportUnit], meta: ExportMeta) -> bytes:
    """One PO catalogue of a document's segments for offline translation."""
    po = polib.POFile(wrapwidth=0)
    po.header = _one_line(f"{meta.document_title} — {meta.target_language}, exported by tms.")
    po.metadata = _header(meta)
    for unit in units:
        comments: list[str] = []
        if unit.context:
            comments.append(_one_line(f"Context: {unit.context}"))
        comments.append(f"Block: {unit.block_type}")
        legend = tag_legend(unit.source, unit.tags)
        if legend:
            comments.append(f"Tags: {legend}")
        comments.extend(_one_line(note) for note in unit.notes if note.strip())
        comments.append(BASE_PREFIX + base_hash(unit.target))
        entry = polib.POEntry(
            msgctxt=unit.key,
            msgid=unit.source,
            msgstr=match_newlines(unit.source, unit.target),
            comment="\n".join(comments),
            occurrences=[(meta.document_slug, str(unit.position))],
        )
        if unit.outdated and unit.target:
            entry.flags.append("fuzzy")
            if unit.previous_source:
                entry.previous_msgid = unit.previous_source
        po.append(entry)
    return str(po).encode("utf-8")


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_UNICODE = frozenset({"utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
                      "utf-32-be"})


def _codec(name: str) -> str | None:
    """Python's name for a character set, or None if it knows no such one."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _declared_charset(text: str) -> str | None:
    """The charset the header entry declares ("CHARSET", a POT's placeholder, is none)."""
    m = re.search(r"charset=([A-Za-z0-9_.:-]+)", text[:65536])
    if not m or m.group(1).lower() == "charset":
        return None
    return m.group(1)


def decode_text(data: bytes, *, declared: str | None, where: str, kind: str) -> str:
    """Text bytes decoded by the charset declared in them, then by their byte-order mark,
    else as UTF-8; a declaration the bytes contradict is one clear error, never mojibake.

    A legacy charset (windows-1251, ISO-8859-1...) decodes almost any bytes, so a file
    declaring one whose bytes are UTF-8 with non-ASCII characters was saved as UTF-8 with
    a stale declaration: it is refused rather than stored garbled.
    """
    bom = next(((mark, name) for mark, name in _BOMS if data.startswith(mark)), None)
    charset = _codec(declared) if declared else None
    if declared and charset is None:
        raise FormatError(
            _("the header declares an unknown character set '%(charset)s'",
              charset=declared.lower()), where=where)
    if bom is not None:
        mark, name = bom
        if charset is not None and charset.split("-")[:2] != name.split("-")[:2]:
            raise FormatError(
                _("the file starts with a %(bom)s byte-order mark but declares the character "
                  "set %(charset)s; save it again in one of them",
                  bom=name[:6].upper(), charset=declared), where=where)
        data, charset = data[len(mark):], name
    charset = charset or "utf-8"
    if not charset.startswith(("utf-16", "utf-32")) and b"\x00" in data:
        # anywhere: PostgreSQL cannot store NUL
        raise FormatError(_("this is not a %(kind)s file (it contains binary data)",
                            kind=kind), where=where)
    if charset not in _UNICODE and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise FormatError(
                _("the file declares the character set %(charset)s but its text is UTF-8; "
                  "correct the declaration to UTF-8", charset=declared), where=where)
    try:
        text = data.decode(charset)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(charset, errors="replace").count("\n") + 1
        raise FormatError(
            _("the file is not valid %(charset)s text (line %(line)s); save it as UTF-8",
              charset=(declared or charset).upper(), line=line),
            where=where,
        ) from None
    if "\x00" in text:
        raise FormatError(_("this is not a %(kind)s file (it contains binary data)",
                            kind=kind), where=where)
    return text


def _decode(data: bytes, *, filename: str) -> str:
    """PO bytes as text: the charset the header declares, else the BOM, else UTF-8."""
    if len(data) > MAX_PO_BYTES:
        raise FormatError(_("the PO file is larger than 20 MB"), where=filename)
    bom = next((name for mark, name in _BOMS if data.startswith(mark)), None)
    # The header can be read before decoding unless the file is UTF-16/32.
    head = (data[:65536].decode(bom, errors="replace") if bom and bom != "utf-8"
            else data[:65536].decode("latin-1"))
    return decode_text(data, declared=_declared_charset(head), where=filename, kind="PO")


def _check_quotes(text: str, *, filename: str) -> None:
    """Catch unterminated strings, which polib silently accepts and msgfmt refuses."""
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or not _QUOTED_LINE.match(line):
            continue
        if len(stripped) < 2 or not stripped.endswith('"') or _ends_escaped(stripped):
            raise FormatError(
                _("syntax error at line %(line)s: a quoted string is not closed", line=n),
                where=filename,
            )


def _ends_escaped(stripped: str) -> bool:
    """True if the final quote is escaped (an odd run of backslashes before it)."""
    body = stripped[:-1]
    run = len(body) - len(body.rstrip("\\"))
    first_quote = stripped.index('"')
    return run % 2 == 1 or first_quote == len(stripped) - 1


def parse(data: bytes, *, filename: str) -> polib.POFile:
    """Parse PO bytes with polib, turning its failures into FormatError with the line."""
    text = _decode(data, filename=filename)
    _check_quotes(text, filename=filename)
    try:
        # The trailing newline matters: polib treats a one-line string as a file path.
        po = polib.pofile(text + "\n", wrapwidth=0)
    except OSError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = m.group(1) if m else "?"
        raise FormatError(_("syntax error at line %(line)s", line=line), where=filename) from None
    if not po.metadata and not len(po):
        raise FormatError(_("this is not a PO file (no header and no entries found)"),
                          where=filename)
    return po


def _base_of(entry: polib.POEntry) -> str | None:
    # The fingerprint is written last, after notes that anyone could have typed.
    for line in reversed((entry.comment or "").splitlines()):
        if line.startswith(BASE_PREFIX):
            return line[len(BASE_PREFIX) :].strip()
    return None


def read_file(data: bytes, *, filename: str, require_keys: bool = True) -> UnitsFile:
    """A PO edited offline: units keyed by msgctxt, plus header facts and export fingerprints.

    require_keys=False accepts entries without msgctxt (a PO tms did not write): their key
    is "" and the upload matches them by source text."""
    po = parse(data, filename=filename)
    units: list[ImportedUnit] = []
    bases: dict[str, str] = {}
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        if not entry.msgctxt and require_keys:
            raise FormatError(
                _("the entry at line %(line)s has no msgctxt, so it cannot be matched to a "
                  "segment; upload the PO file tms exported", line=entry.linenum),
                where=filename,
            )
        target = entry.msgstr
        units.append(ImportedUnit(
            key=entry.msgctxt or "",
            source=entry.msgid,
            target=target,
            fuzzy="fuzzy" in entry.flags,
            state="fuzzy" if "fuzzy" in entry.flags else ("translated" if target else None),
            line=entry.linenum,
            # translate-toolkit's xliff2po keeps our key as the "#:" reference
            context=entry.msgctxt or (entry.occurrences[0][0] if entry.occurrences else ""),
        ))
        base = _base_of(entry)
        if base is not None and entry.msgctxt:
            bases[entry.msgctxt] = base
    meta = po.metadata
    return UnitsFile(
        format="po",
        units=units,
        language=meta.get("Language") or None,
        source_language=meta.get(SOURCE_LANGUAGE_HEADER) or None,
        document=meta.get(DOCUMENT_HEADER) or None,
        bases=bases,
    )


def read_pairs(data: bytes, *, filename: str) -> BilingualFile:
    """The translated entries of any PO file as memory pairs (fuzzy ones not approved).

    The target language is the header's Language, the source language tms's own header
    (or X-Source-Language), else none (the caller asks). A plural entry gives one pair, its
    forms joined by PLURAL_SEPARATOR as an interface catalogue's blocks have them.
    """
    po = parse(data, filename=filename)
    meta = po.metadata
    target_language = (meta.get("Language") or "").strip().replace("_", "-")
    source_language = (meta.get(SOURCE_LANGUAGE_HEADER) or meta.get("X-Source-Language")
                       or "").strip().replace("_", "-")
    found = BilingualFile(format="po")
    for entry in po:
        if not entry.msgid and not entry.obsolete:
            continue  # the header
        if entry.obsolete:
            found.skip(entry.linenum, _("the entry is obsolete (#~)"))
            continue
        source, target = entry.msgid, entry.msgstr
        if entry.msgid_plural:
            forms = [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
            source = entry.msgid + PLURAL_SEPARATOR + entry.msgid_plural
            if any(forms) and not all(forms):
                found.skip(entry.linenum, _("not every plural form is translated"))
                continue
            target = PLURAL_SEPARATOR.join(forms) if all(forms) else ""
        if not target.strip():
            found.skip(entry.linenum, _("the entry has no translation"))
            continue
        found.pairs.append(MemoryPair(
            source=source, target=target, source_language=source_language,
            target_language=target_language, origin=f"po: {filename}",
            approved="fuzzy" not in entry.flags, line=entry.linenum,
            context=entry.msgctxt or ""))
    return found


def read_units(data: bytes, *, filename: str) -> list[ImportedUnit]:
    """The units of a PO file exported by tms and edited offline (Poedit, OmegaT...)."""
    return read_file(data, filename=filename).units


# --- interface catalogues --------------------------------------------------------------


def _literal_tags(text: str, tags: dict[str, Tag]) -> str:
    """Text with anything that looks like one of our tags turned into a literal tag."""

    def repl(m: re.Match[str]) -> str:
        ident = str(len(tags) + 1)
        tags[ident] = Tag("literal", paired=False, data={"text": m.group(0)}, label=m.group(0))
        return f"<{ident}/>"

    return TAG_RE.sub(repl, text)


def _retag(text: str, tags: dict[str, Tag]) -> str:
    """A translation with tag-like text turned into the literal tags of its msgid (the
    same text, the same id); tag-like text its msgid does not have stays a new literal."""
    by_text = {str(t.data.get("text")): ident for ident, t in tags.items()
               if t.kind == "literal"}

    def repl(m: re.Match[str]) -> str:
        ident = by_text.get(m.group(0))
        if ident is None:
            ident = str(len(tags) + 1)
            tags[ident] = Tag("literal", paired=False, data={"text": m.group(0)},
                              label=m.group(0))
            by_text[m.group(0)] = ident
        return f"<{ident}/>"

    return TAG_RE.sub(repl, text)


def _translation(entry: polib.POEntry, tags: dict[str, Tag]) -> str:
    """An entry's msgstr (plural forms joined by PLURAL_SEPARATOR) in the block's tags."""
    if entry.msgid_plural:
        forms = [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
        if not any(forms):
            return ""
        return PLURAL_SEPARATOR.join(_retag(f, tags) for f in forms)
    return _retag(entry.msgstr or "", tags)


def untag(text: str, tags: dict[str, Tag]) -> str:
    """The inverse of the import: literal tags back to their text, other tags dropped."""
    out: list[str] = []
    for tok in tokenize(text):
        if tok.kind == "text":
            out.append(tok.value)
        elif tok.kind == "standalone":
            tag = tags.get(tok.value)
            if tag is not None and tag.kind == "literal":
                out.append(str(tag.data.get("text", "")))
    return "".join(out)


def _locator(msgctxt: str | None, msgid: str) -> str:
    digest = hashlib.sha1(f"{msgctxt or ''}\x04{msgid}".encode(), usedforsecurity=False)
    return "po:" + digest.hexdigest()[:20]


def read(data: bytes, *, filename: str, language: str = "en") -> ParsedDocument:
    """A PO/POT file of interface strings as a document: one "message" block per entry.

    msgctxt, flags, comments, references and msgid_plural are kept in the block's attrs (the
    catalogue export writes them back); a translated catalogue's msgstrs go into
    attrs["msgstr"] (and attrs["fuzzy"]), in the language its header names
    (translations_language), for the import to put into the translation memory.
    """
    po = parse(data, filename=filename)
    blocks: list[ParsedBlock] = []
    translated = 0
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        tags: dict[str, Tag] = {}
        text = _literal_tags(entry.msgid, tags)
        if entry.msgid_plural:
            text += PLURAL_SEPARATOR + _literal_tags(entry.msgid_plural, tags)
        context = " — ".join(p for p in (entry.msgctxt, _one_line(entry.comment or "")) if p)
        translation = _translation(entry, tags)
        translated += bool(translation)
        blocks.append(ParsedBlock(
            type="message",
            text=text,
            tags=tags,
            locator=_locator(entry.msgctxt, entry.msgid),
            context=context,
            attrs={
                "msgctxt": entry.msgctxt,
                "msgid_plural": entry.msgid_plural or None,
                "flags": list(entry.flags),
                "comments": entry.comment or "",
                "occurrences": [f"{f}:{n}" if n else f for f, n in entry.occurrences],
                **({"msgstr": translation, "fuzzy": "fuzzy" in entry.flags}
                   if translation else {}),
            },
        ))
    declared = (po.metadata.get("Language") or "").strip().replace("_", "-") or None
    return ParsedDocument(
        format="po",
        blocks=blocks,
        title=po.metadata.get("Project-Id-Version") or None,
        language=language,
        translations_language=declared if translated else None,
    )


_PYTHON_FORMAT = re.compile(
    r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?([diouxXeEfFgGcrsa%])"
)
_BRACE_FORMAT = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def _brace_fields(text: str) -> set[str]:
    """The field names of str.format placeholders ("{count}", "{0!r:>3}" -> "0")."""
    return {re.split(r"[!:.\[]", m.group(1))[0] for m in _BRACE_FORMAT.finditer(text)
            if m.group(1) is not None}


def _python_placeholders(text: str) -> tuple[set[str], list[str]]:
    """Named placeholders, and the conversions of unnamed ones in order ("%%" excluded)."""
    named: set[str] = set()
    unnamed: list[str] = []
    for m in _PYTHON_FORMAT.finditer(text):
        name, conversion = m.groups()
        if conversion == "%":
            continue
        if name:
            named.add(name)
        else:
            unnamed.append(conversion)
    return named, unnamed


def placeholders_match(msgid: str, msgstr: str, flags: list[str], *, plural: bool = False
                       ) -> bool:
    """True if a translation keeps the format placeholders its flags promise.

    A translation that loses or invents a placeholder would make msgfmt -c refuse the
    catalogue, or make "%"-formatting raise at run time in the application; such an entry is
    better left untranslated. Plural forms may omit a placeholder (e.g. "one file").
    """
    if "python-format" in flags:
        src_named, src_unnamed = _python_placeholders(msgid)
        tgt_named, tgt_unnamed = _python_placeholders(msgstr)
        if not tgt_named <= src_named or (not plural and tgt_named != src_named):
            return False
        if src_unnamed != tgt_unnamed and not (plural and not tgt_unnamed):
            return False
    if "python-brace-format" in flags:
        fields, used = _brace_fields(msgid), _brace_fields(msgstr)
        if not used <= fields or (not plural and used != fields):
            return False
    return True


DEFAULT_PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
_CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")


# The width of Language.plural_forms.
MAX_PLURAL_FORMS = 200


def plural_forms(code: str) -> str:
    """The Plural-Forms header of a language, from CLDR's rules (Babel), for whole numbers.

    CLDR also has categories only fractions or compact numbers reach (Russian "other" for
    1.5, French "many" for "1 M"): a catalogue counts whole things, so only the categories
    the integers reach are kept, the last of them becoming gettext's fall-through when
    "other" is not among them (Russian: one, few, many = 3 forms, as gettext has it).
    Operands other than n are 0 for whole numbers. Unknown codes get the Germanic default.
    """
    try:
        rule = Locale.parse(code.replace("-", "_")).plural_form
    except (UnknownLocaleError, ValueError):
        return DEFAULT_PLURAL_FORMS
    reached = {rule(n) for n in range(1000)}
    rules = {tag: text for tag, text in rule.rules.items() if tag in reached}
    if "other" not in reached and rules:
        del rules[[tag for tag in _CLDR_ORDER if tag in rules][-1]]
    header: str = to_gettext(PluralRule(rules))
    header = re.sub(r"\be\b", "0", header)  # the compact-exponent operand, 0 for integers
    if len(header) > MAX_PLURAL_FORMS:
        # CLDR's fraction clauses (Serbian: 333 characters) are dead for whole numbers;
        # Babel's gettext table has the classic rule, which gives the same forms for them.
        classic = get_plural(code.replace("-", "_")).plural_forms
        if _nplurals(classic) == _nplurals(header):
            return classic
    return header


def _nplurals(plural_forms: str) -> int:
    m = re.search(r"nplurals\s*=\s*(\d+)", plural_forms)
    return int(m.group(1)) if m else 2


def write_catalog(entries: list[TargetBlock], language: str, plural_forms: str,
                  *, project: str = "tms") -> bytes:
    """A gettext catalogue of interface strings: msgid as imported, msgstr the translation."""
    po = polib.POFile(wrapwidth=0)
    po.header = f"Interface translation into {language}, written by tms."
    po.metadata = {
        "Project-Id-Version": project,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": _now(),
        "PO-Revision-Date": _now(),
        "Last-Translator": f"{language} team",
        "Language-Team": f"{language} team",
        "Language": po_language(language),
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms,
        "X-Generator": "tms",
    }
    n = _nplurals(plural_forms)
    for tb in entries:
        block = tb.block
        attrs = block.attrs
        source = untag(block.text, block.tags)
        target = untag(tb.target, block.tags) if tb.target else ""
        flags = [f for f in attrs.get("flags") or [] if f != "fuzzy"]
        occurrences = [tuple(o.rsplit(":", 1)) if ":" in o else (o, "")
                       for o in attrs.get("occurrences") or []]
        common = {
            "msgctxt": attrs.get("msgctxt") or None,
            "comment": attrs.get("comments") or "",
            "flags": flags,
            "occurrences": occurrences,
        }
        if attrs.get("msgid_plural"):
            singular, _sep, plural = source.partition(PLURAL_SEPARATOR)
            plural = plural or attrs["msgid_plural"]
            forms = target.split(PLURAL_SEPARATOR) if target else []
            if len(forms) != n or not all(
                placeholders_match(plural, f, flags, plural=True) for f in forms
            ):
                forms = [""] * n
            forms = [match_newlines(singular, f) for f in forms]
            po.append(polib.POEntry(msgid=singular, msgid_plural=plural,
                                    msgstr_plural=dict(enumerate(forms)), **common))
        else:
            if not placeholders_match(source, target, flags):
                target = ""
            po.append(polib.POEntry(msgid=source, msgstr=match_newlines(source, target),
                                    **common))
    return str(po).encode("utf-8")
