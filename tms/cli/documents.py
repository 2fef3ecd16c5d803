"""`tms init`, `tms import`, `tms segments`, `tms stats`: thin wrappers over services."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tms import migrate
from tms.db import get_engine, get_session
from tms.i18n import _
from tms.models import Block, Document, Language, Segment
from tms.services import importing, stats

# Imports shorter than this many blocks finish before a progress bar would be useful.
PROGRESS_MIN_BLOCKS = 200


def database_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn database failures (not initialised, unreachable) into one sentence."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SQLAlchemyError as exc:
            get_session().rollback()
            raise click.ClickException(
                _("The database is not ready (%(error)s); run “tms init” first.",
                  error=first_line(getattr(exc, "orig", None) or exc))
            ) from exc

    return wrapper


def init_database() -> str | None:
    """Create the instance folder and create or upgrade the schema; returns the revision."""
    Path(current_app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    return migrate.upgrade(get_engine())


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database, or upgrade it to the current schema."""
    try:
        revision = init_database()
    except Exception as exc:  # the database may be unreachable: say so in one sentence
        raise click.ClickException(
            _("The database could not be prepared: %(error)s", error=first_line(exc))
        ) from exc
    click.echo(_("The database is ready (schema %(revision)s).", revision=revision))


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (database errors run to many lines)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def import_file(session: Session, path: Path, *, slug: str | None = None,
                title: str | None = None, source_language: str | None = None,
                kind: str = "document", show_progress: bool = True) -> importing.ImportReport:
    """Read a file and import it (with a progress bar for long documents); no commit."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise importing.DocumentImportError(
            _("%(file)s could not be read: %(reason)s.", file=path.name,
              reason=exc.strerror or type(exc).__name__)
        ) from exc
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if not show_progress or total < PROGRESS_MIN_BLOCKS:
            return
        if bar is None:
            bar = click.progressbar(length=total, label=_("Importing"), file=None)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        return importing.import_document(
            session, filename=path.name, data=data, slug=slug, title=title,
            source_language=source_language, kind=kind, progress=progress,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


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
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
@database_errors
def import_command(file: Path, slug: str | None, title: str | None,
                   source_language: str | None, kind: str, as_json: bool) -> None:
    """Import a DOCX, Markdown, HTML, text or PO file, or a new version of one."""
    session = get_session()
    try:
        report = import_file(session, file, slug=slug, title=title, kind=kind,
                             source_language=source_language, show_progress=not as_json)
    except importing.DocumentImportError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from exc
    session.commit()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in describe_report(report):
            click.echo(line)


def _document(session: Session, slug: str) -> Document:
    found = session.scalar(select(Document).where(Document.slug == slug))
    if found is None:
        raise click.ClickException(_("There is no document “%(slug)s”.", slug=slug))
    return found


def _language(session: Session, code: str) -> Language:
    found = session.scalar(select(Language).where(Language.code == code))
    if found is None:
        raise click.ClickException(_("There is no language “%(code)s”.", code=code))
    return found


@click.command("segments")
@click.option("--doc", "slug", required=True, help="The document's short name.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@with_appcontext
@database_errors
def segments_command(slug: str, as_json: bool) -> None:
    """List a document's current segments with their block type and context."""
    session = get_session()
    document = _document(session, slug)
    rows = session.execute(
        select(Segment, Block.type, Block.context)
        .join(Block, Block.id == Segment.block_id)
        .where(Segment.document_id == document.id, Segment.archived.is_(False))
        .order_by(Segment.position)
    ).all()
    items = [
        {"position": seg.position, "block_type": btype, "context": context or "",
         "key": seg.key, "index_in_block": seg.index_in_block, "words": seg.word_count,
         "source": seg.source}
        for seg, btype, context in rows
    ]
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
    language_id = _language(session, code).id if code else None
    result: Any
    if slug:
        result = stats.document_stats(session, _document(session, slug).id, language_id)
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
