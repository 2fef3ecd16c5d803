"""DOCX (WordprocessingML) reader and writer: the print path.

read() turns every paragraph with text (body, tables, text boxes, headers, footers,
footnotes, endnotes) into a block whose locator is "<part>#p<n>": n is the position of the
w:p among all w:p elements of that part in document order (root.iter), counted the same way
by read and write, nested paragraphs included. write() clones the original package and
rebuilds only the runs of the paragraphs it is given; every other part is copied byte for
byte. Transitional and strict OOXML are both read (the namespace is taken from the file).
"""

from __future__ import annotations

import copy
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO

from lxml import etree

from tms.formats.base import FormatError, ParsedBlock, ParsedDocument, Tag, TargetBlock
from tms.formats.docx_changes import accept_changes, refresh_fields
from tms.formats.docx_inline import MC, Analysis, Names, analyse, rebuild
from tms.formats.docx_numbering import (
    Numbering,
    StyleInfo,
    heading_level,
    parse_numbering,
    parse_styles,
    special_type,
    style_chain,
)
from tms.formats.xmlsafe import open_zip, parse_xml, read_member
from tms.i18n import _, ngettext
from tms.inline import TAG_RE, tokenize

W_TRANSITIONAL = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
R_TRANSITIONAL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
R_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DC = "http://purl.org/dc/elements/1.1/"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc files and encrypted OOXML
_NOTE_SKIP = {"separator", "continuationSeparator", "continuationNotice"}


@dataclass
class Rel:
    """One relationship of a part."""

    rid: str
    type: str
    target: str  # resolved part name, or the URL for external targets
    external: bool


@dataclass
class Package:
    """An opened DOCX: its ZIP, its main part and the relationships read so far."""

    zf: zipfile.ZipFile
    where: str
    main: str
    ns: Names
    names: set[str] = field(default_factory=set)
    _rels: dict[str, list[Rel]] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        """True if the package holds a part of that name."""
        return name in self.names

    def xml(self, name: str) -> etree._Element:
        """A part parsed safely."""
        return parse_xml(read_member(self.zf, name, where=self.where),
                         where=f"{self.where} ({name})")

    def rels(self, part: str) -> list[Rel]:
        """The relationships of a part (empty if it has none)."""
        if part not in self._rels:
            self._rels[part] = _read_rels(self, part)
        return self._rels[part]

    def rel_targets(self, part: str, suffix: str) -> list[str]:
        """Internal targets of a part's relationships whose type ends with suffix."""
        return [r.target for r in self.rels(part)
                if r.type.endswith(suffix) and not r.external and self.has(r.target)]


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _read_rels(pkg: Package, part: str) -> list[Rel]:
    name = _rels_name(part) if part else "_rels/.rels"
    if not pkg.has(name):
        return []
    root = pkg.xml(name)
    base = posixpath.dirname(part)
    out = []
    for el in root.iter(f"{{{PKG_RELS}}}Relationship"):
        target = el.get("Target", "")
        external = el.get("TargetMode") == "External"
        if not external:
            target = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join(base, target))
        out.append(Rel(el.get("Id", ""), el.get("Type", ""), target, external))
    return out


def open_package(data: bytes, where: str) -> Package:
    """Open and check a DOCX package, finding its main document part and namespace."""
    zf = open_zip(data, where=where, kind="DOCX")
    pkg = Package(zf, where, "", Names(W_TRANSITIONAL, R_TRANSITIONAL),
                  {i.filename for i in zf.infolist()})
    mains = [r.target for r in pkg.rels("") if r.type.endswith("/officeDocument")
             and not r.external and pkg.has(r.target)]
    pkg.main = mains[0] if mains else "word/document.xml"
    if not pkg.has(pkg.main):
        raise FormatError(
            _("this is not a Word document: the package has no main document part "
              "(word/document.xml)"), where=where)
    root_tag = pkg.xml(pkg.main).tag
    w_ns = etree.QName(root_tag).namespace or ""
    if w_ns not in (W_TRANSITIONAL, W_STRICT) or etree.QName(root_tag).localname != "document":
        raise FormatError(
            _("this is not a Word document: %(part)s is not WordprocessingML", part=pkg.main),
            where=where)
    pkg.ns = Names(w_ns, R_STRICT if w_ns == W_STRICT else R_TRANSITIONAL)
    return pkg


def _parse_locator(locator: str) -> tuple[str, int] | None:
    part, sep, rest = locator.partition("#p")
    if not sep or not rest.isdigit():
        return None
    return part, int(rest)


# -- reading ----------------------------------------------------------------------------

@dataclass
class _Reader:
    pkg: Package
    styles: dict[str, StyleInfo]
    default_style: str | None
    numbering: Numbering
    blocks: list[ParsedBlock] = field(default_factory=list)
    changes: int = 0
    fields: int = 0  # fields Word recalculates on opening (see refresh_fields)
    headings: list[tuple[int, str]] = field(default_factory=list)

    def part(self, name: str, kind: str) -> None:
        """Read the paragraphs of one part (kind: body, header, footer, footnote, endnote)."""
        ns = self.pkg.ns
        root = self.pkg.xml(name)
        self.changes += accept_changes(root, ns)[0]
        self.fields += refresh_fields(root, ns, mark=False)
        rels = {r.rid: r.target for r in self.pkg.rels(name) if r.external}
        tables = {t: n for n, t in enumerate(root.iter(ns.w("tbl")), 1)}
        for index, p in enumerate(root.iter(ns.w("p"))):
            where = self._where(p, ns)
            if where is None:
                continue
            analysis = analyse(p, ns, rels)
            self.changes += analysis.changes
            block = self._block(p, analysis, name, index, kind, where, tables)
            if block is not None:
                self.blocks.append(block)

    def _where(self, p: etree._Element, ns: Names) -> dict[str, etree._Element] | None:
        """Relevant ancestors of p, or None when p is not to be read."""
        found: dict[str, etree._Element] = {}
        for anc in p.iterancestors():
            tag = anc.tag
            if tag == f"{{{MC}}}Fallback":
                return None  # the same text box is read from mc:Choice
            name = ns.local(anc)
            if name in ("footnote", "endnote") and anc.get(ns.w("type")) in _NOTE_SKIP:
                return None
            if name in ("del", "moveFrom"):
                return None
            if name in ("txbxContent", "tc", "footnote", "endnote", "tbl", "tr", "comment"):
                found.setdefault(name, anc)
        return found

    def _block(self, p: etree._Element, analysis: Analysis, part: str, index: int, kind: str,
               where: dict[str, etree._Element],
               tables: dict[etree._Element, int]) -> ParsedBlock | None:
        ns = self.pkg.ns
        ppr = p.find(ns.w("pPr"))
        style_id = None
        num_id: str | None = None
        ilvl: int | None = None
        outline: int | None = None
        if ppr is not None:
            ps = ppr.find(ns.w("pStyle"))
            style_id = ps.get(ns.w("val")) if ps is not None else None
            numpr = ppr.find(ns.w("numPr"))
            if numpr is not None:
                nid = numpr.find(ns.w("numId"))
                lvl = numpr.find(ns.w("ilvl"))
                num_id = nid.get(ns.w("val")) if nid is not None else None
                ilvl = int(lvl.get(ns.w("val"), "0")) if lvl is not None and \
                    lvl.get(ns.w("val"), "0").isdigit() else None
            ol = ppr.find(ns.w("outlineLvl"))
            if ol is not None and ol.get(ns.w("val"), "").isdigit():
                outline = int(ol.get(ns.w("val"), "9"))
        chain = style_chain(self.styles, style_id or self.default_style)
        if num_id is None:
            num_id = next((s.num_id for s in chain if s.num_id), None)
        if ilvl is None:
            ilvl = next((s.ilvl for s in chain if s.ilvl is not None), 0)
        label = None
        if num_id and num_id != "0":
            label = self.numbering.label(num_id, ilvl or 0)
        plain = analysis.plain
        if not plain.strip():
            return None

        level: int | None = None
        context_parts = [t for _, t in self.headings] if kind == "body" else []
        attrs: dict[str, object] = {"part": part}
        if style_id:
            attrs["style"] = style_id
        if kind in ("footnote", "endnote"):
            note = where.get(kind)
            note_id = note.get(ns.w("id"), "") if note is not None else ""
            attrs["note"] = note_id
            btype = kind
            context_parts = [_("footnote %(n)s", n=note_id) if kind == "footnote"
                             else _("endnote %(n)s", n=note_id)]
        elif kind == "comment":
            btype = kind
            note = where.get("comment")
            comment_id = note.get(ns.w("id"), "") if note is not None else ""
            author = note.get(ns.w("author"), "") if note is not None else ""
            attrs["comment"] = comment_id
            context_parts = [_("comment by %(author)s", author=author) if author
                             else _("comment")]
        elif kind in ("header", "footer"):
            btype = kind
            context_parts = [_("header") if kind == "header" else _("footer")]
        elif "txbxContent" in where:
            btype = "text_box"
        elif "tc" in where:
            btype = "table_cell"
        else:
            heading = outline + 1 if outline is not None and outline < 9 else \
                heading_level(style_id or self.default_style, chain)
            special = special_type(style_id or self.default_style, chain)
            if special == "title":
                btype = "title"
            elif heading is not None:
                btype, level = "heading", heading
                self.headings = [h for h in self.headings if h[0] < heading]
                context_parts = [t for _, t in self.headings]
                self.headings.append((heading, _short(plain)))
            elif label is not None:
                btype, level = "list_item", ilvl or 0
            else:
                btype = special or "paragraph"
        if "tc" in where and "tr" in where and "tbl" in where:
            tc, tr, tbl = where["tc"], where["tr"], where["tbl"]
            row = 1 + sum(1 for x in tr.itersiblings(ns.w("tr"), preceding=True))
            col = 1 + sum(1 for x in tc.itersiblings(ns.w("tc"), preceding=True))
            table = tables.get(tbl, 0)
            attrs.update({"table": table, "row": row, "col": col})
            context_parts.append(_("table %(t)s, row %(r)s, column %(c)s", t=table, r=row, c=col))
        if btype == "list_item" and level is None:
            level = ilvl or 0
        text = analysis.text
        if btype in ("footnote", "endnote"):
            # Word puts a space between the note mark and its text: it is layout, not part of
            # the sentence (pofilter's startwhitespace), so it stays in the file's skeleton
            # and the writer puts it back.
            lead = text[: len(text) - len(text.lstrip())]
            if lead:
                attrs["lead"] = lead
                text = text[len(lead):]
        return ParsedBlock(
            type=btype,
            text=text,
            tags=analysis.tags,
            level=level,
            locator=f"{part}#p{index}",
            context=" > ".join(context_parts),
            numbering=label,
            attrs=attrs,
        )


_LABEL_NUMBER = re.compile(r"%[1-9]")


def _list_labels(pkg: Package, part: str) -> list[ParsedBlock]:
    """List labels written in numbering.xml (lvlText such as "SECTION %1."): words to
    translate, the level numbers (%1 ... %9) kept as tags. Bullets and labels without
    letters ("%1.", "(%2)") are not text."""
    ns = pkg.ns
    root = pkg.xml(part)
    out = []
    for index, lvl in enumerate(root.iter(ns.w("lvl"))):
        text_el = lvl.find(ns.w("lvlText"))
        fmt = lvl.find(ns.w("numFmt"))
        value = text_el.get(ns.w("val"), "") if text_el is not None else ""
        if (fmt is not None and fmt.get(ns.w("val")) == "bullet") or \
                not re.search(r"[^\W\d_]", _LABEL_NUMBER.sub("", value)):
            continue
        tags: dict[str, Tag] = {}
        pieces, pos = [], 0
        for m in _LABEL_NUMBER.finditer(value):
            ident = str(len(tags) + 1)
            tags[ident] = Tag("literal", False, {"text": m.group(0)},
                              _("level number %(n)s", n=m.group(0)[1:]))
            pieces.append(_escape_label(value[pos:m.start()], tags))
            pieces.append(f"<{ident}/>")
            pos = m.end()
        pieces.append(_escape_label(value[pos:], tags))
        out.append(ParsedBlock(type="list_item", text="".join(pieces), tags=tags,
                               level=int(lvl.get(ns.w("ilvl"), "0") or 0),
                               locator=f"{part}#lvl{index}", context=_("list label"),
                               attrs={"part": part}))
    return out


def _escape_label(text: str, tags: dict[str, Tag]) -> str:
    """Label text where anything that looks like a tag becomes a literal tag."""
    out, pos = [], 0
    for m in TAG_RE.finditer(text):
        ident = str(len(tags) + 1)
        tags[ident] = Tag("literal", False, {"text": m.group(0)}, m.group(0))
        out.extend([text[pos:m.start()], f"<{ident}/>"])
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _plain_target(tb: TargetBlock) -> str:
    """A translation as plain text: standalone tags give back the text they stand for."""
    pieces = []
    for tok in tokenize(tb.target):
        if tok.kind == "text":
            pieces.append(tok.value)
        elif tok.kind == "standalone" and tok.value in tb.block.tags:
            pieces.append(str(tb.block.tags[tok.value].data.get("text", "")))
    return "".join(pieces)


def _write_labels(root: etree._Element, targets: dict[int, TargetBlock], ns: Names) -> None:
    """Set the lvlText of each translated list label (tags back to their text)."""
    levels = list(root.iter(ns.w("lvl")))
    for index, tb in targets.items():
        text_el = levels[index].find(ns.w("lvlText")) if index < len(levels) else None
        if text_el is None:
            raise FormatError(_("the block locator %(loc)s does not point into this document",
                                loc=tb.block.locator), where="the original DOCX")
        text_el.set(ns.w("val"), _plain_target(tb))


A_MAIN = ("http://schemas.openxmlformats.org/drawingml/2006/main",
          "http://purl.oclc.org/ooxml/drawingml/main")


def _a_paragraphs(root: etree._Element) -> list[etree._Element]:
    return [p for p in root.iter(*(f"{{{a}}}p" for a in A_MAIN))]


def _a_texts(p: etree._Element) -> list[etree._Element]:
    return [t for t in p.iter(*(f"{{{a}}}t" for a in A_MAIN))]


def _diagram_texts(pkg: Package, part: str) -> list[ParsedBlock]:
    """The text of a SmartArt diagram (its data part): one block per DrawingML paragraph."""
    out = []
    for index, p in enumerate(_a_paragraphs(pkg.xml(part))):
        text = "".join(t.text or "" for t in _a_texts(p))
        if not text.strip():
            continue
        tags: dict[str, Tag] = {}
        out.append(ParsedBlock(type="text_box", text=_escape_label(text, tags), tags=tags,
                               locator=f"{part}#dp{index}", context=_("diagram"),
                               attrs={"part": part}))
    return out


def _set_a_text(p: etree._Element, text: str) -> bool:
    """Put text into a DrawingML paragraph: the first run takes it, the others are emptied
    (False when it already reads so)."""
    texts = _a_texts(p)
    if not texts or "".join(t.text or "" for t in texts) == text:
        return False
    texts[0].text = text
    for t in texts[1:]:
        t.text = ""
    return True


def _write_diagrams(pkg: Package, part: str, targets: dict[int, TargetBlock],
                    drawings: dict[str, etree._Element], changed: dict[str, bytes],
                    touched: set[str]) -> None:
    """Translated diagram text into the data part and into the drawing Word and
    LibreOffice show until they lay the diagram out again (the shape with the same
    modelId, its paragraph at the same place)."""
    root = pkg.xml(part)
    paragraphs = _a_paragraphs(root)
    shapes: dict[str, tuple[str, etree._Element]] = {}
    for name, droot in drawings.items():
        for sp in droot.iter():
            if isinstance(sp.tag, str) and sp.get("modelId"):
                shapes[sp.get("modelId", "")] = (name, sp)
    for index, tb in targets.items():
        if index >= len(paragraphs):
            raise FormatError(_("the block locator %(loc)s does not point into this document",
                                loc=tb.block.locator), where="the original DOCX")
        text = _plain_target(tb)
        p = paragraphs[index]
        pt = next((a for a in p.iterancestors() if etree.QName(a).localname == "pt"), None)
        body = next((a for a in p.iterancestors() if etree.QName(a).localname == "t"), None)
        if pt is not None and body is not None and pt.get("modelId") in shapes:
            place = list(body.iter(*(f"{{{a}}}p" for a in A_MAIN))).index(p)
            name, shape = shapes[pt.get("modelId", "")]
            shown = _a_paragraphs(shape)
            if place < len(shown) and _set_a_text(shown[place], text):
                touched.add(name)
        _set_a_text(p, text)
    changed[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                   standalone=True)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:59] + "…"


def _optional_xml(pkg: Package, names: list[str]) -> etree._Element | None:
    return pkg.xml(names[0]) if names else None


def read(data: bytes, *, filename: str, language: str = "en",
         comments: bool = False) -> ParsedDocument:
    """Read a DOCX into blocks: body, tables, text boxes, notes, headers and footers (and
    the comments, when asked)."""
    if data.startswith(_OLE_MAGIC):
        raise FormatError(_("this is an old Word .doc file or a password-protected document; "
                            "save it as .docx without a password and upload it again"),
                          where=filename)
    pkg = open_package(data, filename)
    ns = pkg.ns
    main = pkg.main
    styles_root = _optional_xml(pkg, pkg.rel_targets(main, "/styles"))
    styles, default_style = parse_styles(styles_root, ns.w_ns)
    numbering = parse_numbering(_optional_xml(pkg, pkg.rel_targets(main, "/numbering")),
                                ns.w_ns)
    reader = _Reader(pkg, styles, default_style, numbering)
    for name, kind in _story_parts(pkg):
        reader.part(name, kind)
    for name in pkg.rel_targets(main, "/numbering")[:1]:
        reader.blocks.extend(_list_labels(pkg, name))
    for name in pkg.rel_targets(main, "/diagramData"):
        reader.blocks.extend(_diagram_texts(pkg, name))

    warnings = []
    if reader.changes:
        warnings.append(ngettext(
            "%(num)s tracked change was accepted (insertions kept, deletions dropped)",
            "%(num)s tracked changes were accepted (insertions kept, deletions dropped)",
            reader.changes))
    if reader.fields:
        warnings.append(ngettext(
            "%(num)s field (contents, caption numbers, running heads, dates) keeps its "
            "source-language result until Word updates it: it is marked to be updated on "
            "opening",
            "%(num)s fields (contents, caption numbers, running heads, dates) keep their "
            "source-language results until Word updates them: they are marked to be updated "
            "on opening", reader.fields))
    comment_parts = pkg.rel_targets(main, "/comments")
    if comment_parts and comments:
        before = len(reader.blocks)
        reader.part(comment_parts[0], "comment")
        count = len({b.attrs.get("comment") for b in reader.blocks[before:]})
        if count:
            warnings.append(ngettext(
                "%(num)s comment was imported to be translated",
                "%(num)s comments were imported to be translated", count))
    elif comment_parts:
        count = sum(1 for _ in pkg.xml(comment_parts[0]).iter(ns.w("comment")))
        if count:
            warnings.append(ngettext(
                "%(num)s comment was not imported (comments are not translated)",
                "%(num)s comments were not imported (comments are not translated)", count))
    title, declared = _core_title_language(pkg)
    if declared is None and styles_root is not None:
        lang = styles_root.find(f"{ns.w('docDefaults')}/{ns.w('rPrDefault')}/"
                                f"{ns.w('rPr')}/{ns.w('lang')}")
        declared = lang.get(ns.w("val")) if lang is not None else None
    return ParsedDocument("docx", reader.blocks, title=title, language=declared,
                          warnings=warnings)


def _story_parts(pkg: Package) -> list[tuple[str, str]]:
    """Every part whose paragraphs are read, with its kind, in reading order."""
    out = [(pkg.main, "body")]
    for suffix, kind in (("/footnotes", "footnote"), ("/endnotes", "endnote")):
        out.extend((name, kind) for name in pkg.rel_targets(pkg.main, suffix))
    return out + _header_footer_parts(pkg)


def _header_footer_parts(pkg: Package) -> list[tuple[str, str]]:
    """Header and footer parts in the order the sections refer to them."""
    ns = pkg.ns
    rels = {r.rid: r for r in pkg.rels(pkg.main)}
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    root = pkg.xml(pkg.main)
    for ref in root.iter(ns.w("headerReference"), ns.w("footerReference")):
        rel = rels.get(ref.get(ns.r("id"), ""))
        if rel is not None and not rel.external and pkg.has(rel.target) \
                and rel.target not in seen:
            seen.add(rel.target)
            out.append((rel.target, "header" if ref.tag == ns.w("headerReference") else "footer"))
    for kind in ("header", "footer"):
        for name in pkg.rel_targets(pkg.main, "/" + kind):
            if name not in seen:
                seen.add(name)
                out.append((name, kind))
    return out


def _core_part(pkg: Package) -> str | None:
    names = [r.target for r in pkg.rels("") if r.type.endswith("/core-properties")
             and not r.external and pkg.has(r.target)]
    return names[0] if names else None


def _core_title_language(pkg: Package) -> tuple[str | None, str | None]:
    name = _core_part(pkg)
    if name is None:
        return None, None
    root = pkg.xml(name)
    title = root.find(f"{{{DC}}}title")
    lang = root.find(f"{{{DC}}}language")
    return ((title.text or "").strip() or None if title is not None else None,
            (lang.text or "").strip() or None if lang is not None else None)


# -- writing ----------------------------------------------------------------------------

def write(original: bytes, blocks: list[TargetBlock], *, language: str, rtl: bool = False,
          title: str | None = None) -> bytes:
    """The original DOCX with each block's paragraph rebuilt from its target text."""
    where = "the original DOCX"
    pkg = open_package(original, where)
    ns = pkg.ns
    by_part: dict[str, dict[int, TargetBlock]] = {}
    labels: dict[str, dict[int, TargetBlock]] = {}
    diagrams: dict[str, dict[int, TargetBlock]] = {}
    for tb in blocks:
        part, sep, rest = tb.block.locator.partition("#lvl")
        if sep and rest.isdigit() and pkg.has(part):
            labels.setdefault(part, {})[int(rest)] = tb
            continue
        part, sep, rest = tb.block.locator.partition("#dp")
        if sep and rest.isdigit() and pkg.has(part):
            diagrams.setdefault(part, {})[int(rest)] = tb
            continue
        loc = _parse_locator(tb.block.locator)
        if loc is None or not pkg.has(loc[0]):
            raise FormatError(_("the block locator %(loc)s does not point into this document",
                                loc=tb.block.locator or "(empty)"), where=where)
        by_part.setdefault(loc[0], {})[loc[1]] = tb
    changed: dict[str, bytes] = {}
    for part, _kind in _story_parts(pkg):
        if part not in by_part:
            # no text to write, but its tracked changes are resolved all the same
            root = pkg.xml(part)
            if any(accept_changes(root, ns)):
                changed[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                               standalone=True)
    for part, targets in by_part.items():
        root = pkg.xml(part)
        accept_changes(root, ns)
        rels = {r.rid: r.target for r in pkg.rels(part) if r.external}
        paragraphs = list(root.iter(ns.w("p")))
        missing = [i for i in targets if i >= len(paragraphs)]
        if missing:
            raise FormatError(_("the block locator %(loc)s does not point into this document",
                                loc=targets[missing[0]].block.locator), where=where)
        # analyse everything before changing anything: nested paragraphs (text boxes)
        # are moved along with the run that holds them
        analyses = {i: analyse(paragraphs[i], ns, rels) for i in targets}
        for i, tb in targets.items():
            lead = str(tb.block.attrs.get("lead") or "")
            target = tb.target if tb.target[:1].isspace() else lead + tb.target
            rebuild(paragraphs[i], analyses[i], target, ns=ns, language=language, rtl=rtl,
                    stored=tb.block.tags)
        _sync_fallbacks([paragraphs[i] for i in targets], ns)
        refresh_fields(root, ns, mark=True)
        changed[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                       standalone=True)
    for part, label_targets in labels.items():
        root = pkg.xml(part)
        _write_labels(root, label_targets, ns)
        changed[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                       standalone=True)
    if diagrams:
        drawings = {name: pkg.xml(name)
                    for name in pkg.rel_targets(pkg.main, "/diagramDrawing")}
        touched: set[str] = set()
        for part, diagram_targets in diagrams.items():
            _write_diagrams(pkg, part, diagram_targets, drawings, changed, touched)
        for name in touched:
            droot = drawings[name]
            changed[name] = etree.tostring(droot, xml_declaration=True, encoding="UTF-8",
                                           standalone=True)
    core = _core_part(pkg)
    added: dict[str, bytes] = {}
    if core is not None:
        changed[core] = _core_update(pkg.xml(core), title, language)
    elif pkg.has("_rels/.rels") and pkg.has("[Content_Types].xml") \
            and not pkg.has(_CORE_NAME):
        changed.update(_core_add(pkg))
        added[_CORE_NAME] = _core_update(etree.fromstring(_CORE_EMPTY), title, language)

    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in pkg.zf.infolist():
            data = changed.get(info.filename)
            if data is None:
                data = read_member(pkg.zf, info.filename, where=where)
            new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            new.compress_type = zipfile.ZIP_DEFLATED if not info.is_dir() else zipfile.ZIP_STORED
            new.external_attr = info.external_attr
            dst.writestr(new, data)
        for name, data in added.items():
            dst.writestr(name, data)
    return out.getvalue()


_CORE_NAME = "docProps/core.xml"
_CORE_EMPTY = (f'<cp:coreProperties xmlns:cp="{CP}" xmlns:dc="{DC}" '
               'xmlns:dcterms="http://purl.org/dc/terms/"/>').encode()
_CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"


def _core_add(pkg: Package) -> dict[str, bytes]:
    """The package relationships and content types with a new core properties part."""
    rels = pkg.xml("_rels/.rels")
    ids = {el.get("Id") for el in rels}
    rid = next(f"rId{n}" for n in range(1, 10000) if f"rId{n}" not in ids)
    etree.SubElement(rels, f"{{{PKG_RELS}}}Relationship",
                     {"Id": rid, "Type": _CORE_REL, "Target": _CORE_NAME})
    types = pkg.xml("[Content_Types].xml")
    etree.SubElement(types, f"{{{_CT}}}Override",
                     {"PartName": "/" + _CORE_NAME, "ContentType": _CORE_TYPE})
    return {
        "_rels/.rels": etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                      standalone=True),
        "[Content_Types].xml": etree.tostring(types, xml_declaration=True, encoding="UTF-8",
                                              standalone=True),
    }


def _sync_fallbacks(paragraphs: list[etree._Element], ns: Names) -> None:
    """Give the VML fallback of a rebuilt text box the same paragraphs as its mc:Choice."""
    done: set[int] = set()
    for p in paragraphs:
        ac = next((a for a in p.iterancestors(f"{{{MC}}}AlternateContent")), None)
        if ac is None or id(ac) in done:
            continue
        done.add(id(ac))
        choice = ac.find(f"{{{MC}}}Choice")
        fallback = ac.find(f"{{{MC}}}Fallback")
        if choice is None or fallback is None:
            continue
        src = list(choice.iter(ns.w("txbxContent")))
        dst = list(fallback.iter(ns.w("txbxContent")))
        if len(src) != len(dst):
            continue
        for s, d in zip(src, dst, strict=True):
            marks = ns.w("bookmarkStart"), ns.w("bookmarkEnd")
            own = {tag: [dict(m.attrib) for m in d.iter(tag)] for tag in marks}
            for child in list(d):
                d.remove(child)
            for child in s:
                d.append(copy.deepcopy(child))
            # bookmark ids must stay unique in the part: the copied marks take the ids (and
            # names) the fallback's own bookmarks had, in order; any beyond those go
            for tag in marks:
                for n, mark in enumerate(list(d.iter(tag))):
                    if n < len(own[tag]):
                        mark.attrib.clear()
                        mark.attrib.update(own[tag][n])
                    else:
                        mark.getparent().remove(mark)


def _core_update(root: etree._Element, title: str | None, language: str) -> bytes:
    """Core properties with the title and language of the translation."""
    for local, value in (("title", title), ("language", language)):
        if not value:
            continue
        el = root.find(f"{{{DC}}}{local}")
        if el is None:
            el = etree.SubElement(root, f"{{{DC}}}{local}")
        el.text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
