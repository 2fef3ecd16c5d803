"""Fill untranslated segments automatically: copy the source, pseudo-translate, or reuse memory.

Everything goes through tms.services.workflow.save_translation with origin "pretranslate",
so history, QA and locking work as for a person typing. Only segments nobody has written
anything for are touched. Copy and pseudo text is saved as "translated" (awaiting review:
it exists to test layouts and round trips, never to be approved unseen); memory matches are
saved as drafts for a translator to check.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tms.i18n import _
from tms.inline import compare_tags
from tms.models import Block, Document, Language, Segment, State, Translation, User
from tms.pseudo_locale import pseudo_translate
from tms.services import memory, workflow
from tms.services.errors import ServiceError
from tms.services.exporting import latest_version

MODES = ("copy", "pseudo", "memory")


class PretranslateError(ServiceError):
    """A pretranslation that cannot run, with one translatable sentence saying why."""


def _open_segments(session: Session, document: Document,
                   language: Language) -> list[tuple[Segment, Translation | None]]:
    """Live segments of the latest version that nobody has written anything for."""
    version = latest_version(session, document)
    rows = session.execute(
        select(Segment, Translation)
        .join(Block, Segment.block_id == Block.id)
        .outerjoin(
            Translation,
            (Translation.segment_id == Segment.id) & (Translation.language_id == language.id),
        )
        .where(Block.version_id == version.id, Segment.archived.is_(False))
        .order_by(Block.position, Segment.index_in_block)
    ).all()
    return [
        (seg, t) for seg, t in rows
        if t is None or (t.state == State.UNTRANSLATED and not t.target)
    ]


def _memory_target(session: Session, document: Document, language: Language,
                   segment: Segment) -> str | None:
    """The target of an exact (100%) memory match whose tags fit this segment, if any."""
    for match in memory.lookup(session, segment.source, source_language=document.source_language,
                               target_language=language.code, limit=3, threshold=100):
        if match.score >= 100 and match.target and not compare_tags(segment.source, match.target):
            return match.target
    return None


def pretranslate(
    session: Session,
    document: Document,
    language: Language,
    mode: str,
    *,
    user: User,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Fill untranslated segments (copy, pseudo or memory); returns how many were saved."""
    if mode not in MODES:
        raise PretranslateError(
            _("Unknown pretranslation mode “%(mode)s”; use copy, pseudo or memory.", mode=mode)
        )
    todo = _open_segments(session, document, language)
    saved = 0
    for i, (segment, translation) in enumerate(todo, start=1):
        if mode == "copy":
            target: str | None = segment.source
            state = State.TRANSLATED
        elif mode == "pseudo":
            target = pseudo_translate(segment.source)
            state = State.TRANSLATED
        else:
            target = _memory_target(session, document, language, segment)
            state = State.DRAFT
        if target:
            result = workflow.save_translation(
                session,
                segment=segment,
                language=language,
                user=user,
                target=target,
                state=state,
                base_version=translation.version if translation is not None else 0,
                origin="pretranslate",
            )
            if result.status == "saved":
                saved += 1
        if progress is not None:
            progress(i, len(todo))
    return saved
