"""The accounts service: password rules, invites, throttling, roles, languages, personal data."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, make_document, make_language, make_user
from tms.models import (
    Comment,
    Invite,
    Language,
    LoginThrottle,
    Membership,
    Notification,
    Revision,
    Segment,
    State,
    Suggestion,
    Translation,
    User,
)
from tms.orm import Base
from tms.services import accounts
from tms.services.accounts import AccountError

GOOD = "violet tram under snow"
SECRET = "app-secret"


# --- passwords and pseudonyms ------------------------------------------------------------

@pytest.mark.parametrize(
    ("password", "pseudonym", "fragment"),
    [
        ("short", "ana", "at least 10 characters"),
        ("123456789", "ana", "at least 10 characters"),
        ("password123", "ana", "common passwords"),
        ("Password1234", "ana", "common passwords"),
        ("qwertyuiop", "ana", "common passwords"),
        ("1234567890", "ana", "common passwords"),
        ("longpseudonym", "LongPseudonym", "same as the pseudonym"),
    ],
)
def test_weak_passwords_are_refused_with_a_clear_sentence(password: str, pseudonym: str,
                                                          fragment: str) -> None:
    with pytest.raises(AccountError) as info:
        accounts.check_password_rules(password, pseudonym=pseudonym)
    assert fragment in info.value.message


@pytest.mark.parametrize("password", [GOOD, "correct horse battery staple", "Žluťoučký kůň 7"])
def test_good_passwords_pass(password: str) -> None:
    accounts.check_password_rules(password, pseudonym="ana")


def test_common_password_list_is_shipped_and_large() -> None:
    words = accounts.common_passwords()
    assert len(words) > 2000
    assert "password1234" in words


@pytest.mark.parametrize("name", ["ab", "Ана-Марія", "x.y_z-1", "مريم", "a" * 40])
def test_pseudonym_accepts_unicode_letters_and_punctuation(name: str) -> None:
    assert accounts.normalise_pseudonym(f"  {name} ") == name


@pytest.mark.parametrize("name", ["a", "a" * 41, "ana maria", "ana@x", "<b>", "ana/..", ""])
def test_pseudonym_refuses_bad_names(name: str) -> None:
    with pytest.raises(AccountError):
        accounts.normalise_pseudonym(name)


def test_create_user_hashes_with_scrypt_and_pseudonyms_are_unique_ignoring_case(
        session: Session) -> None:
    user = accounts.create_user(session, "Ana", GOOD)
    assert user.password_hash.startswith("scrypt:")
    assert GOOD not in user.password_hash
    with pytest.raises(AccountError, match="already taken"):
        accounts.create_user(session, "ANA", GOOD)
    assert accounts.find_user(session, "aNa") is user


def test_email_is_optional_and_checked(session: Session) -> None:
    assert accounts.create_user(session, "noemail", GOOD).email is None
    assert accounts.create_user(session, "mail", GOOD, email=" a@b.org ").email == "a@b.org"
    with pytest.raises(AccountError, match="e-mail"):
        accounts.create_user(session, "badmail", GOOD, email="not an address")


def test_change_password_checks_current_and_bumps_generation(session: Session) -> None:
    user = make_user(session, "ana")
    generation = user.session_generation
    with pytest.raises(AccountError, match="current password"):
        accounts.change_password(session, user, "wrong one", GOOD)
    with pytest.raises(AccountError, match="at least 10"):
        accounts.change_password(session, user, PASSWORD, "short")
    accounts.change_password(session, user, PASSWORD, GOOD)
    assert user.session_generation == generation + 1
    assert accounts.authenticate(session, "ana", GOOD, address="10.0.0.1") is user


# --- invites -----------------------------------------------------------------------------

def test_invite_stores_only_the_token_hash_and_is_single_use(session: Session) -> None:
    admin = make_user(session, "boss", is_admin=True)
    fr = make_language(session, "fr")
    invite, token = accounts.create_invite(session, role="reviewer", language=fr,
                                           created_by=admin)
    assert len(token) >= 43
    stored = session.execute(select(Invite.token_hash)).scalars().all()
    assert token not in stored and all(len(h) == 64 for h in stored)
    user = accounts.accept_invite(session, token, pseudonym="rita", password=GOOD)
    assert [(m.language.code, m.role) for m in user.memberships] == [("fr", "reviewer")]
    assert invite.used_by_id == user.id and accounts.invite_status(invite) == "used"
    with pytest.raises(AccountError, match="not valid"):
        accounts.accept_invite(session, token, pseudonym="rita2", password=GOOD)


def test_invite_expires(session: Session) -> None:
    fr = make_language(session, "fr")
    invite, token = accounts.create_invite(session, role="translator", language=fr,
                                           created_by=None, days=7)
    invite.expires_at = accounts.utcnow() - timedelta(seconds=1)
    session.flush()
    session.expire_all()
    assert accounts.find_invite(session, token) is None
    assert accounts.invite_status(session.get(Invite, invite.id)) == "expired"
    with pytest.raises(AccountError):
        accounts.accept_invite(session, token, pseudonym="late", password=GOOD)


@pytest.mark.parametrize(("role", "with_language", "error"), [
    ("translator", False, "need a language"),
    ("reviewer", False, "need a language"),
    ("overlord", False, "Unknown role"),
])
def test_invite_role_rules(session: Session, role: str, with_language: bool,
                           error: str) -> None:
    language = make_language(session, "fr") if with_language else None
    with pytest.raises(AccountError, match=error):
        accounts.create_invite(session, role=role, language=language, created_by=None)


@pytest.mark.parametrize(("role", "admin", "publisher"), [("admin", True, False),
                                                          ("publisher", False, True)])
def test_global_role_invites_carry_no_language(session: Session, role: str, admin: bool,
                                               publisher: bool) -> None:
    fr = make_language(session, "fr")
    invite, token = accounts.create_invite(session, role=role, language=fr, created_by=None)
    assert invite.language_id is None
    user = accounts.accept_invite(session, token, pseudonym="glob", password=GOOD)
    assert (user.is_admin, user.is_publisher, user.memberships) == (admin, publisher, [])


def test_failed_signup_leaves_the_invite_usable(session: Session) -> None:
    fr = make_language(session, "fr")
    _invite, token = accounts.create_invite(session, role="translator", language=fr,
                                            created_by=None)
    with pytest.raises(AccountError):
        accounts.accept_invite(session, token, pseudonym="x", password=GOOD)
    assert accounts.find_invite(session, token) is not None


def test_revoke_invite(session: Session) -> None:
    invite, token = accounts.create_invite(session, role="publisher", language=None,
                                           created_by=None)
    accounts.revoke_invite(session, invite)
    assert accounts.find_invite(session, token) is None


# --- authentication and throttling -------------------------------------------------------

def test_authenticate(session: Session) -> None:
    user = make_user(session, "ana")
    assert accounts.authenticate(session, "ANA", PASSWORD, address="192.0.2.7") is user
    assert accounts.authenticate(session, "ana", "nope nope nope", address="192.0.2.7") is None
    assert accounts.authenticate(session, "ghost", PASSWORD, address="192.0.2.7") is None
    user.active = False
    assert accounts.authenticate(session, "ana", PASSWORD, address="192.0.2.8") is None


def test_five_failures_lock_the_account_for_fifteen_minutes(session: Session) -> None:
    make_user(session, "ana")
    for i in range(5):  # from five different networks: the account bucket counts
        assert accounts.authenticate(session, "ana", "wrong guess!", address=f"10.{i}.0.1",
                                     secret=SECRET) is None
    with pytest.raises(accounts.LoginThrottled):
        accounts.authenticate(session, "ana", PASSWORD, address="10.99.0.1", secret=SECRET)
    # Fifteen minutes later the old failures are purged and the right password works.
    session.execute(LoginThrottle.__table__.update().values(
        failed_at=accounts.utcnow() - timedelta(minutes=16)))
    assert accounts.authenticate(session, "ana", PASSWORD, address="10.99.0.1",
                                 secret=SECRET) is not None
    assert session.scalar(select(func.count()).select_from(LoginThrottle)) == 0


def test_five_failures_from_one_network_lock_that_network(session: Session) -> None:
    make_user(session, "ana")
    make_user(session, "bob")
    for i in range(5):  # unknown pseudonyms, neighbouring addresses of one /24
        accounts.authenticate(session, f"guess{i}", "wrong guess!", address=f"198.51.100.{i}",
                              secret=SECRET)
    with pytest.raises(accounts.LoginThrottled):
        accounts.authenticate(session, "bob", PASSWORD, address="198.51.100.200",
                              secret=SECRET)
    assert accounts.authenticate(session, "bob", PASSWORD, address="198.51.101.1",
                                 secret=SECRET) is not None


def test_ipv6_networks_are_grouped_by_48(session: Session) -> None:
    a = accounts.address_bucket("2001:db8:1:2::1", SECRET)
    assert a == accounts.address_bucket("2001:db8:1:ffff::9", SECRET)
    assert a != accounts.address_bucket("2001:db8:2::1", SECRET)
    assert a != accounts.address_bucket("2001:db8:1:2::1", "another secret")


def _every_text_value(session: Session) -> list[str]:
    """Every string stored in any column of any table."""
    values: list[str] = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(table.select()):
            values.extend(str(v) for v in row if v is not None)
    return values


def test_no_raw_address_is_stored_anywhere(session: Session) -> None:
    make_user(session, "ana")
    addresses = ["203.0.113.57", "2001:db8:abcd:12::5"]
    for address in addresses:
        for _i in range(6):
            with contextlib.suppress(accounts.LoginThrottled):
                accounts.authenticate(session, "ana", "wrong guess!", address=address,
                                      secret=SECRET)
    session.flush()
    buckets = session.scalars(select(LoginThrottle.bucket)).all()
    assert buckets and any(b.startswith("addr:") for b in buckets)
    stored = " ".join(_every_text_value(session))
    for fragment in ["203.0.113", "2001:db8", "203.0.113.0/24"]:
        assert fragment not in stored
    # Also in the raw database text, not only through the ORM.
    raw = session.execute(text("SELECT bucket FROM login_throttle")).scalars().all()
    assert not any("203.0" in b or "2001:" in b for b in raw)


# --- roles, sessions, languages ----------------------------------------------------------

def test_set_membership_add_change_remove(session: Session) -> None:
    user = make_user(session, "ana")
    fr = make_language(session, "fr")
    accounts.set_membership(session, user, fr, "translator")
    accounts.set_membership(session, user, fr, "reviewer")
    assert [(m.role) for m in user.memberships] == ["reviewer"]
    accounts.set_membership(session, user, fr, None)
    assert user.memberships == []
    with pytest.raises(AccountError):
        accounts.set_membership(session, user, fr, "admin")


def test_last_admin_is_protected(session: Session) -> None:
    boss = make_user(session, "boss", is_admin=True)
    with pytest.raises(AccountError, match="last admin"):
        accounts.set_roles(session, boss, is_admin=False, is_publisher=False)
    with pytest.raises(AccountError, match="last admin"):
        accounts.deactivate_user(session, boss)
    make_user(session, "boss2", is_admin=True)
    accounts.set_roles(session, boss, is_admin=False, is_publisher=True)
    assert (boss.is_admin, boss.is_publisher) == (False, True)


def test_deactivate_and_reactivate(session: Session) -> None:
    user = make_user(session, "ana")
    generation = user.session_generation
    accounts.deactivate_user(session, user)
    assert not user.active and user.session_generation == generation + 1
    assert accounts.authenticate(session, "ana", PASSWORD, address="10.0.0.1") is None
    accounts.reactivate_user(session, user)
    assert accounts.authenticate(session, "ana", PASSWORD, address="10.0.0.2") is user


@pytest.mark.parametrize(("code", "stored", "name", "native", "direction", "nplurals"), [
    ("uk", "uk", "Ukrainian", "українська", "ltr", "nplurals=3"),
    ("ar", "ar", "Arabic", "العربية", "rtl", "nplurals=6"),
    ("pt_br", "pt-BR", "Portuguese (Brazil)", "português (Brasil)", "ltr", "nplurals=2"),
    ("de", "de", "German", "Deutsch", "ltr", "nplurals=2"),
    ("he", "he", "Hebrew", "עברית", "rtl", "nplurals=3"),  # CLDR: one, two, other
])
def test_add_language_from_babel(session: Session, code: str, stored: str, name: str,
                                 native: str, direction: str, nplurals: str) -> None:
    lang = accounts.add_language(session, code)
    assert (lang.code, lang.name, lang.native_name, lang.direction) == (
        stored, name, native, direction)
    assert nplurals in lang.plural_forms
    with pytest.raises(AccountError, match="already exists"):
        accounts.add_language(session, stored.upper())


def test_add_unknown_language_needs_a_name(session: Session) -> None:
    with pytest.raises(AccountError, match="give its name"):
        accounts.add_language(session, "qaa")
    assert accounts.add_language(session, "qaa", name="Sign (local)").name == "Sign (local)"
    with pytest.raises(AccountError, match="not a language code"):
        accounts.add_language(session, "fr!")


def test_language_policy(session: Session) -> None:
    fr = make_language(session, "fr")
    accounts.update_language_policy(session, fr, allow_self_review=True, approvals_required=2,
                                    team_name=" Équipe FR ")
    assert (fr.allow_self_review, fr.approvals_required, fr.team_name) == (True, 2, "Équipe FR")
    with pytest.raises(AccountError, match="1 or 2"):
        accounts.update_language_policy(session, fr, approvals_required=3)


# --- personal data -----------------------------------------------------------------------

@pytest.fixture
def busy_user(session: Session) -> User:
    """A translator with a revision, a comment, a suggestion and a notification."""
    user = make_user(session, "ana", roles={"fr": "translator"}, email="ana@example.org")
    fr = session.scalar(select(Language).where(Language.code == "fr"))
    assert fr is not None
    make_document(session)
    segment = session.scalars(select(Segment).order_by(Segment.position)).first()
    assert segment is not None
    tr = Translation(segment_id=segment.id, language_id=fr.id, target="Nous déclarons.",
                     state=int(State.DRAFT), translator_id=user.id)
    session.add(tr)
    session.flush()
    session.add_all([
        Revision(translation_id=tr.id, target="Nous déclarons.", state=int(State.DRAFT),
                 author_id=user.id),
        Comment(segment_id=segment.id, language_id=fr.id, author_id=user.id,
                body="Is 'declare' right here?"),
        Suggestion(segment_id=segment.id, language_id=fr.id, author_id=user.id,
                   target="Nous affirmons."),
        Notification(user_id=user.id, kind="comment", params={}),
    ])
    session.flush()
    return user


def test_export_my_data_holds_profile_memberships_and_texts(session: Session,
                                                            busy_user: User) -> None:
    data = accounts.export_my_data(session, busy_user)
    assert data["profile"]["pseudonym"] == "ana"
    assert data["profile"]["email"] == "ana@example.org"
    assert data["memberships"][0]["language"] == "fr"
    assert data["counts"]["revisions"] == 1 and data["counts"]["comments"] == 1
    assert data["revisions"][0]["target"] == "Nous déclarons."
    assert data["comments"][0]["body"] == "Is 'declare' right here?"
    assert data["suggestions"][0]["target"] == "Nous affirmons."
    assert json.loads(json.dumps(data)) == data  # JSON-ready


def test_delete_account_erases_the_person_and_keeps_the_texts(session: Session,
                                                              busy_user: User) -> None:
    user_id = busy_user.id
    accounts.delete_account(session, busy_user)
    session.expire_all()
    user = session.get(User, user_id)
    assert user is not None
    assert (user.pseudonym, user.email, user.password_hash) == (None, None, "")
    assert user.deleted and not user.active
    assert user.display_name == "former volunteer"
    assert session.scalar(select(func.count()).select_from(Membership)) == 0
    assert session.scalar(select(func.count()).select_from(Notification)) == 0
    assert session.scalar(select(Revision.author_id)) == user_id
    assert session.scalar(select(Comment.body)) == "Is 'declare' right here?"
    assert "ana@example.org" not in " ".join(_every_text_value(session))
    # The pseudonym is free again.
    accounts.create_user(session, "ana", GOOD)


def test_last_admin_cannot_delete_themselves(session: Session) -> None:
    boss = make_user(session, "boss", is_admin=True)
    with pytest.raises(AccountError, match="last admin"):
        accounts.delete_account(session, boss)


# --- command line ------------------------------------------------------------------------

def test_cli_language_add_and_list(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(args=["language", "add", "uk"])
    assert result.exit_code == 0, result.output
    assert "Ukrainian" in result.output and "українська" in result.output
    result = runner.invoke(args=["language", "add", "qaa", "--name", "Local sign"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["language", "add", "uk"])
    assert result.exit_code == 1 and "already exists" in result.output
    listing = runner.invoke(args=["language", "list"]).output.splitlines()
    assert listing[0].split("\t")[:4] == ["qaa", "Local sign", "", "ltr"]
    assert listing[1].startswith("uk\tUkrainian\tукраїнська\tltr")


def test_cli_user_add_with_password_from_stdin(runner: FlaskCliRunner, session: Session) -> None:
    make_language(session, "fr")
    session.commit()
    result = runner.invoke(args=["user", "add", "rita", "--role", "reviewer", "--lang", "fr",
                                 "--password-stdin"], input=GOOD + "\n")
    assert result.exit_code == 0, result.output
    assert GOOD not in result.output
    user = accounts.find_user(session, "rita")
    assert user is not None and not user.must_change_password
    assert [(m.language.code, m.role) for m in user.memberships] == [("fr", "reviewer")]
    assert accounts.authenticate(session, "rita", GOOD, address="10.0.0.1") is not None


def test_cli_user_add_prints_a_one_time_password(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(args=["user", "add", "boss", "--role", "admin"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(": ", 1)[1]
    user = accounts.find_user(session, "boss")
    assert user is not None and user.is_admin and user.must_change_password
    assert accounts.authenticate(session, "boss", password, address="10.0.0.1") is user


@pytest.mark.parametrize(("args", "message"), [
    (["user", "add", "x1", "--role", "translator"], "--lang is required"),
    (["user", "add", "x1", "--role", "translator", "--lang", "zz"], "Unknown language zz"),
    (["user", "add", "x1", "--role", "admin", "--lang", "fr"], "only for translators"),
    (["user", "add", "x", "--role", "publisher"], "2 to 40 characters"),
])
def test_cli_user_add_errors(runner: FlaskCliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
