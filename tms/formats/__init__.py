"""File formats: the readers and writers, and the one registry that names them.

See tms.formats.registry for the two contracts (document formats, exchange formats).
"""

from __future__ import annotations

from tms.formats.base import FormatError, ParsedDocument
from tms.formats.registry import (
    DOCUMENT_FORMATS,
    EXCHANGE_FORMATS,
    EXPORT_FORMATS,
    EXPORTERS,
    GLOSSARY_FORMATS,
    MEMORY_FORMATS,
    PRINT_FORMATS,
    READERS,
    SEGMENT_FORMATS,
    DocumentFormat,
    ExchangeFormat,
    Exporter,
    ReadHints,
    WriteOptions,
    document_format_for,
    format_for,
    glossary_format_for,
    read_bilingual,
    read_document,
    segment_format_for,
)

__all__ = [
    "DOCUMENT_FORMATS",
    "EXCHANGE_FORMATS",
    "EXPORTERS",
    "EXPORT_FORMATS",
    "GLOSSARY_FORMATS",
    "MEMORY_FORMATS",
    "PRINT_FORMATS",
    "READERS",
    "SEGMENT_FORMATS",
    "DocumentFormat",
    "ExchangeFormat",
    "Exporter",
    "FormatError",
    "ParsedDocument",
    "ReadHints",
    "WriteOptions",
    "document_format_for",
    "format_for",
    "glossary_format_for",
    "read_bilingual",
    "read_document",
    "segment_format_for",
]
