"""Who may reach which endpoint: the table tests/test_access_matrix.py checks.

EVERY endpoint registered in the app must have a row here; test_access_matrix fails for a
route without one, so nobody adds a route without deciding who may use it.

How to add your routes (one section per blueprint, owned by that blueprint's author):
    MY_BLUEPRINT: Section = {
        "my_bp.view": Rule(TEAM, values={"doc_slug": "{doc}", "lang_code": "{lang}"}),
        "my_bp.action": Rule(REVIEWER, "POST", values={...}, data={"reason": "x"}),
    }
and add the section to SECTIONS at the bottom. A rule names an access kind (see EXPECTED),
the HTTP method, the url_for values, and the form data / JSON body of a request that
SUCCEEDS for an allowed role (so "allowed" means 2xx, or 3xx to a page other than /login).
Strings in values/data/json/query like "{segment}" are filled from the world built by
build_world() below; a value may also be a callable (world, role) -> value, for resources
that belong to the requesting user. `expect` overrides single roles. Need more fixtures?
add keys to build_world (in your own clearly marked block).

Roles: anonymous; outsider (translator of another language, de); translator and reviewer
of the URL's language (fr); publisher (no team); admin.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from tests.factories import make_document, make_language, make_user
from tms.models import (
    Comment,
    Edition,
    EditionFile,
    Notification,
    Revision,
    Segment,
    State,
    Suggestion,
    Translation,
)

ROLES = ("anonymous", "outsider", "translator", "reviewer", "publisher", "admin")

# Outcomes
ALLOW = "allow"  # 2xx, or 3xx to a page other than the login page
LOGIN = "login"  # redirect to the login page (401 for JSON APIs)
DENY = "deny"  # 403
NOT_FOUND = "404"  # for resources that are someone else's (no existence leak)

# Access kinds
PUBLIC = "public"  # everyone, anonymous included
LOGGED_IN = "logged_in"  # any logged-in user
TEAM = "team"  # translators and reviewers of the language, admins
REVIEWER = "reviewer"  # reviewers of the language, admins
PUBLISHER = "publisher"  # publishers and admins
ADMIN = "admin"  # admins only

EXPECTED: dict[str, dict[str, str]] = {
    PUBLIC: dict.fromkeys(ROLES, ALLOW),
    LOGGED_IN: {**dict.fromkeys(ROLES, ALLOW), "anonymous": LOGIN},
    TEAM: {"anonymous": LOGIN, "outsider": DENY, "translator": ALLOW, "reviewer": ALLOW,
           "publisher": DENY, "admin": ALLOW},
    REVIEWER: {"anonymous": LOGIN, "outsider": DENY, "translator": DENY, "reviewer": ALLOW,
               "publisher": DENY, "admin": ALLOW},
    PUBLISHER: {"anonymous": LOGIN, "outsider": DENY, "translator": DENY, "reviewer": DENY,
                "publisher": ALLOW, "admin": ALLOW},
    ADMIN: {**dict.fromkeys(ROLES, DENY), "anonymous": LOGIN, "admin": ALLOW},
}

Value = Any  # a literal, a "{placeholder}" string, or a callable (world, role) -> value


@dataclass(frozen=True)
class Rule:
    """One endpoint's access kind and a request that succeeds for an allowed role."""

    access: str
    method: str = "GET"
    values: dict[str, Value] = field(default_factory=dict)
    data: dict[str, Value] | Callable[[dict[str, Any], str], dict[str, Any]] | None = None
    json: dict[str, Value] | None = None
    query: dict[str, Value] = field(default_factory=dict)
    expect: dict[str, str] = field(default_factory=dict)
    # Statuses that also count as "allowed" (the access check passed, the input did not).
    allow_status: tuple[int, ...] = ()
    # The allowed answer itself is a redirect to /login (log out, delete account...).
    redirects_to_login: bool = False

    def expected(self, role: str) -> str:
        """The outcome this rule expects for a role."""
        return self.expect.get(role) or EXPECTED[self.access][role]


Section = dict[str, Rule]

SEGMENT = {"segment_id": "{segment}", "lang_code": "{lang}"}


def _own_notification(world: dict[str, Any], role: str) -> int:
    return world["notifications"].get(role, world["notifications"]["translator"])


def _upload(_world: dict[str, Any], _role: str) -> dict[str, Any]:
    return {"file": (io.BytesIO(b"# Rights\n\nWe declare our rights.\n"), "rights.md")}


# --- auth, dashboard, admin, health, static (owner: web-core helper) --------------------
AUTH: Section = {
    "auth.login": Rule(PUBLIC),
    "auth.logout": Rule(PUBLIC, "POST", redirects_to_login=True),
    "auth.signup": Rule(PUBLIC, values={"token": "{invite_token}"}),
    "auth.set_locale": Rule(PUBLIC, "POST", data={"locale": "en", "next": "/healthz"}),
    "auth.profile": Rule(LOGGED_IN),
    "auth.password": Rule(LOGGED_IN),
    "auth.logout_everywhere": Rule(LOGGED_IN, "POST", redirects_to_login=True),
    "auth.my_data": Rule(LOGGED_IN),
    # Without the confirmation box the answer is a redirect back to the profile.
    "auth.delete_account": Rule(LOGGED_IN, "POST", data={"password": "not it"}),
}

DASHBOARD: Section = {
    "dashboard.index": Rule(LOGGED_IN),
}

ADMIN_RULES: Section = {
    "admin.index": Rule(ADMIN),
    "admin.users": Rule(ADMIN),
    "admin.user_roles": Rule(ADMIN, "POST", values={"user_id": "{victim}"},
                             data={"is_publisher": "1"}),
    "admin.user_membership": Rule(ADMIN, "POST", values={"user_id": "{victim}"},
                                  data={"language": "fr", "role": "reviewer"}),
    "admin.user_active": Rule(ADMIN, "POST", values={"user_id": "{victim}"},
                              data={"active": "0"}),
    "admin.invites": Rule(ADMIN),
    "admin.create_invite": Rule(ADMIN, "POST", data={"role": "translator", "language": "fr"}),
    "admin.revoke_invite": Rule(ADMIN, "POST", values={"invite_id": "{invite}"}),
    "admin.languages": Rule(ADMIN),
    "admin.add_language": Rule(ADMIN, "POST", data={"code": "es"}),
    "admin.language_policy": Rule(ADMIN, "POST", values={"code": "{lang}"},
                                  data={"approvals_required": "2"}),
    "admin.documents": Rule(ADMIN),
    "admin.import_document": Rule(ADMIN, "POST", data=_upload),
}

INFRA: Section = {
    "health.healthz": Rule(PUBLIC),
    "health.readyz": Rule(PUBLIC),
    "static": Rule(PUBLIC, values={"filename": "app.css"}),
}

# --- editor and its JSON API (owner: editor helper; drafted by web-core) -----------------
EDITOR: Section = {
    "editor.edit": Rule(TEAM, values={"doc_slug": "{doc}", "lang_code": "{lang}"}),
}

API: Section = {
    "api.panel": Rule(TEAM, values=SEGMENT),
    "api.check": Rule(TEAM, "POST", values=SEGMENT, json={"target": "Nous déclarons."}),
    "api.save": Rule(TEAM, "POST", values=SEGMENT,
                     json={"target": "Nous déclarons nos droits.", "state": "draft",
                           "base_version": 0}),
    "api.add_comment": Rule(TEAM, "POST", values=SEGMENT, json={"body": "A question."}),
    "api.resolve_comment": Rule(TEAM, "POST", values={"comment_id": "{comment}"},
                                json={"resolved": True}),
    "api.revert": Rule(TEAM, "POST", values={"revision_id": "{old_revision}"}, json={}),
    "api.accept_suggestion": Rule(REVIEWER, "POST", values={"suggestion_id": "{suggestion}"},
                                  json={}),
}

# --- review (owner: review helper; drafted by web-core) ---------------------------------
_REVIEW_ITEM = {"lang_code": "{lang}", "translation_id": "{pending}"}
REVIEW: Section = {
    "review.queue": Rule(REVIEWER, values={"lang_code": "{lang}"}),
    "review.approve": Rule(REVIEWER, "POST", values=_REVIEW_ITEM,
                           data={"version": "{pending_version}"}),
    "review.send_back": Rule(REVIEWER, "POST", values=_REVIEW_ITEM,
                             data={"version": "{pending_version}", "reason": "Check it."}),
    "review.edit_and_approve": Rule(REVIEWER, "POST", values=_REVIEW_ITEM,
                                    data={"version": "{pending_version}",
                                          "target": "Chacun a droit à la <1>vie</1>."}),
    "review.bulk_approve": Rule(REVIEWER, "POST", values={"lang_code": "{lang}"},
                                data={"ids": "{pending}"}),
    "review.accept_suggestion": Rule(REVIEWER, "POST",
                                     values={"lang_code": "{lang}",
                                             "suggestion_id": "{suggestion}"}),
    "review.reject_suggestion": Rule(REVIEWER, "POST",
                                     values={"lang_code": "{lang}",
                                             "suggestion_id": "{suggestion}"},
                                     data={"reason": "Not now."}),
}

# --- publish (owner: publish helper; drafted by web-core) -------------------------------
PUBLISH: Section = {
    "publish.index": Rule(PUBLISHER),
    "publish.document": Rule(PUBLISHER, values={"doc_slug": "{doc}"}),
    "publish.export": Rule(PUBLISHER, values={"doc_slug": "{doc}", "lang_code": "{lang}"},
                           query={"format": "po"}),
    "publish.publish": Rule(PUBLISHER, "POST", values={"doc_slug": "{doc}",
                                                       "lang_code": "{lang}"}),
    "publish.edition_download": Rule(PUBLISHER, values={"edition_id": "{edition}",
                                                        "fmt": "html"}),
    # print check (owner: pdf helper): the job and the page image are made in the test
    # app's instance folder when the URL is built
    "publish.start_previews": Rule(PUBLISHER, "POST", values={"doc_slug": "{doc}",
                                                              "lang_code": "{lang}"},
                                   data={}),
    "publish.preview_status": Rule(PUBLISHER, values={"key": lambda w, r: _preview_job()}),
    "publish.preview_image": Rule(PUBLISHER, values={"digest": lambda w, r: _preview_page(),
                                                     "page": 1}),
}

_DIGEST = "ab" * 32


def _preview_cache() -> Any:
    from pathlib import Path

    from flask import current_app

    return Path(current_app.config["INSTANCE_DIR"]) / "previews"


def _preview_job() -> str:
    """A finished preview job's key, its status file written in the test app's cache."""
    jobs = _preview_cache() / "jobs"
    jobs.mkdir(parents=True, exist_ok=True)
    (jobs / f"{_DIGEST}.json").write_text(json.dumps({"key": _DIGEST, "state": "done",
                                                      "step": 3, "steps": 3}))
    return _DIGEST


def _preview_page() -> str:
    """The hash of a PDF whose first page image is in the test app's cache."""
    folder = _preview_cache() / "pages" / _DIGEST
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page-1.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return _DIGEST

# --- notifications (owner: notifications helper; drafted by web-core) -------------------
NOTIFICATIONS: Section = {
    "notifications.index": Rule(LOGGED_IN),
    "notifications.mark_read": Rule(LOGGED_IN, "POST", data={}),
    "notifications.open_link": Rule(LOGGED_IN, "POST",
                                    values={"notification_id": _own_notification}),
}

# --- align (owner: alignment helper) -----------------------------------------------------
_RUN = {"doc_slug": "{doc}", "lang_code": "{lang}", "run_id": "{align_run}"}


def _translated_upload(_world: dict[str, Any], _role: str) -> dict[str, Any]:
    return {"file": (io.BytesIO("Nous déclarons nos droits.\n".encode()), "fr.md")}


ALIGN: Section = {
    "align.index": Rule(REVIEWER, values={"doc_slug": "{doc}", "lang_code": "{lang}"}),
    "align.upload": Rule(REVIEWER, "POST", values={"doc_slug": "{doc}", "lang_code": "{lang}"},
                         data=_translated_upload),
    "align.run": Rule(REVIEWER, values=_RUN),
    "align.act": Rule(REVIEWER, "POST", values=_RUN,
                      data={"pair": "{align_pair}", "action": "reject"}),
    "align.bulk": Rule(REVIEWER, "POST", values=_RUN,
                       data={"action": "confirm_above", "threshold": "0.5"}),
}

SECTIONS: list[Section] = [AUTH, DASHBOARD, ADMIN_RULES, INFRA, EDITOR, API, REVIEW, PUBLISH,
                           NOTIFICATIONS]

SECTIONS.append(ALIGN)

# --- offline round trip, segment repair, update reports (owner: living-documents helper) ---
_DOC_LANG = {"doc_slug": "{doc}", "lang_code": "{lang}"}
_EMPTY_PO = (b'msgid ""\nmsgstr ""\n"Language: fr\\n"\n'
             b'"Content-Type: text/plain; charset=UTF-8\\n"\n')


def _po_upload(_world: dict[str, Any], _role: str) -> dict[str, Any]:
    return {"file": (io.BytesIO(_EMPTY_PO), "declaration.fr.po"), "state": "draft"}


OFFLINE: Section = {
    "offline.index": Rule(TEAM, values=_DOC_LANG),
    "offline.download": Rule(TEAM, values={**_DOC_LANG, "fmt": "po"}),
    "offline.upload": Rule(TEAM, "POST", values=_DOC_LANG, data=_po_upload),
    "offline.repair": Rule(REVIEWER, values={"doc_slug": "{doc}", "segment_id": "{segment}"}),
    "offline.repair_action": Rule(REVIEWER, "POST",
                                  values={"doc_slug": "{doc}", "segment_id": "{segment}"},
                                  data={"action": "split", "offset": "4"}),
    "offline.update_report": Rule(LOGGED_IN, values={"doc_slug": "{doc}", "version_number": 1}),
}
SECTIONS.append(OFFLINE)

_TMX = (b'<?xml version="1.0"?><tmx version="1.4"><header srclang="en" datatype="plaintext" '
        b'segtype="sentence" adminlang="en" o-tmf="x" creationtool="x" '
        b'creationtoolversion="1"/><body><tu><tuv xml:lang="en"><seg>We rest.</seg></tuv>'
        b'<tuv xml:lang="fr"><seg>Nous nous reposons.</seg></tuv></tu></body></tmx>')


def _tmx_upload(_world: dict[str, Any], _role: str) -> dict[str, Any]:
    return {"file": (io.BytesIO(_TMX), "network.tmx"), "source": "en", "target": "fr"}


def _csv_upload(_world: dict[str, Any], _role: str) -> dict[str, Any]:
    return {"file": (io.BytesIO(b"source,target\nrest,repos\n"), "terms.csv")}


MEMORY: Section = {
    "memory.index": Rule(LOGGED_IN),
    "memory.import_tmx": Rule(REVIEWER, "POST", data=_tmx_upload),
    "memory.export_tmx": Rule(REVIEWER, query={"source": "en", "target": "fr"}),
}
_TERM = {"lang_code": "{lang}", "term_id": "{glossary_term}"}
GLOSSARY: Section = {
    "glossary.index": Rule(TEAM, values={"lang_code": "{lang}"}),
    "glossary.add": Rule(REVIEWER, "POST", values={"lang_code": "{lang}"},
                         data={"source_term": "rest", "target_term": "repos"}),
    "glossary.edit": Rule(REVIEWER, "POST", values=_TERM,
                          data={"source_term": "sex work", "target_term": "travail sexuel"}),
    "glossary.delete": Rule(REVIEWER, "POST", values=_TERM),
    "glossary.import_file": Rule(REVIEWER, "POST", values={"lang_code": "{lang}"},
                                 data=_csv_upload),
    "glossary.export": Rule(REVIEWER, values={"lang_code": "{lang}", "fmt": "csv"}),
}
SECTIONS.extend([MEMORY, GLOSSARY])

RULES: dict[str, Rule] = {name: rule for section in SECTIONS for name, rule in section.items()}


def build_world(session: Session) -> dict[str, Any]:
    """Users of every role, a French document with work in every state, and friends."""
    make_language(session, "de")
    fr = make_language(session, "fr")
    users = {
        "outsider": make_user(session, "outsider", roles={"de": "translator"}),
        "translator": make_user(session, "translator", roles={"fr": "translator"}),
        "reviewer": make_user(session, "reviewer", roles={"fr": "reviewer"}),
        "publisher": make_user(session, "publisher", is_publisher=True),
        "admin": make_user(session, "admin", is_admin=True),
    }
    author = make_user(session, "author", roles={"fr": "translator"})
    victim = make_user(session, "victim", roles={"fr": "translator"})
    doc = make_document(session)
    s1, s2, s3 = list(session.query(Segment).filter_by(document_id=doc.id)
                      .order_by(Segment.position))
    # s2: awaiting review, written by `author`, with an older revision to revert to.
    pending = Translation(segment_id=s2.id, language_id=fr.id,
                          target="Chacun a droit à la <1>vie</1>.",
                          state=int(State.TRANSLATED), translator_id=author.id, version=2)
    # s3: approved (a suggestion beside it; publishable).
    approved = Translation(segment_id=s3.id, language_id=fr.id, target="Voir la note.<2/>",
                           state=int(State.APPROVED), translator_id=author.id, version=1,
                           approvals=1)
    session.add_all([pending, approved])
    session.flush()
    old = Revision(translation_id=pending.id, target="Tout le monde a droit à la <1>vie</1>.",
                   state=int(State.DRAFT), author_id=author.id)
    session.add(old)
    session.flush()
    session.add(Revision(translation_id=pending.id, target=pending.target,
                         state=int(State.TRANSLATED), author_id=author.id))
    suggestion = Suggestion(segment_id=s3.id, language_id=fr.id, target="Voyez la note.<2/>",
                            author_id=author.id)
    comment = Comment(segment_id=s1.id, language_id=fr.id, author_id=author.id,
                      body="Is this the right word?")
    session.add_all([suggestion, comment])
    edition = Edition(document_id=doc.id, language_id=fr.id, version_id=doc.versions[0].id,
                      number=1)
    session.add(edition)
    session.flush()
    data = b"<!doctype html><title>x</title>"
    session.add(EditionFile(edition_id=edition.id, format="html", filename="x.html",
                            content_type="text/html", data=data, sha256="0" * 64,
                            size=len(data)))
    notes = {}
    for role, user in users.items():
        note = Notification(user_id=user.id, kind="comment", params={}, link="/")
        session.add(note)
        session.flush()
        notes[role] = note.id
    from tms.services import accounts

    invite, token = accounts.create_invite(session, role="translator", language=fr,
                                           created_by=users["admin"])
    session.flush()
    return {
        "users": users,
        "lang": "fr",
        "doc": doc.slug,
        "segment": s1.id,
        "pending": pending.id,
        "pending_version": pending.version,
        "old_revision": old.id,
        "suggestion": suggestion.id,
        "comment": comment.id,
        "edition": edition.id,
        "notifications": notes,
        "invite": invite.id,
        "invite_token": token,
        "victim": victim.id,
        # --- other helpers: add your world keys below this line, one block per owner ---
        # alignment helper: a proposal for the first segment (see _align_world)
        **_align_world(session, doc, fr, s1, users["admin"]),
        # living-documents helper: a French glossary term
        **_glossary_world(session, fr),
    }


def _glossary_world(session: Session, fr: Any) -> dict[str, Any]:
    """One term in the French glossary."""
    from tms.models import GlossaryTerm

    term = GlossaryTerm(language_id=fr.id, source_term="sex work", target_term="travail du sexe")
    session.add(term)
    session.flush()
    return {"glossary_term": term.id}


def _align_world(session: Session, doc: Any, fr: Any, segment: Segment,
                 admin: Any) -> dict[str, Any]:
    """An alignment run of the document in French with one proposed pair."""
    from tms.models import AlignmentPair, AlignmentRun

    run = AlignmentRun(document_id=doc.id, language_id=fr.id, filename="fr.md",
                       created_by_id=admin.id, report={"ratio": 1.1, "variance": 6.8})
    session.add(run)
    session.flush()
    pair = AlignmentPair(run_id=run.id, position=0, segment_ids=[segment.id],
                         target=[["Nous, travailleuses du sexe, déclarons nos droits.", ""]],
                         score=0.9)
    session.add(pair)
    session.flush()
    return {"align_run": run.id, "align_pair": pair.id}


def resolve(value: Value, world: dict[str, Any], role: str) -> Any:
    """Fill "{placeholder}" strings from the world; call callables with (world, role)."""
    if callable(value):
        return value(world, role)
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world[value[1:-1]]
    if isinstance(value, dict):
        return {k: resolve(v, world, role) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, world, role) for v in value]
    return value
