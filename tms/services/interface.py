"""The interface's own strings, translated with tms itself.

The chain: `extract` (Babel reads tms/**.py and the templates into messages.pot) ->
`import_pot` (the POT becomes the document "interface", one segment per message) ->
volunteers translate and review it in the editor -> `export_po` (approved translations
become tms/translations/<ll>/LC_MESSAGES/messages.po) -> `compile_catalogs` (messages.mo,
refusing broken placeholders). `update_catalogs` merges a new POT into existing POs,
`seed_from_catalog` loads an existing PO into the document (awaiting review), and
`write_pseudo` makes the en-XA / en-XR test locales.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from gettext import c2py
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tms.formats import DOCUMENT_FORMATS, WriteOptions, po
from tms.formats.base import TargetBlock
from tms.i18n import _
from tms.models import (
    Block,
    Document,
    DocumentVersion,
    Language,
    Segment,
    State,
    Translation,
    User,
)
from tms.pseudo_locale import PSEUDO_LOCALES, pseudo_catalog
from tms.services import accounts, workflow
from tms.services.errors import ServiceError
from tms.services.importing import ImportReport, import_document, parsed_block

ROOT = Path(__file__).resolve().parent.parent.parent
TRANSLATIONS_DIR = ROOT / "tms" / "translations"
POT_PATH = TRANSLATIONS_DIR / "messages.pot"
MAPPING_PATH = ROOT / "babel.cfg"
DOCUMENT_SLUG = "interface"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
COMMENT_TAGS = ("Translators:",)
_MIXED = re.compile(r"%\(\w+\)s.*%s|%s.*%\(\w+\)s", re.S)
_BRACE_FIELD = re.compile(r"(?<!\{)\{[A-Za-z_]\w*\}(?!\})")


class InterfaceError(ServiceError):
    """A step of the interface translation chain that cannot be done (one sentence)."""


@dataclass
class CompileReport:
    """What compile_catalogs did for one locale."""

    locale: str
    messages: int
    translated: int
    path: Path
    errors: list[str] = field(default_factory=list)


def locale_dir(code: str) -> str:
    """The catalogue folder of a language code (gettext spelling: pt-BR -> pt_BR)."""
    return po.po_language(code)


def locale_code(folder: str) -> str:
    """The language code of a catalogue folder (pt_BR -> pt-BR)."""
    return folder.replace("_", "-")


def _fix_flags(catalog: Catalog) -> None:
    """Flags that match how each message is really formatted."""
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        if "python-format" in message.flags and any(_MIXED.search(i) for i in ids):
            # Text that shows a placeholder as an example ("such as %(name)s or %s") is
            # never %-formatted; the flag would make msgfmt -c reject every catalogue.
            message.flags.discard("python-format")
            message.flags.add("no-python-format")
    _flag_brace_format(catalog)


def _flag_brace_format(catalog: Catalog) -> None:
    # Babel flags %-format strings itself; {count} fields get gettext's flag here so that
    # msgfmt -c and po.placeholders_match protect them too.
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        if message.id and any(_BRACE_FIELD.search(i) for i in ids):
            message.flags.add("python-brace-format")


def extract(root: Path = ROOT, mapping: Path | None = None) -> Catalog:
    """Every translatable message of the code and templates, as a Babel catalogue."""
    mapping = mapping or root / "babel.cfg"
    with open(mapping, encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, filename=str(mapping))
    catalog = Catalog(project="tms", version="1", charset="utf-8", fuzzy=False,
                      msgid_bugs_address="", copyright_holder="tms contributors")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    _fix_flags(catalog)
    return catalog


def _po_bytes(catalog: Catalog, **options: bool) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, **options)
    return buf.getvalue()


_DATE_LINE = re.compile(rb'^"(?:POT-Creation|PO-Revision)-Date: .*$', re.M)


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write a catalogue unless only its header dates would change (no churn in git)."""
    if path.exists() and _DATE_LINE.sub(b"", path.read_bytes()) == _DATE_LINE.sub(b"", data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def write_pot(catalog: Catalog, path: Path = POT_PATH) -> Path:
    """Write the template (left as it is when only its creation date would change)."""
    _write_if_changed(path, _po_bytes(catalog, omit_header=False, sort_output=False))
    return path


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """A PO or POT file as a Babel catalogue."""
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=locale, abort_invalid=True)
    for message in catalog:
        # Babel re-adds python-format to anything that looks like it; the file says no.
        if "no-python-format" in message.flags:
            message.flags.discard("python-format")
    return catalog


def locales(translations: Path = TRANSLATIONS_DIR) -> list[str]:
    """Folders that hold a messages.po, e.g. ["de", "en_XA", "fr", "ru"]."""
    return sorted(p.parent.parent.name
                  for p in translations.glob("*/LC_MESSAGES/messages.po"))


def update_catalogs(translations: Path = TRANSLATIONS_DIR, pot: Path | None = None
                    ) -> dict[str, int]:
    """Merge the template into every locale's PO; returns messages per locale.

    Pseudo-locales are regenerated from the template instead of merged.
    """
    template = read_catalog(pot or translations / "messages.pot")
    counts: dict[str, int] = {}
    for folder in locales(translations):
        if locale_code(folder) in PSEUDO_LOCALES:
            continue
        path = translations / folder / "LC_MESSAGES" / "messages.po"
        catalog = read_catalog(path, locale=folder)
        # No fuzzy matching: a guessed translation looks translated to the volunteer.
        catalog.update(template, no_fuzzy_matching=True)
        _write_if_changed(path, _po_bytes(catalog, ignore_obsolete=True))
        counts[folder] = len(catalog)
    counts.update(write_pseudo(translations, template))
    return counts


def write_pseudo(translations: Path = TRANSLATIONS_DIR, template: Catalog | None = None
                 ) -> dict[str, int]:
    """Regenerate the pseudo-locale POs (en-XA, en-XR) from the template."""
    template = template or read_catalog(translations / "messages.pot")
    counts = {}
    for code in PSEUDO_LOCALES:
        path = translations / locale_dir(code) / "LC_MESSAGES" / "messages.po"
        data = _po_bytes(pseudo_catalog(template, code))
        # Babel has no locale data for pseudo-locales: the catalogue was made as "en".
        data = data.replace(b'"Language: en\\n"', f'"Language: {locale_dir(code)}\\n"'.encode())
        _write_if_changed(path, data)
        counts[locale_dir(code)] = len(template)
    return counts


def check_catalog(catalog: Catalog) -> list[str]:
    """Placeholder and plural problems that would break the interface at run time."""
    errors: list[str] = []
    for message, problems in catalog.check():
        if message.pluralizable:
            continue  # Babel checks form 0 against the singular; the loop below is right
        for problem in problems:
            errors.append(f"{message.id!r}: {problem}")
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = (message.string if isinstance(message.string, tuple | list)
                   else (message.string,))
        plural = len(ids) > 1
        flags = sorted(message.flags)
        for index, s in enumerate(strings):
            # Like msgfmt -c: only a form used for a few numbers (such as "one") may leave
            # the count out; Russian form 0 also serves 21, 31... and must show it.
            lenient = plural and _form_uses(catalog, index) <= 5
            if s and not po.placeholders_match(ids[-1] if plural else ids[0], s, flags,
                                               plural=lenient):
                errors.append(f"{ids[0]!r}: placeholders differ in {s!r}")
    return errors


def _form_uses(catalog: Catalog, index: int) -> int:
    """How many numbers from 0 to 1000 use plural form `index` of the catalogue."""
    choose = c2py(catalog.plural_expr)
    return sum(1 for n in range(1001) if choose(n) == index)


def compile_catalogs(translations: Path = TRANSLATIONS_DIR, *, only: str | None = None
                     ) -> list[CompileReport]:
    """Compile each locale's PO to messages.mo; a locale with placeholder errors is refused."""
    reports = []
    for folder in locales(translations):
        if only is not None and folder != locale_dir(only):
            continue
        path = translations / folder / "LC_MESSAGES" / "messages.po"
        try:
            catalog = read_catalog(path, locale=None)
        except Exception as exc:  # babel's parse errors: say which file
            raise InterfaceError(_("%(file)s cannot be read: %(reason)s", file=str(path),
                                   reason=str(exc))) from exc
        real = [m for m in catalog if m.id]
        translated = sum(1 for m in real if m.string and not m.fuzzy and (
            all(m.string) if isinstance(m.string, tuple | list) else True))
        report = CompileReport(folder, len(real), translated, path.with_suffix(".mo"),
                               check_catalog(catalog))
        if not report.errors:
            with open(report.path, "wb") as fh:
                write_mo(fh, catalog, use_fuzzy=False)
        reports.append(report)
    return reports


def import_pot(session: Session, *, data: bytes | None = None, user: object = None,
               filename: str = "messages.pot") -> ImportReport:
    """Import the template as the document "interface" (kind "interface"), or a new version."""
    if data is None:
        if not POT_PATH.exists():
            raise InterfaceError(_("There is no %(file)s yet; run “tms i18n extract” first.",
                                   file=str(POT_PATH)))
        data = POT_PATH.read_bytes()
    return import_document(session, filename=filename, data=data, slug=DOCUMENT_SLUG,
                           title="Interface", source_language="en", user=user,  # type: ignore[arg-type]
                           kind="interface")


def interface_document(session: Session, slug: str = DOCUMENT_SLUG) -> Document:
    """The imported interface document, or an InterfaceError."""
    doc = session.scalar(select(Document).where(Document.slug == slug))
    if doc is None:
        raise InterfaceError(_("There is no interface document yet; run “tms i18n import-pot” "
                               "first."))
    return doc


def catalog_po(session: Session, language: Language, *, include: str = "approved",
               slug: str = DOCUMENT_SLUG) -> tuple[bytes, int, int]:
    """The interface translated into a language as gettext PO: (data, messages, translated)."""
    if include not in ("approved", "translated"):
        raise InterfaceError(_("“include” must be “approved” or “translated”."))
    minimum = State.APPROVED if include == "approved" else State.TRANSLATED
    doc = interface_document(session, slug)
    version = session.scalar(select(DocumentVersion)
                             .where(DocumentVersion.document_id == doc.id)
                             .order_by(DocumentVersion.number.desc()).limit(1))
    if version is None:
        raise InterfaceError(_("The interface document has no imported file yet."))
    blocks = list(session.scalars(select(Block).where(Block.version_id == version.id)
                                  .order_by(Block.position)))
    targets: dict[int, str] = {}
    rows = session.execute(
        select(Segment.block_id, Translation)
        .join(Translation, Translation.segment_id == Segment.id)
        .join(Block, Segment.block_id == Block.id)
        .where(Block.version_id == version.id, Segment.archived.is_(False),
               Translation.language_id == language.id)
    ).all()
    for block_id, translation in rows:
        if (translation.state >= minimum and translation.target
                and not translation.outdated and block_id is not None):
            targets[block_id] = translation.target
    entries = [TargetBlock(parsed_block(b), targets.get(b.id, "")) for b in blocks
               if b.type == "message"]
    options = WriteOptions(language=language.code, plural_forms=language.plural_forms)
    data = DOCUMENT_FORMATS["po"].write(None, entries, options)
    written = read_po(io.BytesIO(data))
    translated = sum(1 for m in written if m.id and m.string and (
        all(m.string) if isinstance(m.string, tuple | list) else True))
    return data, len(entries), translated


def export_po(session: Session, language: Language, *, include: str = "approved",
              translations: Path = TRANSLATIONS_DIR, force: bool = False
              ) -> tuple[Path, int, int]:
    """Write tms/translations/<ll>/LC_MESSAGES/messages.po; (path, messages, translated).

    Refuses (unless force) to replace a catalogue that has more translations than tms
    holds: those would be lost; `seed_from_catalog` brings them into tms first.
    """
    data, messages, translated = catalog_po(session, language, include=include)
    path = translations / locale_dir(language.code) / "LC_MESSAGES" / "messages.po"
    if path.exists() and not force:
        before = sum(1 for m in read_catalog(path) if m.id and m.string and (
            all(m.string) if isinstance(m.string, tuple | list) else True))
        if translated < before:
            raise InterfaceError(_(
                "%(file)s has %(before)s translated messages and tms only %(after)s: run "
                "“tms i18n seed --lang %(code)s --user NAME” first, or export with --force.",
                file=str(path), before=before, after=translated, code=language.code))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, messages, translated



@dataclass
class SeedReport:
    """What seed_from_catalog did."""

    saved: int = 0
    kept: int = 0  # the segment already had a translation online
    skipped: int = 0  # no usable translation in the file (empty, tags, placeholders)


def seed_from_catalog(session: Session, language: Language, user: User, *,
                      translations: Path = TRANSLATIONS_DIR,
                      slug: str = DOCUMENT_SLUG) -> SeedReport:
    """Load a language's existing messages.po into the interface document, awaiting review.

    So that catalogues made before (or outside) tms are not lost: their translations enter
    the workflow as "translated" texts by `user` (origin "import"), for reviewers to approve.
    Segments that already have a translation online are left alone.
    """
    doc = interface_document(session, slug)
    path = translations / locale_dir(language.code) / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        raise InterfaceError(_("There is no %(file)s yet; run “tms i18n extract” first.",
                               file=str(path)))
    catalog = read_catalog(path)
    found: dict[tuple[str | None, str], str] = {}
    for m in catalog:
        if not m.id or not m.string or m.fuzzy:
            continue
        if isinstance(m.id, tuple | list):
            forms = list(m.string)
            if not all(forms):
                continue
            found[(m.context, m.id[0] + po.PLURAL_SEPARATOR + m.id[1])] = \
                po.PLURAL_SEPARATOR.join(forms)
        else:
            found[(m.context, m.id)] = str(m.string)
    report = SeedReport()
    rows = session.execute(
        select(Segment, Block).join(Block, Segment.block_id == Block.id)
        .where(Segment.document_id == doc.id, Segment.archived.is_(False))
    ).all()
    for segment, block in rows:
        target = found.get(((block.attrs or {}).get("msgctxt"), segment.source))
        if not target or block.tags:
            report.skipped += 1
            continue
        current = workflow.get_translation(session, segment.id, language.id)
        if current is not None and current.target:
            report.kept += 1
            continue
        result = workflow.save_translation(
            session, segment=segment, language=language, user=user, target=target,
            state=State.TRANSLATED, base_version=current.version if current else 0,
            origin="import")
        if result.status == "saved":
            report.saved += 1
        else:
            report.kept += 1
    session.flush()
    return report


@dataclass
class SeedAllRow:
    """One catalogue of seed_all: its language, whether tms had to add the language, and
    what was seeded (None: the language already has interface translations online)."""

    code: str
    added: bool
    report: SeedReport | None


def seed_all(session: Session, user: User, *, translations: Path = TRANSLATIONS_DIR,
             slug: str = DOCUMENT_SLUG) -> list[SeedAllRow]:
    """Seed every catalogue whose language has no interface translation online yet.

    The pseudo-locales are not languages and are skipped; a language tms does not have
    yet is added from Babel's data (names, direction, plural forms), so its reviewers
    find the drafts in their queue. One transaction: a refusal (say, `user` may not
    translate one of the languages) leaves nothing seeded.
    """
    doc = interface_document(session, slug)
    rows = []
    for folder in locales(translations):
        code = locale_code(folder)
        if code in PSEUDO_LOCALES or code == doc.source_language:
            continue
        language = session.scalar(select(Language).where(
            func.lower(Language.code) == code.lower()))
        added = language is None
        if language is None:
            language = accounts.add_language(session, code)
        online = session.scalar(
            select(func.count()).select_from(Translation)
            .join(Segment, Translation.segment_id == Segment.id)
            .where(Segment.document_id == doc.id, Translation.language_id == language.id,
                   Translation.target != ""))
        if online:
            rows.append(SeedAllRow(language.code, added, None))
            continue
        report = seed_from_catalog(session, language, user, translations=translations,
                                   slug=slug)
        rows.append(SeedAllRow(language.code, added, report))
    return rows
