"""Format registry: pick a reader by file name or content; writers by export format name."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import PurePath

from tms.formats.base import FormatError, ParsedDocument
from tms.i18n import _

# extension -> (module, format name). Modules are imported lazily: a broken optional
# reader must not stop the others.
READERS: dict[str, tuple[str, str]] = {
    ".docx": ("tms.formats.docx", "docx"),
    ".md": ("tms.formats.markdown", "markdown"),
    ".markdown": ("tms.formats.markdown", "markdown"),
    ".html": ("tms.formats.html", "html"),
    ".htm": ("tms.formats.html", "html"),
    ".txt": ("tms.formats.text", "text"),
    ".po": ("tms.formats.po", "po"),
    ".pot": ("tms.formats.po", "po"),
}


def format_for(filename: str) -> str:
    """The format name for a file name, or a FormatError naming the accepted ones."""
    ext = PurePath(filename).suffix.lower()
    if ext not in READERS:
        accepted = ", ".join(sorted(READERS))
        raise FormatError(_("files ending in '%(ext)s' cannot be imported; use one of "
                            "%(accepted)s", ext=ext or "(none)", accepted=accepted),
                          where=filename)
    return READERS[ext][1]


def read_document(filename: str, data: bytes, language: str = "en") -> ParsedDocument:
    """Read an uploaded file into blocks with the reader its extension selects."""
    format_for(filename)
    module_name = READERS[PurePath(filename).suffix.lower()][0]
    reader: Callable[..., ParsedDocument] = import_module(module_name).read
    return reader(data, filename=filename, language=language)
