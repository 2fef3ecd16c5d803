"""The review queue pages: access by role, order, actions through plain forms, escaping."""

from __future__ import annotations

import re

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import login, make_document, make_language, make_user
from tms.inline import word_diff
from tms.models import Comment, Language, Segment, State, Suggestion, Translation, User
from tms.services import workflow

FR_1 = "Nous, travailleuses du sexe, déclarons nos droits."
FR_2 = "Chacun a droit à la <1>vie</1>."
FR_3 = "Voir la note.<2/>"


@pytest.fixture
def team(session: Session) -> dict[str, object]:
    """French and German teams, a document, and people in every role."""
    fr = make_language(session, "fr")
    make_language(session, "de")
    people = {
        "ana": make_user(session, "ana", roles={"fr": "translator"}),
        "rita": make_user(session, "rita", roles={"fr": "reviewer"}),
        "bo": make_user(session, "bo", roles={"fr": "reviewer"}),
        "dieter": make_user(session, "dieter", roles={"de": "reviewer"}),
        "root": make_user(session, "root", is_admin=True),
        "nobody": make_user(session, "nobody"),
    }
    doc = make_document(session)
    segs = list(session.scalars(select(Segment).where(Segment.document_id == doc.id)
                                .order_by(Segment.position)))
    session.commit()
    return {"fr": fr, "segs": segs, "doc": doc, **people}


def submit(session: Session, team: dict, i: int, text: str, user: str = "ana",
           state: State = State.TRANSLATED) -> Translation:
    """Save a translation of segment i and commit."""
    seg = team["segs"][i]
    t = workflow.get_translation(session, seg.id, team["fr"].id)
    res = workflow.save_translation(session, segment=seg, language=team["fr"], user=team[user],
                                    target=text, state=state, base_version=t.version if t else 0)
    session.commit()
    return res.translation


def fresh(session: Session, t: Translation) -> Translation:
    """The row as the database has it now."""
    session.expire_all()
    return session.get(Translation, t.id)


# ------------------------------------------------------------------ access


@pytest.mark.parametrize(("who", "path", "expected"), [
    (None, "/review/fr", 302),
    ("nobody", "/review/fr", 403),
    ("ana", "/review/fr", 403),
    ("dieter", "/review/fr", 403),
    ("rita", "/review/fr", 200),
    ("root", "/review/fr", 200),
    ("rita", "/review/xx", 404),
    ("dieter", "/review/de", 200),
])
def test_queue_access(client: FlaskClient, team, who, path, expected):
    if who:
        login(client, who)
    resp = client.get(path)
    assert resp.status_code == expected
    if expected == 302:
        assert "/login" in resp.headers["Location"]


@pytest.mark.parametrize("action", ["approve", "send-back", "edit"])
@pytest.mark.parametrize(("who", "expected"), [
    (None, 302), ("nobody", 403), ("ana", 403), ("dieter", 403),
])
def test_actions_refused_to_non_reviewers(client, session, team, action, who, expected):
    t = submit(session, team, 0, FR_1)
    if who:
        login(client, who)
    resp = client.post(f"/review/fr/{t.id}/{action}",
                       data={"version": t.version, "reason": "x", "target": FR_1})
    assert resp.status_code == expected
    assert fresh(session, t).state == State.TRANSLATED


@pytest.mark.parametrize("path", ["/review/fr/999999/approve", "/review/de/{id}/approve",
                                  "/review/fr/suggestions/999999/accept",
                                  "/review/fr/suggestions/999999/reject"])
def test_unknown_or_foreign_items_are_404(client, session, team, path):
    t = submit(session, team, 0, FR_1)
    login(client, "root")
    assert client.post(path.format(id=t.id), data={}).status_code == 404


def test_csrf_is_required(csrf_app, session, team):
    t = submit(session, team, 0, FR_1)
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    g.pop("csrf_token", None)
    client.post("/login", data={"pseudonym": "rita", "password": "correct horse battery staple",
                                "csrf_token": token})
    resp = client.post(f"/review/fr/{t.id}/approve", data={"version": t.version})
    assert resp.status_code == 400
    assert fresh(session, t).state == State.TRANSLATED
    # The session fixture keeps one app context (and so one `g`) across requests; drop the
    # token cached there before logging in, as a new request in production would.
    g.pop("csrf_token", None)
    page = client.get("/review/fr").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post(f"/review/fr/{t.id}/approve", data={"version": t.version,
                                                           "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[-1500:]
    assert fresh(session, t).state == State.APPROVED


# ------------------------------------------------------------------ the queue


def test_queue_order_sections_and_filter(client, session, team):
    old = submit(session, team, 1, FR_2)
    new = submit(session, team, 0, FR_1)
    submit(session, team, 2, FR_3, state=State.DRAFT)  # drafts are not in the queue
    doc2 = make_document(session, "manifesto", title="Manifesto",
                         sources=["Our work is work."])
    seg4 = session.scalar(select(Segment).where(Segment.document_id == doc2.id))
    session.commit()
    team["segs"].append(seg4)
    other = submit(session, team, 3, "Notre travail est un travail.")
    login(client, "rita")
    html = client.get("/review/fr").get_data(as_text=True)
    assert html.index(f'id="t{old.id}"') < html.index(f'id="t{new.id}"') < html.index(
        f'id="t{other.id}"')
    assert "3 awaiting review" in html
    assert "Translator: ana" in html
    html = client.get("/review/fr?document=manifesto").get_data(as_text=True)
    assert f'id="t{other.id}"' in html and f'id="t{old.id}"' not in html
    assert "1 awaiting review" in html


def test_tags_render_as_chips_and_text_is_escaped(client, session, team):
    submit(session, team, 1, "Chacun a droit à la <1><script>alert(1)</script></1>.")
    login(client, "rita")
    html = client.get("/review/fr").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<span class="tag tag-open" title="bold">1 bold' in html


def test_diff_since_last_approval_and_source_changes(client, session, team):
    t = submit(session, team, 0, FR_1)
    workflow.approve(session, translation=t, user=team["rita"])
    session.commit()
    team["fr"].allow_self_review = True
    submit(session, team, 0, "Nous, travailleuses du sexe, affirmons nos droits.", user="bo")
    seg = team["segs"][1]
    t2 = submit(session, team, 1, FR_2)
    workflow.approve(session, translation=t2, user=team["rita"])
    seg.previous_source, seg.source = seg.source, "Everyone has the right to <1>a life</1>."
    workflow.mark_outdated(session, seg)
    session.commit()
    login(client, "rita")
    html = client.get("/review/fr").get_data(as_text=True)
    assert "Changes since the last approval" in html
    assert "<del>déclarons</del><ins>affirmons</ins>" in html
    assert "Approved, but the source changed" in html
    assert f'id="o{t2.id}"' in html
    assert "<ins>a </ins>life" in html or "<ins>a</ins>" in html
    assert "1 outdated approved" in html


def test_word_diff():
    assert word_diff("a <1>b</1> c", "a b d") == [("equal", "a b "), ("delete", "c"),
                                                  ("insert", "d")]
    assert word_diff("same", "same") == [("equal", "same")]


def test_only_qa_clean_items_are_selectable(client, session, team):
    clean = submit(session, team, 0, FR_1)
    broken = submit(session, team, 1, "Chacun a droit à la vie.")
    login(client, "rita")
    html = client.get("/review/fr").get_data(as_text=True)
    assert f'id="sel-{clean.id}"' in html
    assert f'id="sel-{broken.id}"' not in html
    assert "is missing" in html  # the QA issue is shown


# ------------------------------------------------------------------ actions


def test_approve_through_the_form(client, session, team):
    t = submit(session, team, 0, FR_1)
    login(client, "rita")
    resp = client.post(f"/review/fr/{t.id}/approve", data={"version": t.version},
                       follow_redirects=True)
    assert "Approved." in resp.get_data(as_text=True)
    assert fresh(session, t).state == State.APPROVED


def test_approve_refusal_is_flashed(client, session, team):
    t = submit(session, team, 0, FR_1, user="rita")
    login(client, "rita")
    html = client.get("/review/fr").get_data(as_text=True)
    assert "This is your own text" in html and f'id="sel-{t.id}"' not in html
    resp = client.post(f"/review/fr/{t.id}/approve", data={"version": t.version},
                       follow_redirects=True)
    assert resp.status_code == 200
    assert "cannot approve your own translation" in resp.get_data(as_text=True)
    assert fresh(session, t).state == State.TRANSLATED


def test_stale_version_is_refused(client, session, team):
    t = submit(session, team, 0, FR_1)
    login(client, "rita")
    resp = client.post(f"/review/fr/{t.id}/approve", data={"version": t.version - 1},
                       follow_redirects=True)
    assert "changed this segment meanwhile" in resp.get_data(as_text=True)
    assert fresh(session, t).state == State.TRANSLATED


def test_two_approvals_flash(client, session, team):
    team["fr"].approvals_required = 2
    session.commit()
    t = submit(session, team, 0, FR_1)
    login(client, "rita")
    resp = client.post(f"/review/fr/{t.id}/approve", data={}, follow_redirects=True)
    assert "another reviewer must approve it too" in resp.get_data(as_text=True)
    assert fresh(session, t).state == State.TRANSLATED


@pytest.mark.parametrize("reason", ["", "   "])
def test_send_back_needs_a_reason(client, session, team, reason):
    t = submit(session, team, 0, FR_1)
    login(client, "rita")
    resp = client.post(f"/review/fr/{t.id}/send-back", data={"reason": reason},
                       follow_redirects=True)
    assert "reason is required" in resp.get_data(as_text=True)
    assert fresh(session, t).state == State.TRANSLATED


def test_send_back_through_the_form(client, session, team):
    t = submit(session, team, 0, FR_1)
    login(client, "rita")
    resp = client.post(f"/review/fr/{t.id}/send-back",
                       data={"reason": "Please use “travailleurs·euses”.", "version": t.version},
                       follow_redirects=True)
    assert "Sent back" in resp.get_data(as_text=True)
    assert fresh(session, t).state == State.NEEDS_WORK
    assert session.scalar(select(Comment.body)) == "Please use “travailleurs·euses”."


def test_send_back_form_has_required_reason(client, session, team):
    submit(session, team, 0, FR_1)
    login(client, "rita")
    html = client.get("/review/fr").get_data(as_text=True)
    assert re.search(r'<textarea id="reason-review-\d+" name="reason" rows="3" required', html)


@pytest.mark.parametrize("allow", [False, True])
def test_edit_and_approve_form(client, session, team, allow):
    team["fr"].allow_self_review = allow
    session.commit()
    t = submit(session, team, 0, FR_1)
    login(client, "rita")
    html = client.get("/review/fr").get_data(as_text=True)
    assert ("Edit and approve" in html) == allow
    fixed = "Nous, travailleuses et travailleurs du sexe, déclarons nos droits."
    resp = client.post(f"/review/fr/{t.id}/edit", data={"target": fixed, "version": t.version},
                       follow_redirects=True)
    t = fresh(session, t)
    if allow:
        assert (t.state, t.target, t.translator_id) == (State.APPROVED, fixed, team["rita"].id)
    else:
        assert "cannot approve your own translation" in resp.get_data(as_text=True)
        assert (t.state, t.target) == (State.TRANSLATED, FR_1)


def test_edit_and_approve_conflict_is_flashed(client, session, team):
    team["fr"].allow_self_review = True
    session.commit()
    t = submit(session, team, 0, FR_1)
    login(client, "rita")
    resp = client.post(f"/review/fr/{t.id}/edit", data={"target": "Autre.", "version": 0},
                       follow_redirects=True)
    assert "your text is kept in its history" in resp.get_data(as_text=True)
    assert fresh(session, t).target == FR_1


def test_bulk_approve(client, session, team):
    a = submit(session, team, 0, FR_1)
    b = submit(session, team, 2, FR_3)
    broken = submit(session, team, 1, "Chacun a droit à la vie.")
    login(client, "rita")
    resp = client.post("/review/fr/bulk-approve",
                       data={"ids": [str(a.id), str(b.id), str(broken.id)]},
                       follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert "2 translations approved." in html
    assert f"Not approved (#{broken.id})" in html
    assert [fresh(session, x).state for x in (a, b, broken)] == [
        State.APPROVED, State.APPROVED, State.TRANSLATED]
    resp = client.post("/review/fr/bulk-approve", data={}, follow_redirects=True)
    assert "Select at least one" in resp.get_data(as_text=True)


def test_bulk_approve_skips_texts_changed_since_seen(client, session, team):
    a = submit(session, team, 0, FR_1)
    seen = a.version
    login(client, "rita")
    html = client.get("/review/fr").get_data(as_text=True)
    assert f'value="{a.id}:{seen}"' in html
    submit(session, team, 0, "Nous, travailleuses du sexe, affirmons nos droits.")
    resp = client.post("/review/fr/bulk-approve", data={"ids": [f"{a.id}:{seen}"]},
                       follow_redirects=True)
    assert "changed this segment meanwhile" in resp.get_data(as_text=True)
    assert fresh(session, a).state == State.TRANSLATED


def test_bulk_approve_ignores_other_languages(client, session, team):
    de: Language = make_language(session, "de")
    hans = make_user(session, "hans", roles={"de": "translator"})
    seg = team["segs"][0]
    res = workflow.save_translation(session, segment=seg, language=de, user=hans,
                                    target="Wir erklären unsere Rechte.", state=State.TRANSLATED,
                                    base_version=0)
    session.commit()
    login(client, "rita")
    resp = client.post("/review/fr/bulk-approve", data={"ids": [str(res.translation.id)]},
                       follow_redirects=True)
    assert "not in this language" in resp.get_data(as_text=True)
    assert fresh(session, res.translation).state == State.TRANSLATED


def test_suggestions_side_by_side_accept_and_reject(client, session, team):
    t = submit(session, team, 0, FR_1)
    workflow.approve(session, translation=t, user=team["rita"])
    session.commit()
    better = "Nous, travailleuses du sexe, affirmons nos droits."
    other = "Nous, les travailleuses du sexe, déclarons nos droits."
    submit(session, team, 0, better)  # ana may not approve: a suggestion
    tom: User = make_user(session, "tom", roles={"fr": "translator"})
    session.commit()
    team["tom"] = tom
    submit(session, team, 0, other, user="tom")
    s1, s2 = session.scalars(select(Suggestion).order_by(Suggestion.id)).all()
    login(client, "bo")
    html = client.get("/review/fr").get_data(as_text=True)
    assert "Suggestion by ana" in html and "Suggestion by tom" in html
    assert "<del>déclarons</del><ins>affirmons</ins>" in html
    assert "1 segment with suggestions" in html
    resp = client.post(f"/review/fr/suggestions/{s2.id}/reject", data={"reason": "Heavier."},
                       follow_redirects=True)
    assert "Suggestion rejected." in resp.get_data(as_text=True)
    resp = client.post(f"/review/fr/suggestions/{s1.id}/accept", data={},
                       follow_redirects=True)
    assert "Suggestion accepted." in resp.get_data(as_text=True)
    t = fresh(session, t)
    assert (t.target, t.state) == (better, State.APPROVED)
    assert [s.status for s in session.scalars(select(Suggestion).order_by(Suggestion.id))] == [
        "accepted", "rejected"]
    resp = client.post(f"/review/fr/suggestions/{s1.id}/accept", data={},
                       follow_redirects=True)
    assert "already decided" in resp.get_data(as_text=True)


def test_confirm_outdated_approved(client, session, team):
    t = submit(session, team, 0, FR_1)
    workflow.approve(session, translation=t, user=team["rita"])
    workflow.mark_outdated(session, team["segs"][0])
    session.commit()
    login(client, "bo")
    resp = client.post(f"/review/fr/{t.id}/approve", data={}, follow_redirects=True)
    assert "Approved." in resp.get_data(as_text=True)
    t = fresh(session, t)
    assert (t.state, t.outdated) == (State.APPROVED, False)


@pytest.mark.clients
def test_queue_and_notifications_pages_are_valid_html(client, session, team, tmp_path):
    from tests.clients import vnu_check

    team["fr"].allow_self_review = True
    t = submit(session, team, 0, FR_1)
    workflow.approve(session, translation=t, user=team["rita"])
    session.commit()
    submit(session, team, 0, "Nous, travailleuses du sexe, affirmons nos droits.", user="bo")
    submit(session, team, 1, "Chacun a droit à la vie.")  # tag error
    t3 = submit(session, team, 2, FR_3)
    workflow.approve(session, translation=t3, user=team["rita"])
    submit(session, team, 2, "Voyez la note.<2/>")  # a suggestion
    seg = team["segs"][2]
    seg.previous_source, seg.source = seg.source, "See the footnote.<2/>"
    workflow.mark_outdated(session, seg)
    workflow.send_back(session, translation=t3, user=team["rita"], reason="Look again.")
    session.commit()
    pages = []
    for who, path in (("rita", "/review/fr"), ("ana", "/notifications")):
        client.post("/logout")
        login(client, who)
        resp = client.get(path)
        assert resp.status_code == 200
        page = tmp_path / f"{who}.html"
        page.write_bytes(resp.get_data())
        pages.append(page)
    assert "Sample declaration" in pages[0].read_text()
    assert "Look again." in pages[1].read_text()
    result = vnu_check(pages)
    assert result.returncode == 0, result.stderr
