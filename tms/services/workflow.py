"""The translation state machine: the only module that changes a Translation's text and state.

States are ordered (tms.models.State): untranslated < needs_work < draft < translated
(awaiting review) < approved; "outdated" is a flag set by imports and cleared by a new text
or a reviewer's confirmation.

Every change of text or state is one transition that
- writes an append-only Revision (author, state, origin, note = reason),
- bumps Translation.version with ``UPDATE ... WHERE version = :seen`` and checks the row
  count, so two savers (even in several PostgreSQL workers) can never both win,
- writes an Activity row (verb, user, document, language; never text).

Policies (see docs in the report and tests/test_workflow.py):
- Saving: draft or translated. Empty text may be saved as a draft (it clears the
  translation: state untranslated) but never submitted for review.
- Approved text is kept stable: a saver who may not approve it (not a reviewer of the
  language, or its own text without self-review) files a Suggestion instead.
- Approving needs a reviewer of the language (or an admin), a translated text (or an
  outdated approved one, to confirm it), no tag errors, and someone other than the text's
  translator unless the language allows self-review. With approvals_required = 2 two
  distinct reviewers must approve the same submission (the revision that brought the text).
- A reviewer's edit (edit_and_approve, accept_suggestion) makes the text's author its
  translator, so the self-review rule applies to it like to any other text.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    Select,
    Table,
    Update,
    bindparam,
    exists,
    func,
    insert,
    inspect,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from tms.i18n import _
from tms.inline import compare_tags
from tms.models import (
    REVIEW_ORIGIN,
    Activity,
    Approval,
    Comment,
    Document,
    Language,
    Membership,
    Revision,
    Role,
    Segment,
    State,
    Suggestion,
    Translation,
    User,
    utcnow,
)
from tms.services import memory, notifications, qa
from tms.services.errors import ServiceError

# Revisions that bring no text of their own; every other origin is "a submission" that
# approvals are counted against.
NON_SUBMISSION_ORIGINS = (REVIEW_ORIGIN, "conflict")
# Consecutive identical activities of one person are merged into one row with a count.
ACTIVITY_MERGE_WINDOW = timedelta(minutes=30)


class WorkflowError(ServiceError):
    """A refused transition; ``message`` is one translated sentence for the user."""


@dataclass
class SaveResult:
    """What a transition did.

    status: "saved" | "conflict" | "suggested" (save_translation), "approved" | "pending"
    (approve: pending = an approval was recorded but more are required), "sent_back".
    theirs: the other person's text on a conflict. issues: QA issues of the new text.
    """

    status: str
    translation: Translation | None
    theirs: str | None = None
    issues: list[Any] = field(default_factory=list)
    revision: Revision | None = None
    suggestion: Suggestion | None = None


@dataclass
class BulkResult:
    """Outcome of bulk_approve: ids approved (or pending), and (id, reason) skipped."""

    approved: list[int] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


# ---------------------------------------------------------------- lookups and permissions


def get_translation(session: Session, segment_id: int, language_id: int) -> Translation | None:
    """The translation of a segment in a language, or None if nobody touched it yet."""
    return session.scalar(
        select(Translation).where(
            Translation.segment_id == segment_id, Translation.language_id == language_id
        )
    )


def role_of(session: Session, user: User, language: Language) -> str | None:
    """The user's role in the language team, or None."""
    loaded = inspect(user).dict.get("memberships")
    if loaded is not None:  # already read in this session (the web layer's team check)
        return next((m.role for m in loaded if m.language_id == language.id), None)
    return session.scalar(
        select(Membership.role).where(
            Membership.user_id == user.id, Membership.language_id == language.id
        )
    )


def can_translate(session: Session, user: User, language: Language) -> bool:
    """Members of the language team and admins may translate."""
    if not user.active or user.deleted:
        return False
    return user.is_admin or role_of(session, user, language) is not None


def can_review(session: Session, user: User, language: Language) -> bool:
    """Reviewers of the language and admins may review."""
    if not user.active or user.deleted:
        return False
    return user.is_admin or role_of(session, user, language) == Role.REVIEWER


def approval_refusal(
    session: Session, user: User, language: Language, translator_id: int | None
) -> str | None:
    """Why this user may not approve a text written by translator_id (None if they may)."""
    if not can_review(session, user, language):
        return _("Only reviewers of %(language)s can approve.", language=language.name)
    if translator_id == user.id and not language.allow_self_review:
        return _(
            "You cannot approve your own translation: the %(language)s team requires "
            "another reviewer.",
            language=language.name,
        )
    return None


def _require_translator(session: Session, user: User, language: Language) -> None:
    if not can_translate(session, user, language):
        raise WorkflowError(
            _("You are not a member of the %(language)s team.", language=language.name)
        )


def _require_reviewer(session: Session, user: User, language: Language) -> None:
    if not can_review(session, user, language):
        raise WorkflowError(
            _("Only reviewers of %(language)s can do this.", language=language.name)
        )


# ---------------------------------------------------------------- QA


def _qa_flags(issues: list[Any]) -> tuple[bool, int]:
    errors = any(i.severity == "error" for i in issues)
    warnings = sum(1 for i in issues if i.severity != "error")
    return errors, warnings


# ---------------------------------------------------------------- building blocks


# Every save runs these statements: built once, so SQLAlchemy reuses their cache keys
# instead of building and hashing new ones on each call; the writes are Core statements on
# the tables, which skip the ORM's bulk-update machinery (a save's CPU is mostly this
# per-statement work, not the database's).
_CURRENT = (
    select(Translation)
    .where(Translation.segment_id == bindparam("segment_id"),
           Translation.language_id == bindparam("language_id"))
    .execution_options(populate_existing=True)
)
_TRANSLATION = cast(Table, Translation.__table__)
_REVISION = cast(Table, Revision.__table__)
_ACTIVITY = cast(Table, Activity.__table__)
_INSERT_REVISION = insert(_REVISION).returning(_REVISION.c.id)


@lru_cache(maxsize=64)
def _write_statement(columns: tuple[str, ...]) -> Update:
    """UPDATE translation SET <columns>, version + 1 WHERE id and version match."""
    t = _TRANSLATION
    return (
        update(t)
        .where(t.c.id == bindparam("w_id"), t.c.version == bindparam("w_seen"))
        .values(version=t.c.version + 1, updated_at=bindparam("w_updated_at"),
                **{c: bindparam(f"w_{c}") for c in columns})
        .returning(t.c.version)
    )


@lru_cache(maxsize=8)
def _merge_activity_statement(document_null: bool, language_null: bool) -> Update:
    """Add one to the newest matching activity of the merge window (None compares as IS
    NULL, which a bound parameter cannot say, hence one statement per combination)."""
    a = _ACTIVITY
    document = a.c.document_id.is_(None) if document_null else a.c.document_id == bindparam(
        "a_document")
    language = a.c.language_id.is_(None) if language_null else a.c.language_id == bindparam(
        "a_language")
    last = (
        select(func.max(a.c.id))
        .where(a.c.user_id == bindparam("a_user"), a.c.verb == bindparam("a_verb"),
               document, language, a.c.created_at >= bindparam("a_since"))
        .scalar_subquery()
    )
    return update(a).where(a.c.id == last).values(count=a.c.count + 1).returning(a.c.id)


@lru_cache(maxsize=64)
def _fused_save_statement(columns: tuple[str, ...]) -> Select[Any]:
    """PostgreSQL: _write_statement, the revision's INSERT and the activity merge in one
    statement. The INSERT and the merge run only if the UPDATE found the row at the version
    seen; the answer is (new version, revision id, merged activity id), each NULL if not."""
    w = _write_statement(columns).cte("w")
    r = _REVISION
    revision = (
        insert(r)
        .from_select(
            ["translation_id", "target", "state", "author_id", "origin", "note", "created_at"],
            select(
                bindparam("w_id", type_=r.c.translation_id.type),
                bindparam("w_target", type_=r.c.target.type),
                bindparam("w_state", type_=r.c.state.type),
                bindparam("r_author_id", type_=r.c.author_id.type),
                bindparam("r_origin", type_=r.c.origin.type),
                literal(""),
                bindparam("w_updated_at", type_=r.c.created_at.type),
            ).where(exists(select(w.c.version))),
        )
        .returning(r.c.id)
        .cte("r")
    )
    merge = _merge_activity_statement(False, False)
    activity = merge.where(exists(select(w.c.version))).cte("a")
    return select(
        select(w.c.version).scalar_subquery(),
        select(revision.c.id).scalar_subquery(),
        select(activity.c.id).scalar_subquery(),
    )


def _current(session: Session, segment_id: int, language_id: int) -> Translation | None:
    """The translation row as the database has it now (an object already in the session
    is refreshed by the same statement: another worker may have changed it)."""
    return session.scalar(_CURRENT, {"segment_id": segment_id, "language_id": language_id})


def _get_or_create(session: Session, segment: Segment, language: Language) -> Translation:
    """The current translation row, created if missing; safe when two requests create it
    at once."""
    found = _current(session, segment.id, language.id)
    if found is not None:
        return found
    dialect = session.get_bind().dialect.name
    values = {
        "segment_id": segment.id,
        "language_id": language.id,
        "target": "",
        "state": State.UNTRANSLATED,
        "version": 0,
        "outdated": False,
        "approvals": 0,
        "has_tag_errors": False,
        "qa_warnings": 0,
        "updated_at": utcnow(),
    }
    if dialect in ("sqlite", "postgresql"):
        # ON CONFLICT DO NOTHING waits for a concurrent insert and then yields to it; it
        # needs no SAVEPOINT, which pysqlite would turn into a commit of the outer work.
        insert = sqlite_insert(Translation) if dialect == "sqlite" else pg_insert(Translation)
        session.execute(
            insert
            .values(**values)
            .on_conflict_do_nothing(index_elements=["segment_id", "language_id"])
        )
    else:  # pragma: no cover - other databases
        try:
            with session.begin_nested():
                session.add(Translation(**values))
        except IntegrityError:
            pass
    found = _current(session, segment.id, language.id)
    assert found is not None
    return found


def _fresh(session: Session, translation: Translation) -> Translation:
    """Reload the row from the database (another worker may have changed it)."""
    session.refresh(translation)
    return translation


def _write(session: Session, translation: Translation, seen_version: int, **values: Any) -> bool:
    """Apply values if the row is still at seen_version; False if someone was faster."""
    now = utcnow()
    new_version = session.scalar(
        _write_statement(tuple(sorted(values))),
        _write_parameters(translation, seen_version, values, now),
    )
    if new_version is None:
        return False
    _written(translation, values, new_version, now)
    return True


def _write_parameters(translation: Translation, seen_version: int, values: dict[str, Any],
                      now: datetime) -> dict[str, Any]:
    return {"w_id": translation.id, "w_seen": seen_version, "w_updated_at": now,
            **{f"w_{c}": v for c, v in values.items()}}


def _written(translation: Translation, values: dict[str, Any], new_version: int,
             now: datetime) -> None:
    # The row now holds exactly these values: set them on the object instead of reading
    # the row back (one statement fewer on every save).
    for key, value in {**values, "version": new_version, "updated_at": now}.items():
        set_committed_value(translation, key, value)


def _revision_values(translation: Translation, *, target: str, state: State,
                     user: User | None, origin: str, note: str, now: datetime) -> dict[str, Any]:
    return {"translation_id": translation.id, "target": target, "state": state,
            "author_id": user.id if user else None, "origin": origin, "note": note,
            "created_at": now}


def _revision_in_session(session: Session, revision_id: int, values: dict[str, Any]) -> Revision:
    """The Revision object of a row a Core INSERT wrote, put in the session as that row."""
    rev = Revision(id=revision_id, **values)
    make_transient_to_detached(rev)
    session.add(rev)
    return rev


def _revision(
    session: Session,
    translation: Translation,
    *,
    target: str,
    state: State,
    user: User | None,
    origin: str,
    note: str = "",
) -> Revision:
    values = _revision_values(translation, target=target, state=state, user=user,
                              origin=origin, note=note, now=utcnow())
    session.flush()  # what this transition added before (a new translation row) goes first
    # A Core INSERT, then the object is put in the session as the row it wrote: the ORM's
    # unit of work for one append-only row cost more than the rest of the save's writes.
    return _revision_in_session(session, session.scalar(_INSERT_REVISION, values), values)


def record_activity(
    session: Session,
    verb: str,
    *,
    user: User | None,
    document_id: int | None,
    language_id: int | None,
) -> None:
    """Log what happened (no text), merging a person's repeated identical actions."""
    if user is not None:
        # One statement: add to the newest matching entry if there is one.
        merged = session.scalar(
            _merge_activity_statement(document_id is None, language_id is None),
            {"a_user": user.id, "a_verb": verb, "a_document": document_id,
             "a_language": language_id, "a_since": utcnow() - ACTIVITY_MERGE_WINDOW},
        )
        if merged is not None:
            _expire_loaded_activity(session, merged)
            return
    _add_activity(session, verb, user, document_id, language_id)


def _add_activity(session: Session, verb: str, user: User | None, document_id: int | None,
                  language_id: int | None) -> None:
    session.add(Activity(user_id=user.id if user else None, verb=verb,
                         document_id=document_id, language_id=language_id))
    session.flush()


def _expire_loaded_activity(session: Session, activity_id: int) -> None:
    # An entry read earlier in this session holds the count from before the merge.
    loaded = session.identity_map.get(identity_key(Activity, activity_id))
    if loaded is not None:
        session.expire(loaded, ["count"])


def _activity(session: Session, verb: str, user: User | None, translation: Translation) -> None:
    record_activity(
        session,
        verb,
        user=user,
        document_id=translation.segment.document_id,
        language_id=translation.language_id,
    )


def submission_revision(session: Session, translation: Translation) -> Revision | None:
    """The revision that brought the current text (approvals are counted against it)."""
    return session.scalar(
        select(Revision)
        .where(
            Revision.translation_id == translation.id,
            Revision.origin.not_in(NON_SUBMISSION_ORIGINS),
        )
        .order_by(Revision.id.desc())
        .limit(1)
    )


def _remember(session: Session, translation: Translation) -> None:
    """Feed the approved pair to the translation memory."""
    segment = translation.segment
    document = session.get(Document, segment.document_id)
    assert document is not None
    memory.remember(
        session,
        source=segment.source,
        target=translation.target,
        source_language=document.source_language,
        target_language=translation.language.code,
        origin=f"{document.slug} #{segment.key}",
        segment_id=segment.id,
        approved=True,
    )


def _conflict_error() -> WorkflowError:
    return WorkflowError(
        _("Someone else changed this segment meanwhile. Reload it and try again.")
    )


# ---------------------------------------------------------------- saving


def save_translation(
    session: Session,
    *,
    segment: Segment,
    language: Language,
    user: User,
    target: str,
    state: State,
    base_version: int,
    origin: str = "editor",
    current: Translation | None = None,
) -> SaveResult:
    """Save a translator's text as draft or translated (awaiting review).

    `current` is the translation row if the caller has just read it in this transaction
    (the editor's API reads it with the segment), so that it is not read a second time.

    On a version mismatch nothing is overwritten: the text is kept as a "conflict"
    revision and both texts are returned. On an approved translation that the user may
    not approve, the text becomes a Suggestion. State APPROVED means edit_and_approve.
    """
    state = State(state)
    if state == State.APPROVED:
        return edit_and_approve(session, segment=segment, language=language, user=user,
                                target=target, base_version=base_version, origin=origin)
    _require_translator(session, user, language)
    target, state = _saved_text_and_state(target, state)
    translation = current if current is not None else _get_or_create(session, segment, language)
    if translation.state == State.APPROVED and approval_refusal(
        session, user, language, user.id
    ):
        return _suggest_instead(session, translation, user, target, origin)

    if translation.version != base_version:
        return _conflict(session, translation, user, target, state, base_version)

    issues = qa.check_segment(segment, language, target)
    tag_errors, warnings = _qa_flags(issues)
    verb = {State.TRANSLATED: "translated", State.DRAFT: "drafted"}.get(state, "cleared")
    if origin == "revert":
        verb = "reverted"
    rev = _write_revise_and_log(
        session,
        translation,
        base_version,
        {
            "target": target,
            "state": state,
            "outdated": False,
            "translator_id": translation.translator_id
            if target == translation.target and translation.translator_id
            else user.id,
            "reviewer_id": None,
            "approvals": 0,
            "has_tag_errors": tag_errors,
            "qa_warnings": warnings,
        },
        user=user,
        origin=origin,
        verb=verb,
    )
    if rev is None:
        return _conflict(session, translation, user, target, state, base_version)
    return SaveResult("saved", translation, issues=issues, revision=rev)


def _write_revise_and_log(
    session: Session,
    translation: Translation,
    seen_version: int,
    values: dict[str, Any],
    *,
    user: User,
    origin: str,
    verb: str,
) -> Revision | None:
    """_write, then _revision of the new text and _activity: what a save writes. None (and
    nothing written) if the row is no longer at seen_version.

    On PostgreSQL the three are one statement (data-modifying CTEs): a round trip to the
    server costs a save more than the database's work, and saves are the busiest write."""
    if session.get_bind().dialect.name != "postgresql":
        if not _write(session, translation, seen_version, **values):
            return None
        rev = _revision(session, translation, target=values["target"], state=values["state"],
                        user=user, origin=origin)
        _activity(session, verb, user, translation)
        return rev
    session.flush()  # a translation row this save created goes first
    now = utcnow()
    document_id, language_id = translation.segment.document_id, translation.language_id
    new_version, revision_id, merged = session.execute(
        _fused_save_statement(tuple(sorted(values))),
        {**_write_parameters(translation, seen_version, values, now),
         "r_author_id": user.id, "r_origin": origin,
         "a_user": user.id, "a_verb": verb, "a_document": document_id,
         "a_language": language_id, "a_since": now - ACTIVITY_MERGE_WINDOW},
    ).one()
    if new_version is None:
        return None
    _written(translation, values, new_version, now)
    rev = _revision_in_session(session, revision_id, _revision_values(
        translation, target=values["target"], state=values["state"], user=user, origin=origin,
        note="", now=now))
    if merged is None:  # no entry of the merge window to add to: a new one
        _add_activity(session, verb, user, document_id, language_id)
    else:
        _expire_loaded_activity(session, merged)
    return rev


def _saved_text_and_state(target: str, state: State) -> tuple[str, State]:
    """What a translator's save writes: an empty text is untranslated, text alone a draft."""
    if state == State.NEEDS_WORK:
        raise WorkflowError(_("Only a reviewer can send a translation back."))
    empty = not target.strip()
    if empty and state == State.TRANSLATED:
        raise WorkflowError(_("An empty translation cannot be submitted for review."))
    if empty:
        return "", State.UNTRANSLATED
    if state == State.UNTRANSLATED:
        return target, State.DRAFT  # text without a state is a draft
    return target, state


def _suggest_instead(session: Session, translation: Translation, user: User, target: str,
                     origin: str) -> SaveResult:
    """A save on an approved text by someone who may not approve it becomes a suggestion."""
    if not target:
        raise WorkflowError(_("An approved translation can only be cleared by a reviewer."))
    issues = qa.check_segment(translation.segment, translation.language, target)
    if target == translation.target:  # nothing to suggest: the approved text stands
        return SaveResult("saved", translation, issues=issues)
    suggestion = _add_suggestion(session, translation, user, target, origin)
    return SaveResult("suggested", translation, issues=issues, suggestion=suggestion)


def _conflict(
    session: Session,
    translation: Translation,
    user: User,
    target: str,
    state: State,
    base_version: int,
) -> SaveResult:
    session.refresh(translation)
    rev = _revision(
        session,
        translation,
        target=target,
        state=state,
        user=user,
        origin="conflict",
        note=f"base version {base_version}, current {translation.version}",
    )
    return SaveResult("conflict", translation, theirs=translation.target, revision=rev)


def _add_suggestion(
    session: Session, translation: Translation, user: User, target: str, origin: str
) -> Suggestion:
    # One open suggestion per author and segment: saving again (autosave, a second try)
    # updates it rather than piling up near-duplicates for the reviewers.
    suggestion = session.scalar(
        select(Suggestion)
        .where(
            Suggestion.segment_id == translation.segment_id,
            Suggestion.language_id == translation.language_id,
            Suggestion.author_id == user.id,
            Suggestion.status == "open",
        )
        .order_by(Suggestion.id.desc())
        .limit(1)
    )
    if suggestion is not None:
        suggestion.target = target
        suggestion.origin = origin[:20]
        suggestion.created_at = utcnow()
        session.flush()
        return suggestion
    suggestion = Suggestion(
        segment_id=translation.segment_id,
        language_id=translation.language_id,
        target=target,
        author_id=user.id,
        status="open",
        origin=origin[:20],
    )
    session.add(suggestion)
    session.flush()
    _activity(session, "suggested", user, translation)
    return suggestion


def suggest(
    session: Session, *, segment: Segment, language: Language, user: User, target: str
) -> Suggestion:
    """File a suggestion beside the current text (several people may suggest)."""
    _require_translator(session, user, language)
    if not target.strip():
        raise WorkflowError(_("A suggestion cannot be empty."))
    translation = _get_or_create(session, segment, language)
    return _add_suggestion(session, translation, user, target, "editor")


# ---------------------------------------------------------------- review


def approve(
    session: Session,
    *,
    translation: Translation,
    user: User,
    base_version: int | None = None,
) -> SaveResult:
    """Approve a translated text (or confirm an outdated approved one).

    With approvals_required = 2 the first approval is recorded (status "pending") and
    the text stays translated until a second, different reviewer approves it.
    """
    translation = _fresh(session, translation)
    confirming = _check_approvable(session, translation, user, base_version)
    if confirming:
        if not _write(session, translation, translation.version, outdated=False,
                      reviewer_id=user.id):
            raise _conflict_error()
        status, new_state, note = "approved", State.APPROVED, "confirmed after a source change"
    else:
        status, new_state, note = _count_approval(session, translation, user)
    rev = _revision(
        session,
        translation,
        target=translation.target,
        state=new_state,
        user=user,
        origin=REVIEW_ORIGIN,
        note=note,
    )
    if new_state == State.APPROVED:
        _remember(session, translation)
    _activity(session, "approved", user, translation)
    return SaveResult(status, translation, revision=rev)


def _check_approvable(session: Session, translation: Translation, user: User,
                      base_version: int | None) -> bool:
    """Refuse an approval that may not happen; True when it confirms an outdated approval."""
    language = translation.language
    _require_reviewer(session, user, language)
    if base_version is not None and translation.version != base_version:
        raise _conflict_error()
    state = translation.state
    confirming = state == State.APPROVED and translation.outdated
    if state == State.APPROVED and not confirming:
        raise WorkflowError(_("This translation is already approved."))
    if state != State.TRANSLATED and not confirming:
        raise WorkflowError(
            _("Only translations awaiting review can be approved (this one: %(state)s).",
              state=state.label)
        )
    if translation.has_tag_errors:
        raise WorkflowError(_("This translation has tag errors: fix them before approving."))
    refusal = approval_refusal(session, user, language, translation.translator_id)
    if refusal:
        raise WorkflowError(refusal)
    return confirming


def _count_approval(session: Session, translation: Translation,
                    user: User) -> tuple[str, State, str]:
    """Record one reviewer's approval of the submitted text; the text is approved once the
    language's required number is reached. Returns status, new state and revision note."""
    seen = translation.version
    submission = submission_revision(session, translation)
    if submission is None:  # a text written without the workflow (old data)
        submission = _revision(
            session, translation, target=translation.target, state=translation.state,
            user=None, origin="import", note="text found without history",
        )
    already = set(session.scalars(
        select(Approval.reviewer_id).where(Approval.translation_id == translation.id,
                                           Approval.revision_id == submission.id)))
    if user.id in already:
        raise WorkflowError(
            _("You have already approved this text; another reviewer must approve it too.")
        )
    count = len(already) + 1
    needed = max(1, translation.language.approvals_required)
    new_state = State.APPROVED if count >= needed else State.TRANSLATED
    values: dict[str, Any] = {"approvals": count, "reviewer_id": user.id}
    if new_state == State.APPROVED:
        values.update(state=State.APPROVED, outdated=False)
    if not _write(session, translation, seen, **values):
        raise _conflict_error()
    session.add(
        Approval(translation_id=translation.id, revision_id=submission.id, reviewer_id=user.id)
    )
    status = "approved" if new_state == State.APPROVED else "pending"
    return status, new_state, f"approval {count} of {needed}"


def send_back(
    session: Session,
    *,
    translation: Translation,
    user: User,
    reason: str,
    base_version: int | None = None,
) -> SaveResult:
    """Send a translated or approved text back to its translator, with a reason."""
    reason = (reason or "").strip()
    translation = _fresh(session, translation)
    language = translation.language
    _require_reviewer(session, user, language)
    if not reason:
        raise WorkflowError(_("Say why you send this translation back: the reason is required."))
    if base_version is not None and translation.version != base_version:
        raise _conflict_error()
    if translation.state not in (State.TRANSLATED, State.APPROVED):
        raise WorkflowError(
            _("Only translated or approved texts can be sent back (this one: %(state)s).",
              state=translation.state.label)
        )
    if not _write(session, translation, translation.version, state=State.NEEDS_WORK,
                  reviewer_id=user.id, approvals=0):
        raise _conflict_error()
    rev = _revision(session, translation, target=translation.target, state=State.NEEDS_WORK,
                    user=user, origin=REVIEW_ORIGIN, note=reason)
    comment = Comment(segment_id=translation.segment_id, language_id=translation.language_id,
                      author_id=user.id, body=reason, kind="rejection")
    session.add(comment)
    session.flush()
    if translation.translator_id and translation.translator_id != user.id:
        _tell_translator(session, translation, user, reason)
    _activity(session, "sent_back", user, translation)
    return SaveResult("sent_back", translation, revision=rev)


def _tell_translator(session: Session, translation: Translation, reviewer: User,
                     reason: str) -> None:
    """Notify the translator that their text was sent back, and why."""
    segment, language = translation.segment, translation.language
    document = session.get(Document, segment.document_id)
    assert document is not None and translation.translator_id is not None
    notifications.notify(
        session,
        translation.translator_id,
        "sent_back",
        {
            "document": document.title,
            "language": language.name,
            "reviewer": reviewer.display_name,
            "reason": reason[:500],
        },
        notifications.segment_link(document, language, segment),
    )


def edit_and_approve(
    session: Session,
    *,
    segment: Segment,
    language: Language,
    user: User,
    target: str,
    base_version: int,
    origin: str = "editor",
) -> SaveResult:
    """A reviewer's edit approved in one step: the reviewer becomes the text's translator,
    so this needs allow_self_review (else save it as translated for another reviewer).
    An unchanged text is a plain approval of the translator's work."""
    _require_reviewer(session, user, language)
    translation = _get_or_create(session, segment, language)
    if translation.version != base_version:
        return _conflict(session, translation, user, target, State.APPROVED, base_version)
    if not target.strip():
        raise WorkflowError(_("An empty translation cannot be approved."))
    if target == translation.target and translation.state in (State.TRANSLATED, State.APPROVED):
        if translation.state == State.APPROVED and not translation.outdated:
            return SaveResult("approved", translation)
        result = approve(session, translation=translation, user=user, base_version=base_version)
        result.issues = qa.check_segment(segment, language, target)
        return result
    refusal = approval_refusal(session, user, language, user.id)
    if refusal:
        raise WorkflowError(refusal)
    issues = qa.check_segment(segment, language, target)
    tag_errors, warnings = _qa_flags(issues)
    if tag_errors:
        raise WorkflowError(_("This translation has tag errors: fix them before approving."))
    if not _write(
        session,
        translation,
        base_version,
        target=target,
        state=State.TRANSLATED,
        outdated=False,
        translator_id=user.id,
        reviewer_id=None,
        approvals=0,
        has_tag_errors=False,
        qa_warnings=warnings,
    ):
        return _conflict(session, translation, user, target, State.APPROVED, base_version)
    # A review-only origin would hide this text from the approval count.
    text_origin = "editor" if origin in NON_SUBMISSION_ORIGINS else origin
    _revision(session, translation, target=target, state=State.TRANSLATED, user=user,
              origin=text_origin, note="edited in review")
    _activity(session, "translated", user, translation)
    result = approve(session, translation=translation, user=user)
    result.issues = issues
    return result


def bulk_approve(
    session: Session,
    *,
    translation_ids: list[int],
    user: User,
    versions: dict[int, int] | None = None,
) -> BulkResult:
    """Approve the QA-clean translations among ids (no tag errors and no QA warnings:
    warnings deserve a look one by one); report the others with a reason. versions maps
    an id to the version the reviewer saw: a text changed since then is skipped."""
    result = BulkResult()
    # Ascending ids: two reviewers approving overlapping sets lock rows in the same order,
    # so PostgreSQL never has to break a deadlock between them.
    for tid in sorted(set(translation_ids)):
        translation = session.get(Translation, tid)
        if translation is None:
            result.skipped.append((tid, _("This translation does not exist.")))
            continue
        if translation.qa_warnings:
            result.skipped.append(
                (tid, _("It has quality warnings: review it on its own."))
            )
            continue
        try:
            outcome = approve(session, translation=translation, user=user,
                              base_version=(versions or {}).get(tid))
        except WorkflowError as exc:
            result.skipped.append((tid, exc.message))
            continue
        (result.approved if outcome.status == "approved" else result.pending).append(tid)
    return result


def revert(
    session: Session,
    *,
    revision_id: int,
    user: User,
    base_version: int | None = None,
) -> SaveResult:
    """Restore an earlier revision's text as a new revision (origin "revert").

    The restored text is submitted for review (state translated; untranslated if empty),
    through the same rules as a save: on an approved text a non-approver files a suggestion.
    """
    rev = session.get(Revision, revision_id)
    if rev is None:
        raise WorkflowError(_("Revision %(n)s not found.", n=revision_id))
    translation = _fresh(session, session.get(Translation, rev.translation_id))  # type: ignore[arg-type]
    state = State.TRANSLATED if rev.target.strip() else State.DRAFT
    return save_translation(
        session,
        segment=translation.segment,
        language=translation.language,
        user=user,
        target=rev.target,
        state=state,
        base_version=translation.version if base_version is None else base_version,
        origin="revert",
    )


def accept_suggestion(
    session: Session, *, suggestion_id: int, user: User, base_version: int | None = None
) -> SaveResult:
    """A reviewer accepts a suggestion: its text becomes the target (origin "suggestion"),
    approved by this reviewer (pending if the language needs two approvals)."""
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None:
        raise WorkflowError(_("Suggestion %(n)s not found.", n=suggestion_id))
    language = session.get(Language, suggestion.language_id)
    segment = session.get(Segment, suggestion.segment_id)
    assert language is not None and segment is not None
    _require_reviewer(session, user, language)
    if suggestion.status != "open":
        raise WorkflowError(_("This suggestion was already decided."))
    refusal = approval_refusal(session, user, language, suggestion.author_id)
    if refusal:
        raise WorkflowError(refusal)
    issues = qa.check_segment(segment, language, suggestion.target)
    tag_errors, warnings = _qa_flags(issues)
    if tag_errors:
        raise WorkflowError(_("This suggestion has tag errors: it cannot be accepted."))
    translation = _get_or_create(session, segment, language)
    if base_version is not None and translation.version != base_version:
        raise _conflict_error()
    if not _write(
        session,
        translation,
        translation.version,
        target=suggestion.target,
        state=State.TRANSLATED,
        outdated=False,
        translator_id=suggestion.author_id,
        reviewer_id=None,
        approvals=0,
        has_tag_errors=False,
        qa_warnings=warnings,
    ):
        raise _conflict_error()
    author = session.get(User, suggestion.author_id) if suggestion.author_id else None
    _revision(session, translation, target=suggestion.target, state=State.TRANSLATED,
              user=author, origin="suggestion", note=f"suggestion {suggestion.id}")
    suggestion.status = "accepted"
    suggestion.decided_at = utcnow()
    suggestion.decided_by_id = user.id
    session.flush()
    result = approve(session, translation=translation, user=user)
    result.issues = issues
    result.suggestion = suggestion
    return result


def reject_suggestion(
    session: Session, *, suggestion_id: int, user: User, reason: str = ""
) -> Suggestion:
    """A reviewer rejects a suggestion; an optional reason is left as a comment."""
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None:
        raise WorkflowError(_("Suggestion %(n)s not found.", n=suggestion_id))
    language = session.get(Language, suggestion.language_id)
    assert language is not None
    _require_reviewer(session, user, language)
    if suggestion.status != "open":
        raise WorkflowError(_("This suggestion was already decided."))
    suggestion.status = "rejected"
    suggestion.decided_at = utcnow()
    suggestion.decided_by_id = user.id
    reason = (reason or "").strip()
    if reason:
        session.add(
            Comment(
                segment_id=suggestion.segment_id,
                language_id=suggestion.language_id,
                author_id=user.id,
                body=reason,
                kind="rejection",
            )
        )
    session.flush()
    segment = session.get(Segment, suggestion.segment_id)
    record_activity(
        session,
        "rejected_suggestions",
        user=user,
        document_id=segment.document_id if segment else None,
        language_id=suggestion.language_id,
    )
    return suggestion


# ---------------------------------------------------------------- source changes


def mark_outdated(session: Session, segment: Segment) -> int:
    """Flag every translation of a segment whose source changed (text and state kept;
    the version is not bumped, so an open editor can still save). Returns rows flagged."""
    return mark_sources_changed(session, [segment.id])


def mark_sources_changed(session: Session, segment_ids: Collection[int]) -> int:
    """Flag the translations with text of many segments outdated at once (a source update);
    returns rows flagged. Empty translations have nothing that could be out of date."""
    if not segment_ids:
        return 0
    ids = set(segment_ids)
    result = session.execute(
        update(Translation)
        .where(Translation.segment_id.in_(ids), Translation.target != "")
        .values(outdated=True)
        .execution_options(synchronize_session=False)
    )
    for obj in session.identity_map.values():
        if isinstance(obj, Translation) and obj.segment_id in ids:
            session.expire(obj, ["outdated"])
    return int(result.rowcount)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- segment repair

REPAIR_ORIGIN = "repair"


def flag_split(session: Session, segment: Segment, *, user: User, note: str) -> None:
    """After a split, each translation of the first part stays with it, flagged outdated,
    its tags checked against the shorter source, with the note in its history."""
    for translation in session.scalars(
            select(Translation).where(Translation.segment_id == segment.id)
            .order_by(Translation.id)):
        if not translation.target and translation.state == State.UNTRANSLATED:
            continue
        translation.outdated = True
        translation.has_tag_errors = bool(compare_tags(segment.source, translation.target))
        translation.updated_at = utcnow()
        _revision(session, translation, target=translation.target, state=translation.state,
                  user=user, origin=REPAIR_ORIGIN, note=note)


def merge_translations(session: Session, first: Segment, second: Segment, *, merged: str,
                       user: User, note: str) -> None:
    """Before two segments become one (source `merged`), join their translations in each
    language onto the first segment; the joined text keeps the lower of the two states."""
    theirs = {t.language_id: t for t in session.scalars(
        select(Translation).where(Translation.segment_id == second.id))}
    for translation in session.scalars(
            select(Translation).where(Translation.segment_id == first.id)
            .order_by(Translation.id)):
        other = theirs.pop(translation.language_id, None)
        _merge_target(session, translation, other, user, note, merged)
    for other in theirs.values():  # languages where only the second part was translated
        if not other.target:
            continue
        translation = Translation(segment_id=first.id, language_id=other.language_id,
                                  target="", state=State.UNTRANSLATED, version=0)
        session.add(translation)
        session.flush()
        _merge_target(session, translation, other, user, note, merged)


def _merge_target(session: Session, translation: Translation, other: Translation | None,
                  user: User, note: str, source: str) -> None:
    """Append the second segment's target to the first's; the text stays the lower state."""
    texts = [t for t in (translation.target, other.target if other else "") if t.strip()]
    if not texts:
        return
    state = min(t.state for t in (translation, other) if t is not None and t.target.strip())
    if len(texts) < 2:
        state = min(state, State.DRAFT)  # half the sentence has no translation yet
    translation.target = " ".join(t.strip() for t in texts)
    translation.state = state
    translation.outdated = True
    translation.has_tag_errors = bool(compare_tags(source, translation.target))
    translation.version += 1
    translation.approvals = 0 if state < State.APPROVED else translation.approvals
    translation.updated_at = utcnow()
    if translation.translator_id is None and other is not None:
        translation.translator_id = other.translator_id
    session.flush()
    for changed in (translation, other):
        if changed is not None and changed.target:
            _revision(session, changed, target=changed.target, state=changed.state, user=user,
                      origin=REPAIR_ORIGIN, note=note)
