"""Offline round trip, segment repair and update report pages, through the browser's requests."""

from __future__ import annotations

import io

import polib
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import login, make_document, make_language, make_user
from tms.models import Document, Segment, State, Suggestion, Translation
from tms.services import importing, workflow

SOURCES = ["We, sex workers, declare our rights.",
           "Everyone has the right to <1>life</1>.",
           "See the note.<2/>"]


@pytest.fixture
def doc(session: Session) -> Document:
    make_language(session, "fr")
    make_language(session, "de")
    make_user(session, "ana", roles={"fr": "translator"})
    make_user(session, "rita", roles={"fr": "reviewer"})
    document = make_document(session, sources=SOURCES)
    session.commit()
    return document


def segments(session: Session, doc: Document) -> list[Segment]:
    session.expire_all()
    return list(session.scalars(select(Segment).where(
        Segment.document_id == doc.id, Segment.archived.is_(False)).order_by(Segment.position)))


def download(client: FlaskClient, fmt: str = "po") -> bytes:
    resp = client.get(f"/offline/declaration/fr/download/{fmt}")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert "attachment" in resp.headers["Content-Disposition"]
    return resp.data


def edit_po(data: bytes, changes: dict[str, str]) -> bytes:
    catalogue = polib.pofile(data.decode("utf-8") + "\n")
    for entry in catalogue:
        if entry.msgctxt in changes:
            entry.msgstr = changes[entry.msgctxt]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    return str(catalogue).encode("utf-8")


def upload(client: FlaskClient, data: bytes, name: str = "declaration.fr.po",
           state: str = "translated"):  # type: ignore[no-untyped-def]
    return client.post("/offline/declaration/fr", data={
        "file": (io.BytesIO(data), name), "state": state}, content_type="multipart/form-data")


def test_form_links_both_formats(client, doc):
    login(client, "ana")
    page = client.get("/offline/declaration/fr").get_data(as_text=True)
    assert "/offline/declaration/fr/download/po" in page
    assert "/offline/declaration/fr/download/xliff" in page
    assert 'name="csrf_token"' in page
    assert "(such as &lt;1&gt;…&lt;/1&gt;)" in page


@pytest.mark.parametrize(("state", "expected"), [("translated", State.TRANSLATED),
                                                 ("draft", State.DRAFT)])
def test_round_trip_saves_changed_texts_in_the_chosen_state(client, session, doc, state,
                                                           expected):
    login(client, "ana")
    segs = segments(session, doc)
    data = edit_po(download(client), {segs[0].key: "Nous, travailleuses du sexe, déclarons."})
    resp = upload(client, data, state=state)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "1 updated" in page and "2 unchanged" in page
    t = workflow.get_translation(session, segs[0].id, make_language(session, "fr").id)
    assert t is not None and t.target == "Nous, travailleuses du sexe, déclarons."
    assert t.state == expected


def test_xliff_round_trip_through_the_page(client, session, doc):
    from lxml import etree

    from tms.formats import xliff

    login(client, "ana")
    segs = segments(session, doc)
    root = etree.fromstring(download(client, "xliff"))
    for tu in root.iter(f"{{{xliff.NS}}}trans-unit"):
        if tu.get("id") == segs[1].key:
            old = tu.find(f"{{{xliff.NS}}}target")
            if old is not None:
                tu.remove(old)
            target = etree.Element(f"{{{xliff.NS}}}target", state="translated")
            tu.find(f"{{{xliff.NS}}}source").addnext(target)
            xliff.fill_inline(target, "Chacun a droit à la <1>vie</1>.", {})
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    page = upload(client, data, name="declaration.fr.xlf").get_data(as_text=True)
    assert "1 updated" in page
    t = workflow.get_translation(session, segs[1].id, make_language(session, "fr").id)
    assert t.target == "Chacun a droit à la <1>vie</1>." and t.state == State.TRANSLATED


def test_a_text_changed_online_becomes_a_suggestion_shown_beside_the_online_one(
        client, session, doc):
    login(client, "ana")
    segs = segments(session, doc)
    exported = download(client)
    fr = make_language(session, "fr")
    rita = session.scalar(select(workflow.User).where(workflow.User.pseudonym == "rita"))
    workflow.save_translation(session, segment=segs[0], language=fr, user=rita,
                              target="Texte en ligne.", state=State.TRANSLATED, base_version=0)
    session.commit()
    page = upload(client, edit_po(exported, {segs[0].key: "Texte hors ligne."})).get_data(
        as_text=True)
    assert "Filed as suggestions (1)" in page
    assert "Texte en ligne." in page and "Texte hors ligne." in page
    session.expire_all()
    assert workflow.get_translation(session, segs[0].id, fr.id).target == "Texte en ligne."
    assert session.scalar(select(Suggestion.target)) == "Texte hors ligne."


def test_tag_problems_are_skipped_with_the_line_in_the_file(client, session, doc):
    login(client, "ana")
    segs = segments(session, doc)
    data = edit_po(download(client), {segs[1].key: "Chacun a droit à la vie."})
    lines = data.decode().splitlines()
    ctxt = next(i for i, text in enumerate(lines) if text.startswith("msgctxt")
                and segs[1].key in text)
    # the entry starts after the blank line before it (its comments come first)
    start = max(i for i in range(ctxt) if not lines[i].strip()) + 2
    page = upload(client, data).get_data(as_text=True)
    assert "Skipped (1)" in page and "tag problems" in page
    assert f"<td>{start}</td>" in page
    assert session.scalar(select(func.count(Translation.id))) == 0


@pytest.mark.parametrize(("name", "data", "message"), [
    ("notes.txt", b"hello", "neither a PO nor an XLIFF file"),
    ("broken.po", b'msgid "unterminated\n', "cannot be read"),
])
def test_a_bad_file_is_refused_in_one_sentence(client, session, doc, name, data, message):
    login(client, "ana")
    resp = upload(client, data, name=name)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert session.scalar(select(func.count(Translation.id))) == 0


def test_a_file_for_another_language_is_refused(client, session, doc):
    login(client, "ana")
    data = download(client).replace(b"Language: fr", b"Language: de")
    resp = upload(client, data)
    assert resp.status_code == 400 and "nothing was imported" in resp.get_data(as_text=True)


def test_upload_needs_the_csrf_token(csrf_app, session, doc):
    client = csrf_app.test_client()
    login(client, "ana")
    resp = upload(client, b'msgid ""\nmsgstr ""\n')
    assert resp.status_code == 400


def test_unknown_document_or_source_language_is_404(client, doc):
    login(client, "ana")
    assert client.get("/offline/nope/fr").status_code == 404
    assert client.get("/offline/declaration/en").status_code == 404
    assert client.get("/offline/declaration/fr/download/docx").status_code == 404


# ------------------------------------------------------------------------ repair pages


def test_reviewer_splits_a_segment_from_the_repair_page(client, session, doc):
    login(client, "rita")
    seg = segments(session, doc)[0]
    page = client.get(f"/repair/declaration/{seg.id}?lang=fr").get_data(as_text=True)
    assert 'value="4"' in page  # "We," | "sex workers, ..."
    resp = client.post(f"/repair/declaration/{seg.id}",
                       data={"action": "split", "offset": "4", "lang": "fr"})
    assert resp.status_code == 302 and "/translate/declaration/fr" in resp.headers["Location"]
    texts = [s.source for s in segments(session, doc)]
    assert texts[:2] == ["We,", "sex workers, declare our rights."]


def test_merge_with_no_neighbour_explains_and_changes_nothing(client, session, doc):
    login(client, "rita")
    seg = segments(session, doc)[0]
    resp = client.post(f"/repair/declaration/{seg.id}", data={"action": "merge"},
                       follow_redirects=True)
    assert "nothing to merge it with" in resp.get_data(as_text=True)
    assert len(segments(session, doc)) == 3


def test_translators_may_not_repair(client, session, doc):
    login(client, "ana")
    seg = segments(session, doc)[0]
    assert client.get(f"/repair/declaration/{seg.id}").status_code == 403
    assert client.post(f"/repair/declaration/{seg.id}",
                       data={"action": "split", "offset": "4"}).status_code == 403


# ------------------------------------------------------------------------ update report


def test_update_report_page_shows_the_teams_rows(client, session):
    make_language(session, "fr")
    make_language(session, "de")
    make_user(session, "ana", roles={"fr": "translator"})
    importing.import_document(session, filename="rights.md", data=b"We work.\n\nWe rest.\n")
    importing.import_document(session, filename="rights.md", slug="rights",
                              data=b"We work.\n\nWe vote.\n")
    session.commit()
    login(client, "ana")
    page = client.get("/updates/rights/2").get_data(as_text=True)
    assert "French" in page and "German" not in page
    assert client.get("/updates/rights/9").status_code == 404


def test_editor_links_to_offline_and_repair_pages_by_role(client, session, doc):
    seg = segments(session, doc)[0]
    repair = f"/repair/declaration/{seg.id}?lang=fr"
    login(client, "ana")
    page = client.get("/translate/declaration/fr").get_data(as_text=True)
    assert "/offline/declaration/fr" in page and repair not in page
    client.post("/logout")
    login(client, "rita")
    page = client.get("/translate/declaration/fr").get_data(as_text=True)
    assert repair in page


def test_admin_import_of_a_new_version_links_to_the_update_report(client, session):
    make_language(session, "fr")
    make_user(session, "boss", is_admin=True)
    session.commit()
    login(client, "boss")
    for text in (b"We work.\n\nWe rest.\n", b"We work.\n\nWe vote.\n"):
        resp = client.post("/admin/documents", data={
            "file": (io.BytesIO(text), "rights.md"), "slug": "rights"},
            content_type="multipart/form-data")
    page = resp.get_data(as_text=True)
    assert "/updates/rights/2" in page
    report = client.get("/updates/rights/2").get_data(as_text=True)
    assert "French" in report and "Per language" in report


@pytest.mark.clients
def test_living_document_pages_are_valid_html(client, session, doc, tmp_path):
    """Offline, report, repair, update, memory and glossary pages pass the Nu HTML Checker."""
    from tests.clients import vnu_check
    from tms.models import GlossaryTerm
    from tms.services import memory

    fr = make_language(session, "fr")
    session.add(GlossaryTerm(language_id=fr.id, source_term="rights", target_term="droits"))
    memory.remember(session, source="We declare our rights.", target="Nous déclarons nos droits.",
                    source_language="en", target_language="fr", origin="x")
    importing.import_document(session, filename="rights.md", data=b"We work.\n\nWe rest.\n")
    importing.import_document(session, filename="rights.md", slug="rights",
                              data=b"We work.\n\nWe vote.\n")
    session.commit()
    login(client, "rita")
    seg = segments(session, doc)[0]
    data = edit_po(download(client), {seg.key: "Nous déclarons."})
    pages = {
        "offline": client.get("/offline/declaration/fr").get_data(as_text=True),
        "report": upload(client, data).get_data(as_text=True),
        "repair": client.get(f"/repair/declaration/{seg.id}?lang=fr").get_data(as_text=True),
        "updates": client.get("/updates/rights/2").get_data(as_text=True),
        "updates-old": client.get("/updates/rights/1").get_data(as_text=True),
        "memory": client.get("/memory?source=en&target=fr&q=rights").get_data(as_text=True),
        "glossary": client.get("/glossary/fr").get_data(as_text=True),
    }
    paths = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        paths.append(path)
    result = vnu_check(paths)
    assert result.returncode == 0, result.stderr + result.stdout
