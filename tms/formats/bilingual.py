"""Bilingual files of every tool as memory pairs: TMX 1.4, XLIFF 1.0-1.2 and 2.x, PO/POT
and CSV/TSV with language columns.

`read` picks the reader by the file's extension, or by its content when the extension says
nothing (.xml, .txt): each format module reads its own kind (tmx.read_pairs,
xliff.read_pairs, xliff2.read_pairs, po.read_pairs); the CSV reader is here. Every reader
gives a BilingualFile: the pairs, with inline codes as tms tags, and the units that gave
none with their line and why. Languages a file does not name are left empty for the caller
to fill in. No Flask and no database here.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import PurePath

from tms.formats import po, tmx, xliff, xliff2
from tms.formats.base import BilingualFile, FormatError, MemoryPair
from tms.formats.glossary_files import decode_csv, unescape_cell
from tms.i18n import _

XLIFF_EXTENSIONS = (".xlf", ".xliff", ".sdlxliff", ".mqxliff", ".mxliff", ".txlf")
EXTENSIONS = (".tmx", *XLIFF_EXTENSIONS, ".xml", ".po", ".pot", ".csv", ".tsv", ".txt")
_LANG_CODE = re.compile(r"^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$")
# Column names that are not languages although they look like codes.
_NOT_LANGUAGES = frozenset({"id", "key", "src", "tgt", "ref", "no", "nr", "row"})
_SOURCE_NAMES = frozenset({"source", "src", "original"})
_TARGET_NAMES = frozenset({"target", "tgt", "translation"})


def xml_root_name(data: bytes) -> str:
    """What an XML file's root element says it is: "tmx", "xliff2", "xliff" or ""."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("latin-1")
    m = re.search(r"<(?![?!])([\w:.-]+)", re.sub(r"<!--.*?-->", "", text, flags=re.S))
    name = m.group(1).rsplit(":", 1)[-1].lower() if m else ""
    if name == "xliff":
        return "xliff2" if re.search(r"xliff:document:2\.|version=[\"']2\.", text) else "xliff"
    return name if name == "tmx" else ""


def read(data: bytes, *, filename: str) -> BilingualFile:
    """The memory pairs of a bilingual file, whatever tool wrote it (by extension, then
    by content), or a FormatError naming what tms reads."""
    ext = PurePath(filename).suffix.lower()
    kind = {".tmx": "tmx", ".po": "po", ".pot": "po", ".csv": "csv", ".tsv": "csv"}.get(ext)
    if kind is None and (ext in XLIFF_EXTENSIONS or ext in (".xml", ".txt", "")):
        kind = xml_root_name(data) or ("csv" if ext == ".txt" else None)
        if kind is None and ext in XLIFF_EXTENSIONS:
            kind = "xliff"  # its reader says what is wrong with it
    if kind == "xliff" and xml_root_name(data) == "xliff2":
        kind = "xliff2"
    if kind == "tmx":
        return tmx.read_pairs(data, filename=filename)
    if kind == "xliff":
        return xliff.read_pairs(data, filename=filename)
    if kind == "xliff2":
        return xliff2.read_pairs(data, filename=filename)
    if kind == "po":
        return po.read_pairs(data, filename=filename)
    if kind == "csv":
        return read_csv(data, filename=filename)
    raise FormatError(_("tms reads translation pairs from TMX, XLIFF, PO and CSV files, "
                        "not from '%(ext)s' files", ext=ext or "(none)"), where=filename)


def read_csv(data: bytes, *, filename: str) -> BilingualFile:
    """Pairs from a CSV or TSV whose first row names the languages ("en,fr,de": the first
    is the source, each other one a target) or the columns source and target (with
    optional source_language and target_language columns)."""
    text = decode_csv(data, filename=filename)
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FormatError(_("the CSV file is empty"), where=filename) from None
    except csv.Error as exc:
        raise FormatError(_("the CSV header cannot be read (%(error)s)", error=str(exc)),
                          where=filename) from None
    lowered = [h.lower() for h in header]
    source_col = next((i for i, h in enumerate(lowered) if h in _SOURCE_NAMES), None)
    target_cols = [i for i, h in enumerate(lowered) if h in _TARGET_NAMES]
    languages: dict[int, str] = {}
    if source_col is None:
        coded = [i for i, h in enumerate(header)
                 if _LANG_CODE.match(h) and h.lower() not in _NOT_LANGUAGES]
        if len(coded) >= 2:
            source_col, target_cols = coded[0], coded[1:]
            languages = {i: header[i].replace("_", "-") for i in coded}
    if source_col is None or not target_cols:
        raise FormatError(
            _("the first row must name the languages (for example en, fr) or the columns "
              "source and target; found: %(found)s", found=", ".join(header) or "(nothing)"),
            where=filename)
    found = BilingualFile(format="csv")

    def cell(row: list[str], i: int | None) -> str:
        return unescape_cell(row[i].strip()) if i is not None and i < len(row) else ""

    lang_cols = {name: lowered.index(name) for name in ("source_language", "target_language")
                 if name in lowered}
    try:
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            source = cell(row, source_col)
            if not source:
                found.skip(line, _("the row has no source text"))
                continue
            for col in target_cols:
                target = cell(row, col)
                if not target:
                    found.skip(line, _("the row has no translation in the column "
                                       "%(column)s", column=header[col]))
                    continue
                found.pairs.append(MemoryPair(
                    source=source, target=target,
                    source_language=(cell(row, lang_cols.get("source_language"))
                                     or languages.get(source_col, "")),
                    target_language=(cell(row, lang_cols.get("target_language"))
                                     or languages.get(col, "")),
                    origin=f"csv: {filename}", line=line))
    except csv.Error as exc:
        raise FormatError(_("line %(line)s cannot be read (%(error)s)", line=reader.line_num,
                            error=str(exc)), where=filename) from None
    return found
