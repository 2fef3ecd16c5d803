"""Offline round trip: a PO or XLIFF file exported by tms, translated elsewhere, uploaded back.

Units are matched to the document's segments by key (PO msgctxt, XLIFF trans-unit id).
A unit of a file tms did not write (no fingerprint, an id that names no segment: a memoQ
or Trados XLIFF, the PO translate-toolkit's xliff2po makes of ours) is matched by its
source text instead (normalised, tags aside; among equal sources the one its context
names, then one not yet matched), its tags renamed to the segment's by their order; the
report says which units matched by text (UploadItem.matched).
Every file tms exports carries, per unit, a fingerprint of the target as it was online at
export time (PO: a `#. tms-base: <hash>` comment; XLIFF: extradata="tms-base:<hash>"; see
tms.formats.po.base_hash). On upload, for each unit whose text differs from the online one:
- the online text still matches the fingerprint -> nobody changed it meanwhile: the upload
  is saved through workflow.save_translation (origin "upload");
- it does not match (someone worked online since the export), or the unit has no
  fingerprint while the online text is not empty -> the uploaded text never overwrites it:
  it becomes an open Suggestion (origin "upload") for a reviewer to weigh;
- tag problems against the current source, unknown keys, empty texts -> skipped, with a
  reason and the line in the file.
A fuzzy unit (PO fuzzy flag, XLIFF "needs-*" state) is saved as a draft at most. The whole
upload is refused, before anything is written, if the file cannot be read, was made for
another language, or names another document and most of its keys are foreign (CAT tools
may rename XLIFF's original attribute, so a file whose keys match is accepted). The caller
commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.formats import SEGMENT_FORMATS, ReadHints, po, segment_format_for
from tms.formats.base import FormatError, ImportedUnit
from tms.i18n import _, ngettext
from tms.inline import Token, compare_tags, strip_tags, tokenize
from tms.models import Document, Language, Segment, State, Suggestion, Translation, User
from tms.services import workflow
from tms.services.errors import ServiceError
from tms.services.memory import normalise

ORIGIN = "upload"


class OfflineError(ServiceError):
    """The whole upload is refused; the message says why in one sentence."""


@dataclass
class UploadItem:
    """One unit of the uploaded file and what happened to it."""

    key: str
    line: int | None = None
    reason: str = ""
    segment_id: int | None = None
    matched: str = "key"  # "key" (the unit's id is the segment's key) or "text"


@dataclass
class UploadReport:
    """What an upload did: each unit lands in exactly one list."""

    filename: str
    format: str
    updated: list[UploadItem] = field(default_factory=list)
    unchanged: list[UploadItem] = field(default_factory=list)
    suggested: list[UploadItem] = field(default_factory=list)  # conflicts kept as suggestions
    skipped: list[UploadItem] = field(default_factory=list)

    @property
    def all_skipped(self) -> bool:
        """True if the file had units and every one was skipped (nothing could be used)."""
        return bool(self.skipped) and not (self.updated or self.unchanged or self.suggested)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (for --json): each list with key, line and reason."""
        def items(bucket: list[UploadItem]) -> list[dict[str, object]]:
            return [{"key": i.key, "line": i.line, "reason": i.reason, "matched": i.matched}
                    for i in bucket]

        return {"file": self.filename, "format": self.format,
                "updated": items(self.updated), "unchanged": items(self.unchanged),
                "suggested": items(self.suggested), "skipped": items(self.skipped)}

    @property
    def matched_by_text(self) -> list[UploadItem]:
        """Units whose id named no segment, matched by their source text instead."""
        return [i for bucket in (self.updated, self.unchanged, self.suggested, self.skipped)
                for i in bucket if i.matched == "text"]

    def summary(self) -> str:
        """One sentence for a flash message."""
        text = _(
            "%(updated)s updated, %(suggested)s filed as suggestions because the text "
            "changed online, %(skipped)s skipped, %(unchanged)s unchanged.",
            updated=len(self.updated),
            suggested=len(self.suggested),
            skipped=len(self.skipped),
            unchanged=len(self.unchanged),
        )
        by_text = len(self.matched_by_text)
        if by_text:
            text += " " + ngettext(
                "%(num)s unit was matched by its source text (its id names no segment), "
                "the others by id.",
                "%(num)s units were matched by their source text (their ids name no "
                "segment), the others by id.", by_text)
        return text


def read_upload(filename: str, data: bytes) -> po.UnitsFile:
    """Parse an uploaded exchange file (PO or XLIFF, by extension or content)."""
    fmt = segment_format_for(filename)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if fmt is None and PurePath(filename).suffix.lower() == ".xml" and head.startswith(b"<"):
        fmt = SEGMENT_FORMATS["xliff"]
    if fmt is None:
        raise OfflineError(_("%(file)s is neither a PO nor an XLIFF file: upload the .po or "
                             ".xlf file that tms exported", file=filename))
    try:
        return fmt.read(data, filename, ReadHints())
    except FormatError as exc:
        raise OfflineError(_("%(file)s cannot be read: %(problem)s", file=filename,
                             problem=exc.message)) from exc


def language_matches(declared: str, code: str) -> bool:
    """True if a file's language is ours, allowing a tool to add or drop a region
    ("fr-FR" for "fr"), but not to change one ("pt-PT" is not "pt-BR")."""
    a = declared.replace("_", "-").lower().split("-")
    b = code.replace("_", "-").lower().split("-")
    shorter, longer = sorted((a, b), key=len)
    return longer[: len(shorter)] == shorter


def _check_file(file: po.UnitsFile, *, document: Document, language: Language,
                filename: str, keys: set[str], texts: set[str]) -> None:
    if file.language and not language_matches(file.language, language.code):
        raise OfflineError(_(
            "%(file)s is a translation into '%(found)s', not %(language)s (%(code)s); "
            "nothing was imported.",
            file=filename, found=file.language, language=language.name, code=language.code,
        ))
    # Some CAT tools rewrite XLIFF's original attribute with their own file name: a file
    # naming another document is refused only if most of its keys are foreign too.
    known = sum(1 for u in file.units
                if u.key in keys or normalise(u.source) in texts)
    if file.document and file.document != document.slug and known * 2 <= len(file.units):
        raise OfflineError(_(
            "%(file)s was exported from the document '%(found)s', not '%(slug)s'; "
            "nothing was imported.", file=filename, found=file.document, slug=document.slug,
        ))


def _same_text_without_tags(unit: ImportedUnit, source: str, current: str) -> bool:
    """True if the unit is the online source and text with the inline tags dropped."""
    return (bool(current) and unit.target == strip_tags(unit.target)
            and strip_tags(unit.source) == strip_tags(source)
            and unit.target == strip_tags(current) and current != unit.target)


def _tag_reason(source: str, target: str) -> str | None:
    issues = compare_tags(source, target)
    if not issues:
        return None
    return _("tag problems: %(problems)s", problems="; ".join(i.message for i in issues))


def _suggest(session: Session, *, segment: Segment, language: Language, user: User,
             target: str) -> None:
    """File the uploaded text as an open suggestion (once, however often it is uploaded)."""
    existing = session.scalar(select(Suggestion.id).where(
        Suggestion.segment_id == segment.id,
        Suggestion.language_id == language.id,
        Suggestion.status == "open",
        Suggestion.target == target,
    ).limit(1))
    if existing is not None:
        return
    session.add(Suggestion(segment_id=segment.id, language_id=language.id, target=target,
                           author_id=user.id, status="open", origin=ORIGIN))
    session.flush()
    workflow.record_activity(session, "suggested", user=user, document_id=segment.document_id,
                             language_id=language.id)


@dataclass
class _Upload:
    """What every unit of one upload is weighed against."""

    session: Session
    language: Language
    user: User
    state: State
    file: po.UnitsFile
    segments: dict[str, Segment]
    translations: dict[int, Translation]
    seen: set[str] = field(default_factory=set)


def apply_upload(
    session: Session,
    *,
    document: Document,
    language: Language,
    user: User,
    filename: str,
    data: bytes,
    state: State,
) -> UploadReport:
    """Apply a PO/XLIFF translated offline to a document in one language (caller commits)."""
    file = read_upload(filename, data)
    segments = {s.key: s for s in session.scalars(
        select(Segment).where(Segment.document_id == document.id))}
    by_text: dict[str, list[Segment]] = {}
    for seg in sorted(segments.values(), key=lambda s: s.position):
        if not seg.archived:
            by_text.setdefault(normalise(seg.source), []).append(seg)
    _check_file(file, document=document, language=language, filename=filename,
                keys=set(segments), texts=set(by_text))
    state = _upload_state(session, user, language, state)
    report = UploadReport(filename=filename, format=file.format)
    translations = {t.segment_id: t for t in session.scalars(
        select(Translation).join(Segment, Segment.id == Translation.segment_id).where(
            Segment.document_id == document.id, Translation.language_id == language.id))}
    upload = _Upload(session, language, user, state, file, segments, translations)
    for unit in file.units:
        item = UploadItem(key=unit.key, line=unit.line)
        segment = segments.get(unit.key)
        # A unit tms wrote (it carries its fingerprint) names its segment by key; one that
        # lost its segment is reported as such. Other tools' units are matched by text.
        if (segment is None or segment.archived) and unit.key not in file.bases:
            matched = _match_by_text(unit, by_text, upload.seen)
            if matched is not None:
                unit, item.matched = matched, "text"
                item.key = unit.key
        bucket, item.reason = _apply_unit(upload, unit, item)
        getattr(report, bucket).append(item)
    return report


def _tag_shape(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.value) for t in tokenize(text) if t.kind != "text"]


def _match_by_text(unit: ImportedUnit, by_text: dict[str, list[Segment]],
                   seen: set[str]) -> ImportedUnit | None:
    """The unit as a unit of the segment with the same source text (normalised, tags
    aside), or None. Among equal sources, the one the unit's context names (the key a tool
    kept as msgctxt or "#:" reference), then one not yet matched, comes first. The file's
    tags are renamed to the segment's by their order in the source, so a tool's own
    numbering does not count as a tag problem."""
    candidates = by_text.get(normalise(unit.source))
    if not candidates:
        return None
    if unit.context:
        in_context = [s for s in candidates if unit.context == s.key]
        candidates = in_context or candidates
    segment = next((s for s in candidates if s.key not in seen), candidates[0])
    target = unit.target
    theirs, ours = _tag_shape(unit.source), _tag_shape(segment.source)
    if theirs and [k for k, _v in theirs] == [k for k, _v in ours]:
        names = {v: o for (_k, v), (_k2, o) in zip(theirs, ours, strict=True)}
        target = "".join(
            t.raw if t.kind == "text" or t.value not in names
            else Token(t.kind, names[t.value]).raw for t in tokenize(target))
    # The source matched (normalised): it is the segment's, not a changed one.
    return replace(unit, key=segment.key, source=segment.source, target=target)


def _upload_state(session: Session, user: User, language: Language, state: State) -> State:
    """The state uploaded text is saved in, or an OfflineError if this user may not."""
    if not workflow.can_translate(session, user, language):
        raise OfflineError(_("You are not a member of the %(language)s team; nothing was "
                             "imported.", language=language.name))
    state = State(state)
    if state == State.APPROVED and not workflow.can_review(session, user, language):
        raise OfflineError(_("Only reviewers of %(language)s can upload approved "
                             "translations; nothing was imported.", language=language.name))
    if state == State.NEEDS_WORK:
        raise OfflineError(_("An upload is saved as draft, translated or approved."))
    return state


def _apply_unit(upload: _Upload, unit: ImportedUnit, item: UploadItem) -> tuple[str, str]:
    """Weigh one unit: the report list it lands in ("updated", "skipped", ...) and why."""
    segment = upload.segments.get(unit.key)
    if unit.key in upload.seen:
        return "skipped", _("this key appears twice in the file; only the first was used")
    upload.seen.add(unit.key)
    if segment is None or segment.archived:
        return "skipped", _("no segment of this document has this key (the source may have "
                            "changed since the export)")
    item.segment_id = segment.id
    translation = upload.translations.get(segment.id)
    current = translation.target if translation else ""
    target = unit.target
    base = upload.file.bases.get(unit.key)

    if target == current:
        return "unchanged", ""
    if _same_text_without_tags(unit, segment.source, current):
        # A tool that flattens inline tags (translate-toolkit's xliff2po) sent back the
        # online text without them: nothing to change.
        return "unchanged", ""
    if (unit.fuzzy or unit.state == "new") and (base is None or base == po.base_hash("")) \
            and not current and strip_tags(target) == strip_tags(segment.source):
        return "unchanged", ""  # still the copy of the source a prefilled export carries
    if not target.strip():
        if base is None or base == po.base_hash(""):
            return "unchanged", ""  # still untranslated in the file
        return "skipped", _("the translation is empty in the file; an upload never "
                            "deletes a translation")
    reason = _tag_reason(segment.source, target)
    if reason:
        return "skipped", reason

    changed_online = po.base_hash(current) != base if base is not None else bool(current)
    if changed_online or unit.source != segment.source:
        _suggest(upload.session, segment=segment, language=upload.language, user=upload.user,
                 target=target)
        return "suggested", (_("the online translation changed since the export")
                             if changed_online else _("the source changed since the export"))
    return _save(upload, unit, segment, translation)


def _save(upload: _Upload, unit: ImportedUnit, segment: Segment,
          translation: Translation | None) -> tuple[str, str]:
    """Save the uploaded text through the workflow: the report list and why."""
    effective = min(upload.state, State.DRAFT) if unit.fuzzy else upload.state
    try:
        result = workflow.save_translation(
            upload.session, segment=segment, language=upload.language, user=upload.user,
            target=unit.target, state=effective,
            base_version=translation.version if translation else 0, origin=ORIGIN)
    except workflow.WorkflowError as exc:
        return "skipped", str(exc)
    if result.status == "suggested":
        return "suggested", _("the online translation is approved; your text was filed as a "
                              "suggestion")
    if result.status == "conflict":
        return "skipped", _("someone saved this segment during the upload; your text is kept "
                            "in its history")
    return "updated", ""  # saved, approved, pending (a first of two approvals)
