"""The data model: documents cut into segments, translations with history, people and roles.

Glossary of the domain (after translate-toolkit's TranslationUnit):
- source: the text to translate, with inline tags (<1>..</1>, <2/>; see tms.inline).
- target: the translated text, with the same tags in any order.
- segment: one sentence-sized unit of a block (paragraph, heading, cell, footnote...).
- state: how far a translation has come (State, ordered).
- outdated: the source changed after the target was written (a flag, not a state).
- memory: pairs of approved source and target text, reused by similarity.
- glossary: terms with their agreed translations.
- edition: a published, immutable, numbered set of export files.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.types import TypeDecorator

from tms.i18n import N_, _
from tms.orm import Base


def utcnow() -> datetime:
    """Timezone-aware now in UTC."""
    return datetime.now(UTC)


class State(enum.IntEnum):
    """Ordered translation states: compare with >= ("translated or better")."""

    UNTRANSLATED = 0
    NEEDS_WORK = 10  # sent back by a reviewer
    DRAFT = 20
    TRANSLATED = 30  # awaiting review
    APPROVED = 40

    @property
    def slug(self) -> str:
        """Stable lower-case name used in URLs, JSON and CSS classes."""
        return self.name.lower()

    @property
    def label(self) -> str:
        """The state's name for people, in the interface language."""
        return _(_STATE_LABELS[self])


# The one set of names for the states: badges, queues, messages and exports all use these.
_STATE_LABELS: dict[State, str] = {
    State.UNTRANSLATED: N_("Untranslated"),
    State.NEEDS_WORK: N_("Sent back"),
    State.DRAFT: N_("Draft"),
    State.TRANSLATED: N_("Awaiting review"),
    State.APPROVED: N_("Approved"),
}


class StateType(TypeDecorator[State]):
    """An integer column read back as a State, so code never casts what it loads."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> int | None:
        """Store the state's number."""
        return None if value is None else int(value)

    def process_result_value(self, value: int | None, dialect: Dialect) -> State | None:
        """Read the number back as a State."""
        return None if value is None else State(value)


class Role(enum.StrEnum):
    """Per-language roles; global roles are flags on User."""

    TRANSLATOR = "translator"
    REVIEWER = "reviewer"


class Language(Base):
    """A target (or source) language and its review policy."""

    __tablename__ = "language"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(35), unique=True)  # BCP 47
    name: Mapped[str] = mapped_column(String(100))
    native_name: Mapped[str] = mapped_column(String(100), default="")
    direction: Mapped[str] = mapped_column(String(3), default="ltr")
    plural_forms: Mapped[str] = mapped_column(String(200), default="nplurals=2; plural=(n != 1);")
    allow_self_review: Mapped[bool] = mapped_column(Boolean, default=False)
    approvals_required: Mapped[int] = mapped_column(Integer, default=1)
    team_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """A volunteer, known by a pseudonym; e-mail is optional."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str | None] = mapped_column(String(80), unique=True)  # None once deleted
    password_hash: Mapped[str] = mapped_column(String(256), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_publisher: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(35))
    # Bumped by "log out everywhere" and password changes; part of the login cookie id.
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    credit_name: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        """The pseudonym, or a neutral label once the account is deleted."""
        return self.pseudonym or "former volunteer"


class Membership(Base):
    """A user's role in one language team."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "language_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    language_id: Mapped[int] = mapped_column(ForeignKey("language.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))  # Role value
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    language: Mapped[Language] = relationship()


class Invite(Base):
    """A single-use, expiring sign-up link; only the token's hash is stored."""

    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # translator, reviewer, publisher, admin
    language_id: Mapped[int | None] = mapped_column(ForeignKey("language.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    language: Mapped[Language | None] = relationship()


class Document(Base):
    """A source document (or the interface's own strings, kind "interface")."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    source_language: Mapped[str] = mapped_column(String(35), default="en")
    kind: Mapped[str] = mapped_column(String(20), default="document")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number", cascade="all, delete-orphan"
    )


class DocumentVersion(Base):
    """One imported file; its bytes are kept because the DOCX export clones them."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    document: Mapped[Document] = relationship(back_populates="versions")
    blocks: Mapped[list[Block]] = relationship(
        back_populates="version", order_by="Block.position", cascade="all, delete-orphan"
    )


class Block(Base):
    """A paragraph-level unit of a version: heading, paragraph, list item, cell, footnote..."""

    __tablename__ = "block"
    __table_args__ = (Index("ix_block_version_position", "version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(30))
    level: Mapped[int | None] = mapped_column(Integer)
    locator: Mapped[str] = mapped_column(String(255))  # where in the file (format-specific)
    context: Mapped[str] = mapped_column(Text, default="")  # heading path, for translators
    numbering: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(Text)  # the block's whole tagged text
    tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    version: Mapped[DocumentVersion] = relationship(back_populates="blocks")
    segments: Mapped[list[Segment]] = relationship(
        back_populates="block", order_by="Segment.position"
    )


class Segment(Base):
    """A sentence-level translation unit; its key survives re-imports of unchanged text."""

    __tablename__ = "segment"
    __table_args__ = (
        UniqueConstraint("document_id", "key"),
        Index("ix_segment_document_position", "document_id", "position"),
        # export/publish join segment to block by version; block deletes SET NULL through it
        Index("ix_segment_block", "block_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    block_id: Mapped[int | None] = mapped_column(ForeignKey("block.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)  # order in the document
    index_in_block: Mapped[int] = mapped_column(Integer, default=0)
    key: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    sep: Mapped[str] = mapped_column(String(20), default="")  # white space after it in the block
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    previous_source: Mapped[str | None] = mapped_column(Text)  # before the last source update
    archived: Mapped[bool] = mapped_column(Boolean, default=False)  # gone from the source
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    document: Mapped[Document] = relationship()
    block: Mapped[Block | None] = relationship(back_populates="segments")


class Translation(Base):
    """The current target of one segment in one language."""

    __tablename__ = "translation"
    __table_args__ = (
        UniqueConstraint("segment_id", "language_id"),
        Index("ix_translation_language_state", "language_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))
    language_id: Mapped[int] = mapped_column(ForeignKey("language.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[State] = mapped_column(StateType, default=State.UNTRANSLATED)
    version: Mapped[int] = mapped_column(Integer, default=0)  # optimistic locking counter
    outdated: Mapped[bool] = mapped_column(Boolean, default=False)
    translator_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    approvals: Mapped[int] = mapped_column(Integer, default=0)
    has_tag_errors: Mapped[bool] = mapped_column(Boolean, default=False)
    qa_warnings: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    segment: Mapped[Segment] = relationship()
    language: Mapped[Language] = relationship()
    translator: Mapped[User | None] = relationship(foreign_keys=[translator_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    @validates("state")
    def _as_state(self, _key: str, value: int) -> State:
        # A number assigned in Python is a State at once, not only after a reload.
        return State(value)


# The origin of a revision that only records a review decision (its text is the approved
# one); every other origin brings a text of its own.
REVIEW_ORIGIN = "review"


class Revision(Base):
    """Append-only history of a translation: every text and state it ever had."""

    __tablename__ = "revision"
    __table_args__ = (Index("ix_revision_translation", "translation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(ForeignKey("translation.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(Text)
    state: Mapped[State] = mapped_column(StateType)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # editor, import, memory, alignment, revert, review, suggestion, conflict, pretranslate
    origin: Mapped[str] = mapped_column(String(20), default="editor")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    author: Mapped[User | None] = relationship()

    @validates("state")
    def _as_state(self, _key: str, value: int) -> State:
        # A number assigned in Python is a State at once, not only after a reload.
        return State(value)


class Approval(Base):
    """One reviewer's approval of one revision (a language may require two)."""

    __tablename__ = "approval"
    __table_args__ = (UniqueConstraint("translation_id", "reviewer_id", "revision_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(ForeignKey("translation.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Suggestion(Base):
    """A proposed target beside an approved one (or an offline upload that conflicted)."""

    __tablename__ = "suggestion"
    __table_args__ = (Index("ix_suggestion_segment_language", "segment_id", "language_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))
    language_id: Mapped[int] = mapped_column(ForeignKey("language.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, accepted, rejected
    origin: Mapped[str] = mapped_column(String(20), default="editor")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class Comment(Base):
    """A thread message on a segment in one language; rejections are comments too."""

    __tablename__ = "comment"
    __table_args__ = (Index("ix_comment_segment_language", "segment_id", "language_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"))
    language_id: Mapped[int] = mapped_column(ForeignKey("language.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="comment")  # comment, rejection
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class GlossaryTerm(Base):
    """A term and its agreed translation for one language pair."""

    __tablename__ = "glossary_term"
    __table_args__ = (Index("ix_glossary_langs", "source_language", "language_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_language: Mapped[str] = mapped_column(String(35), default="en")
    language_id: Mapped[int] = mapped_column(ForeignKey("language.id", ondelete="CASCADE"))
    source_term: Mapped[str] = mapped_column(String(300))
    target_term: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    forbidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # TBX usage status of the target term: preferred, admitted, deprecated, superseded, or
    # "" when the file said nothing (forbidden stays the flag the editor warns on).
    status: Mapped[str] = mapped_column(String(20), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    language: Mapped[Language] = relationship()


class MemoryUnit(Base):
    """A source/target pair in the translation memory."""

    __tablename__ = "memory_unit"
    __table_args__ = (
        Index("ix_memory_lookup", "source_language", "target_language", "source_hash"),
        Index("ix_memory_length", "source_language", "target_language", "source_length"),
        Index("ix_memory_updated", "updated_at"),
        Index("ix_memory_segment", "segment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_language: Mapped[str] = mapped_column(String(35))
    target_language: Mapped[str] = mapped_column(String(35))
    source: Mapped[str] = mapped_column(Text)  # tagged
    target: Mapped[str] = mapped_column(Text)  # tagged
    source_plain: Mapped[str] = mapped_column(Text)  # tags stripped, for matching
    source_hash: Mapped[str] = mapped_column(String(64))
    source_length: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(300), default="")  # "doc-slug #key", "tmx: file"
    approved: Mapped[bool] = mapped_column(Boolean, default=True)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Edition(Base):
    """A published, immutable, numbered snapshot of one document in one language."""

    __tablename__ = "edition"
    __table_args__ = (UniqueConstraint("document_id", "language_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    language_id: Mapped[int] = mapped_column(ForeignKey("language.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    include: Mapped[str] = mapped_column(String(20), default="approved")
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    files: Mapped[list[EditionFile]] = relationship(
        back_populates="edition", cascade="all, delete-orphan"
    )
    document: Mapped[Document] = relationship()
    language: Mapped[Language] = relationship()


class EditionFile(Base):
    """One file of an edition, stored byte for byte with its checksum."""

    __tablename__ = "edition_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("edition.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)

    edition: Mapped[Edition] = relationship(back_populates="files")


class Notification(Base):
    """An in-app message for one user (no e-mail needed)."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))  # sent_back, comment, document_updated
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginThrottle(Base):
    """Recent failed logins per account or per (hashed, truncated) address; short-lived."""

    __tablename__ = "login_throttle"

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(80), index=True)  # "user:<id>" or "addr:<hash>"
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Activity(Base):
    """What happened, for the dashboard's recent activity (no text, no addresses)."""

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    verb: Mapped[str] = mapped_column(String(30))  # translated, approved, sent_back, imported...
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    language_id: Mapped[int | None] = mapped_column(ForeignKey("language.id", ondelete="CASCADE"))
    count: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User | None] = relationship()
    document: Mapped[Document | None] = relationship()
    language: Mapped[Language | None] = relationship()


class AlignmentRun(Base):
    """An existing translation file aligned with a document: a proposal to confirm."""

    __tablename__ = "alignment_run"
    __table_args__ = (Index("ix_alignment_run_document_language", "document_id", "language_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_version.id", ondelete="SET NULL")
    )
    language_id: Mapped[int] = mapped_column(ForeignKey("language.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, done
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # ratio, counts

    document: Mapped[Document] = relationship()
    language: Mapped[Language] = relationship()
    pairs: Mapped[list[AlignmentPair]] = relationship(
        back_populates="run", order_by="AlignmentPair.position", cascade="all, delete-orphan"
    )


class AlignmentPair(Base):
    """Source segments and the target sentences proposed for them."""

    __tablename__ = "alignment_pair"
    __table_args__ = (Index("ix_alignment_pair_run_position", "run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("alignment_run.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    segment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    target: Mapped[list[list[str]]] = mapped_column(JSON, default=list)  # [[sentence, sep]]
    score: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(20), default="proposed")  # confirmed, rejected
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    run: Mapped[AlignmentRun] = relationship(back_populates="pairs")


class AlignmentEvent(Base):
    """What was done to a proposal (edits, confirmations, rejections), append-only."""

    __tablename__ = "alignment_event"
    __table_args__ = (Index("ix_alignment_event_run", "run_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("alignment_run.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))  # proposed, confirmed, rejected, moved...
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
