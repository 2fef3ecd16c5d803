"""`tms i18n ...`: extract, translate with tms itself, export and compile the interface.

In order: extract -> import-pot -> (once per language: seed, to load the catalogue made
so far) -> volunteers translate and review "interface" in the editor -> export-po --lang L
-> compile. `update` merges a new template into POs edited by hand;
`pseudo` regenerates the en-XA / en-XR test locales.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tms.cli.common import database_errors, find_language, find_user, service_errors
from tms.db import get_session
from tms.i18n import _
from tms.services import interface

_TRANSLATIONS = click.option(
    "--translations", "translations", type=click.Path(path_type=Path, file_okay=False),
    default=interface.TRANSLATIONS_DIR, show_default=False,
    help="The catalogue folder (default tms/translations).")


@click.group("i18n")
def i18n_group() -> None:
    """Translate the interface itself (gettext catalogues in tms/translations)."""


@i18n_group.command("extract")
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Where to write the template (default tms/translations/messages.pot).")
def extract_command(output: Path | None) -> None:
    """Collect every translatable string of the code and templates into messages.pot."""
    catalog = interface.extract()
    path = interface.write_pot(catalog, output or interface.POT_PATH)
    click.echo(_("%(count)s messages written to %(file)s.", count=len(catalog), file=str(path)))


@i18n_group.command("update")
@_TRANSLATIONS
def update_command(translations: Path) -> None:
    """Merge messages.pot into every locale's messages.po and regenerate the pseudo-locales."""
    for folder, count in interface.update_catalogs(translations).items():
        click.echo(_("%(locale)s: %(count)s messages.", locale=folder, count=count))


@i18n_group.command("pseudo")
@_TRANSLATIONS
def pseudo_command(translations: Path) -> None:
    """Regenerate the en-XA (accented, longer) and en-XR (right-to-left) pseudo-locales."""
    for folder, count in interface.write_pseudo(translations).items():
        click.echo(_("%(locale)s: %(count)s messages.", locale=folder, count=count))


@i18n_group.command("compile")
@click.option("--lang", default=None, help="Only this language (default: all).")
@_TRANSLATIONS
@service_errors
def compile_command(lang: str | None, translations: Path) -> None:
    """Compile each messages.po to messages.mo; fails if a translation breaks a placeholder."""
    reports = interface.compile_catalogs(translations, only=lang)
    failed = False
    for r in reports:
        if r.errors:
            failed = True
            click.echo(_("%(locale)s: not compiled, %(count)s broken placeholders:",
                         locale=r.locale, count=len(r.errors)), err=True)
            for error in r.errors:
                click.echo("  " + error, err=True)
        else:
            click.echo(_("%(locale)s: %(translated)s of %(count)s messages translated.",
                         locale=r.locale, translated=r.translated, count=r.messages))
    if failed:
        raise click.ClickException(_("Some catalogues were not compiled."))


@i18n_group.command("import-pot")
@click.option("--file", "file_", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="The template to import (default tms/translations/messages.pot).")
@with_appcontext
@database_errors
def import_pot_command(file_: Path | None) -> None:
    """Import messages.pot as the document "interface" for volunteers to translate."""
    session = get_session()
    report = interface.import_pot(session, data=file_.read_bytes() if file_ else None)
    session.commit()
    click.echo(_("Interface document: %(status)s, %(count)s messages.",
                 status=report.status, count=report.segments))


@i18n_group.command("export-po")
@click.option("--lang", "lang", required=True, help="Language code, e.g. fr.")
@click.option("--include", type=click.Choice(["approved", "translated"]), default="approved",
              help="approved (default) or translated (approved and awaiting review).")
@click.option("--no-compile", is_flag=True, help="Write the PO only.")
@click.option("--force", is_flag=True,
              help="Replace the catalogue even if it has more translations than tms.")
@_TRANSLATIONS
@with_appcontext
@database_errors
def export_po_command(lang: str, include: str, no_compile: bool, force: bool,
                      translations: Path) -> None:
    """Write the interface translations of a language to its messages.po and compile it."""
    path, messages, translated = interface.export_po(get_session(), find_language(lang),
                                                    include=include,
                                                    translations=translations, force=force)
    click.echo(_("%(file)s: %(translated)s of %(count)s messages translated.",
                 file=str(path), translated=translated, count=messages))
    if not no_compile:
        for r in interface.compile_catalogs(translations, only=lang):
            if r.errors:
                raise click.ClickException("\n".join(r.errors))
            click.echo(_("%(file)s compiled.", file=str(r.path)))


@i18n_group.command("seed")
@click.option("--lang", "lang", default=None, help="Language code, e.g. fr.")
@click.option("--all", "all_", is_flag=True,
              help="Every catalogue whose language has no interface translation online yet "
                   "(languages tms lacks are added).")
@click.option("--user", "pseudonym", required=True,
              help="The team member the imported texts are saved as.")
@_TRANSLATIONS
@with_appcontext
@database_errors
def seed_command(lang: str | None, all_: bool, pseudonym: str, translations: Path) -> None:
    """Load the language's existing messages.po into "interface", awaiting review."""
    if bool(lang) == all_:
        raise click.UsageError(_("Give either --lang L or --all."))
    session = get_session()
    user = find_user(pseudonym)
    if all_:
        rows = interface.seed_all(session, user, translations=translations)
        session.commit()
        for row in rows:
            if row.added:
                click.echo(_("%(code)s: language added.", code=row.code))
            if row.report is None:
                click.echo(_("%(code)s: already has translations online, left alone.",
                             code=row.code))
            else:
                click.echo(_("%(code)s: %(saved)s translations saved for review, %(kept)s "
                             "already online, %(skipped)s skipped.", code=row.code,
                             saved=row.report.saved, kept=row.report.kept,
                             skipped=row.report.skipped))
        return
    language = find_language(str(lang))
    report = interface.seed_from_catalog(session, language, user, translations=translations)
    session.commit()
    click.echo(_("%(saved)s translations saved for review, %(kept)s already online, "
                 "%(skipped)s skipped.", saved=report.saved, kept=report.kept,
                 skipped=report.skipped))


commands = [i18n_group]
