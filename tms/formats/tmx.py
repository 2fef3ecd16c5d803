"""TMX 1.4b translation memory exchange, built and read with lxml.

Tags are kept, not stripped. By default (inline="codes") a paired tag becomes
<bpt i="n" x="n">&lt;n&gt;</bpt> … <ept i="n">&lt;/n&gt;</ept> and a standalone tag
<ph x="n">&lt;n/&gt;</ph>: the standard TMX inline markup every CAT tool reads, with our own
tag text as the native code, so tms reads it back to exactly the same tagged strings.
With inline="text" the tags are written as plain text ("<1>life</1>"), which is how they
appear in our PO exports: OmegaT then finds exact matches for the tagged segments of a tms
PO file (checked in tests/test_offline.py), which it cannot with bpt/ept. With
inline="omegat" the tags are written as the shortcuts OmegaT shows for our XLIFF files
(<g0>…</g0> for a <g>, <x1/> for an <x/>, numbered in order of appearance), and the tags
OmegaT keeps out of a segment (standalone ones at either end, a pair around all of it)
are left out, so OmegaT finds exact matches for our XLIFF's tagged segments.

Reading other tools' TMX: bpt/ept pair by i (and take x, when present, as the id shared by
source and target), ph/it/x take x or a running number, <hi> becomes a paired tag, <ut> and
<sub> are dropped. Plain text that looks like one of our tags ("<1>") is read as that tag:
that is what a TMX saved by OmegaT from a tms PO file contains.

Per unit, creationdate/changedate, creationid/changeid, <note>s and <prop>s are read into
the MemoryPair (prop x-origin is our own origin); the caller decides what it can keep.
The file is indented outside <seg> only: whitespace inside a <seg> would be text.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

from tms.formats.base import BilingualFile, FormatError, MemoryPair
from tms.formats.xliff import indent, xml_text
from tms.formats.xmlsafe import parse_xml
from tms.i18n import _
from tms.inline import ForeignIds, Token, tokenize

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_OWN_TAG = re.compile(r"^<(/?)(\d{1,4})(/?)>$")
STRUCTURE = frozenset({"tmx", "header", "body", "tu", "tuv"})
_TMX_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$")


def _tmx_date(iso: str | None) -> str | None:
    """ISO 8601 -> TMX's YYYYMMDDThhmmssZ (UTC), or None if unreadable."""
    if not iso:
        return None
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _iso_date(tmx: str | None) -> str | None:
    m = _TMX_DATE.match(tmx or "")
    if not m:
        return None
    y, mo, d, h, mi, s = m.groups()
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}+00:00"


INLINE_MODES = ("codes", "text", "omegat")


def _edge_tags(tokens: list[Token]) -> tuple[int, int]:
    """How many tokens OmegaT keeps out of a segment at its start and at its end."""
    start, end = 0, len(tokens)
    while True:
        if start < end and tokens[start].kind == "standalone":
            start += 1
        elif start < end and tokens[end - 1].kind == "standalone":
            end -= 1
        elif (end - start >= 2 and tokens[start].kind == "open"
              and tokens[end - 1].kind == "close"
              and tokens[start].value == tokens[end - 1].value
              and not any(t.value == tokens[start].value for t in tokens[start + 1 : end - 1]
                          if t.kind != "text")):
            start, end = start + 1, end - 1
        else:
            return start, len(tokens) - end


def omegat_pair(source: str, target: str) -> tuple[str, str] | None:
    """Source and target as OmegaT shows a tms XLIFF unit (tags as g0/x1 shortcuts, edge
    tags left out), or None when the target's edge tags differ from the source's."""
    src, tgt = tokenize(source), tokenize(target)
    s_lead, s_trail = _edge_tags(src)
    t_lead, t_trail = _edge_tags(tgt)
    edges = [t.raw for t in (*src[:s_lead], *src[len(src) - s_trail :])]
    if (s_lead, s_trail) != (t_lead, t_trail) or edges != [
            t.raw for t in (*tgt[:t_lead], *tgt[len(tgt) - t_trail :])]:
        return None
    src, tgt = src[s_lead : len(src) - s_trail], tgt[t_lead : len(tgt) - t_trail]
    names: dict[str, str] = {}
    for tok in src:
        if tok.kind in ("open", "standalone") and tok.value not in names:
            letter = "g" if tok.kind == "open" else "x"
            names[tok.value] = f"{letter}{len(names)}"

    def show(tokens: list[Token]) -> str | None:
        out = []
        for tok in tokens:
            if tok.kind == "text":
                out.append(tok.value)
            elif tok.value not in names:
                return None  # a tag the source does not have: OmegaT could not match it
            elif tok.kind == "open":
                out.append(f"<{names[tok.value]}>")
            elif tok.kind == "close":
                out.append(f"</{names[tok.value]}>")
            else:
                out.append(f"<{names[tok.value]}/>")
        return "".join(out)

    shown_src, shown_tgt = show(src), show(tgt)
    if shown_src is None or shown_tgt is None:
        return None
    return shown_src, shown_tgt


def _fill_seg(seg: etree._Element, text: str, *, inline: str = "codes") -> None:
    """Write a tagged text into a <seg> with bpt/ept/ph for the tags (or as plain text)."""
    if inline in ("text", "omegat"):
        seg.text = xml_text(text)
        return
    last: etree._Element | None = None

    def add_text(value: str) -> None:
        value = xml_text(value)
        if last is None:
            seg.text = (seg.text or "") + value
        else:
            last.tail = (last.tail or "") + value

    for tok in tokenize(text):
        if tok.kind == "text":
            add_text(tok.value)
            continue
        if tok.kind == "open":
            last = etree.SubElement(seg, "bpt", i=tok.value, x=tok.value)
        elif tok.kind == "close":
            last = etree.SubElement(seg, "ept", i=tok.value)
        else:
            last = etree.SubElement(seg, "ph", x=tok.value)
        last.text = tok.raw


def write(pairs: list[MemoryPair], *, source_language: str, target_language: str,
          inline: str = "codes") -> bytes:
    """A TMX 1.4b file of memory pairs (tags as bpt/ept/ph, or as text with inline="text")."""
    if inline not in INLINE_MODES:
        raise ValueError(f"inline must be one of {INLINE_MODES}, not {inline!r}")
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", {
        "creationtool": "tms",
        "creationtoolversion": "1",
        "datatype": "plaintext",
        "segtype": "sentence",
        "adminlang": "en",
        "srclang": source_language,
        "o-tmf": "tms",
        "creationdate": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
    })
    body = etree.SubElement(root, "body")
    for pair in pairs:
        texts = (pair.source, pair.target)
        if inline == "omegat":
            shown = omegat_pair(pair.source, pair.target)
            if shown is None:
                continue  # tags OmegaT could never match: the pair would only mislead
            texts = shown
        tu = etree.SubElement(body, "tu")
        created = _tmx_date(pair.created_at)
        if created:
            tu.set("creationdate", created)
        changed = _tmx_date(pair.changed_at)
        if changed:
            tu.set("changedate", changed)
        if pair.author:
            tu.set("changeid", xml_text(pair.author))
        if pair.origin:
            prop = etree.SubElement(tu, "prop", type="x-origin")
            prop.text = xml_text(pair.origin)
        for kind, value in pair.props.items():
            prop = etree.SubElement(tu, "prop", type=kind)
            prop.text = xml_text(value)
        for text in pair.notes:
            etree.SubElement(tu, "note").text = xml_text(text)
        for lang, text in ((pair.source_language or source_language, texts[0]),
                           (pair.target_language or target_language, texts[1])):
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: lang})
            _fill_seg(etree.SubElement(tuv, "seg"), text, inline=inline)
    indent(root, structure=STRUCTURE)
    doctype = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                          doctype=doctype) + b"\n"


def _name(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def seg_text(seg: etree._Element, number: ForeignIds | None = None) -> str:
    """A <seg>'s content as a tagged text; number (shared by the <tuv>s of one <tu>) turns
    ids that are not tms ids into tms ids (901 upward, far from real ones)."""
    out: list[str] = []
    ids = number or ForeignIds()
    counter = [0]

    def fresh() -> str:  # a placeholder that carries no id
        counter[0] += 1
        return ids(f"\x00{counter[0]}")

    def own(el: etree._Element) -> tuple[str, str, str] | None:
        m = _OWN_TAG.match((el.text or "").strip()) if len(el) == 0 else None
        return m.groups() if m else None  # type: ignore[return-value]

    def text(value: str | None) -> None:
        if value:
            out.append(value)

    def walk(el: etree._Element) -> None:
        text(el.text)
        for child in el:
            name = _name(child)
            mine = own(child)
            if name == "bpt":
                out.append(f"<{mine[1] if mine else ids(_bpt_id(child))}>")
            elif name == "ept":
                out.append(f"</{mine[1] if mine else ids(_ept_id(child, el))}>")
            elif name in ("ph", "it", "x"):
                x = child.get("x")
                out.append(f"<{mine[1] if mine else ids(x) if x else fresh()}/>")
            elif name == "hi":
                ident = ids(child.get("x") or "") if child.get("x") else fresh()
                out.append(f"<{ident}>")
                walk(child)
                out.append(f"</{ident}>")
            # ut, sub and anything unknown carry native code, not text
            text(child.tail)

    walk(seg)
    return "".join(out)


def _bpt_id(bpt: etree._Element) -> str:
    """The file's id of a bpt: its x (shared by source and target), else its i."""
    return bpt.get("x") or bpt.get("i") or "0"


def _ept_id(ept: etree._Element, seg: etree._Element) -> str:
    """The id of the bpt an ept closes (same i), as that bpt was written out."""
    i = ept.get("i")
    for bpt in seg.iter("bpt", "{*}bpt"):
        if bpt.get("i") == i:
            m = _OWN_TAG.match((bpt.text or "").strip())
            return m.group(2) if m else _bpt_id(bpt)
    return i or "0"


def _lang(tuv: etree._Element) -> str:
    return tuv.get(XML_LANG) or tuv.get("lang") or ""


def read(data: bytes, *, filename: str) -> list[MemoryPair]:
    """Memory pairs from a TMX file (ours or another tool's); one pair per target language."""
    return read_pairs(data, filename=filename).pairs


def read_pairs(data: bytes, *, filename: str) -> BilingualFile:
    """The pairs of a TMX file, and the units that gave none (with the line and why)."""
    root = parse_xml(data, where=filename)
    if _name(root) != "tmx":
        raise FormatError(_("this is not a TMX file (its root element is <%(name)s>)",
                            name=_name(root)), where=filename)
    header = root.find("header")
    body = root.find("body")
    if header is None or body is None:
        raise FormatError(_("the TMX file has no <header> or no <body>"), where=filename)
    srclang = header.get("srclang") or ""
    found = BilingualFile(format="tmx")
    pairs = found.pairs
    for tu in body.iter("tu"):
        variants: list[tuple[str, str]] = []
        tuvs = tu.findall("tuv")
        number = ForeignIds()
        for tuv in tuvs:
            lang = _lang(tuv)
            seg = tuv.find("seg")
            if not lang or seg is None:
                raise FormatError(
                    _("the <tuv> at line %(line)s has no language or no <seg>",
                      line=tuv.sourceline),
                    where=filename,
                )
            variants.append((lang, seg_text(seg, number)))
        if len(variants) < 2:
            found.skip(tu.sourceline, _("the unit has only one language"))
            continue
        src = next((i for i, v in enumerate(variants)
                    if srclang and v[0].lower() == srclang.lower()), None)
        if src is None:
            src = next((i for i, v in enumerate(variants)
                        if srclang and v[0].split("-")[0].lower()
                        == srclang.split("-")[0].lower()), 0)
        source = variants[src]
        origin_prop = tu.find("prop[@type='x-origin']")
        origin = origin_prop.text or "" if origin_prop is not None else f"tmx: {filename}"
        props = {p.get("type") or "": p.text or "" for p in tu.findall("prop")
                 if p.get("type") != "x-origin"}
        notes = [" ".join("".join(n.itertext()).split()) for n in tu.findall("note")]
        for tuv in tu.findall("tuv"):  # notes and props of one variant belong to the unit
            props.update({p.get("type") or "": p.text or "" for p in tuv.findall("prop")})
            notes.extend(" ".join("".join(n.itertext()).split()) for n in tuv.findall("note"))
        if not source[1].strip():
            found.skip(tu.sourceline, _("the source is empty"))
            continue
        for i, (lang, text) in enumerate(variants):
            if i == src:
                continue
            if not text.strip():
                found.skip(tuvs[i].sourceline, _("the unit has no translation"))
                continue
            # OmegaT dates and signs the target <tuv>, other tools the <tu>.
            facts = (tu, tuvs[i])

            def fact(name: str, facts: tuple[etree._Element, ...] = facts) -> str | None:
                return next((el.get(name) for el in facts if el.get(name)), None)

            pairs.append(MemoryPair(source=source[1], target=text, source_language=source[0],
                                    target_language=lang, origin=origin,
                                    created_at=_iso_date(fact("creationdate")),
                                    changed_at=_iso_date(fact("changedate")),
                                    author=fact("changeid") or fact("creationid") or "",
                                    notes=[n for n in notes if n], props=dict(props),
                                    line=tuvs[i].sourceline))
    return found
