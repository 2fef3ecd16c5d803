"""`tms user ...` and `tms language ...`: accounts and languages from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from tms.cli.common import database_errors
from tms.db import get_session
from tms.i18n import _
from tms.services import accounts

ROLES = ("admin", "publisher", "translator", "reviewer")


@click.group("user")
def user_group() -> None:
    """Manage user accounts."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="Global or team role.")
@click.option("--lang", "lang_code", default=None, help="Language code (translator, reviewer).")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input instead of generating one.")
@with_appcontext
@database_errors
def user_add(name: str, role: str, lang_code: str | None, password_stdin: bool) -> None:
    """Create a user; without --password-stdin a one-time password is printed."""
    session = get_session()
    language = None
    if role in accounts.LANGUAGE_ROLES:
        if not lang_code:
            raise click.UsageError(_("--lang is required for translators and reviewers."))
        language = accounts.get_language(session, lang_code)
        if language is None:
            raise click.ClickException(
                _("Unknown language %(code)s; add it with: tms language add %(code)s",
                  code=lang_code))
    elif lang_code:
        raise click.UsageError(_("--lang is only for translators and reviewers."))
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        generated = False
    else:
        password = accounts.generate_password()
        generated = True
    user = accounts.create_user(session, name, password, is_admin=role == "admin",
                                is_publisher=role == "publisher", must_change_password=generated)
    if language is not None:
        accounts.set_membership(session, user, language, role)
    session.commit()
    click.echo(_("Created %(name)s (%(role)s).", name=user.pseudonym, role=role))
    if generated:
        click.echo(_("One-time password (to be changed at first log-in): %(password)s",
                     password=password))


@click.group("language")
def language_group() -> None:
    """Manage target languages."""


@language_group.command("add")
@click.argument("code")
@click.option("--name", default=None, help="English name (default: from the locale data).")
@with_appcontext
@database_errors
def language_add(code: str, name: str | None) -> None:
    """Add a language by its BCP 47 code."""
    session = get_session()
    language = accounts.add_language(session, code, name=name)
    session.commit()
    click.echo(_("Added %(code)s: %(name)s (%(native)s), %(direction)s.", code=language.code,
                 name=language.name, native=language.native_name,
                 direction=language.direction))


@language_group.command("list")
@with_appcontext
@database_errors
def language_list() -> None:
    """List languages: code, name, native name, direction, approvals required."""
    for language in accounts.list_languages(get_session()):
        click.echo("\t".join([language.code, language.name, language.native_name,
                              language.direction, str(language.approvals_required)]))


commands = [user_group, language_group]
