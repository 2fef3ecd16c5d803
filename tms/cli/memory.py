"""`tms tm import|export`, `tms glossary import|export`, `tms upload`: exchange with other
tools, thin wrappers over tms.services.exchange and tms.services.offline."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from tms.cli.common import (
    database_errors,
    find_document,
    find_language,
    find_user,
    import_progress,
    read_file,
)
from tms.db import get_session
from tms.i18n import _, ngettext
from tms.models import State
from tms.services import exchange, offline
from tms.services.exporting import write_file

# Files with fewer pairs than this finish before a progress bar would be useful.
PROGRESS_MIN_PAIRS = 1000
UPLOAD_STATES = {"translated": State.TRANSLATED, "draft": State.DRAFT}


def _write_out(data: bytes, out: Path | None) -> None:
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    path = write_file(data, out)
    click.echo(_("Wrote %(path)s.", path=path), err=True)


@click.group("tm")
def tm_group() -> None:
    """Translation memory exchange (TMX in and out; XLIFF, PO and CSV in)."""


@tm_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source-lang", help="Keep only pairs from this language (default: all); "
              "the source language of a file that does not name it.")
@click.option("--target-lang", help="Keep only pairs into this language (default: all); "
              "the target language of a file that does not name it.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
@database_errors
def tm_import(file: Path, source_lang: str | None, target_lang: str | None,
              as_json: bool) -> None:
    """Add the pairs of a bilingual file to the memory: TMX, XLIFF 1.0-2.0 (memoQ, Trados,
    Passolo, OmegaT, Okapi...), PO/POT or CSV/TSV with language columns."""
    session = get_session()
    data = read_file(file)
    with import_progress(PROGRESS_MIN_PAIRS, shown=not as_json) as progress:
        report = exchange.import_tmx(session, filename=file.name, data=data,
                                     source_language=source_lang, target_language=target_lang,
                                     progress=progress)
    session.commit()
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(report.summary())
    for (src, tgt), count in sorted(report.pairs.items()):
        click.echo(f"  {src} → {tgt}: {count}")
    for line in report.skipped_lines():
        click.echo(line)


@tm_group.command("export")
@click.option("--source-lang", required=True, help="Source language code, e.g. en.")
@click.option("--target-lang", required=True, help="Target language code, e.g. fr.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
@with_appcontext
@database_errors
def tm_export(source_lang: str, target_lang: str, out: Path | None) -> None:
    """Write the approved memory of a language pair as TMX 1.4b."""
    data = exchange.export_tmx(get_session(), source_language=source_lang,
                               target_language=target_lang)
    _write_out(data, out)


@click.group("glossary")
def glossary_group() -> None:
    """Glossary exchange (TBX, CSV)."""


@glossary_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", "lang_code", required=True, help="Target language code.")
@click.option("--source-lang", default="en", show_default=True,
              help="Source language of a CSV without language columns.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
@database_errors
def glossary_import(file: Path, lang_code: str, source_lang: str, as_json: bool) -> None:
    """Add (or update) the terms of a .tbx or .csv file for one language."""
    session = get_session()
    language = find_language(lang_code, usage=True)
    report = exchange.import_glossary(session, language=language, filename=file.name,
                                      data=read_file(file), source_language=source_lang)
    session.commit()
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(report.summary())


@glossary_group.command("export")
@click.option("--lang", "lang_code", required=True, help="Target language code.")
@click.option("--format", "fmt", type=click.Choice(exchange.GLOSSARY_FORMATS), default="tbx",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")
@with_appcontext
@database_errors
def glossary_export(lang_code: str, fmt: str, out: Path | None) -> None:
    """Write the glossary of one language as TBX or CSV."""
    data = exchange.export_glossary(get_session(), language=find_language(lang_code, usage=True),
                                    fmt=fmt)
    _write_out(data, out)


@click.command("upload")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--doc", "doc_slug", required=True, help="Document slug.")
@click.option("--lang", "lang_code", required=True, help="Target language code.")
@click.option("--user", "pseudonym", required=True, help="Save in this volunteer's name.")
@click.option("--state", type=click.Choice(tuple(UPLOAD_STATES)), default="translated",
              show_default=True, help="State of the changed texts.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
@database_errors
def upload_command(file: Path, doc_slug: str, lang_code: str, pseudonym: str,
                   state: str, as_json: bool) -> None:
    """Apply a PO or XLIFF file translated offline (the same rules as the web upload).

    Exits 1 when the file had units and every one of them was skipped."""
    session = get_session()
    document = find_document(doc_slug, usage=True)
    language = find_language(lang_code, usage=True)
    user = find_user(pseudonym, usage=True)
    report = offline.apply_upload(session, document=document, language=language, user=user,
                                  filename=file.name, data=read_file(file),
                                  state=UPLOAD_STATES[state])
    session.commit()
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.summary())
        for item in report.suggested:
            click.echo(_("Suggestion (line %(line)s): %(reason)s", line=item.line or "?",
                         reason=item.reason))
        for item in report.skipped:
            click.echo(_("Skipped (line %(line)s): %(reason)s", line=item.line or "?",
                         reason=item.reason))
    if report.all_skipped:
        raise click.ClickException(ngettext(
            "The only unit of %(file)s was skipped; nothing was imported.",
            "All %(num)s units of %(file)s were skipped; nothing was imported.",
            len(report.skipped), file=file.name))


commands = [tm_group, glossary_group, upload_command]
