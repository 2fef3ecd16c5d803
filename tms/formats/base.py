"""Plain data shared by every format module: blocks, tags, parsed documents, errors.

No Flask and no database here: readers turn bytes into a ParsedDocument; writers turn
blocks plus target texts into bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Block types, in the words of the field.
BLOCK_TYPES = (
    "title",
    "heading",
    "paragraph",
    "list_item",
    "table_cell",
    "footnote",
    "endnote",
    "header",
    "footer",
    "text_box",
    "comment",  # a Word comment, imported only on request
    "quote",
    "caption",
    "code",  # kept, never translated
    "message",  # one interface string (PO/POT import)
)


class FormatError(ValueError):
    """Bad input: one sentence saying what is wrong and where (file, part, line)."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


@dataclass
class Tag:
    """What one inline tag id stands for.

    kind: bold, italic, underline, strike, superscript, subscript, code, link, span (any
    other run formatting), footnote_ref, endnote_ref, field, break, tab, image, literal.
    paired: True for <n>..</n>, False for <n/>.
    data: what the writer needs: e.g. {"rpr": "<w:rPr .../>"} for DOCX run properties,
    {"href": "..."} for links, {"text": "<1>"} for literal text, {"note": "3"} for notes.
    label: a short human-readable hint shown on the chip in the editor ("bold", "link:
    example.org", "footnote 3").
    """

    kind: str
    paired: bool = True
    data: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (stored in Block.tags)."""
        return {"kind": self.kind, "paired": self.paired, "data": self.data, "label": self.label}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Tag:
        """The inverse of to_json."""
        return cls(raw["kind"], raw.get("paired", True), raw.get("data", {}), raw.get("label", ""))


@dataclass
class ParsedBlock:
    """A paragraph-level unit: its tagged text, its tag map and where it came from."""

    type: str
    text: str  # tagged text (tms.inline); may be empty for layout-only paragraphs
    tags: dict[str, Tag] = field(default_factory=dict)  # tag id (str) -> Tag
    level: int | None = None  # heading level, list nesting level (0-based)
    locator: str = ""  # format-specific address, stable for the same file
    context: str = ""  # e.g. the heading path "Preamble > Rights"
    numbering: str | None = None  # "I.", "a)", "•", "1." as shown in the source
    attrs: dict[str, Any] = field(default_factory=dict)  # format-specific extras
    translatable: bool = True

    def tags_json(self) -> dict[str, Any]:
        """The tag map as stored in the database."""
        return {k: v.to_json() for k, v in self.tags.items()}


@dataclass
class ParsedDocument:
    """What a reader returns: blocks in reading order, plus what the import report says."""

    format: str
    blocks: list[ParsedBlock]
    title: str | None = None
    language: str | None = None  # as declared by the file, if any
    warnings: list[str] = field(default_factory=list)  # "3 tracked insertions were accepted"
    # A translated PO catalogue: the language its msgstrs are in (block.attrs["msgstr"]).
    translations_language: str | None = None


@dataclass
class TargetBlock:
    """A block to write: the parsed block (locator, tags) and its target tagged text."""

    block: ParsedBlock
    target: str


@dataclass
class ExportUnit:
    """One segment for the exchange formats (PO, XLIFF, TMX)."""

    key: str
    source: str  # tagged
    target: str  # tagged; "" if untranslated
    state: int  # tms.models.State value
    context: str = ""  # block context
    block_type: str = "paragraph"
    position: int = 0
    outdated: bool = False
    tags: dict[str, Tag] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    previous_source: str | None = None


@dataclass
class ExportMeta:
    """Facts about an export that exchange formats write into their headers."""

    document_slug: str
    document_title: str
    source_language: str
    target_language: str
    plural_forms: str = "nplurals=2; plural=(n != 1);"
    team: str = ""
    translators: list[str] = field(default_factory=list)  # empty unless credits are on
    generator: str = "tms"
    direction: str = "ltr"
    # TMX: "codes" (bpt/ept/ph) or "text" (tags as plain "<1>…</1>", what OmegaT matches
    # against our PO files).
    tmx_inline: str = "codes"
    # XLIFF: untranslated units get <target state="new"> holding the source, as CAT tools
    # expect (OmegaT counts no segment without a target); upload reads an unchanged copy
    # back as untranslated.
    xliff_prefill: bool = True
    # XLIFF: approved="yes" also on text awaiting review. translate-toolkit reads every
    # unit without approved="yes" as fuzzy; by default only approved text carries it.
    xliff_approve_translated: bool = False


@dataclass
class ImportedUnit:
    """One unit read back from an exchange file (PO, XLIFF) translated offline."""

    key: str
    source: str  # tagged, as exported
    target: str  # tagged, as edited offline
    fuzzy: bool = False  # PO fuzzy flag / XLIFF state "needs-*"
    state: str | None = None  # the file's own state word, if any
    line: int | None = None  # where in the file, for error messages
    context: str = ""  # what the file says about where the text is (msgctxt, resname)


@dataclass
class MemoryPair:
    """A source/target pair for TMX exchange."""

    source: str  # tagged (tms.inline)
    target: str
    source_language: str
    target_language: str
    origin: str = ""
    created_at: str | None = None  # ISO 8601, if known
    changed_at: str | None = None  # ISO 8601, if known
    author: str = ""  # TMX creationid/changeid
    notes: list[str] = field(default_factory=list)  # TMX <note>s
    props: dict[str, str] = field(default_factory=dict)  # TMX <prop>s other than x-origin
    approved: bool = True  # False for a PO fuzzy entry or an XLIFF "needs-*" state
    line: int | None = None  # where in the file it was read (for the import report)
    context: str = ""  # PO msgctxt, XLIFF resname: what the file says about the text


@dataclass
class BilingualFile:
    """The memory pairs of a bilingual file of any tool, and what was left out and why."""

    format: str  # tmx, xliff, xliff2, po, csv
    pairs: list[MemoryPair] = field(default_factory=list)
    skipped: list[tuple[int | None, str]] = field(default_factory=list)  # (line, reason)

    def skip(self, line: int | None, reason: str) -> None:
        """Note a unit that gives no pair, with its line and why."""
        self.skipped.append((line, reason))


@dataclass
class GlossaryEntry:
    """A term pair for TBX or CSV exchange."""

    source_term: str
    target_term: str
    source_language: str
    target_language: str
    note: str = ""
    forbidden: bool = False
    status: str = ""  # TBX usage: preferred, admitted, deprecated, superseded ("" unknown)
