"""The publish pages: access, what is finished, downloads, editions byte for byte."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login, make_document, make_language, make_user
from tms.models import Edition, Segment, State, Translation


@pytest.fixture
def published(session: Session) -> dict[str, object]:
    """A document with 1 of 3 segments approved in French, and people in every role."""
    fr = make_language(session, "fr")
    make_language(session, "en", name="English")
    document = make_document(session)
    segs = list(session.scalars(select(Segment).order_by(Segment.position)))
    author = make_user(session, "translator-ana", roles={"fr": "translator"})
    session.add(Translation(segment_id=segs[0].id, language_id=fr.id, state=int(State.APPROVED),
                            target="Nous, travailleuses du sexe, <b>&amp;</b> nos droits.",
                            translator_id=author.id))
    session.add(Translation(segment_id=segs[1].id, language_id=fr.id,
                            state=int(State.TRANSLATED), target="Le droit à la <1>vie</1>."))
    make_user(session, "pub", is_publisher=True)
    make_user(session, "boss", is_admin=True)
    make_user(session, "reviewer-bo", roles={"fr": "reviewer"})
    session.commit()
    return {"slug": document.slug}


def test_anonymous_is_sent_to_login(client, published):
    resp = client.get("/publish/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    resp = client.get("/publish/declaration/fr/export?format=po")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


@pytest.mark.parametrize("url", [
    "/publish/",
    "/publish/declaration",
    "/publish/declaration/fr/export?format=po",
])
@pytest.mark.parametrize("who", ["translator-ana", "reviewer-bo"])
def test_translators_and_reviewers_are_refused(client, published, url, who):
    login(client, who)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("who", ["pub", "boss"])
def test_publishers_and_admins_see_what_is_finished(client, published, who):
    login(client, who)
    index = client.get("/publish/")
    assert index.status_code == 200
    assert "1 of 3 segments approved; 2 would stay in English." in index.text
    page = client.get("/publish/declaration")
    assert page.status_code == 200
    assert "1 of 3 segments approved; 2 would stay in English." in page.text
    for fmt in ("html", "po", "xliff", "tmx"):
        assert f'value="{fmt}"' in page.text
    assert 'value="docx"' not in page.text  # a text import has no layout to print
    assert 'name="include"' in page.text and 'name="untranslated"' in page.text
    assert "translator-ana" not in page.text


@pytest.mark.parametrize("url", [
    "/publish/nope",
    "/publish/nope/fr/export?format=po",
    "/publish/declaration/xx/export?format=po",
    "/publish/editions/999/po",
])
def test_unknown_things_are_404(client, published, url):
    login(client, "pub")
    assert client.get(url).status_code == 404


def test_export_is_a_download_with_a_safe_name(client, published):
    login(client, "pub")
    resp = client.get("/publish/declaration/fr/export?format=html&include=approved"
                      "&untranslated=source")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == 'attachment; filename="declaration.fr.html"'
    assert "Nous, travailleuses du sexe" in resp.text
    assert "Le droit" not in resp.text  # awaiting review stays out by default
    assert "<b>" not in resp.text  # the translator's markup is text, escaped
    resp = client.get("/publish/declaration/fr/export?format=html&include=translated")
    assert "Le droit" in resp.text


def test_refused_export_explains_itself_on_the_page(client, published):
    login(client, "pub")
    resp = client.get("/publish/declaration/fr/export?format=html&untranslated=refuse",
                      follow_redirects=True)
    assert resp.status_code == 200
    assert "Export refused: 2 segments have no approved translation in French" in resp.text


def test_docx_of_a_text_import_is_refused_with_a_sentence(client, published):
    login(client, "pub")
    resp = client.get("/publish/declaration/fr/export?format=docx", follow_redirects=True)
    assert "DOCX export is only available for documents imported from a DOCX file" in resp.text


def test_publish_edition_and_download_byte_for_byte(client, published, session):
    login(client, "pub")
    resp = client.post("/publish/declaration/fr/editions")
    assert resp.status_code == 302
    edition = session.scalar(select(Edition))
    assert edition is not None and edition.number == 1
    page = client.get("/publish/declaration").text
    for f in edition.files:
        assert f.sha256 in page
        download = client.get(f"/publish/editions/{edition.id}/{f.format}")
        assert download.status_code == 200
        assert download.data == f.data
        assert hashlib.sha256(download.data).hexdigest() == f.sha256
        assert download.headers["Content-Disposition"] == f'attachment; filename="{f.filename}"'
    assert re.search(r">\s*pub\s*<", page)  # who published it
    assert "2 segments stayed in the source language" in page


def test_publish_flashes_the_edition_number(client, published):
    login(client, "pub")
    resp = client.post("/publish/declaration/fr/editions", follow_redirects=True)
    assert "Edition 1 of French published." in resp.text
    resp = client.post("/publish/declaration/fr/editions", follow_redirects=True)
    assert "Edition 2 of French published." in resp.text


def test_publishing_nothing_approved_is_refused(client, published, session):
    make_language(session, "de")
    session.commit()
    login(client, "pub")
    resp = client.post("/publish/declaration/de/editions", follow_redirects=True)
    assert "Nothing is approved in German yet" in resp.text
    assert session.scalar(select(Edition)) is None


def test_deleted_publisher_shows_as_former_volunteer(client, published, session):
    login(client, "pub")
    client.post("/publish/declaration/fr/editions")
    client.post("/logout")
    from tms.models import User

    pub = session.scalar(select(User).where(User.pseudonym == "pub"))
    pub.pseudonym, pub.deleted = None, True
    session.commit()
    login(client, "boss")
    assert "former volunteer" in client.get("/publish/declaration").text


def test_publish_needs_a_csrf_token(csrf_app, published):
    client = csrf_app.test_client()
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    login(client, "pub")
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/publish/declaration/fr/editions").status_code == 400


def test_tmx_download_offers_tags_as_text_for_omegat(client, published):
    login(client, "pub")
    page = client.get("/publish/declaration")
    assert 'name="tmx_tags" value="text"' in page.text
    codes = client.get("/publish/declaration/fr/export?format=tmx&include=approved")
    text = client.get("/publish/declaration/fr/export?format=tmx&include=approved"
                      "&tmx_tags=text")
    assert codes.status_code == text.status_code == 200
    assert "Nous, travailleuses du sexe" in text.text
    bad = client.get("/publish/declaration/fr/export?format=tmx&tmx_tags=strip",
                     follow_redirects=True)
    assert "TMX tags are written as" in bad.text
