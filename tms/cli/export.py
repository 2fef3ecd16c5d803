"""`tms export`, `tms pretranslate` and `tms check`: thin wrappers over the export and print
services."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from tms.cli.common import database_errors, find_document, find_language, find_user
from tms.db import get_session
from tms.i18n import _, ngettext
from tms.models import Document, Language, User
from tms.queries import documents as document_queries
from tms.queries import users as user_queries
from tms.services import printing
from tms.services.accounts import list_languages
from tms.services.exporting import (
    FORMATS,
    INCLUDE_CHOICES,
    TMX_INLINE_CHOICES,
    UNTRANSLATED_CHOICES,
    ExportError,
    ExportResult,
    NothingToExport,
    batch_formats,
    export_document,
    write_export,
    write_file,
)
from tms.services.pretranslating import MODES, pretranslate


def _describe(result: ExportResult) -> str:
    """One line about what went into a file."""
    r = result.report
    if r.format in ("docx", "html", "pdf"):
        if not r.left_in_source:
            return ngettext("%(num)s segment, all translated", "%(num)s segments, all translated",
                            r.segments)
        return ngettext(
            "%(num)s segment left in the source language (%(words)s words)",
            "%(num)s segments left in the source language (%(words)s words)",
            len(r.left_in_source), words=r.left_in_source_words,
        )
    return ngettext("%(num)s unit", "%(num)s units", r.units)


@click.command("export")
@click.option("--doc", "doc_slug", help="Document slug.")
@click.option("--lang", "lang_code", help="Target language code.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Export format.")
@click.option("--all", "export_all", is_flag=True,
              help="Every document (not the interface strings), language and format "
                   "(DOCX only for DOCX imports).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the file (with --all: the root of <doc>/<lang>/ folders). "
                   "Default: EXPORTS_DIR/<doc>/<lang>/.")
@click.option("--include", type=click.Choice(INCLUDE_CHOICES), default="approved",
              show_default=True,
              help="DOCX/HTML/TMX: approved text only, or also awaiting review.")
@click.option("--untranslated", type=click.Choice(UNTRANSLATED_CHOICES), default="source",
              show_default=True, help="DOCX/HTML: keep the source, or refuse the export.")
@click.option("--credits", is_flag=True, help="Name the translators in PO/XLIFF headers.")
@click.option("--tmx-tags", "tmx_inline", type=click.Choice(TMX_INLINE_CHOICES),
              default="codes", show_default=True,
              help="TMX: tags as bpt/ept/ph codes, as plain text like <1>…</1> (what "
                   "OmegaT matches against our PO files), or as OmegaT shows our XLIFF "
                   "files (<g0>…</g0>).")
@click.option("--xliff-prefill/--no-xliff-prefill", default=True, show_default=True,
              help="XLIFF: give untranslated units a target holding the source (state new), "
                   "as CAT tools expect.")
@click.option("--xliff-approve-translated", is_flag=True,
              help="XLIFF: mark text awaiting review approved=\"yes\" too (translate-toolkit "
                   "reads units without it as fuzzy).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
@database_errors
def export_command(doc_slug: str | None, lang_code: str | None, fmt: str | None,
                   export_all: bool, out_dir: Path | None, include: str, untranslated: str,
                   credits: bool, tmx_inline: str, xliff_prefill: bool,
                   xliff_approve_translated: bool, as_json: bool) -> None:
    """Export a document in one language and format, or everything with --all."""
    root = Path(current_app.config["EXPORTS_DIR"])
    options = {"include": include, "untranslated": untranslated, "credits": credits,
               "team_name": current_app.config.get("TEAM_NAME"), "tmx_inline": tmx_inline,
               "xliff_prefill": xliff_prefill,
               "xliff_approve_translated": xliff_approve_translated}
    if export_all:
        if doc_slug or lang_code or fmt:
            raise click.UsageError(_("--all exports everything: leave out --doc, --lang "
                                     "and --format."))
        _export_everything(out_dir or root, options, as_json=as_json)
        return
    if not (doc_slug and lang_code and fmt):
        raise click.UsageError(_("Give --doc, --lang and --format (or --all)."))
    document = find_document(doc_slug, usage=True)
    language = find_language(lang_code, usage=True)
    result = export_document(get_session(), document, language, fmt, **options)  # type: ignore[arg-type]
    if out_dir is not None:
        path = write_file(result.data, out_dir / result.filename)
    else:
        path = write_export(result, root, document.slug, language.code)
    if as_json:
        click.echo(json.dumps({"path": str(path), **result.report.to_json()},
                              ensure_ascii=False, indent=2))
        return
    click.echo(_("Wrote %(path)s: %(what)s.", path=path, what=_describe(result)))


def _export_everything(root: Path, options: dict[str, object], *, as_json: bool = False
                       ) -> None:
    """Every document x language x format; each failure is reported and counted, a TMX
    with nothing to hold is left out (and said so)."""
    session = get_session()
    # The interface's own strings (kind "interface") have their own catalogue commands.
    documents = document_queries.documents_of_kind(session, "document")
    languages = list_languages(session)
    jobs: list[tuple[Document, Language, str]] = []
    failures: list[str] = []
    for document in documents:
        try:
            doc_formats = batch_formats(session, document)
        except ExportError as exc:
            failures.append(f"{document.slug}: {exc.message}")
            continue
        jobs.extend((document, language, fmt) for language in languages
                    if language.code != document.source_language for fmt in doc_formats)
    written: list[str] = []
    empty: list[str] = []

    def show(job: tuple[Document, Language, str] | None) -> str | None:
        return f"{job[0].slug}/{job[1].code}/{job[2]}" if job else None

    with click.progressbar(jobs, label=_("Exporting"), item_show_func=show,
                           # with --json, standard output is for the JSON only
                           file=io.StringIO() if as_json else None) as bar:
        for document, language, fmt in bar:
            try:
                result = export_document(session, document, language, fmt,
                                         **options)  # type: ignore[arg-type]
                written.append(str(write_export(result, root, document.slug, language.code)))
            except NothingToExport:
                empty.append(f"{document.slug}/{language.code}/{fmt}")
            except ExportError as exc:
                failures.append(f"{document.slug}/{language.code}/{fmt}: {exc.message}")
            except Exception as exc:  # one broken file must not stop the batch; it is counted
                failures.append(f"{document.slug}/{language.code}/{fmt}: "
                                f"{type(exc).__name__}: {exc}")
    if as_json:
        click.echo(json.dumps({"written": written, "empty": empty, "failures": failures},
                              ensure_ascii=False, indent=2))
    else:
        for line in failures:
            click.echo(_("Error: %(what)s", what=line), err=True)
        click.echo(ngettext("%(num)s file written to %(root)s",
                            "%(num)s files written to %(root)s", len(written), root=root))
        if empty:
            click.echo(ngettext("%(num)s TMX file left out: nothing in it is admissible yet.",
                                "%(num)s TMX files left out: nothing in them is admissible "
                                "yet.", len(empty)))
    if failures:
        raise click.ClickException(
            ngettext("%(num)s export failed.", "%(num)s exports failed.", len(failures))
        )


def _acting_user(pseudonym: str | None) -> User:
    """The named user, or the first active admin when none is named."""
    if pseudonym:
        return find_user(pseudonym, usage=True)
    user = user_queries.first_active_admin(get_session())
    if user is None:
        raise click.UsageError(_("Name the user to save as with --user (no admin exists)."))
    return user


@click.command("pretranslate")
@click.option("--doc", "doc_slug", required=True, help="Document slug.")
@click.option("--lang", "lang_code", required=True, help="Target language code.")
@click.option("--mode", type=click.Choice(MODES), required=True,
              help="copy: target = source; pseudo: accented, longer text to test layouts; "
                   "memory: exact memory matches as drafts.")
@click.option("--user", "pseudonym", help="Save as this user (default: the first admin).")
@click.option("--json", "as_json", is_flag=True, help="Print the count as JSON.")
@with_appcontext
@database_errors
def pretranslate_command(doc_slug: str, lang_code: str, mode: str,
                         pseudonym: str | None, as_json: bool) -> None:
    """Fill untranslated segments of a document automatically."""
    session = get_session()
    document = find_document(doc_slug, usage=True)
    language = find_language(lang_code, usage=True)
    user = _acting_user(pseudonym)
    count = pretranslate(session, document, language, mode, user=user)
    session.commit()
    if as_json:
        click.echo(json.dumps({"document": document.slug, "language": language.code,
                               "mode": mode, "pretranslated": count}))
        return
    click.echo(ngettext("%(num)s segment pretranslated (%(mode)s).",
                        "%(num)s segments pretranslated (%(mode)s).", count, mode=mode))


@click.command("check")
@click.option("--doc", "doc_slug", required=True, help="Document slug.")
@click.option("--lang", "lang_code", required=True, help="Target language code.")
@click.option("--include", type=click.Choice(INCLUDE_CHOICES), default="approved",
              show_default=True, help="Check the print of approved text only, or also "
                                      "text awaiting review.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@with_appcontext
@database_errors
def check_command(doc_slug: str, lang_code: str, include: str, as_json: bool) -> None:
    """Check the print of a document in one language: pages, overflow, fonts, language tags.

    Exits 1 when a check finds a problem that needs fixing (notes do not count)."""
    document = find_document(doc_slug, usage=True)
    language = find_language(lang_code, usage=True)
    job = printing.prepare(get_session(), document, language, include=include)
    report = printing.check_now(job, Path(current_app.config["INSTANCE_DIR"]) / "previews")
    problems = [f for f in report.findings if f.severity == "warning"]
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        if report.source_pages is not None:
            click.echo(_("Pages: %(target)s (source: %(source)s)", target=report.target_pages,
                         source=report.source_pages))
        for finding in report.findings:
            label = _("Warning") if finding.severity == "warning" else _("Note")
            click.echo(f"{label}: {finding.message}")
        if not report.findings:
            click.echo(_("No layout problems found."))
    if problems:
        raise SystemExit(1)


commands = [export_command, pretranslate_command, check_command]
