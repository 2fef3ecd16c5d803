"""Import a source file as a new document, or as a new version of an existing one.

A file is read into blocks (tms.formats), blocks are cut into segments (tms.segmentation)
and stored. Each segment gets a key: a hash of its normalised plain text plus its
occurrence index among equal texts of the document. On a new version, segments whose key
is unchanged keep their rows (and so their translations, history and comments); edited
segments are paired with the old segment at the same place, keep its translations and
flag them outdated; segments gone from the source are archived, never deleted.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import PurePath
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tms import segmentation
from tms.formats import format_for, read_document
from tms.formats.base import FormatError, ParsedBlock, ParsedDocument, Tag
from tms.i18n import _, ngettext
from tms.inline import compare_tags, strip_tags
from tms.models import (
    Activity,
    Block,
    Document,
    DocumentVersion,
    Language,
    Segment,
    State,
    User,
)
from tms.services import memory, updates, workflow
from tms.services.errors import ServiceError

log = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# BCP 47 shape: a 2-3 letter language (or 4-8 letters), then subtags of 1-8 letters/digits.
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
KEY_HASH_CHARS = 20
PROGRESS_EVERY = 25  # blocks between progress callbacks
# Below this similarity (0-100) an edited sentence is treated as removed + new rather than
# as a changed version of the old one: an unrelated old translation is no help.
PAIRING_THRESHOLD = 50
_WS = re.compile(r"\s+")


class DocumentImportError(ServiceError):
    """An import refused: one sentence saying what is wrong and where."""


@dataclass
class ImportReport:
    """What an import did; `status` is "created", "updated" or "unchanged"."""

    document: Document
    version: DocumentVersion
    created: bool
    status: str
    format: str
    blocks: int = 0
    segments: int = 0
    words: int = 0
    warnings: list[str] = field(default_factory=list)
    unchanged: int = 0  # segments kept as they were (key found)
    changed: int = 0  # segments kept with a new source; their translations are outdated
    new: int = 0  # segments created
    removed: int = 0  # segments archived
    prefilled: int = 0  # drafts filled from exact translation-memory matches
    remembered: int = 0  # a translated PO's msgstrs added to the memory (not approved)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (also stored in DocumentVersion.report)."""
        return {
            "document": self.document.slug,
            "version": self.version.number,
            "created": self.created,
            "status": self.status,
            "format": self.format,
            "blocks": self.blocks,
            "segments": self.segments,
            "words": self.words,
            "warnings": list(self.warnings),
            "unchanged": self.unchanged,
            "changed": self.changed,
            "new": self.new,
            "removed": self.removed,
            "prefilled": self.prefilled,
            "remembered": self.remembered,
        }


@dataclass
class _NewSegment:
    """A segment of the file being imported, before it is matched with stored rows."""

    block_index: int
    block_type: str
    index_in_block: int
    source: str
    sep: str
    plain: str
    words: int
    key: str = ""


def normalise_source(source: str) -> str:
    """Plain text of a tagged source, NFC, white space collapsed: what keys are made of."""
    return _WS.sub(" ", unicodedata.normalize("NFC", strip_tags(source))).strip()


def segment_key(plain: str, occurrence: int) -> str:
    """The stable key of a segment: hash of its normalised plain text + occurrence index."""
    digest = hashlib.sha256(plain.encode("utf-8")).hexdigest()[:KEY_HASH_CHARS]
    return f"{digest}-{occurrence}"


def slug_from_filename(filename: str) -> str:
    """A slug made from a file name: lower-case letters, digits and hyphens."""
    stem = unicodedata.normalize("NFKD", PurePath(filename).stem)
    stem = stem.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:100]


def parsed_block(block: Block) -> ParsedBlock:
    """Turn a stored Block row back into the ParsedBlock its reader produced."""
    attrs = dict(block.attrs or {})
    translatable = bool(attrs.pop("translatable", True))
    return ParsedBlock(
        type=block.type,
        text=block.source,
        tags={k: Tag.from_json(v) for k, v in (block.tags or {}).items()},
        level=block.level,
        locator=block.locator,
        context=block.context or "",
        numbering=block.numbering,
        attrs=attrs,
        translatable=translatable,
    )


def import_document(
    session: Session,
    *,
    filename: str,
    data: bytes,
    slug: str | None = None,
    title: str | None = None,
    source_language: str | None = None,
    user: User | None = None,
    kind: str = "document",
    progress: Callable[[int, int], None] | None = None,
    comments: bool = False,
) -> ImportReport:
    """Import a file as a new document, or as a new version of the document `slug`.

    comments: a Word document's comments are segments to translate too (off by default;
    a new version imported without it archives them).
    source_language defaults to the existing document's language, else "en". Raises
    DocumentImportError (one sentence) for bad input; flushes, never commits.
    """
    name = PurePath(filename).name or filename
    slug = _checked_slug(name, slug)
    document = session.scalar(select(Document).where(Document.slug == slug))
    source_language = _checked_language(document, slug, source_language)
    fmt = _checked_format(name, data)

    sha = hashlib.sha256(data).hexdigest()
    latest = _latest_version(session, document) if document else None
    if document is not None and latest is not None and latest.sha256 == sha \
            and latest.format == fmt:
        return _unchanged_report(session, document, latest)

    parsed, new_segments = _parse(name, data, source_language, progress, comments)

    created = document is None
    if document is None:
        document = Document(slug=slug, title=_title(title or parsed.title, name),
                            source_language=source_language, kind=kind)
        session.add(document)
    elif title:
        document.title = _title(title, name)
    session.flush()
    version = DocumentVersion(
        document_id=document.id, number=(latest.number + 1) if latest else 1,
        filename=name[:255], format=fmt, data=data, sha256=sha,
        imported_by_id=user.id if user else None, report={},
    )
    session.add(version)
    session.flush()
    block_rows = _store_blocks(session, version, parsed.blocks)

    report = ImportReport(
        document=document, version=version, created=created,
        status="created" if created else "updated", format=fmt, blocks=len(block_rows),
        segments=len(new_segments), words=sum(s.words for s in new_segments),
        warnings=list(parsed.warnings),
    )
    _finish(session, report, block_rows, new_segments, user, latest, parsed)
    if progress:
        progress(len(parsed.blocks), len(parsed.blocks))
    return report


def _parse(name: str, data: bytes, source_language: str,
           progress: Callable[[int, int], None] | None, comments: bool = False,
           ) -> tuple[ParsedDocument, list[_NewSegment]]:
    """Read the file and cut it into keyed segments; refuses a file with no text."""
    parsed = _read(name, data, source_language, comments)
    new_segments = _cut(parsed.blocks, source_language, progress, len(parsed.blocks))
    if not any(s.plain for s in new_segments):
        raise DocumentImportError(_("%(file)s contains no text to translate.", file=name))
    _assign_keys(new_segments)
    return parsed, new_segments


def _checked_slug(name: str, slug: str | None) -> str:
    """The document's short name: given, or made from the file name; one sentence if bad."""
    if slug is None:
        slug = slug_from_filename(name)
        if not slug:
            raise DocumentImportError(
                _("The file name %(file)s has no letters or digits to make a short name "
                  "from; give the document a short name.", file=name))
    if not slug or not SLUG_RE.match(slug) or len(slug) > 100:
        raise DocumentImportError(
            _("The short name '%(slug)s' may only contain lower-case letters, digits and "
              "single hyphens.", slug=slug)
        )
    return slug


def _checked_language(document: Document | None, slug: str, source_language: str | None) -> str:
    """The source language: given, else the document's, else "en"; a new version keeps it."""
    if source_language is None:
        source_language = document.source_language if document else "en"
    if not LANGUAGE_RE.match(source_language):
        raise DocumentImportError(
            _("'%(code)s' is not a language code; use a code such as en, fr or pt-BR.",
              code=source_language)
        )
    if document is not None and source_language != document.source_language:
        raise DocumentImportError(
            _("The document '%(slug)s' is in %(old)s; a new version cannot change its source "
              "language to %(new)s.", slug=slug, old=document.source_language,
              new=source_language)
        )
    return source_language


def _checked_format(name: str, data: bytes) -> str:
    """The registry's format name for the file; refuses unknown extensions and empty files."""
    try:
        fmt = format_for(name)
    except FormatError as exc:
        raise DocumentImportError(_("%(file)s: %(reason)s.", file=name,
                                    reason=exc.message.rstrip("."))) from exc
    if not data:
        raise DocumentImportError(_("%(file)s is empty.", file=name))
    return fmt


def _finish(session: Session, report: ImportReport, block_rows: list[Block],
            new_segments: list[_NewSegment], user: User | None,
            latest: DocumentVersion | None, parsed: ParsedDocument) -> None:
    """Store the segments, prefill from memory, log and announce: the import's last steps."""
    document, version = report.document, report.version
    if latest is not None and latest.format != report.format:
        report.warnings.append(
            _("The previous version was a %(old)s file and this one is %(new)s; exports in "
              "the source's own layout now follow the %(new)s file.", old=latest.format,
              new=report.format)
        )
    fresh = _store_segments(session, document, block_rows, new_segments, report)
    _remember_translations(session, document, parsed, version.filename, report)
    report.prefilled = _prefill(session, document, fresh, user)
    session.add(Activity(user_id=user.id if user else None, verb="imported",
                         document_id=document.id, count=report.segments))
    version.report = report.as_dict()
    session.flush()
    if not report.created:
        # Every caller (web upload, CLI) tells the language teams the same way.
        updates.announce_update(session, report)


def _latest_version(session: Session, document: Document) -> DocumentVersion | None:
    return session.scalar(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == document.id)
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    )


def _unchanged_report(session: Session, document: Document,
                      version: DocumentVersion) -> ImportReport:
    """The report of a re-import of the very same bytes: nothing is written."""
    count, words = session.execute(
        select(func.count(Segment.id), func.coalesce(func.sum(Segment.word_count), 0))
        .where(Segment.document_id == document.id, Segment.archived.is_(False))
    ).one()
    blocks = session.scalar(select(func.count(Block.id)).where(Block.version_id == version.id))
    return ImportReport(
        document=document, version=version, created=False, status="unchanged",
        format=version.format, blocks=blocks or 0, segments=count, words=int(words),
        unchanged=count,
    )


def _read(name: str, data: bytes, language: str, comments: bool = False) -> ParsedDocument:
    """Run the reader; every failure becomes one sentence naming the file."""
    try:
        return read_document(name, data, language, comments=comments)
    except FormatError as exc:
        where = exc.where if exc.where and exc.where != name else None
        reason = exc.message.rstrip(".")
        if where:
            raise DocumentImportError(_("%(file)s (%(where)s): %(reason)s.", file=name,
                                        where=where, reason=reason)) from exc
        raise DocumentImportError(_("%(file)s: %(reason)s.", file=name,
                                    reason=reason)) from exc
    except Exception as exc:  # a reader bug must not reach the user as a traceback
        # info, not error: the command line must not print the traceback to the user
        log.info("reader failed on %s", name, exc_info=True)
        raise DocumentImportError(
            _("%(file)s could not be read; it may be damaged or not really a %(ext)s file.",
              file=name, ext=PurePath(name).suffix.lower())
        ) from exc


def _title(title: str | None, name: str) -> str:
    text = _WS.sub(" ", (title or "").strip())
    if not text:
        text = _WS.sub(" ", PurePath(name).stem.replace("-", " ").replace("_", " ")).strip()
        text = text[:1].upper() + text[1:]
    return text[:300] or name[:300]


def _cut(blocks: list[ParsedBlock], language: str,
         progress: Callable[[int, int], None] | None, total: int) -> list[_NewSegment]:
    """Segment every translatable block (code and empty blocks get no segments)."""
    out: list[_NewSegment] = []
    for b_index, block in enumerate(blocks):
        if progress and b_index and b_index % PROGRESS_EVERY == 0:
            progress(b_index, total)
        if not block.translatable or block.type == "code" or not strip_tags(block.text).strip():
            continue
        # An interface message is one unit of the catalogue: never cut into sentences.
        pieces = ([(block.text, "")] if block.type == "message"
                  else segmentation.segment(block.text, language))
        for i, (text, sep) in enumerate(pieces):
            plain = normalise_source(text)
            words = segmentation.count_words(strip_tags(text), language) if plain else 0
            out.append(_NewSegment(b_index, block.type, i, text, sep, plain, words))
    return out


def _assign_keys(segments: list[_NewSegment]) -> None:
    seen: dict[str, int] = {}
    for seg in segments:
        n = seen.get(seg.plain, 0)
        seen[seg.plain] = n + 1
        seg.key = segment_key(seg.plain, n)


def _store_blocks(session: Session, version: DocumentVersion,
                  blocks: list[ParsedBlock]) -> list[Block]:
    rows: list[Block] = []
    for position, block in enumerate(blocks):
        attrs = dict(block.attrs)
        if not block.translatable:
            attrs["translatable"] = False
        rows.append(Block(
            version_id=version.id,
            position=position,
            type=block.type,
            level=block.level,
            locator=block.locator[:255],
            context=block.context or "",
            numbering=block.numbering,
            source=block.text,
            tags=block.tags_json(),
            attrs=attrs,
        ))
    session.add_all(rows)
    session.flush()
    return rows


def _store_segments(session: Session, document: Document, block_rows: list[Block],
                    new: list[_NewSegment], report: ImportReport) -> list[Segment]:
    """Match the file's segments with stored ones and write rows; returns the new rows."""
    old_active = list(session.scalars(
        select(Segment).where(Segment.document_id == document.id, Segment.archived.is_(False))
        .order_by(Segment.position)
    ))
    by_key = {s.key: s for s in session.scalars(
        select(Segment).where(Segment.document_id == document.id))}
    old_types = _old_block_types(session, old_active)

    matched: dict[int, Segment] = {}  # index in `new` -> existing row, same key
    for j, seg in enumerate(new):
        row = by_key.get(seg.key)
        if row is not None:
            matched[j] = row
    used = {id(r) for r in matched.values()}
    paired = _pair_changed(old_active, old_types, new, matched, used)

    outdated_ids: list[int] = []
    fresh: list[Segment] = []
    for j, seg in enumerate(new):
        block = block_rows[seg.block_index]
        row = matched.get(j) or paired.get(j)
        if row is None:
            row = Segment(document_id=document.id, key=seg.key, source=seg.source)
            session.add(row)
            fresh.append(row)
            report.new += 1
        elif j in paired:
            row.previous_source = row.source
            row.source = seg.source
            row.key = seg.key
            outdated_ids.append(row.id)
            report.changed += 1
        elif row.source != seg.source:
            # same words, different inline tags: the target's tags no longer fit
            row.previous_source = row.source
            row.source = seg.source
            outdated_ids.append(row.id)
            report.changed += 1
        else:
            report.unchanged += 1
        row.block_id = block.id
        row.position = j
        row.index_in_block = seg.index_in_block
        row.sep = seg.sep
        row.word_count = seg.words
        row.archived = False

    kept = {id(r) for r in matched.values()} | {id(r) for r in paired.values()}
    for row in old_active:
        if id(row) not in kept:
            row.archived = True
            row.block_id = None
            report.removed += 1
    session.flush()
    workflow.mark_sources_changed(session, outdated_ids)
    return fresh


def _old_block_types(session: Session, segments: list[Segment]) -> dict[int, str]:
    ids = {s.block_id for s in segments if s.block_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Block.id, Block.type).where(Block.id.in_(ids))).all())


def _pair_changed(old: list[Segment], old_types: dict[int, str], new: list[_NewSegment],
                  matched: dict[int, Segment], used: set[int]) -> dict[int, Segment]:
    """Pair edited segments with the old ones they replace, by place in the document.

    SequenceMatcher over the key sequences finds the stretches that differ; inside each,
    unmatched old and new segments of the same block type are paired in order when their
    texts are similar enough.
    """
    paired: dict[int, Segment] = {}
    matcher = SequenceMatcher(None, [s.key for s in old], [s.key for s in new],
                              autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace":
            continue
        olds = [s for s in old[i1:i2] if id(s) not in used]
        start = 0
        for j in range(j1, j2):
            if j in matched:
                continue
            seg = new[j]
            for k in range(start, len(olds)):
                cand = olds[k]
                if old_types.get(cand.block_id or -1) != seg.block_type:
                    continue
                score = fuzz.ratio(normalise_source(cand.source), seg.plain)
                if score >= PAIRING_THRESHOLD:
                    paired[j] = cand
                    used.add(id(cand))
                    start = k + 1
                    break
    return paired


def _remember_translations(session: Session, document: Document, parsed: Any, name: str,
                           report: ImportReport) -> None:
    """Put the msgstrs of a translated PO catalogue into the memory (not approved: nobody
    here reviewed them), so the editor offers them and `tms pretranslate --mode memory`
    can use them; say in a warning what was kept and what was not."""
    target = getattr(parsed, "translations_language", None)
    blocks = [b for b in parsed.blocks if b.attrs.get("msgstr")]
    if not blocks:
        return
    if not target or target.lower() == document.source_language.lower():
        report.warnings.append(ngettext(
            "%(num)s entry has a translation (msgstr), but the file's header names no target "
            "language, so it was not kept; upload translations through `tms upload` or set "
            "the Language header.",
            "%(num)s entries have translations (msgstr), but the file's header names no "
            "target language, so they were not kept; upload translations through `tms "
            "upload` or set the Language header.", len(blocks)))
        return
    fuzzy = [b for b in blocks if b.attrs.get("fuzzy")]
    for block in blocks:
        if block in fuzzy or compare_tags(block.text, block.attrs["msgstr"]):
            continue
        memory.remember(session, source=block.text, target=block.attrs["msgstr"],
                        source_language=document.source_language, target_language=target,
                        origin=f"po: {name}"[:300], approved=False)
        report.remembered += 1
    report.warnings.append(ngettext(
        "%(num)s translation into %(language)s from the file was added to the translation "
        "memory (not approved); %(fuzzy)s fuzzy or badly tagged left out.",
        "%(num)s translations into %(language)s from the file were added to the translation "
        "memory (not approved); %(fuzzy)s fuzzy or badly tagged left out.",
        report.remembered, language=target, fuzzy=len(blocks) - report.remembered))


def _prefill(session: Session, document: Document, segments: list[Segment],
             user: User | None) -> int:
    """Fill drafts of new segments from exact translation-memory matches; returns how many
    drafts were written.

    Drafts are written in the importing user's name (the workflow keeps their history), so
    an import without a user (the command line) fills nothing; `tms pretranslate` can.
    """
    if user is None or not segments:
        return 0
    languages = list(session.scalars(
        select(Language).where(Language.code != document.source_language)))
    count = 0
    for language in languages:
        if not workflow.can_translate(session, user, language):
            continue
        for seg in segments:
            if not normalise_source(seg.source):
                continue
            matches = memory.lookup(session, seg.source,
                                    source_language=document.source_language,
                                    target_language=language.code, limit=1, threshold=100)
            best = next((m for m in matches
                         if m.score >= 100 and m.source == seg.source
                         and not compare_tags(seg.source, m.target)), None)
            if best is None:
                continue
            result = workflow.save_translation(
                session, segment=seg, language=language, user=user, target=best.target,
                state=State.DRAFT, base_version=0, origin="memory")
            count += result.status == "saved"
    return count
