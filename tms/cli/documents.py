"""`tms init`, `tms import`, `tms segments`, `tms stats`: thin wrappers over services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from tms.cli.common import (
    database_errors,
    find_document,
    find_language,
    import_progress,
    prepare_database,
    read_file,
)
from tms.db import get_session
from tms.i18n import _
from tms.queries import documents as document_queries
from tms.services import importing, stats

# Imports shorter than this many blocks finish before a progress bar would be useful.
PROGRESS_MIN_BLOCKS = 200


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database, or upgrade it to the current schema."""
    revision = prepare_database()
    click.echo(_("The database is ready (schema %(revision)s).", revision=revision))


def import_file(path: Path, *, slug: str | None = None, title: str | None = None,
                source_language: str | None = None, kind: str = "document",
                show_progress: bool = True, comments: bool = False) -> importing.ImportReport:
    """Read a file and import it (with a progress bar for long documents); no commit."""
    data = read_file(path)
    with import_progress(PROGRESS_MIN_BLOCKS, shown=show_progress) as progress:
        return importing.import_document(
            get_session(), filename=path.name, data=data, slug=slug, title=title,
            source_language=source_language, kind=kind, progress=progress, comments=comments,
        )


def describe_report(report: importing.ImportReport) -> list[str]:
    """The report as lines for the terminal."""
    doc = report.document
    if report.status == "unchanged":
        return [_("%(file)s is the same as version %(n)s of “%(slug)s”; nothing changed.",
                  file=report.version.filename, n=report.version.number, slug=doc.slug)]
    lines = [
        _("Imported “%(title)s” as %(slug)s, version %(n)s (%(format)s).", title=doc.title,
          slug=doc.slug, n=report.version.number, format=report.format),
        _("Blocks: %(blocks)s, segments: %(segments)s, words: %(words)s.",
          blocks=report.blocks, segments=report.segments, words=report.words),
    ]
    if not report.created:
        lines.append(_("Unchanged %(unchanged)s, changed %(changed)s (translations marked "
                       "outdated), new %(new)s, removed %(removed)s (archived).",
                       unchanged=report.unchanged, changed=report.changed, new=report.new,
                       removed=report.removed))
    if report.prefilled:
        lines.append(_("%(n)s drafts filled from the translation memory.", n=report.prefilled))
    lines.extend(_("Warning: %(warning)s", warning=w) for w in report.warnings)
    return lines


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", help="Short name of the document (default: from the file name).")
@click.option("--title", help="Title shown to translators (default: from the file).")
@click.option("--source-lang", "source_language",
              help="Language of the source text (default: en, or the document's).")
@click.option("--kind", type=click.Choice(["document", "interface"]), default="document",
              show_default=True, help="interface: the program's own strings (a POT file).")
@click.option("--comments", is_flag=True,
              help="Also translate the comments of a Word document (off by default).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
@database_errors
def import_command(file: Path, slug: str | None, title: str | None,
                   source_language: str | None, kind: str, comments: bool,
                   as_json: bool) -> None:
    """Import a DOCX, Markdown, HTML, text or PO file, or a new version of one."""
    report = import_file(file, slug=slug, title=title, kind=kind, comments=comments,
                         source_language=source_language, show_progress=not as_json)
    get_session().commit()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in describe_report(report):
            click.echo(line)


@click.command("segments")
@click.option("--doc", "slug", required=True, help="The document's short name.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@with_appcontext
@database_errors
def segments_command(slug: str, as_json: bool) -> None:
    """List a document's current segments with their block type and context."""
    items = document_queries.current_segments(get_session(), find_document(slug).id)
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for item in items:
        where = f"{item['block_type']}" + (f" [{item['context']}]" if item["context"] else "")
        click.echo(f"{item['position']:>5}  {where}  {item['source']}")


def _stats_lines(row: dict[str, Any]) -> str:
    seg, words = row["segments"], row["words"]
    return _("%(doc)s %(lang)s: %(pct)s%% translated, %(approved)s%% approved; segments "
             "%(total)s (untranslated %(u)s, needs work %(nw)s, draft %(d)s, translated %(t)s, "
             "approved %(a)s, outdated %(o)s); words %(words)s",
             doc=row["document"], lang=row["language"], pct=row["percent_translated"],
             approved=row["percent_approved"], total=seg["total"], u=seg["untranslated"],
             nw=seg["needs_work"], d=seg["draft"], t=seg["translated"], a=seg["approved"],
             o=row["outdated"], words=words["total"])


@click.command("stats")
@click.option("--doc", "slug", help="Only this document.")
@click.option("--lang", "code", help="Only this language.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
@database_errors
def stats_command(slug: str | None, code: str | None, as_json: bool) -> None:
    """Show translation progress per document and language."""
    session = get_session()
    language_id = find_language(code).id if code else None
    result: Any
    if slug:
        result = stats.document_stats(session, find_document(slug).id, language_id)
        rows = [result] if language_id else [
            {**{k: v for k, v in result.items() if k != "languages"}, **lang}
            for lang in result["languages"]
        ]
    else:
        result = rows = stats.overview(session, kind=None, language_id=language_id)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if slug and not rows:
        click.echo(_("%(doc)s: segments %(total)s, words %(words)s; no target languages yet.",
                     doc=slug, total=result["total_segments"], words=result["total_words"]))
    elif not rows:
        click.echo(_("No documents or no target languages yet."))
    for row in rows:
        click.echo(_stats_lines(row))


commands = [init_command, import_command, segments_command, stats_command]
