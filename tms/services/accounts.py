"""Accounts: volunteers, roles, invites, log-in throttling, languages and personal data.

Volunteers may be at risk, so this module keeps as little as it can: a pseudonym, a scrypt
password hash, an optional e-mail; invites store only the hash of their token; failed
log-ins are counted per account and per *keyed hash of the address's network prefix*,
never the address itself, and those rows live for 15 minutes.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from tms.formats.po import plural_forms
from tms.i18n import _
from tms.models import (
    Activity,
    Comment,
    Invite,
    Language,
    LoginThrottle,
    Membership,
    Notification,
    Revision,
    Role,
    Suggestion,
    Translation,
    User,
)
from tms.services import privacy
from tms.services.errors import ServiceError

MIN_PASSWORD_LENGTH = 10
PSEUDONYM_MIN, PSEUDONYM_MAX = 2, 40
PSEUDONYM_PUNCTUATION = "._-"
INVITE_ROLES = ("translator", "reviewer", "publisher", "admin")
LANGUAGE_ROLES = (Role.TRANSLATOR.value, Role.REVIEWER.value)
THROTTLE_LIMIT = 5
THROTTLE_WINDOW = timedelta(minutes=15)
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"



class AccountError(ServiceError):
    """A refused account operation; `message` is translated and safe to show."""


class LoginThrottled(AccountError):
    """Too many failed log-ins for this account or network; try again later."""


def utcnow() -> datetime:
    """Timezone-aware now in UTC."""
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone=True columns; all are UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------------------
# Passwords and pseudonyms


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    try:
        lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return frozenset()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def check_password_rules(password: str, *, pseudonym: str | None = None) -> None:
    """Raise AccountError with one clear sentence if the password is too weak."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("The password must be at least %(n)s characters long.", n=MIN_PASSWORD_LENGTH)
        )
    if password.strip().lower() in common_passwords():
        raise AccountError(
            _("This password is on a list of common passwords; please choose another.")
        )
    if pseudonym and password.strip().casefold() == pseudonym.strip().casefold():
        raise AccountError(_("The password must not be the same as the pseudonym."))


def normalise_pseudonym(pseudonym: str) -> str:
    """NFC-normalise and trim a pseudonym, then check its length and characters."""
    name = unicodedata.normalize("NFC", (pseudonym or "").strip())
    if not PSEUDONYM_MIN <= len(name) <= PSEUDONYM_MAX:
        raise AccountError(
            _(
                "A pseudonym must be %(min)s to %(max)s characters long.",
                min=PSEUDONYM_MIN,
                max=PSEUDONYM_MAX,
            )
        )
    if not all(ch.isalnum() or ch in PSEUDONYM_PUNCTUATION for ch in name):
        raise AccountError(
            _("A pseudonym may contain only letters, digits, dots, hyphens and underscores.")
        )
    return name


def find_user(session: Session, pseudonym: str) -> User | None:
    """The user with this pseudonym, compared case-insensitively."""
    name = unicodedata.normalize("NFC", (pseudonym or "").strip())
    if not name:
        return None
    return session.scalar(select(User).where(func.lower(User.pseudonym) == name.lower()))


def _check_pseudonym_free(session: Session, name: str, *, except_id: int | None = None) -> None:
    existing = find_user(session, name)
    if existing is not None and existing.id != except_id:
        raise AccountError(_("The pseudonym %(name)s is already taken.", name=name))


def _clean_email(email: str | None) -> str | None:
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > 254 or "@" not in email or any(ch.isspace() for ch in email):
        raise AccountError(_("The e-mail address does not look valid."))
    return email


def create_user(
    session: Session,
    pseudonym: str,
    password: str,
    *,
    is_admin: bool = False,
    is_publisher: bool = False,
    email: str | None = None,
    must_change_password: bool = False,
) -> User:
    """Create a volunteer after checking the pseudonym and password rules."""
    name = normalise_pseudonym(pseudonym)
    _check_pseudonym_free(session, name)
    check_password_rules(password, pseudonym=name)
    user = User(
        pseudonym=name,
        password_hash=generate_password_hash(password),
        email=_clean_email(email),
        is_admin=is_admin,
        is_publisher=is_publisher,
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    return user


def generate_password() -> str:
    """A random one-time password (about 96 bits), easy to type from a printout."""
    return "-".join(secrets.token_hex(3) for _i in range(4))


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; other sessions are logged out."""
    if not check_password_hash(user.password_hash or "", current):
        raise AccountError(_("The current password is not correct."))
    if current == new:
        raise AccountError(_("The new password must differ from the current one."))
    check_password_rules(new, pseudonym=user.pseudonym)
    user.password_hash = generate_password_hash(new)
    user.must_change_password = False
    user.session_generation += 1
    session.flush()


def set_password(session: Session, user: User, password: str, *, temporary: bool = False) -> None:
    """Set a password without knowing the old one (CLI and admin resets)."""
    check_password_rules(password, pseudonym=user.pseudonym)
    user.password_hash = generate_password_hash(password)
    user.must_change_password = temporary
    user.session_generation += 1
    session.flush()


def log_out_everywhere(session: Session, user: User) -> None:
    """Invalidate every login cookie of this user (the id carries the generation)."""
    user.session_generation += 1
    session.flush()


def set_locale(session: Session, user: User, locale: str | None) -> None:
    """Remember the user's interface language."""
    user.locale = locale or None
    session.flush()


# ---------------------------------------------------------------------------------------
# Log-in and throttling


def address_bucket(address: str | None, secret: str | bytes) -> str:
    """A short keyed hash of the address's /24 (IPv4) or /48 (IPv6) network; never the IP."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        network = "unknown"
    else:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        prefix = 24 if ip.version == 4 else 48
        network = str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key or b"tms", network.encode(), hashlib.sha256).hexdigest()
    return "addr:" + digest[:24]


def _purge_throttle(session: Session, now: datetime) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.failed_at < now - THROTTLE_WINDOW))


def _failures(session: Session, bucket: str, now: datetime) -> int:
    return session.scalar(
        select(func.count())
        .select_from(LoginThrottle)
        .where(LoginThrottle.bucket == bucket, LoginThrottle.failed_at >= now - THROTTLE_WINDOW)
    ) or 0


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Checked against when the pseudonym is unknown, so both paths cost one scrypt.
    return generate_password_hash(secrets.token_hex(16))


def authenticate(
    session: Session,
    pseudonym: str,
    password: str,
    *,
    address: str,
    secret: str | bytes = "",
) -> User | None:
    """The user if the password matches; None otherwise; LoginThrottled after 5 failures
    in 15 minutes for the account or the address's network (refused for 15 minutes)."""
    now = utcnow()
    _purge_throttle(session, now)
    user = find_user(session, pseudonym)
    buckets = [address_bucket(address, secret)]
    if user is not None:
        buckets.append(f"user:{user.id}")
    if any(_failures(session, b, now) >= THROTTLE_LIMIT for b in buckets):
        session.flush()
        raise LoginThrottled(
            _("Too many failed log-ins. Please wait 15 minutes and try again.")
        )
    usable = user is not None and user.active and not user.deleted and user.password_hash
    if usable and check_password_hash(user.password_hash, password):  # type: ignore[union-attr]
        return user
    if not usable:
        check_password_hash(_dummy_hash(), password)
    for bucket in buckets:
        session.add(LoginThrottle(bucket=bucket, failed_at=now))
    session.flush()
    return None


# ---------------------------------------------------------------------------------------
# Roles and memberships


def _admin_count(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(User).where(
            User.is_admin.is_(True), User.active.is_(True), User.deleted.is_(False)
        )
    ) or 0


def set_roles(session: Session, user: User, *, is_admin: bool, is_publisher: bool) -> None:
    """Set the global roles; the last active admin keeps theirs."""
    if user.is_admin and not is_admin and user.active and _admin_count(session) <= 1:
        raise AccountError(_("%(name)s is the last admin and must stay one.",
                             name=user.display_name))
    user.is_admin = is_admin
    user.is_publisher = is_publisher
    session.flush()


def set_membership(session: Session, user: User, language: Language, role: str | None) -> None:
    """Make the user translator or reviewer of a language; None removes the membership."""
    found = session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.language_id == language.id
        )
    )
    if role is None or role == "":
        if found is not None:
            session.delete(found)
            session.flush()
            session.expire(user, ["memberships"])
        return
    if role not in LANGUAGE_ROLES:
        raise AccountError(_("Unknown team role %(role)s.", role=role))
    if found is None:
        session.add(Membership(user_id=user.id, language_id=language.id, role=role))
    else:
        found.role = role
    session.flush()
    session.expire(user, ["memberships"])


def deactivate_user(session: Session, user: User) -> None:
    """Stop a user from logging in (their sessions end at once)."""
    if user.is_admin and user.active and _admin_count(session) <= 1:
        raise AccountError(_("%(name)s is the last admin and cannot be deactivated.",
                             name=user.display_name))
    user.active = False
    user.session_generation += 1
    session.flush()


def reactivate_user(session: Session, user: User) -> None:
    """Let a deactivated user log in again."""
    if user.deleted:
        raise AccountError(_("A deleted account cannot be reactivated."))
    user.active = True
    session.flush()


def list_users(session: Session, *, include_deleted: bool = False) -> list[User]:
    """Every account, by pseudonym."""
    query = select(User).order_by(func.lower(User.pseudonym), User.id)
    if not include_deleted:
        query = query.where(User.deleted.is_(False))
    return list(session.scalars(query))


# ---------------------------------------------------------------------------------------
# Invites


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invite(
    session: Session,
    *,
    role: str,
    language: Language | None,
    created_by: User | None,
    days: int = 7,
) -> tuple[Invite, str]:
    """A single-use sign-up link; returns the row and the token (shown once, never stored)."""
    if role not in INVITE_ROLES:
        raise AccountError(_("Unknown role %(role)s.", role=role))
    if role in LANGUAGE_ROLES and language is None:
        raise AccountError(_("Invites for translators and reviewers need a language."))
    if role not in LANGUAGE_ROLES:
        language = None
    if not 1 <= days <= 90:
        raise AccountError(_("An invite must be valid for 1 to 90 days."))
    token = secrets.token_urlsafe(32)
    invite = Invite(
        token_hash=_token_hash(token),
        role=role,
        language_id=language.id if language else None,
        created_by_id=created_by.id if created_by else None,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(invite)
    session.flush()
    return invite, token


def invite_status(invite: Invite, now: datetime | None = None) -> str:
    """"used", "expired" or "open"."""
    if invite.used_at is not None:
        return "used"
    if _aware(invite.expires_at) <= (now or utcnow()):
        return "expired"
    return "open"


def find_invite(session: Session, token: str) -> Invite | None:
    """The open invite for this token, or None if unknown, used or expired."""
    if not token or len(token) > 200:
        return None
    invite = session.scalar(select(Invite).where(Invite.token_hash == _token_hash(token)))
    if invite is None or invite_status(invite) != "open":
        return None
    return invite


def accept_invite(
    session: Session, token: str, *, pseudonym: str, password: str, email: str | None = None
) -> User:
    """Create the invited user with the invite's role; the invite is used up."""
    invite = find_invite(session, token)
    if invite is None:
        raise AccountError(_("This invite link is not valid: it may have expired or been used."))
    user = create_user(
        session,
        pseudonym,
        password,
        email=email,
        is_admin=invite.role == "admin",
        is_publisher=invite.role == "publisher",
    )
    if invite.role in LANGUAGE_ROLES and invite.language is not None:
        set_membership(session, user, invite.language, invite.role)
    invite.used_at = utcnow()
    invite.used_by_id = user.id
    session.flush()
    return user


def revoke_invite(session: Session, invite: Invite) -> None:
    """Withdraw an unused invite (its link stops working); used ones stay as a record."""
    if invite.used_at is not None:
        raise AccountError(_("This invite was already used and cannot be revoked."))
    session.delete(invite)
    session.flush()


def list_invites(session: Session) -> list[Invite]:
    """Every invite, newest first."""
    return list(session.scalars(select(Invite).order_by(Invite.created_at.desc(),
                                                         Invite.id.desc())))


# ---------------------------------------------------------------------------------------
# Languages


def normalise_language_code(code: str) -> str:
    """BCP 47 spelling: "pt_br" -> "pt-BR", "sr-latn" -> "sr-Latn"."""
    raw = (code or "").strip().replace("_", "-")
    parts = [p for p in raw.split("-") if p]
    if not parts or not all(p.isascii() and p.isalnum() for p in parts) or len(raw) > 35:
        raise AccountError(_("%(code)s is not a language code such as fr or pt-BR.", code=code))
    out = [parts[0].lower()]
    for p in parts[1:]:
        if len(p) == 4 and p.isalpha():
            out.append(p.title())
        elif len(p) in (2, 3):
            out.append(p.upper())
        else:
            out.append(p.lower())
    return "-".join(out)


def _babel_locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError):
        return None


def add_language(
    session: Session,
    code: str,
    *,
    name: str | None = None,
    native_name: str | None = None,
    direction: str | None = None,
) -> Language:
    """Add a language; names, direction and plural forms come from Babel's locale data."""
    code = normalise_language_code(code)
    if session.scalar(select(Language).where(func.lower(Language.code) == code.lower())):
        raise AccountError(_("The language %(code)s already exists.", code=code))
    locale = _babel_locale(code)
    if locale is None and not name:
        raise AccountError(
            _("%(code)s is not a known language code; give its name as well.", code=code)
        )
    if direction not in (None, "", "ltr", "rtl"):
        raise AccountError(_("The direction must be ltr or rtl."))
    if not direction:
        direction = "rtl" if locale is not None and locale.character_order == "right-to-left" \
            else "ltr"
    language = Language(
        code=code,
        name=(name or (locale.get_display_name("en") if locale else code) or code).strip(),
        native_name=(native_name or (locale.get_display_name(locale) if locale else "") or ""),
        direction=direction,
        plural_forms=plural_forms(code),  # CLDR's rules, through Babel
    )
    session.add(language)
    session.flush()
    return language


def update_language_policy(
    session: Session,
    language: Language,
    *,
    allow_self_review: bool | None = None,
    approvals_required: int | None = None,
    team_name: str | None = None,
) -> None:
    """Change a language team's review policy (self-review, one or two approvals, name)."""
    if approvals_required is not None:
        if approvals_required not in (1, 2):
            raise AccountError(_("Approvals required must be 1 or 2."))
        language.approvals_required = approvals_required
    if allow_self_review is not None:
        language.allow_self_review = allow_self_review
    if team_name is not None:
        if len(team_name) > 200:
            raise AccountError(_("The team name must be at most 200 characters long."))
        language.team_name = team_name.strip()
    session.flush()


def list_languages(session: Session) -> list[Language]:
    """Every language, by code."""
    return list(session.scalars(select(Language).order_by(Language.code)))


def get_language(session: Session, code: str) -> Language | None:
    """The language with this code (case-insensitive), or None."""
    return session.scalar(select(Language).where(func.lower(Language.code) == code.lower()))


# ---------------------------------------------------------------------------------------
# Personal data


def _iso(moment: datetime | None) -> str | None:
    return _aware(moment).isoformat() if moment else None


def _own(session: Session, model: Any, owner: Any, user: User) -> list[Any]:
    """The user's rows of one kind, oldest first."""
    return list(session.scalars(select(model).where(owner == user.id).order_by(model.id)))


def _profile(user: User) -> dict[str, Any]:
    return {
        "pseudonym": user.pseudonym,
        "email": user.email,
        "credit_name": user.credit_name,
        "locale": user.locale,
        "is_admin": user.is_admin,
        "is_publisher": user.is_publisher,
        "active": user.active,
        "created_at": _iso(user.created_at),
    }


def _translation_count(session: Session, column: Any, user: User) -> int:
    return session.scalar(select(func.count()).select_from(Translation).where(column == user.id)) \
        or 0


def export_my_data(session: Session, user: User) -> dict[str, Any]:
    """Everything tms holds about a user, as JSON-ready data (GDPR access)."""
    revisions = _own(session, Revision, Revision.author_id, user)
    comments = _own(session, Comment, Comment.author_id, user)
    suggestions = _own(session, Suggestion, Suggestion.author_id, user)
    return {
        "profile": _profile(user),
        "memberships": [
            {"language": m.language.code, "role": m.role, "since": _iso(m.created_at)}
            for m in session.scalars(select(Membership).where(Membership.user_id == user.id))
        ],
        "counts": {
            "revisions": len(revisions),
            "comments": len(comments),
            "suggestions": len(suggestions),
            "translations_last_edited": _translation_count(session, Translation.translator_id,
                                                           user),
            "translations_reviewed": _translation_count(session, Translation.reviewer_id, user),
        },
        "revisions": [
            {"id": r.id, "translation_id": r.translation_id, "target": r.target,
             "state": r.state, "origin": r.origin, "note": r.note,
             "created_at": _iso(r.created_at)}
            for r in revisions
        ],
        "comments": [
            {"id": c.id, "segment_id": c.segment_id, "language_id": c.language_id,
             "body": c.body, "kind": c.kind, "created_at": _iso(c.created_at)}
            for c in comments
        ],
        "suggestions": [
            {"id": s.id, "segment_id": s.segment_id, "language_id": s.language_id,
             "target": s.target, "status": s.status, "created_at": _iso(s.created_at)}
            for s in suggestions
        ],
        "notifications": [
            {"kind": n.kind, "params": n.params, "created_at": _iso(n.created_at),
             "read_at": _iso(n.read_at)}
            for n in _own(session, Notification, Notification.user_id, user)
        ],
        "activity": [
            {"verb": a.verb, "document_id": a.document_id, "language_id": a.language_id,
             "count": a.count, "created_at": _iso(a.created_at)}
            for a in _own(session, Activity, Activity.user_id, user)
        ],
        "other_records": privacy.other_records(session, user),
    }


def delete_account(session: Session, user: User) -> None:
    """Erase the person (pseudonym, e-mail, password, roles); their texts stay, credited
    to "former volunteer"."""
    if user.is_admin and user.active and _admin_count(session) <= 1:
        raise AccountError(_("The last admin cannot delete their account; make someone else "
                             "admin first."))
    session.execute(delete(Membership).where(Membership.user_id == user.id))
    session.execute(delete(Notification).where(Notification.user_id == user.id))
    session.execute(delete(LoginThrottle).where(LoginThrottle.bucket == f"user:{user.id}"))
    privacy.forget_pseudonym(session, user.pseudonym)  # quoted in others' notifications
    user.pseudonym = None
    user.email = None
    user.credit_name = None
    user.locale = None
    user.password_hash = ""
    user.is_admin = False
    user.is_publisher = False
    user.active = False
    user.deleted = True
    user.must_change_password = False
    user.session_generation += 1
    session.flush()
    session.expire(user, ["memberships"])
