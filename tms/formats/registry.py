"""The one format registry: every file format tms reads or writes, with Weblate-style metadata.

Two contracts:
- DocumentFormat (docx, markdown, html, text, po): ``read(data, filename, language)`` gives a
  ParsedDocument; ``write(original, targets, options)`` gives bytes, with one signature for
  every writer (``original`` is the imported file, which only DOCX clones).
- ExchangeFormat (po, xliff, tmx, tbx, csv): ``read(data, filename, hints)`` gives the units of
  the file, ``write(units, meta)`` gives bytes. ``kind`` says which units: "segments"
  (ExportUnit out, UnitsFile in), "memory" (MemoryPair) or "glossary" (GlossaryEntry).

No Flask and no database here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Generic, TypeVar

from tms.formats import (
    bilingual,
    docx,
    glossary_files,
    html,
    markdown,
    pdf,
    po,
    text,
    tmx,
    xliff,
    xliff2,
)
from tms.formats.base import (
    BilingualFile,
    ExportMeta,
    ExportUnit,
    FormatError,
    GlossaryEntry,
    MemoryPair,
    ParsedDocument,
    TargetBlock,
)
from tms.i18n import _, catalogue_translator

U = TypeVar("U")  # what write takes: ExportUnit, MemoryPair, GlossaryEntry
R = TypeVar("R")  # what read gives: UnitsFile, list[MemoryPair], list[GlossaryEntry]


@dataclass(frozen=True)
class WriteOptions:
    """Everything a document writer may need besides the blocks (one type for all)."""

    language: str
    direction: str = "ltr"  # "rtl" for right-to-left languages
    title: str | None = None
    plural_forms: str = "nplurals=2; plural=(n != 1);"  # PO catalogues
    source_format: str = ""  # the imported file's format: PDF prints DOCX sources as DOCX

    @property
    def rtl(self) -> bool:
        """Whether the language is written right to left."""
        return self.direction == "rtl"


@dataclass(frozen=True)
class ReadHints:
    """Languages to assume when an exchange file does not say (CSV glossaries)."""

    source_language: str | None = None
    target_language: str | None = None


DocumentReader = Callable[[bytes, str, str], ParsedDocument]
DocumentWriter = Callable[[bytes | None, Sequence[TargetBlock], WriteOptions], bytes]


def _cannot_write(_original: bytes | None, _targets: Sequence[TargetBlock],
                  _options: WriteOptions) -> bytes:
    """The writer of an import-only format."""
    raise FormatError(_("tms cannot write files in this format"))


@dataclass(frozen=True)
class DocumentFormat:
    """A document format: blocks in, blocks (with target text) out."""

    name: str
    label: str
    content_type: str
    extension: str  # written files end in .<extension>
    extensions: tuple[str, ...]  # read files may end in any of these
    read: DocumentReader
    write: DocumentWriter = _cannot_write  # import-only formats keep the default
    clones_original: bool = False  # the writer needs the imported file (DOCX)
    kind: str = "document"
    # One sentence naming the program to install when the writer's program is missing
    # (PDF needs LibreOffice), else None: the option stays listed and says why it is off.
    missing: Callable[[], str | None] = lambda: None

    @property
    def writable(self) -> bool:
        """Whether tms can write this format (text files are import-only)."""
        return self.write is not _cannot_write

    def available_for(self, source_format: str) -> bool:
        """Whether this format can be written for a document imported in source_format."""
        return self.writable and (not self.clones_original or source_format == self.name)


@dataclass(frozen=True)
class ExchangeFormat(Generic[U, R]):
    """An exchange format: units in, units out (segments, memory pairs or glossary terms)."""

    name: str
    label: str
    content_type: str
    extension: str
    extensions: tuple[str, ...]
    kind: str  # "segments", "memory", "glossary"
    read: Callable[[bytes, str, ReadHints], R]
    write: Callable[[Sequence[U], ExportMeta], bytes]

    def available_for(self, source_format: str) -> bool:
        """Exchange files can be made from any document."""
        return True


# --------------------------------------------------------------------------- adapters
# Small functions that give every format module's own call the registry's one signature.


def _reader(module: Any) -> DocumentReader:
    def read(data: bytes, filename: str, language: str) -> ParsedDocument:
        document: ParsedDocument = module.read(data, filename=filename, language=language)
        return document
    return read


def _write_docx(original: bytes | None, targets: Sequence[TargetBlock],
                options: WriteOptions) -> bytes:
    if original is None:
        raise FormatError(_("a DOCX file can only be written from the imported DOCX file"))
    return docx.write(original, list(targets), language=options.language, rtl=options.rtl,
                      title=options.title)


def _write_html(_original: bytes | None, targets: Sequence[TargetBlock],
                options: WriteOptions) -> bytes:
    # The page's own words ("Contents", "Notes") are in the document's language.
    return html.write(list(targets), language=options.language, direction=options.direction,
                      title=options.title or "",
                      translate=catalogue_translator(options.language))


def _write_markdown(_original: bytes | None, targets: Sequence[TargetBlock],
                    options: WriteOptions) -> bytes:
    return markdown.write(list(targets), language=options.language,
                          direction=options.direction, title=options.title)


def _write_pdf(original: bytes | None, targets: Sequence[TargetBlock],
               options: WriteOptions) -> bytes:
    # A DOCX source prints through its own layout; every other source through the HTML
    # export and its print stylesheet.
    if options.source_format == "docx":
        return pdf.to_pdf(_write_docx(original, targets, options), "docx")
    return pdf.to_pdf(_write_html(original, targets, options), "html")


def _cannot_read(_data: bytes, _filename: str, _language: str) -> ParsedDocument:
    """The reader of an export-only format."""
    raise FormatError(_("tms cannot import files in this format"))


def _write_catalog(_original: bytes | None, targets: Sequence[TargetBlock],
                   options: WriteOptions) -> bytes:
    return po.write_catalog(list(targets), options.language, options.plural_forms)


def _read_po_units(data: bytes, filename: str, _hints: ReadHints) -> po.UnitsFile:
    # Entries without msgctxt (a PO tms did not write) are matched by their source text.
    return po.read_file(data, filename=filename, require_keys=False)


def _read_xliff_units(data: bytes, filename: str, _hints: ReadHints) -> po.UnitsFile:
    # One extension for every XLIFF version: the root element says which one it is.
    if bilingual.xml_root_name(data) == "xliff2":
        return xliff2.read_file(data, filename=filename)
    return xliff.read_file(data, filename=filename)


def _write_po_units(units: Sequence[ExportUnit], meta: ExportMeta) -> bytes:
    return po.write(list(units), meta)


def _write_xliff_units(units: Sequence[ExportUnit], meta: ExportMeta) -> bytes:
    return xliff.write(list(units), meta)


def _write_xliff2_units(units: Sequence[ExportUnit], meta: ExportMeta) -> bytes:
    return xliff2.write(list(units), meta)


def _read_tmx(data: bytes, filename: str, _hints: ReadHints) -> list[MemoryPair]:
    return tmx.read(data, filename=filename)


def _write_tmx(pairs: Sequence[MemoryPair], meta: ExportMeta) -> bytes:
    return tmx.write(list(pairs), source_language=meta.source_language,
                     target_language=meta.target_language, inline=meta.tmx_inline)


def _read_tbx(data: bytes, filename: str, _hints: ReadHints) -> list[GlossaryEntry]:
    # A TBX file declares its own languages: the hints are for CSV only.
    return glossary_files.read_tbx(data, filename=filename)


def _read_csv(data: bytes, filename: str, hints: ReadHints) -> list[GlossaryEntry]:
    return glossary_files.read_csv(data, filename=filename,
                                   source_language=hints.source_language or "",
                                   target_language=hints.target_language or "")


def _write_tbx(entries: Sequence[GlossaryEntry], _meta: ExportMeta) -> bytes:
    return glossary_files.write_tbx(list(entries))


def _write_csv(entries: Sequence[GlossaryEntry], _meta: ExportMeta) -> bytes:
    return glossary_files.write_csv(list(entries))


# --------------------------------------------------------------------------- the registry

PO_CONTENT_TYPE = "text/x-gettext-translation; charset=utf-8"

DOCUMENT_FORMATS: dict[str, DocumentFormat] = {f.name: f for f in (
    DocumentFormat(
        "docx", "DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx", (".docx",), _reader(docx), _write_docx, clones_original=True),
    DocumentFormat("markdown", "Markdown", "text/markdown; charset=utf-8", "md",
                   (".md", ".markdown"), _reader(markdown), _write_markdown),
    DocumentFormat("html", "HTML", "text/html; charset=utf-8", "html", (".html", ".htm"),
                   _reader(html), _write_html),
    DocumentFormat("text", "Text", "text/plain; charset=utf-8", "txt", (".txt",),
                   _reader(text)),
    DocumentFormat("po", "PO", PO_CONTENT_TYPE, "po", (".po", ".pot"), _reader(po),
                   _write_catalog),
)}

# Print formats: written from the same blocks as a document format, never read.
PRINT_FORMATS: dict[str, DocumentFormat] = {f.name: f for f in (
    DocumentFormat("pdf", "PDF", "application/pdf", "pdf", (), _cannot_read, _write_pdf,
                   kind="print", missing=pdf.missing_libreoffice),
)}

SEGMENT_FORMATS: dict[str, ExchangeFormat[ExportUnit, po.UnitsFile]] = {f.name: f for f in (
    ExchangeFormat("po", "PO", PO_CONTENT_TYPE, "po", (".po", ".pot"), "segments",
                   _read_po_units, _write_po_units),
    ExchangeFormat("xliff", "XLIFF", "application/x-xliff+xml", "xlf", (".xlf", ".xliff"),
                   "segments", _read_xliff_units, _write_xliff_units),
    # Written as .xliff (a file name apart from the 1.2 .xlf of the same document); read by
    # the same reader as 1.2, which tells the versions apart by the root element.
    ExchangeFormat("xliff2", "XLIFF 2.0", "application/xliff+xml", "xliff", (".xlf", ".xliff"),
                   "segments", _read_xliff_units, _write_xliff2_units),
)}

MEMORY_FORMATS: dict[str, ExchangeFormat[MemoryPair, list[MemoryPair]]] = {f.name: f for f in (
    ExchangeFormat("tmx", "TMX", "application/x-tmx+xml", "tmx", (".tmx",), "memory",
                   _read_tmx, _write_tmx),
)}

GLOSSARY_FORMATS: dict[str, ExchangeFormat[GlossaryEntry, list[GlossaryEntry]]] = {
    f.name: f for f in (
        ExchangeFormat("tbx", "TBX", "application/x-tbx+xml", "tbx", (".tbx", ".xml"),
                       "glossary", _read_tbx, _write_tbx),
        ExchangeFormat("csv", "CSV", "text/csv; charset=utf-8", "csv", (".csv", ".tsv", ".txt"),
                       "glossary", _read_csv, _write_csv),
    )
}

# Every exchange format, for listings and the contract test.
EXCHANGE_FORMATS: tuple[ExchangeFormat[Any, Any], ...] = (
    *SEGMENT_FORMATS.values(), *MEMORY_FORMATS.values(), *GLOSSARY_FORMATS.values())

# What a document can be exported as, in the order the publish page offers them.
Exporter = DocumentFormat | ExchangeFormat[Any, Any]
EXPORTERS: dict[str, Exporter] = {
    "docx": DOCUMENT_FORMATS["docx"],
    "html": DOCUMENT_FORMATS["html"],
    "pdf": PRINT_FORMATS["pdf"],
    "po": SEGMENT_FORMATS["po"],
    "xliff": SEGMENT_FORMATS["xliff"],
    "tmx": MEMORY_FORMATS["tmx"],
    "xliff2": SEGMENT_FORMATS["xliff2"],
}
EXPORT_FORMATS = tuple(EXPORTERS)

# extension -> document format, for imports.
READERS: dict[str, DocumentFormat] = {
    ext: f for f in DOCUMENT_FORMATS.values() for ext in f.extensions}


def _suffix(filename: str) -> str:
    return PurePath(filename).suffix.lower()


def document_format_for(filename: str) -> DocumentFormat:
    """The document format a file name selects, or a FormatError naming the accepted ones."""
    ext = _suffix(filename)
    if ext not in READERS:
        accepted = ", ".join(sorted(READERS))
        raise FormatError(_("files ending in '%(ext)s' cannot be imported; use one of "
                            "%(accepted)s", ext=ext or "(none)", accepted=accepted),
                          where=filename)
    return READERS[ext]


def format_for(filename: str) -> str:
    """The format name for a file name, or a FormatError naming the accepted ones."""
    return document_format_for(filename).name


def read_document(filename: str, data: bytes, language: str = "en", *,
                  comments: bool = False) -> ParsedDocument:
    """Read an uploaded file into blocks with the reader its extension selects; comments:
    a Word document's comments become blocks to translate too (other formats have none)."""
    fmt = document_format_for(filename)
    if comments and fmt is DOCUMENT_FORMATS["docx"]:
        return docx.read(data, filename=filename, language=language, comments=True)
    return fmt.read(data, filename, language)


def segment_format_for(filename: str) -> ExchangeFormat[ExportUnit, po.UnitsFile] | None:
    """The PO or XLIFF format a file name selects, or None."""
    ext = _suffix(filename)
    return next((f for f in SEGMENT_FORMATS.values() if ext in f.extensions), None)


def read_bilingual(filename: str, data: bytes) -> BilingualFile:
    """The translation pairs of a bilingual file of any tool (TMX, XLIFF, PO, CSV)."""
    return bilingual.read(data, filename=filename)


def glossary_format_for(filename: str) -> ExchangeFormat[GlossaryEntry, list[GlossaryEntry]]:
    """The TBX or CSV format a file name selects, or a FormatError."""
    ext = _suffix(filename)
    for f in GLOSSARY_FORMATS.values():
        if ext in f.extensions:
            return f
    raise FormatError(_("glossaries can be imported from .tbx or .csv files, not '%(ext)s'",
                        ext=ext or "(none)"), where=filename)
