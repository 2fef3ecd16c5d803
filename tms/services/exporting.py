"""Export a document in one language (DOCX, HTML, PDF, PO, XLIFF, TMX) and publish editions.

Which text reaches a file:
- DOCX, HTML and PDF are for readers (PDF is the DOCX, or for other sources the HTML,
  printed by LibreOffice): only approved text by default (include="approved");
  include="translated" also admits text awaiting review. Drafts, text sent back, outdated
  text and text whose tags do not match the source never reach them. A segment without
  admissible text keeps its source (untranslated="source", listed in the report) or the
  export is refused (untranslated="refuse").
- PO and XLIFF are for translators working offline: every segment, with its current
  target and state (empty target when untranslated; XLIFF prefills it with the source
  unless xliff_prefill=False), whatever include says.
- TMX holds this document's translations as memory pairs: approved text by default, also
  text awaiting review with include="translated"; outdated text never. An export with no
  such pair is refused (an empty TMX is no use to anyone). tmx_inline="text" writes tags
  as plain text, which OmegaT matches against our PO files (see tms.formats.tmx).

Volunteer names appear only when credits=True, and then only in PO/XLIFF headers.
This module is the database side (what text is admissible, completeness, editions); the
writers and their metadata come from the format registry (tms.formats).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tms.formats import EXPORT_FORMATS, EXPORTERS, DocumentFormat, Exporter, WriteOptions
from tms.formats.base import (
    ExportMeta,
    ExportUnit,
    FormatError,
    MemoryPair,
    ParsedBlock,
    TargetBlock,
)
from tms.i18n import _, ngettext
from tms.inline import compare_tags, join_segments, strip_tags, tag_ids
from tms.models import (
    Block,
    Document,
    DocumentVersion,
    Edition,
    EditionFile,
    Language,
    Segment,
    State,
    Translation,
    User,
)
from tms.services.errors import ServiceError
from tms.services.importing import parsed_block

INCLUDE_CHOICES = ("approved", "translated")
UNTRANSLATED_CHOICES = ("source", "refuse")
TMX_INLINE_CHOICES = ("codes", "text", "omegat")
DEFAULT_TEAM_NAME = "tms translation team"


class ExportError(ServiceError):
    """An export that cannot be made, with one translatable sentence saying why."""


class NothingToExport(ExportError):
    """The file would hold nothing (a TMX without admissible text): `export --all` skips it."""


# --------------------------------------------------------------------------- reports


@dataclass
class ExportReport:
    """What went into an export: counts, and the segments left in the source language."""

    format: str
    language: str
    include: str
    untranslated: str
    segments: int = 0
    words: int = 0
    included_segments: int = 0  # segments whose target text went in
    included_words: int = 0
    left_in_source: list[int] = field(default_factory=list)  # segment numbers, 1-based
    left_in_source_words: int = 0
    outdated_skipped: int = 0  # admissible by state, but the source changed since
    tag_errors_skipped: int = 0  # admissible by state, but the tags do not match
    units: int = 0  # PO/XLIFF units, TMX pairs
    credits: bool = False

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (stored in Edition.report)."""
        return asdict(self)


@dataclass
class ExportResult:
    """One exported file: its name, media type, bytes and report."""

    filename: str
    content_type: str
    data: bytes
    report: ExportReport


@dataclass
class Completeness:
    """How far one document is in one language: segments and words per state."""

    segments: int
    words: int
    segments_by_state: dict[str, int]
    words_by_state: dict[str, int]
    outdated: int
    source_language_name: str
    printable: int = 0  # approved, current and well-tagged: what a DOCX/HTML print shows
    printable_words: int = 0

    @property
    def approved(self) -> int:
        """Approved segments (outdated ones included: they are still approved text)."""
        return self.segments_by_state.get(State.APPROVED.slug, 0)

    @property
    def approved_words(self) -> int:
        """Words in approved segments."""
        return self.words_by_state.get(State.APPROVED.slug, 0)

    @property
    def percent_approved(self) -> int:
        """Printable (approved, current) words as a whole percentage, rounded down."""
        return 100 * self.printable_words // self.words if self.words else 0

    def summary(self) -> str:
        """The plain "what is finished?" sentence shown to publishers."""
        if self.segments == 0:
            return _("This document has no text to translate.")
        missing = self.segments - self.printable
        if missing == 0:
            return ngettext(
                "Ready to print: the only segment is approved.",
                "Ready to print: all %(num)s segments approved.",
                self.segments,
            )
        if self.printable == 0:
            return ngettext(
                "Nothing approved yet: the segment would stay in %(source)s.",
                "Nothing approved yet: all %(num)s segments would stay in %(source)s.",
                self.segments,
                source=self.source_language_name,
            )
        return _(
            "%(approved)s of %(total)s segments approved; %(missing)s would stay in %(source)s.",
            approved=self.printable,
            total=self.segments,
            missing=missing,
            source=self.source_language_name,
        )


# --------------------------------------------------------------------------- loading


@dataclass
class _Row:
    """One segment of the latest version with its translation (if any)."""

    number: int  # 1-based, in reading order
    segment: Segment
    translation: Translation | None


@dataclass
class _BlockRows:
    block: Block
    parsed: ParsedBlock
    rows: list[_Row]


@dataclass
class _Material:
    document: Document
    version: DocumentVersion
    language: Language
    blocks: list[_BlockRows]

    @property
    def rows(self) -> list[_Row]:
        return [row for b in self.blocks for row in b.rows]


def latest_version(session: Session, document: Document) -> DocumentVersion:
    """The document's newest imported version, or an ExportError if it has none."""
    version = session.scalar(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document.id)
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    )
    if version is None:
        raise ExportError(_("“%(title)s” has no imported file yet.", title=document.title))
    return version


def _load(session: Session, document: Document, language: Language) -> _Material:
    """Blocks of the latest version, their live segments and this language's translations."""
    version = latest_version(session, document)
    blocks = list(
        session.scalars(
            select(Block).where(Block.version_id == version.id).order_by(Block.position)
        )
    )
    segments = list(
        session.scalars(
            select(Segment)
            .join(Block, Segment.block_id == Block.id)
            .where(Block.version_id == version.id, Segment.archived.is_(False))
            .order_by(Block.position, Segment.index_in_block, Segment.position)
        )
    )
    translations = {
        t.segment_id: t
        for t in session.scalars(
            select(Translation)
            .join(Segment, Translation.segment_id == Segment.id)
            .join(Block, Segment.block_id == Block.id)
            .where(Block.version_id == version.id, Translation.language_id == language.id)
        )
    }
    by_block: dict[int, list[Segment]] = {}
    for seg in segments:
        by_block.setdefault(seg.block_id or 0, []).append(seg)
    out: list[_BlockRows] = []
    number = 0
    for block in blocks:
        rows = []
        for seg in by_block.get(block.id, []):
            number += 1
            rows.append(_Row(number, seg, translations.get(seg.id)))
        out.append(_BlockRows(block, parsed_block(block), rows))
    return _Material(document, version, language, out)


def source_language_name(session: Session, code: str) -> str:
    """The English name of a language code (from the Language table when it is there)."""
    row = session.scalar(select(Language).where(Language.code == code))
    if row is not None and row.name:
        return row.name
    return {"en": "English"}.get(code, code)


def printable(source: str, translation: Translation | None,
              minimum: State = State.APPROVED) -> bool:
    """Whether a translation may appear in a DOCX/HTML print: in a high enough state, not
    outdated, and with exactly the source's tags (the writers rebuild formatting from them)."""
    return (
        translation is not None
        and translation.state >= minimum
        and bool(translation.target)
        and not translation.outdated
        and not compare_tags(source, translation.target)
    )


def _count(rows: list[tuple[Segment, Translation | None]], source_name: str) -> Completeness:
    segs: dict[str, int] = {s.slug: 0 for s in State}
    words: dict[str, int] = {s.slug: 0 for s in State}
    outdated = ready = ready_words = 0
    for seg, t in rows:
        state = t.state if t is not None else State.UNTRANSLATED
        segs[state.slug] += 1
        words[state.slug] += seg.word_count
        if t is not None and t.outdated:
            outdated += 1
        if printable(seg.source, t):
            ready += 1
            ready_words += seg.word_count
    return Completeness(
        segments=len(rows),
        words=sum(seg.word_count for seg, _t in rows),
        segments_by_state=segs,
        words_by_state=words,
        outdated=outdated,
        source_language_name=source_name,
        printable=ready,
        printable_words=ready_words,
    )


def completeness(session: Session, document: Document, language: Language) -> Completeness:
    """Segments and words per state of the latest version in one language."""
    material = _load(session, document, language)
    return _count([(r.segment, r.translation) for r in material.rows],
                  source_language_name(session, document.source_language))


def completeness_by_language(session: Session, document: Document,
                             languages: Sequence[Language]) -> dict[int, Completeness]:
    """completeness() for several languages in three queries (for overview pages)."""
    version = latest_version(session, document)
    segments = list(
        session.scalars(
            select(Segment)
            .join(Block, Segment.block_id == Block.id)
            .where(Block.version_id == version.id, Segment.archived.is_(False))
        )
    )
    by_language: dict[int, dict[int, Translation]] = {}
    ids = [lang.id for lang in languages]
    for t in session.scalars(
        select(Translation)
        .join(Segment, Translation.segment_id == Segment.id)
        .join(Block, Segment.block_id == Block.id)
        .where(Block.version_id == version.id, Translation.language_id.in_(ids))
    ):
        by_language.setdefault(t.language_id, {})[t.segment_id] = t
    name = source_language_name(session, document.source_language)
    return {
        lang.id: _count([(seg, by_language.get(lang.id, {}).get(seg.id)) for seg in segments],
                        name)
        for lang in languages
    }


# --------------------------------------------------------------------------- formats
# The writers and their metadata live in the format registry (tms.formats).

FORMATS = EXPORT_FORMATS


def get_exporter(fmt: str) -> Exporter:
    """The export format of a name, or an ExportError listing the known ones."""
    try:
        return EXPORTERS[fmt]
    except KeyError:
        raise ExportError(
            _("Unknown export format “%(format)s”; use one of %(known)s.",
              format=fmt, known=", ".join(FORMATS))
        ) from None


def formats_for(session: Session, document: Document) -> list[str]:
    """Export formats that make sense for this document (DOCX only for DOCX imports)."""
    version = latest_version(session, document)
    return [name for name, e in EXPORTERS.items() if e.available_for(version.format)]


def batch_formats(session: Session, document: Document) -> list[str]:
    """The formats `tms export --all` writes: formats_for, with the PDF (seconds each) only
    beside a DOCX source's DOCX and only when LibreOffice is installed, and XLIFF 1.2 only."""
    version = latest_version(session, document)
    # One XLIFF: the 1.2 every CAT tool reads; 2.0 is exported on request.
    return [name for name in formats_for(session, document)
            if name != "xliff2"
            and (name != "pdf" or (version.format == "docx"
                                   and unavailable_reason(EXPORTERS[name]) is None))]



# --------------------------------------------------------------------------- the export


@dataclass
class _ExportContext:
    session: Session
    material: _Material
    language: Language
    include: str
    untranslated: str
    credits: bool
    report: ExportReport
    team_name: str = DEFAULT_TEAM_NAME
    tmx_inline: str = "codes"
    xliff_prefill: bool = True
    xliff_approve_translated: bool = False
    target_blocks: list[tuple[TargetBlock, bool]] = field(default_factory=list)
    title: str | None = None

    def admissible(self, row: _Row) -> str | None:
        """The row's target text if it may appear in a DOCX/HTML export, else None."""
        t = row.translation
        minimum = State.APPROVED if self.include == "approved" else State.TRANSLATED
        if t is None or t.state < minimum or not t.target:
            return None
        if not printable(row.segment.source, t, minimum):
            # Outdated text, or text whose tags do not match the source (the writers would
            # corrupt the file): treated as missing, and counted.
            if t.outdated:
                self.report.outdated_skipped += 1
            else:
                self.report.tag_errors_skipped += 1
            return None
        return t.target

    def build_blocks(self) -> None:
        """Target block texts for DOCX/HTML, counting what stays in the source."""
        title_done = False
        for b in self.material.blocks:
            if not b.rows:
                self.target_blocks.append((TargetBlock(b.parsed, b.parsed.text), False))
                continue
            parts: list[tuple[str, str]] = []
            translated_here = 0
            for row in b.rows:
                seg = row.segment
                self.report.segments += 1
                self.report.words += seg.word_count
                text = self.admissible(row)
                if text is None:
                    self.report.left_in_source.append(row.number)
                    self.report.left_in_source_words += seg.word_count
                    text = seg.source
                else:
                    translated_here += 1
                    self.report.included_segments += 1
                    self.report.included_words += seg.word_count
                parts.append((text, seg.sep))
            target = join_segments(parts)
            self.target_blocks.append((TargetBlock(b.parsed, target), translated_here > 0))
            if b.block.type == "title" and not title_done:
                title_done = True
                if translated_here == len(b.rows):
                    self.title = strip_tags(target).strip() or None
        if self.title is None:
            self.title = self.material.document.title
        if self.untranslated == "refuse" and self.report.left_in_source:
            missing = len(self.report.left_in_source)
            first = self.report.left_in_source[0]
            if self.include == "approved":
                message = ngettext(
                    "Export refused: %(num)s segment has no approved translation in "
                    "%(language)s (segment %(first)s).",
                    "Export refused: %(num)s segments have no approved translation in "
                    "%(language)s (first: segment %(first)s).",
                    missing, language=self.language.name, first=first,
                )
            else:
                message = ngettext(
                    "Export refused: %(num)s segment has no approved or awaiting review "
                    "translation in %(language)s (segment %(first)s).",
                    "Export refused: %(num)s segments have no approved or awaiting review "
                    "translation in %(language)s (first: segment %(first)s).",
                    missing, language=self.language.name, first=first,
                )
            raise ExportError(message)

    def units(self) -> list[ExportUnit]:
        """One exchange unit per segment, untranslated ones with an empty target."""
        units = []
        for b in self.material.blocks:
            for row in b.rows:
                seg, t = row.segment, row.translation
                has_target = t is not None and t.state > State.UNTRANSLATED and bool(t.target)
                ids = set(tag_ids(seg.source))
                units.append(
                    ExportUnit(
                        key=seg.key,
                        source=seg.source,
                        target=t.target if has_target and t is not None else "",
                        state=int(t.state) if has_target and t is not None
                        else int(State.UNTRANSLATED),
                        context=b.parsed.context,
                        block_type=b.parsed.type,
                        position=row.number,
                        outdated=bool(t is not None and t.outdated),
                        tags={k: v for k, v in b.parsed.tags.items() if k in ids},
                        previous_source=seg.previous_source,
                    )
                )
                self.report.segments += 1
                self.report.words += seg.word_count
                if has_target:
                    self.report.included_segments += 1
                    self.report.included_words += seg.word_count
        self.report.units = len(units)
        return units

    def meta(self) -> ExportMeta:
        """Header facts; translators' names only when credits were asked for."""
        doc = self.material.document
        return ExportMeta(
            document_slug=doc.slug,
            document_title=doc.title,
            source_language=doc.source_language,
            target_language=self.language.code,
            plural_forms=self.language.plural_forms,
            team=self.language.team_name or self.team_name,
            translators=credited_names(self.session, doc, self.language) if self.credits else [],
            direction=self.language.direction or "ltr",
            tmx_inline=self.tmx_inline,
            xliff_prefill=self.xliff_prefill,
            xliff_approve_translated=self.xliff_approve_translated,
        )

    def memory_pairs(self) -> list[MemoryPair]:
        """This document's admissible text (approved, or also awaiting review) as pairs."""
        doc = self.material.document
        src, tgt = doc.source_language, self.language.code
        minimum = State.APPROVED if self.include == "approved" else State.TRANSLATED
        pairs: list[MemoryPair] = []
        seen: set[tuple[str, str]] = set()
        for row in self.material.rows:
            t = row.translation
            self.report.segments += 1
            self.report.words += row.segment.word_count
            if t is None or t.state < minimum or not t.target or t.outdated:
                continue
            if (row.segment.source, t.target) in seen:
                continue
            seen.add((row.segment.source, t.target))
            self.report.included_segments += 1
            self.report.included_words += row.segment.word_count
            # No translator names: a TMX travels further than the team (credits are for
            # PO/XLIFF headers only).
            pairs.append(MemoryPair(row.segment.source, t.target, src, tgt,
                                    origin=f"{doc.slug} #{row.segment.key}",
                                    created_at=t.updated_at.isoformat()))
        if not pairs:
            if self.include == "approved":
                raise NothingToExport(_(
                    "Nothing of “%(title)s” is approved in %(language)s yet, so the TMX file "
                    "would be empty; include text awaiting review to export that.",
                    title=doc.title, language=self.language.name))
            raise NothingToExport(_(
                "Nothing of “%(title)s” is translated in %(language)s yet, so the TMX file "
                "would be empty.", title=doc.title, language=self.language.name))
        return pairs


def credited_names(session: Session, document: Document, language: Language) -> list[str]:
    """Names of people who wrote approved text of this document (credit name or pseudonym)."""
    version = latest_version(session, document)
    users = session.scalars(
        select(User)
        .join(Translation, Translation.translator_id == User.id)
        .join(Segment, Translation.segment_id == Segment.id)
        .join(Block, Segment.block_id == Block.id)
        .where(
            Block.version_id == version.id,
            Translation.language_id == language.id,
            Translation.state >= State.APPROVED,
            User.deleted.is_(False),
        )
        .distinct()
    )
    names = {(u.credit_name or u.pseudonym or "").strip() for u in users}
    return sorted(n for n in names if n)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str) -> str:
    """A file-name component made of ASCII letters, digits, dot, dash and underscore."""
    cleaned = _UNSAFE.sub("-", text).strip(".-") or "document"
    return cleaned[:80]


def export_document(
    session: Session,
    document: Document,
    language: Language,
    fmt: str,
    *,
    include: str = "approved",
    untranslated: str = "source",
    credits: bool = False,
    team_name: str | None = None,
    tmx_inline: str = "codes",
    xliff_prefill: bool = True,
    xliff_approve_translated: bool = False,
) -> ExportResult:
    """Export the latest version of a document in one language and format.

    team_name is the team named in PO/XLIFF headers when the language has no team name of
    its own (the app passes its TEAM_NAME setting). tmx_inline ("codes" or "text"),
    xliff_prefill and xliff_approve_translated: see tms.formats.base.ExportMeta.
    """
    exporter = get_exporter(fmt)
    if include not in INCLUDE_CHOICES:
        raise ExportError(_("“include” must be “approved” or “translated”."))
    if untranslated not in UNTRANSLATED_CHOICES:
        raise ExportError(_("“untranslated” must be “source” or “refuse”."))
    if tmx_inline not in TMX_INLINE_CHOICES:
        raise ExportError(_("TMX tags are written as “codes” or as “text”."))
    material = _load(session, document, language)
    if not exporter.available_for(material.version.format):
        raise ExportError(
            _(
                "DOCX export is only available for documents imported from a DOCX file; "
                "“%(title)s” came from a %(format)s file, so export HTML instead.",
                title=document.title,
                format=material.version.format.upper(),
            )
        )
    missing = unavailable_reason(exporter)
    if missing:
        raise ExportError(missing)
    report = ExportReport(format=fmt, language=language.code, include=include,
                          untranslated=untranslated, credits=credits)
    ctx = _ExportContext(session, material, language, include, untranslated, credits, report,
                         team_name=team_name or DEFAULT_TEAM_NAME, tmx_inline=tmx_inline,
                         xliff_prefill=xliff_prefill,
                         xliff_approve_translated=xliff_approve_translated)
    if isinstance(exporter, DocumentFormat):
        ctx.build_blocks()
    data = _write_safely(exporter, ctx)
    filename = f"{safe_name(document.slug)}.{safe_name(language.code)}.{exporter.extension}"
    return ExportResult(filename, exporter.content_type, data, report)


def _write(exporter: Exporter, ctx: _ExportContext) -> bytes:
    """The file's bytes, from the material the format's kind asks for."""
    if isinstance(exporter, DocumentFormat):
        source_format = ctx.material.version.format
        # A clone of the original (DOCX, and a PDF printed from the DOCX) leaves blocks
        # with no text of their own untouched.
        clones = exporter.clones_original or (exporter.kind == "print"
                                              and source_format == "docx")
        targets = [tb for tb, changed in ctx.target_blocks if changed or not clones]
        options = WriteOptions(language=ctx.language.code,
                               direction=ctx.language.direction or "ltr", title=ctx.title,
                               source_format=source_format)
        return exporter.write(ctx.material.version.data, targets, options)
    if exporter.kind == "memory":
        pairs = ctx.memory_pairs()
        ctx.report.units = len(pairs)
        return exporter.write(pairs, ctx.meta())
    return exporter.write(ctx.units(), ctx.meta())


def _write_safely(exporter: Exporter, ctx: _ExportContext) -> bytes:
    """_write, with every writer failure turned into an ExportError sentence."""
    try:
        return _write(exporter, ctx)
    except FormatError as exc:
        raise ExportError(
            _("The %(format)s file could not be written: %(reason)s",
              format=exporter.label, reason=str(exc))
        ) from exc
    except (ExportError, MemoryError):
        raise
    except Exception as exc:
        # A writer bug must reach the publisher as a sentence, not a server error; the
        # chained exception keeps the details for the log.
        raise ExportError(
            _("The %(format)s file could not be written because of an error in tms "
              "(%(error)s); please report it.", format=exporter.label,
              error=type(exc).__name__)
        ) from exc


def write_file(data: bytes, target: Path) -> Path:
    """Write bytes to a path atomically: a temp file in the same folder, then a rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_export(result: ExportResult, exports_dir: str | Path, doc_slug: str,
                 lang_code: str) -> Path:
    """Write an export to exports/<doc>/<lang>/<file> atomically (temp file + rename)."""
    folder = Path(exports_dir) / safe_name(doc_slug) / safe_name(lang_code)
    return write_file(result.data, folder / safe_name(result.filename))


# --------------------------------------------------------------------------- editions

DEFAULT_EDITION_FORMATS = ("docx", "pdf", "html", "po", "xliff")


def unavailable_reason(exporter: Exporter) -> str | None:
    """One sentence naming what to install when the format's program is missing, else None."""
    return exporter.missing() if isinstance(exporter, DocumentFormat) else None


def _default_edition_formats(source_format: str) -> list[str]:
    """The formats an edition stores by default; the PDF goes beside the DOCX (DOCX sources)
    when LibreOffice is installed, and an edition without it still publishes the rest."""
    return [f for f in DEFAULT_EDITION_FORMATS
            if EXPORTERS[f].available_for(source_format)
            and (f != "pdf" or source_format == "docx")
            and unavailable_reason(EXPORTERS[f]) is None]


def publish_edition(
    session: Session,
    document: Document,
    language: Language,
    user: User | None,
    *,
    formats: Sequence[str] | None = None,
    include: str = "approved",
    team_name: str | None = None,
) -> Edition:
    """Publish a numbered, immutable edition: every file stored byte for byte with its hash.

    formats defaults to DOCX (for DOCX imports), PDF (when LibreOffice is installed), HTML,
    PO and XLIFF. Refused when nothing
    is approved. Untranslated segments keep their source and are listed in the report.
    """
    state = completeness(session, document, language)
    if state.printable == 0:
        raise ExportError(
            _("Nothing is approved in %(language)s yet, so there is nothing to publish.",
              language=language.name)
        )
    version = latest_version(session, document)
    if formats is None:
        formats = _default_edition_formats(version.format)
    if not formats:
        raise ExportError(_("Choose at least one format to publish."))
    results = [
        export_document(session, document, language, fmt, include=include,
                        team_name=team_name)
        for fmt in formats
    ]
    edition = Edition(
        document_id=document.id,
        language_id=language.id,
        version_id=version.id,
        number=_next_edition_number(session, document, language),
        include=include,
        published_by_id=user.id if user is not None else None,
        report=_edition_report(state, version, results),
    )
    session.add(edition)
    session.flush()
    for fmt, result in zip(formats, results, strict=True):
        session.add(
            EditionFile(
                edition_id=edition.id,
                format=fmt,
                filename=result.filename,
                content_type=result.content_type,
                data=result.data,
                sha256=hashlib.sha256(result.data).hexdigest(),
                size=len(result.data),
            )
        )
    session.flush()
    return edition


def _next_edition_number(session: Session, document: Document, language: Language) -> int:
    """One more than the newest edition of the document in this language (1 for the first)."""
    newest = session.scalar(
        select(func.max(Edition.number)).where(
            Edition.document_id == document.id, Edition.language_id == language.id
        )
    )
    return (newest or 0) + 1


def _edition_report(state: Completeness, version: DocumentVersion,
                    results: list[ExportResult]) -> dict[str, Any]:
    """What an edition records: the completeness, what stayed in the source, every file."""
    reader_report = next((r.report for r in results
                          if EXPORTERS[r.report.format].kind in ("document", "print")),
                         None)
    return {
        "segments": state.segments,
        "words": state.words,
        "segments_by_state": state.segments_by_state,
        "words_by_state": state.words_by_state,
        "approved": state.approved,
        "printable": state.printable,
        "percent_approved": state.percent_approved,
        "left_in_source": reader_report.left_in_source if reader_report else [],
        "left_in_source_words": reader_report.left_in_source_words if reader_report else 0,
        "version": version.number,
        "files": {r.report.format: r.report.to_json() for r in results},
    }


def list_editions(session: Session, document: Document, language: Language) -> list[Edition]:
    """Editions of a document in one language, newest first."""
    return list(
        session.scalars(
            select(Edition)
            .where(Edition.document_id == document.id, Edition.language_id == language.id)
            .order_by(Edition.number.desc())
        )
    )


def edition_file(session: Session, edition_id: int, fmt: str) -> EditionFile | None:
    """One stored file of an edition, exactly as published, or None."""
    return session.scalar(
        select(EditionFile).where(EditionFile.edition_id == edition_id, EditionFile.format == fmt)
    )


@event.listens_for(Edition, "before_update")
def _edition_is_immutable(_mapper: Any, _conn: Any, target: Edition) -> None:
    """An edition is a published record: only the publisher link may be cleared."""
    from sqlalchemy import inspect

    changed = {a.key for a in inspect(target).attrs if a.history.has_changes()}
    if changed - {"published_by_id"}:
        raise ExportError(_("A published edition cannot be changed."))


@event.listens_for(EditionFile, "before_update")
def _edition_file_is_immutable(_mapper: Any, _conn: Any, _target: EditionFile) -> None:
    """Published files never change: a new edition is the way to publish new text."""
    raise ExportError(_("A published edition cannot be changed."))
