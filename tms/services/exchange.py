"""Memory and glossary exchange with other tools: TMX in and out, TBX/CSV in and out,
and the glossary edits the web page needs (edit a term by id, delete one).

One function per verb, shared by the `tms tm` / `tms glossary` commands and the /memory
and /glossary pages. Nothing commits: the caller commits once, so a file that fails half
way writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.formats import ReadHints, bilingual, glossary_format_for, read_bilingual, registry
from tms.formats.base import BilingualFile, ExportMeta, FormatError, MemoryPair
from tms.i18n import _, ngettext
from tms.models import Document, GlossaryTerm, Language, MemoryUnit
from tms.services import glossary, memory
from tms.services.errors import ServiceError
from tms.services.offline import language_matches

PROGRESS_EVERY = 200  # pairs between progress callbacks
TMX = registry.MEMORY_FORMATS["tmx"]
BILINGUAL_EXTENSIONS = bilingual.EXTENSIONS  # what the memory import reads
GLOSSARY_FORMATS = tuple(registry.GLOSSARY_FORMATS)  # "tbx", "csv"


class ExchangeError(ServiceError):
    """A refused import or export; ``message`` is one translated sentence."""


@dataclass
class TmxReport:
    """What a memory import (TMX, XLIFF, PO, CSV) did."""

    filename: str
    read: int = 0
    imported: int = 0
    duplicates: int = 0  # the same pair was already in the memory (or earlier in the file)
    other_languages: int = 0  # pairs of another language pair than the one asked for
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)  # imported per pair
    # Imported pairs whose <note>s or <prop>s were not kept: the memory has no field for them.
    notes_dropped: int = 0
    format: str = "tmx"
    skipped: list[tuple[int | None, str]] = field(default_factory=list)  # (line, reason)
    languages: list[str] = field(default_factory=list)  # every language the file holds
    unapproved: int = 0  # imported as not approved (PO fuzzy, XLIFF needs-*/initial)

    def summary(self) -> str:
        """One sentence for the terminal or a flash message."""
        text = ngettext(
            "%(file)s: %(num)s pair added to the memory, %(duplicates)s already there, "
            "%(other)s of other languages left out (%(read)s read).",
            "%(file)s: %(num)s pairs added to the memory, %(duplicates)s already there, "
            "%(other)s of other languages left out (%(read)s read).",
            self.imported, file=self.filename, duplicates=self.duplicates,
            other=self.other_languages, read=self.read)
        if self.unapproved:
            text += " " + ngettext(
                "%(num)s of them is not approved (fuzzy or unconfirmed in the file).",
                "%(num)s of them are not approved (fuzzy or unconfirmed in the file).",
                self.unapproved)
        if self.skipped:
            text += " " + ngettext(
                "%(num)s unit gave no pair (see the lines below).",
                "%(num)s units gave no pair (see the lines below).", len(self.skipped))
        if self.languages:
            text += " " + _("Languages in the file: %(languages)s.",
                            languages=", ".join(self.languages))
        if self.notes_dropped:
            text += " " + ngettext(
                "The notes and properties of %(num)s pair were not kept (the memory has no "
                "place for them); dates and authors were.",
                "The notes and properties of %(num)s pairs were not kept (the memory has no "
                "place for them); dates and authors were.", self.notes_dropped)
        return text

    def skipped_lines(self) -> list[str]:
        """One line per unit that gave no pair: where it is and why."""
        return [_("Skipped (line %(line)s): %(reason)s", line=line or "?", reason=reason)
                for line, reason in self.skipped]

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (for --json)."""
        return {"file": self.filename, "format": self.format, "read": self.read,
                "imported": self.imported, "duplicates": self.duplicates,
                "other_languages": self.other_languages,
                "notes_dropped": self.notes_dropped, "unapproved": self.unapproved,
                "languages": self.languages,
                "skipped": [{"line": line, "reason": reason} for line, reason in self.skipped],
                "pairs": [{"source": s, "target": t, "count": n}
                          for (s, t), n in sorted(self.pairs.items())]}


def _known_codes(session: Session) -> list[str]:
    codes = set(session.scalars(select(Language.code)))
    codes |= set(session.scalars(select(Document.source_language).distinct()))
    codes.add("en")  # the default source language, even before any document exists
    return sorted(codes)


def _canonical(code: str, known: list[str]) -> str:
    """The code tms uses for a file's language ("fr" for "fr-FR" when only fr exists)."""
    lowered = code.replace("_", "-")
    for candidate in known:
        if candidate.lower() == lowered.lower():
            return candidate
    matches = [c for c in known if language_matches(lowered, c)]
    return matches[0] if len(matches) == 1 else lowered


def import_memory(
    session: Session,
    *,
    filename: str,
    data: bytes,
    source_language: str | None = None,
    target_language: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> TmxReport:
    """Add the pairs of a bilingual file (TMX, XLIFF 1.x/2.x, PO/POT, CSV/TSV) to the memory.

    source_language / target_language keep only the pairs of those languages, and stand
    for the languages a file does not name (a PO without a source language, a CSV with
    source/target columns). Pairs are deduplicated against the memory and within the file;
    TMX pairs are approved, PO fuzzy entries and XLIFF needs-*/initial units are not.
    """
    name = PurePath(filename).name or filename
    found = _read_file(name, data)
    pairs = found.pairs
    _refuse_unnamed_languages(name, pairs, source_language, target_language)
    report = _new_report(name, found)
    known = _known_codes(session)
    in_memory = _InMemory(session)
    origin = f"{found.format.rstrip('2')}: {name}"[:300]
    for n, pair in enumerate(pairs):
        if progress and n and n % PROGRESS_EVERY == 0:
            progress(n, len(pairs))
        languages = _stored_languages(pair, known, source_language, target_language)
        if languages is None:
            report.other_languages += 1
        elif not in_memory.add(languages, pair):
            report.duplicates += 1
        else:
            _remember(session, report, pair, languages, origin=origin)
    if progress:
        progress(len(pairs), len(pairs))
    return report


def _read_file(name: str, data: bytes) -> BilingualFile:
    """The pairs of a bilingual file, or an ExchangeError that names the file."""
    try:
        return read_bilingual(name, data)
    except FormatError as exc:
        raise ExchangeError(_("%(file)s cannot be read: %(problem)s", file=name,
                              problem=exc.message)) from exc


def _refuse_unnamed_languages(name: str, pairs: list[MemoryPair], source_language: str | None,
                              target_language: str | None) -> None:
    """Refuse the whole file when a pair names no language and the caller gave none for it
    (checked before anything is added: a half-imported file is worse than none)."""
    missing = [p for p in pairs if (not p.source_language and not source_language)
               or (not p.target_language and not target_language)]
    if missing:
        raise ExchangeError(_(
            "%(file)s does not say which languages its pairs are in (line %(line)s); give "
            "the source and the target language; nothing was imported.", file=name,
            line=missing[0].line or "?"))


def _new_report(name: str, found: BilingualFile) -> TmxReport:
    """The report of a file before any pair is added: what it holds and what it skipped."""
    report = TmxReport(filename=name, read=len(found.pairs), format=found.format,
                       skipped=list(found.skipped))
    report.languages = sorted({code for p in found.pairs
                               for code in (p.source_language, p.target_language) if code})
    return report


def _stored_languages(pair: MemoryPair, known: list[str], source_language: str | None,
                      target_language: str | None) -> tuple[str, str] | None:
    """The (source, target) codes a pair goes into the memory under, or None for a pair of
    other languages than the ones asked for."""
    if (_other_language(pair.source_language, source_language)
            or _other_language(pair.target_language, target_language)):
        return None
    # The languages asked for win over the file's spelling of them ("fr" for "fr-FR").
    return (source_language or _canonical(pair.source_language or "", known),
            target_language or _canonical(pair.target_language or "", known))


def _other_language(declared: str | None, asked: str | None) -> bool:
    """True when a file names a language and it is not the one asked for."""
    return bool(asked and declared and not language_matches(declared, asked))


class _InMemory:
    """The (source, target) texts the memory has for each language pair: read from the
    database once per pair, then kept up to date as the import adds (a file may repeat a
    pair)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.texts: dict[tuple[str, str], set[tuple[str, str]]] = {}

    def add(self, languages: tuple[str, str], pair: MemoryPair) -> bool:
        """Note a pair as in the memory; False when it already was."""
        seen = self.texts.get(languages)
        if seen is None:
            src, tgt = languages
            seen = self.texts[languages] = {
                (row.source, row.target) for row in self.session.execute(
                    select(MemoryUnit.source, MemoryUnit.target).where(
                        MemoryUnit.source_language == src, MemoryUnit.target_language == tgt))}
        if (pair.source, pair.target) in seen:
            return False
        seen.add((pair.source, pair.target))
        return True


def _remember(session: Session, report: TmxReport, pair: MemoryPair,
              languages: tuple[str, str], *, origin: str) -> None:
    """Add one pair to the memory and count it in the report."""
    src, tgt = languages
    # The author goes into the origin ("tmx: file (ana)"); the date of the text as it
    # is (changedate, else creationdate) becomes the unit's creation date.
    author = f" ({pair.author})" if pair.author else ""
    memory.remember(session, source=pair.source, target=pair.target, source_language=src,
                    target_language=tgt, origin=(origin + author)[:300],
                    approved=pair.approved,
                    created_at=_when(pair.changed_at or pair.created_at))
    if pair.notes or pair.props:
        report.notes_dropped += 1
    report.unapproved += not pair.approved
    report.imported += 1
    report.pairs[languages] = report.pairs.get(languages, 0) + 1


import_tmx = import_memory  # the name the TMX-only import had


def _when(iso: str | None) -> datetime | None:
    """An ISO 8601 date read from a file, or None."""
    try:
        return datetime.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def export_tmx(session: Session, *, source_language: str, target_language: str) -> bytes:
    """The approved memory of a language pair as a TMX 1.4b file."""
    pairs = [
        MemoryPair(u.source, u.target, u.source_language, u.target_language, origin=u.origin,
                   created_at=u.created_at.isoformat() if u.created_at else None,
                   changed_at=u.updated_at.isoformat() if u.updated_at else None)
        for u in session.scalars(
            select(MemoryUnit).where(MemoryUnit.source_language == source_language,
                                     MemoryUnit.target_language == target_language,
                                     MemoryUnit.approved.is_(True))
            .order_by(MemoryUnit.id))
    ]
    return TMX.write(pairs, _meta(source_language, target_language))


def _meta(source_language: str, target_language: str) -> ExportMeta:
    """The header facts of a memory or glossary file (no document behind it)."""
    return ExportMeta(document_slug="", document_title="", source_language=source_language,
                      target_language=target_language)


def memory_pairs(session: Session) -> list[tuple[str, str, int]]:
    """(source language, target language, unit count) of every pair in the memory."""
    from sqlalchemy import func

    return [(s, t, n) for s, t, n in session.execute(
        select(MemoryUnit.source_language, MemoryUnit.target_language, func.count(MemoryUnit.id))
        .group_by(MemoryUnit.source_language, MemoryUnit.target_language)
        .order_by(MemoryUnit.source_language, MemoryUnit.target_language))]


# ------------------------------------------------------------------------ glossary


@dataclass
class GlossaryReport:
    """What a glossary import did."""

    filename: str
    read: int = 0
    imported: int = 0

    @property
    def other_languages(self) -> int:
        """Entries left out because they are for another target language."""
        return self.read - self.imported

    def summary(self) -> str:
        """One sentence for the terminal or a flash message."""
        return ngettext(
            "%(file)s: %(num)s term added or updated, %(other)s for other languages left out.",
            "%(file)s: %(num)s terms added or updated, %(other)s for other languages left out.",
            self.imported, file=self.filename, other=self.other_languages)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (for --json)."""
        return {"file": self.filename, "read": self.read, "imported": self.imported,
                "other_languages": self.other_languages}




def import_glossary(session: Session, *, language: Language, filename: str, data: bytes,
                    source_language: str = "en", user_id: int | None = None) -> GlossaryReport:
    """Add (or update) the terms of a TBX or CSV file for one target language."""
    name = PurePath(filename).name or filename
    try:
        entries = glossary_format_for(name).read(
            data, name, ReadHints(source_language=source_language,
                                  target_language=language.code))
    except FormatError as exc:
        raise ExchangeError(_("%(file)s cannot be read: %(problem)s", file=name,
                              problem=exc.message)) from exc
    try:
        count = glossary.import_entries(session, entries, language=language, user_id=user_id,
                                        source_language=source_language)
    except glossary.GlossaryError as exc:
        raise ExchangeError(_("%(file)s: %(problem)s", file=name, problem=str(exc))) from exc
    return GlossaryReport(filename=name, read=len(entries), imported=count)


def export_glossary(session: Session, *, language: Language, fmt: str) -> bytes:
    """The glossary of one language as TBX or CSV."""
    if fmt not in registry.GLOSSARY_FORMATS:
        raise ExchangeError(_("A glossary can be exported as tbx or csv, not %(fmt)s.",
                              fmt=fmt))
    entries = glossary.entries_for(session, language)
    # Each entry carries its own languages; the writers need no header facts.
    return registry.GLOSSARY_FORMATS[fmt].write(entries, _meta("", language.code))


def edit_term(session: Session, term: GlossaryTerm, *, source_term: str, target_term: str,
              note: str = "", forbidden: bool = False, approved: bool = True) -> GlossaryTerm:
    """Change a term in place (its source text too); refuses a duplicate source term."""
    source_term = " ".join(source_term.split())
    if not source_term:
        raise ExchangeError(_("A glossary term needs its source text."))
    if len(source_term) > 300 or len(target_term) > 300:
        raise ExchangeError(_("A glossary term may be at most 300 characters long."))
    clash = session.scalar(select(GlossaryTerm.id).where(
        GlossaryTerm.language_id == term.language_id,
        GlossaryTerm.source_language == term.source_language,
        GlossaryTerm.source_term == source_term, GlossaryTerm.id != term.id))
    if clash is not None:
        raise ExchangeError(_("The glossary already has the term “%(term)s”; edit that one.",
                              term=source_term))
    term.source_term = source_term
    term.target_term = target_term.strip()
    term.note = note.strip()
    term.forbidden = forbidden
    # The usage status follows the forbidden flag the editor sets, so a TBX export does not
    # call a forbidden term preferred (or the other way round).
    if forbidden and term.status not in ("deprecated", "superseded"):
        term.status = "deprecated"
    elif not forbidden and term.status in ("deprecated", "superseded"):
        term.status = ""
    term.approved = approved
    session.flush()
    return term


def delete_term(session: Session, term: GlossaryTerm) -> None:
    """Remove a term from the glossary."""
    session.delete(term)
    session.flush()
