"""One contract for every format in the registry (after Weblate's per-format base test class).

DocumentContract: a file in the format is read, its blocks are written back with target
text through the registry's one write signature, and the written file is read again.
ExchangeContract: units are written with the registry's write and read back with its read.
Each registered format has one Test* subclass here; a format added to the registry
without one makes test_every_registered_format_has_a_contract fail.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, ClassVar

import docx as python_docx
import polib
import pytest

from tms.formats import (
    DOCUMENT_FORMATS,
    EXCHANGE_FORMATS,
    EXPORTERS,
    PRINT_FORMATS,
    DocumentFormat,
    ExchangeFormat,
    ReadHints,
    WriteOptions,
    po,
)
from tms.formats.base import (
    ExportMeta,
    ExportUnit,
    GlossaryEntry,
    MemoryPair,
    ParsedBlock,
    ParsedDocument,
    Tag,
    TargetBlock,
)

TOKEN = re.compile(r"(</?\d+/?>)")
SPECIAL = "5 < 6 & 7 > 3, \"quoted\" and 'apostrophed' </p> &amp; &lt;"
RTL = "حقوق للجميع — זכויות לכולם"


@dataclass
class Case:
    """Source paragraphs, their targets, the tags the reader must find, the language."""

    sources: list[str]
    targets: list[str]
    tags: dict[str, tuple[str, bool]] = field(default_factory=dict)  # id -> (kind, paired)
    language: str = "fr"
    direction: str = "ltr"


PLAIN = Case(["Hello world."], ["Bonjour le monde."])
TAGGED = Case(["Hello <1>bold</1> world<2/>next line."],
              ["Bonjour <1>gras</1> monde<2/>ligne suivante."],
              {"1": ("bold", True), "2": ("break", False)})
# Formats whose only inline tags are literal "<n>" text (PO messages, plain text).
LITERAL = Case(["Hello <1/> world."], ["Bonjour <1/> monde."], {"1": ("literal", False)})
NON_ASCII_RTL = Case(["Rights for all."], [RTL], language="ar", direction="rtl")
EMPTY = Case(["Keep me.", "Drop me."], ["Garde-moi.", ""])
XML_SPECIAL = Case(["Plain source."], [SPECIAL])


def tag_shape(tags: dict[str, Tag]) -> dict[str, tuple[str, bool]]:
    """The kind and pairing of each tag id."""
    return {k: (v.kind, v.paired) for k, v in tags.items()}


# --------------------------------------------------------------------------- documents


class DocumentContract:
    """Read, write and read again; subclasses say how a source file looks."""

    name: ClassVar[str]
    filename: ClassVar[str]
    block_type: ClassVar[str] = "paragraph"
    tag_case: ClassVar[Case] = TAGGED

    @property
    def fmt(self) -> DocumentFormat:
        """The registry entry under test."""
        return DOCUMENT_FORMATS[self.name]

    def source_file(self, case: Case) -> bytes:
        """A file in this format holding the case's source paragraphs."""
        raise NotImplementedError

    def read(self, data: bytes) -> ParsedDocument:
        """The registry's reader."""
        return self.fmt.read(data, self.filename, "en")

    def blocks(self, data: bytes) -> list[ParsedBlock]:
        """The blocks that hold paragraph text (not titles or notes)."""
        return [b for b in self.read(data).blocks if b.type == self.block_type]

    def written(self, data: bytes, tags: dict[str, Tag]) -> list[str]:
        """The non-empty target texts of a written file, as tagged text."""
        return [b.text for b in self.blocks(data) if b.text.strip()]

    def declares_rtl(self, data: bytes) -> bool | None:
        """Whether a written file says it is right to left (None: the format cannot say)."""
        return None

    def roundtrip(self, case: Case) -> tuple[list[ParsedBlock], bytes | None]:
        """Read the case's source; write its targets if the format can; return both."""
        source = self.source_file(case)
        blocks = self.blocks(source)
        assert [b.text for b in blocks] == case.sources
        if not self.fmt.writable:
            return blocks, None
        targets = [TargetBlock(b, t) for b, t in zip(blocks, case.targets, strict=True)]
        options = WriteOptions(language=case.language, direction=case.direction,
                               title="Contract")
        data = self.fmt.write(source, targets, options)
        assert isinstance(data, bytes)
        return blocks, data

    def check(self, case: Case) -> None:
        """The written file reads back as the case's non-empty targets."""
        blocks, data = self.roundtrip(case)
        if data is not None:
            tags = {k: v for b in blocks for k, v in b.tags.items()}
            assert self.written(data, tags) == [t for t in case.targets if t]

    def test_metadata(self) -> None:
        assert self.fmt.name == self.name
        assert self.fmt.label and "/" in self.fmt.content_type
        assert self.filename.endswith(tuple(self.fmt.extensions))
        assert self.fmt.extension and f".{self.fmt.extension}" in self.fmt.extensions

    def test_simple_text(self) -> None:
        self.check(PLAIN)

    def test_paired_and_standalone_tags(self) -> None:
        blocks, _data = self.roundtrip(self.tag_case)
        assert tag_shape(blocks[0].tags) == self.tag_case.tags
        self.check(self.tag_case)

    def test_non_ascii_and_rtl(self) -> None:
        self.check(NON_ASCII_RTL)
        _blocks, data = self.roundtrip(NON_ASCII_RTL)
        if data is not None and self.declares_rtl(data) is not None:
            assert self.declares_rtl(data) is True
            _blocks, ltr = self.roundtrip(PLAIN)
            assert ltr is not None and self.declares_rtl(ltr) is False

    def test_empty_target_writes_no_text(self) -> None:
        self.check(EMPTY)

    def test_xml_special_characters(self) -> None:
        self.check(XML_SPECIAL)


def _html_inline(text: str) -> str:
    out = []
    for token in TOKEN.split(text):
        if token == "<1>":
            out.append("<b>")
        elif token == "</1>":
            out.append("</b>")
        elif TOKEN.fullmatch(token):
            out.append("<br>")
        else:
            out.append(token.replace("&", "&amp;").replace("<", "&lt;"))
    return "".join(out)


class TestHtmlContract(DocumentContract):
    name = "html"
    filename = "contract.html"

    def source_file(self, case: Case) -> bytes:
        body = "".join(f"<p>{_html_inline(s)}</p>" for s in case.sources)
        return f"<!DOCTYPE html><html lang='en'><body>{body}</body></html>".encode()

    def declares_rtl(self, data: bytes) -> bool | None:
        return b'dir="rtl"' in data


class TestMarkdownContract(DocumentContract):
    name = "markdown"
    filename = "contract.md"

    def source_file(self, case: Case) -> bytes:
        def inline(text: str) -> str:
            marks = {"<1>": "**", "</1>": "**"}
            return "".join(marks.get(t, "  \n" if TOKEN.fullmatch(t) else t)
                           for t in TOKEN.split(text))
        return "\n\n".join(inline(s) for s in case.sources).encode() + b"\n"

    def declares_rtl(self, data: bytes) -> bool | None:
        return b"dir: rtl" in data


class TestDocxContract(DocumentContract):
    name = "docx"
    filename = "contract.docx"

    def source_file(self, case: Case) -> bytes:
        document = python_docx.Document()
        for text in case.sources:
            paragraph = document.add_paragraph()
            bold = False
            for token in TOKEN.split(text):
                if token in ("<1>", "</1>"):
                    bold = token == "<1>"
                elif TOKEN.fullmatch(token):
                    paragraph.add_run().add_break()
                elif token:
                    paragraph.add_run(token).bold = bold
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    def declares_rtl(self, data: bytes) -> bool | None:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return b"<w:bidi/>" in package.read("word/document.xml")

    def test_docx_is_written_only_from_its_original(self) -> None:
        from tms.formats import FormatError

        with pytest.raises(FormatError):
            self.fmt.write(None, [], WriteOptions(language="fr"))
        assert self.fmt.available_for("docx") and not self.fmt.available_for("html")


class TestPoDocumentContract(DocumentContract):
    """PO as a document: msgid is the source, the catalogue written carries msgstr."""

    name = "po"
    filename = "contract.po"
    block_type = "message"
    tag_case = LITERAL

    def source_file(self, case: Case) -> bytes:
        catalog = polib.POFile()
        catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
        for text in case.sources:
            catalog.append(polib.POEntry(msgid=text.replace("<1/>", "<7>"), msgstr=""))
        return str(catalog).encode()

    def written(self, data: bytes, tags: dict[str, Tag]) -> list[str]:
        texts = [e.msgstr for e in polib.pofile(data.decode()) if e.msgstr]
        for ident, tag in tags.items():
            texts = [t.replace(tag.data["text"], f"<{ident}/>") for t in texts]
        return texts

    def test_the_source_stays_the_msgid(self) -> None:
        _blocks, data = self.roundtrip(PLAIN)
        assert data is not None
        assert [b.text for b in self.blocks(data)] == PLAIN.sources


class TestTextContract(DocumentContract):
    """Plain text is import-only: the reading half of the contract."""

    name = "text"
    filename = "contract.txt"
    tag_case = LITERAL

    def source_file(self, case: Case) -> bytes:
        return "\n\n".join(s.replace("<1/>", "<7>") for s in case.sources).encode()

    def test_text_cannot_be_written(self) -> None:
        from tms.formats import FormatError

        assert not self.fmt.writable and not self.fmt.available_for("text")
        with pytest.raises(FormatError):
            self.fmt.write(None, [], WriteOptions(language="fr"))


# --------------------------------------------------------------------------- exchange


def _meta(case: Case) -> ExportMeta:
    return ExportMeta(document_slug="contract", document_title="Contract",
                      source_language="en", target_language=case.language,
                      direction=case.direction)


class ExchangeContract:
    """Write units, read them back: the same source and target texts, in order."""

    name: ClassVar[str]
    filename: ClassVar[str]
    tag_case: ClassVar[Case | None] = TAGGED
    # False where the reader leaves out units with nothing in the target (a memory pair or
    # a TBX term without a translation is nothing to remember).
    reads_empty_targets: ClassVar[bool] = True

    @property
    def fmt(self) -> ExchangeFormat[Any, Any]:
        """The registry entry under test."""
        return next(f for f in EXCHANGE_FORMATS if f.name == self.name)

    def units(self, case: Case) -> list[Any]:
        """What this format's write takes, one per case paragraph."""
        raise NotImplementedError

    def pairs(self, data: bytes, case: Case) -> list[tuple[str, str]]:
        """(source, target) of every unit read back."""
        raise NotImplementedError

    def check(self, case: Case) -> None:
        """Units written and read back keep their texts."""
        data = self.fmt.write(self.units(case), _meta(case))
        assert isinstance(data, bytes) and data
        expected = [(s, t) for s, t in zip(case.sources, case.targets, strict=True)
                    if t or self.reads_empty_targets]
        assert self.pairs(data, case) == expected

    def test_metadata(self) -> None:
        assert self.fmt.name == self.name and self.fmt.kind in ("segments", "memory", "glossary")
        assert self.fmt.label and "/" in self.fmt.content_type
        assert self.filename.endswith(self.fmt.extensions)
        assert f".{self.fmt.extension}" in self.fmt.extensions

    def test_simple_text(self) -> None:
        self.check(PLAIN)

    def test_paired_and_standalone_tags(self) -> None:
        if self.tag_case is None:
            pytest.skip("this format's units carry no inline tags")
        self.check(self.tag_case)

    def test_non_ascii_and_rtl(self) -> None:
        self.check(NON_ASCII_RTL)

    def test_empty_targets(self) -> None:
        self.check(EMPTY)

    def test_xml_special_characters(self) -> None:
        self.check(XML_SPECIAL)
        self.check(Case([SPECIAL], ["Cible simple."]))


class SegmentsContract(ExchangeContract):
    """PO and XLIFF: units keyed by segment key, tags through the unit's tag map."""

    def units(self, case: Case) -> list[Any]:
        tags = {k: Tag(kind, paired) for k, (kind, paired) in case.tags.items()}
        return [ExportUnit(key=f"k{n}", source=s, target=t, state=30 if t else 0,
                           position=n, tags=tags)
                for n, (s, t) in enumerate(zip(case.sources, case.targets, strict=True))]

    def pairs(self, data: bytes, case: Case) -> list[tuple[str, str]]:
        file = self.fmt.read(data, self.filename, ReadHints())
        assert [u.key for u in file.units] == [f"k{n}" for n in range(len(case.sources))]
        assert file.language == case.language
        return [(u.source, u.target) for u in file.units]


class TestPoExchangeContract(SegmentsContract):
    name = "po"
    filename = "contract.po"


class TestXliffContract(SegmentsContract):
    name = "xliff"
    filename = "contract.xlf"


class TestXliff2Contract(SegmentsContract):
    name = "xliff2"
    filename = "contract.xliff"


class TestTmxContract(ExchangeContract):
    name = "tmx"
    filename = "contract.tmx"
    reads_empty_targets = False

    def units(self, case: Case) -> list[Any]:
        return [MemoryPair(s, t, "en", case.language)
                for s, t in zip(case.sources, case.targets, strict=True)]

    def pairs(self, data: bytes, case: Case) -> list[tuple[str, str]]:
        read = self.fmt.read(data, self.filename, ReadHints())
        assert {(p.source_language, p.target_language) for p in read} == {("en", case.language)}
        return [(p.source, p.target) for p in read]


class GlossaryContract(ExchangeContract):
    """TBX and CSV: plain terms (glossary terms carry no inline tags)."""

    tag_case = None

    def units(self, case: Case) -> list[Any]:
        return [GlossaryEntry(s, t, "en", case.language, note="n")
                for s, t in zip(case.sources, case.targets, strict=True)]

    def pairs(self, data: bytes, case: Case) -> list[tuple[str, str]]:
        read = self.fmt.read(data, self.filename, ReadHints("en", case.language))
        assert {e.target_language for e in read} == {case.language}
        return [(e.source_term, e.target_term) for e in read]


class TestTbxContract(GlossaryContract):
    name = "tbx"
    filename = "contract.tbx"
    reads_empty_targets = False


class TestCsvContract(GlossaryContract):
    name = "csv"
    filename = "contract.csv"


# --------------------------------------------------------------------------- coverage


def _subclasses(base: type) -> set[type]:
    found = set()
    for sub in base.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_every_registered_format_has_a_contract() -> None:
    documents = {c.name for c in _subclasses(DocumentContract) if c.__name__.startswith("Test")}
    exchange = {c.name for c in _subclasses(ExchangeContract) if c.__name__.startswith("Test")}
    assert documents == set(DOCUMENT_FORMATS)
    assert exchange == {f.name for f in EXCHANGE_FORMATS}


def test_every_export_format_is_a_registered_writer() -> None:
    for name, entry in EXPORTERS.items():
        assert (entry in DOCUMENT_FORMATS.values() or entry in PRINT_FORMATS.values()
                or entry in EXCHANGE_FORMATS), name
        assert entry.available_for("docx")
    assert [e.extension for e in EXPORTERS.values()] == ["docx", "html", "pdf", "po", "xlf",
                                                         "tmx", "xliff"]


def test_po_helpers_stay_importable() -> None:
    # offline uploads and the interface catalogue use these directly
    assert po.base_hash("") and po.PLURAL_SEPARATOR
