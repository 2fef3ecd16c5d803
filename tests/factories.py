"""Test factories with keyword overrides (CTFd's gen_* style), building rows directly."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from tms.inline import strip_tags
from tms.models import Block, Document, DocumentVersion, Language, Membership, Segment, User

PASSWORD = "correct horse battery staple"
_HASH = generate_password_hash(PASSWORD)  # hashed once: scrypt is slow on purpose


def make_language(session: Session, code: str = "fr", **kw: Any) -> Language:
    """A language (reused if the code exists)."""
    found = session.scalar(select(Language).where(Language.code == code))
    if found:
        return found
    names = {"fr": ("French", "français"), "de": ("German", "Deutsch"),
             "ru": ("Russian", "русский"), "uk": ("Ukrainian", "українська"),
             "ar": ("Arabic", "العربية"), "es": ("Spanish", "español")}
    name, native = names.get(code, (code, code))
    lang = Language(code=code, name=kw.pop("name", name), native_name=kw.pop("native_name", native),
                    direction=kw.pop("direction", "rtl" if code in ("ar", "he", "fa") else "ltr"),
                    **kw)
    session.add(lang)
    session.flush()
    return lang


def make_user(session: Session, pseudonym: str = "ana", *, roles: dict[str, str] | None = None,
              password: str | None = None, **kw: Any) -> User:
    """A user; roles maps language code -> translator|reviewer."""
    user = User(pseudonym=pseudonym,
                password_hash=generate_password_hash(password) if password else _HASH, **kw)
    session.add(user)
    session.flush()
    for code, role in (roles or {}).items():
        session.add(Membership(user_id=user.id, language_id=make_language(session, code).id,
                               role=role))
    session.flush()
    return user


def make_document(session: Session, slug: str = "declaration", *,
                  sources: list[str] | None = None, title: str = "Sample declaration",
                  block_type: str = "paragraph", **kw: Any) -> Document:
    """A document with one block per source string and one segment per block."""
    sources = sources or ["We, sex workers, declare our rights.",
                          "Everyone has the right to <1>life</1>.",
                          "See the note.<2/>"]
    doc = Document(slug=slug, title=title, **kw)
    session.add(doc)
    session.flush()
    version = DocumentVersion(document_id=doc.id, number=1, filename=f"{slug}.txt",
                              format="text", data=b"", sha256="0" * 64)
    session.add(version)
    session.flush()
    for i, src in enumerate(sources):
        block = Block(version_id=version.id, position=i, type=block_type, locator=f"p{i}",
                      source=src, tags={"1": {"kind": "bold", "paired": True, "data": {},
                                              "label": "bold"},
                                        "2": {"kind": "footnote_ref", "paired": False,
                                              "data": {"note": "1"}, "label": "footnote 1"}})
        session.add(block)
        session.flush()
        key = hashlib.sha256(src.encode()).hexdigest()[:16] + "-0"
        session.add(Segment(document_id=doc.id, block_id=block.id, position=i, key=key,
                            source=src, word_count=len(strip_tags(src).split())))
    session.flush()
    return doc


def login(client: Any, pseudonym: str = "ana", password: str = PASSWORD) -> Any:
    """Log a test client in through the real form."""
    return client.post("/login", data={"pseudonym": pseudonym, "password": password},
                       follow_redirects=False)
