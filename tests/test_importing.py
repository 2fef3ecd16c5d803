"""The import service: new documents, new versions that keep translations, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_language, make_user
from tms.formats import read_document
from tms.models import (
    Activity,
    Block,
    Document,
    DocumentVersion,
    Segment,
    State,
    Translation,
)
from tms.services import importing
from tms.services.importing import DocumentImportError, import_document, parsed_block

V1 = """# Rights of workers

Everyone has the right to work. Work must be safe.

We ask for recognition. Laws must protect us.

The state must listen.

Nothing about us without us.
"""

# The heading is unchanged; "Work must be safe." edited; a paragraph inserted; "The state
# must listen." deleted; the two last paragraphs swapped (a move).
V2 = """# Rights of workers

Everyone has the right to work. Work must be safe for everyone.

A brand new paragraph appears here.

Nothing about us without us.

We ask for recognition. Laws must protect us.
"""


def _import(session: Session, text: str, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("filename", "rights.txt")
    return import_document(session, data=text.encode(), **kw)


def _segments(session: Session, doc: Document, *, archived: bool = False) -> list[Segment]:
    return list(session.scalars(
        select(Segment).where(Segment.document_id == doc.id, Segment.archived.is_(archived))
        .order_by(Segment.position)))


def _by_source(session: Session, doc: Document) -> dict[str, Segment]:
    return {s.source: s for s in session.scalars(
        select(Segment).where(Segment.document_id == doc.id))}


def _row_counts(session: Session) -> dict[str, int]:
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in (Document, DocumentVersion, Block, Segment, Translation, Activity)}


def test_new_document_stores_blocks_segments_and_version(session: Session) -> None:
    report = _import(session, V1)
    doc = report.document
    assert (report.created, report.status, report.format) == (True, "created", "text")
    assert doc.slug == "rights" and doc.title and doc.source_language == "en"
    segs = _segments(session, doc)
    assert [s.source for s in segs] == [
        "Rights of workers", "Everyone has the right to work.", "Work must be safe.",
        "We ask for recognition.", "Laws must protect us.", "The state must listen.",
        "Nothing about us without us.",
    ]
    assert [s.position for s in segs] == list(range(7))
    assert [s.index_in_block for s in segs] == [0, 0, 1, 0, 1, 0, 0]
    assert report.segments == 7 == report.new
    assert report.words == sum(s.word_count for s in segs) == 30
    assert report.blocks == 5
    blocks = session.scalars(select(Block).where(Block.version_id == report.version.id)
                             .order_by(Block.position)).all()
    assert [b.type for b in blocks] == ["heading", "paragraph", "paragraph", "paragraph",
                                        "paragraph"]
    assert blocks[0].level == 1
    assert segs[1].block_id == segs[2].block_id == blocks[1].id
    assert segs[1].sep == " " and segs[2].sep == ""
    version = report.version
    assert version.number == 1 and version.data == V1.encode() and len(version.sha256) == 64
    assert version.report["segments"] == 7
    activity = session.scalars(select(Activity)).one()
    assert (activity.verb, activity.document_id, activity.count) == ("imported", doc.id, 7)


def test_keys_hash_normalised_text_and_count_occurrences(session: Session) -> None:
    report = _import(session, "Same words.  Same words.\n\nSame\u00a0 words.\n")
    keys = [s.key for s in _segments(session, report.document)]
    base = importing.segment_key("Same words.", 0).rsplit("-", 1)[0]
    assert keys == [f"{base}-0", f"{base}-1", f"{base}-2"]
    assert len(base) == importing.KEY_HASH_CHARS
    assert importing.normalise_source("<1>Same</1>\n words. ") == "Same words."


def test_parsed_block_gives_back_what_the_reader_made(session: Session) -> None:
    data = b"# Title\n\nA line\nbroken in two. *Not markdown here.*\n"
    report = import_document(session, filename="p.txt", data=data)
    expected = read_document("p.txt", data).blocks
    rows = session.scalars(select(Block).where(Block.version_id == report.version.id)
                           .order_by(Block.position)).all()
    assert [parsed_block(b) for b in rows] == expected
    assert any(b.tags for b in expected)  # the line break is a tag: the map survived


def test_same_bytes_again_is_a_no_op(session: Session) -> None:
    first = _import(session, V1)
    before = _row_counts(session)
    again = _import(session, V1)
    assert (again.status, again.created, again.version.id) == ("unchanged", False,
                                                                first.version.id)
    assert again.unchanged == again.segments == 7 and again.new == 0
    assert _row_counts(session) == before


def test_new_version_keeps_unchanged_flags_changed_archives_removed(session: Session) -> None:
    fr = make_language(session, "fr")
    first = _import(session, V1)
    doc = first.document
    old = _by_source(session, doc)
    for source in old:
        session.add(Translation(segment_id=old[source].id, language_id=fr.id,
                                target=f"FR {source}", state=int(State.APPROVED)))
    session.flush()

    report = _import(session, V2, slug="rights")
    assert (report.status, report.created, report.version.number) == ("updated", False, 2)
    # heading, "Everyone...", "Nothing about us...", "We ask...", "Laws must..." kept
    assert (report.unchanged, report.changed, report.new, report.removed) == (5, 1, 1, 1)
    assert report.segments == 7

    now = _by_source(session, doc)
    changed = now["Work must be safe for everyone."]
    assert changed.id == old["Work must be safe."].id
    assert changed.previous_source == "Work must be safe."
    assert changed.key == importing.segment_key("Work must be safe for everyone.", 0)
    removed = now["The state must listen."]
    assert removed.archived and removed.block_id is None
    added = now["A brand new paragraph appears here."]
    assert added.id not in {s.id for s in old.values()}

    translations = {t.segment_id: t for t in session.scalars(select(Translation))}
    assert translations[changed.id].outdated is True
    assert translations[changed.id].target == "FR Work must be safe."  # kept, flagged
    assert translations[removed.id].target == "FR The state must listen."  # never deleted
    assert added.id not in translations
    for source in ("Rights of workers", "Everyone has the right to work.",
                   "Nothing about us without us.", "We ask for recognition."):
        seg = now[source]
        assert seg.id == old[source].id and not seg.archived
        assert translations[seg.id].target == f"FR {source}"
        assert translations[seg.id].outdated is False

    current = _segments(session, doc)
    assert [s.source for s in current] == [
        "Rights of workers", "Everyone has the right to work.",
        "Work must be safe for everyone.", "A brand new paragraph appears here.",
        "Nothing about us without us.", "We ask for recognition.", "Laws must protect us.",
    ]
    assert [s.position for s in current] == list(range(7))
    v2_blocks = set(session.scalars(select(Block.id).where(Block.version_id
                                                           == report.version.id)))
    assert {s.block_id for s in current} <= v2_blocks


def test_a_removed_paragraph_that_returns_gets_its_translation_back(session: Session) -> None:
    fr = make_language(session, "fr")
    doc = _import(session, V1).document
    seg = _by_source(session, doc)["The state must listen."]
    session.add(Translation(segment_id=seg.id, language_id=fr.id, target="L'État.",
                            state=int(State.TRANSLATED)))
    session.flush()
    _import(session, V1.replace("The state must listen.\n\n", ""), slug="rights")
    assert seg.archived
    report = _import(session, V1 + "\nOne more.\n", slug="rights")
    assert not seg.archived and seg.block_id is not None
    assert report.new == 1 and report.removed == 0
    assert session.scalars(select(Translation.target)
                           .where(Translation.segment_id == seg.id)).one() == "L'État."


def test_tag_only_change_keeps_the_row_but_flags_the_translation(session: Session) -> None:
    fr = make_language(session, "fr")
    doc = import_document(session, filename="t.md", data=b"Plain words here.\n",
                          slug="tags").document if _has_markdown() else None
    if doc is None:
        pytest.skip("the Markdown reader is not there yet")
    seg = _segments(session, doc)[0]
    session.add(Translation(segment_id=seg.id, language_id=fr.id, target="Mots.",
                            state=int(State.APPROVED)))
    session.flush()
    report = import_document(session, filename="t.md", data=b"Plain **words** here.\n",
                             slug="tags")
    assert (report.changed, report.unchanged, report.new) == (1, 0, 0)
    assert seg.source == "Plain <1>words</1> here." and seg.previous_source == "Plain words here."
    assert session.scalars(select(Translation.outdated)).one() is True


def _has_markdown() -> bool:
    try:
        import tms.formats.markdown  # noqa: F401
    except ModuleNotFoundError:
        return False
    return True


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"filename": "notes.rtf", "data": b"text"}, "notes.rtf"),
    ({"filename": "empty.txt", "data": b""}, "empty"),
    ({"filename": "blank.txt", "data": b"\n\n  \n"}, "no text"),
    ({"filename": "a.txt", "data": b"Hi.", "slug": "Bad Slug"}, "Bad Slug"),
    ({"filename": "a.txt", "data": b"Hi.", "slug": "-x"}, "-x"),
    ({"filename": "¿¡.txt", "data": b"Hi."}, "short name"),
    ({"filename": "a.txt", "data": b"Hi.", "source_language": "english!"}, "english!"),
    ({"filename": "fake.docx", "data": b"not a zip at all"}, "fake.docx"),
    ({"filename": "latin1.txt", "data": "caf\u00e9 cr\u00e8me".encode("latin-1")}, "UTF-8"),
    ({"filename": "image.txt", "data": b"\x89PNG\r\n\x00\x00"}, "image.txt"),
])
def test_bad_input_is_refused_in_one_sentence(session: Session, kwargs: dict,
                                              fragment: str) -> None:
    before = _row_counts(session)
    with pytest.raises(DocumentImportError) as info:
        import_document(session, **kwargs)
    message = info.value.message
    assert fragment in message
    assert "\n" not in message and "Traceback" not in message
    assert message.endswith(".")
    assert _row_counts(session) == before


def test_a_new_version_in_another_format_is_accepted_with_a_warning(session: Session) -> None:
    pytest.importorskip("tms.formats.markdown")
    _import(session, V1)
    report = import_document(session, filename="rights.md", data=V1.encode(), slug="rights")
    assert report.status == "updated" and report.format == "markdown"
    assert report.unchanged == report.segments == 7
    assert any("text" in w and "markdown" in w for w in report.warnings)


def test_a_new_version_cannot_change_the_source_language(session: Session) -> None:
    _import(session, V1, source_language="fr")
    assert _import(session, V1 + "\nMore.\n", slug="rights").document.source_language == "fr"
    with pytest.raises(DocumentImportError, match="source language"):
        _import(session, V2, slug="rights", source_language="de")


def test_title_and_progress(session: Session) -> None:
    calls: list[tuple[int, int]] = []
    text = "\n\n".join(f"Paragraph number {i}." for i in range(60))
    report = import_document(session, filename="long_notes.txt", data=text.encode(),
                             title="  Long   notes ", progress=lambda d, t: calls.append((d, t)))
    assert report.document.title == "Long notes"
    assert report.document.slug == "long-notes"
    assert calls[-1] == (60, 60)
    assert len(calls) >= 3 and all(t == 60 for _d, t in calls)
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)


def test_exact_memory_matches_prefill_drafts_for_the_importer(session: Session) -> None:
    memory = pytest.importorskip("tms.services.memory")
    pytest.importorskip("tms.services.workflow")
    fr = make_language(session, "fr")
    make_language(session, "de")
    admin = make_user(session, "boss", is_admin=True)
    memory.remember(session, source="Nothing about us without us.",
                    target="Rien sur nous sans nous.", source_language="en",
                    target_language="fr", origin="tmx: old.tmx")
    report = _import(session, V1, user=admin)
    assert report.prefilled == 1
    translation = session.scalars(select(Translation)).one()
    assert (translation.language_id, translation.target, translation.state) == (
        fr.id, "Rien sur nous sans nous.", int(State.DRAFT))
    assert translation.translator_id == admin.id
    # without a user (the command line) nothing is written in anyone's name
    other = _import(session, V1, filename="copy.txt")
    assert other.prefilled == 0


def test_code_blocks_are_stored_but_not_segmented(session: Session) -> None:
    pytest.importorskip("tms.formats.markdown")
    data = b"# Setup\n\nRun this command.\n\n```\nmake install\n```\n"
    report = import_document(session, filename="setup.md", data=data)
    rows = session.scalars(select(Block).where(Block.version_id == report.version.id)
                           .order_by(Block.position)).all()
    assert [b.type for b in rows] == ["heading", "paragraph", "code"]
    assert [s.source for s in _segments(session, report.document)] == ["Setup",
                                                                       "Run this command."]
    code = parsed_block(rows[2])
    assert (code.translatable, code.text, code.attrs.get("translatable")) == (
        False, "make install", None)
    assert parsed_block(rows[1]).translatable is True


TRANSLATED_CATALOGUE = r'''msgid ""
msgstr ""
"Language: fr\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

msgctxt "menu"
msgid "Open"
msgstr "Ouvrir"

#, python-format
msgid "%(num)s file"
msgid_plural "%(num)s files"
msgstr[0] "%(num)s fichier"
msgstr[1] "%(num)s fichiers"

#, fuzzy
msgid "Close"
msgstr "Fermer peut-être"

msgid "Untranslated"
msgstr ""
'''.encode()


def test_a_translated_po_catalogue_keeps_its_translations_in_the_memory(session):
    from tms.formats.po import PLURAL_SEPARATOR
    from tms.models import Block, MemoryUnit

    report = import_document(session, filename="app.po", data=TRANSLATED_CATALOGUE,
                             kind="interface")
    units = {u.source: u for u in session.scalars(select(MemoryUnit))}
    assert set(units) == {"Open", "%(num)s file" + PLURAL_SEPARATOR + "%(num)s files"}
    assert units["Open"].target == "Ouvrir" and units["Open"].target_language == "fr"
    assert not units["Open"].approved
    assert units["%(num)s file" + PLURAL_SEPARATOR + "%(num)s files"].target == (
        "%(num)s fichier" + PLURAL_SEPARATOR + "%(num)s fichiers")
    assert report.remembered == 2
    assert any("2 translations into fr" in w and "1 fuzzy" in w for w in report.warnings)
    attrs = {b.source: b.attrs for b in session.scalars(select(Block))}
    assert attrs["Open"]["msgctxt"] == "menu"
    assert attrs["%(num)s file" + PLURAL_SEPARATOR + "%(num)s files"]["flags"] == [
        "python-format"]
