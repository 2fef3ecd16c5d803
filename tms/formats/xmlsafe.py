"""Safe XML and ZIP reading: no entities, no network, bounded sizes."""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib

from lxml import etree

from tms.formats.base import FormatError
from tms.i18n import _

MAX_XML_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_TOTAL = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed/compressed beyond this looks like a zip bomb


def parser() -> etree.XMLParser:
    """An lxml parser that resolves no entities, loads no DTD and never touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(data: bytes, *, where: str) -> etree._Element:
    """Parse XML bytes, refusing entity declarations, entity references and oversize input.

    The verdict comes from the parsed document, not from its bytes: a DOCTYPE that only names
    an external DTD (TMX's tmx14.dtd, TBX-Basic's TBXBasiccoreStructV02.dtd, OmegaT's
    tmx11.dtd) is accepted and never loaded, since the parser neither loads DTDs nor touches
    the network; any <!ENTITY> in the internal subset, and any entity reference left in the
    tree, is refused. defusedxml is not used: its lxml module is deprecated and does nothing
    these parser flags and checks do not.
    """
    if len(data) > MAX_XML_BYTES:
        raise FormatError(_("the XML part is larger than %(size)s MB", size=50), where=where)
    _check_declared_encoding(data, where=where)
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        # libxml2 stops an entity-expansion bomb itself ("entity amplification", "entity
        # loop"): say why in our words rather than in its own.
        if "entit" in (exc.msg or "").lower():
            raise FormatError(
                _("the XML declares entities, which tms refuses for safety"), where=where
            ) from None
        raise FormatError(
            _("the XML is not well formed (%(reason)s)", reason=exc.msg), where=where
        ) from None
    tree = root.getroottree()
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _entity in dtd.iterentities()):
        raise FormatError(
            _("the XML declares entities, which tms refuses for safety"), where=where
        )
    entity = next(root.iter(etree.Entity), None)
    if entity is not None:
        # A reference to an entity of an external DTD that tms never loads: its text
        # would silently vanish.
        raise FormatError(
            _("the XML uses the entity %(name)s at line %(line)s, which tms does not resolve",
              name=entity.text, line=entity.sourceline),
            where=where,
        )
    return root


_DECLARED = re.compile(
    rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


def _check_declared_encoding(data: bytes, *, where: str) -> None:
    """Refuse a file that declares a legacy single-byte encoding (windows-1252, ISO-8859-1)
    while its bytes are UTF-8: the parser would decode it without complaint into mojibake."""
    m = _DECLARED.match(data[:200])
    if not m:
        return
    declared = m.group(1).decode("ascii")
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return  # the parser says it does not know the encoding
    if name.startswith("utf") or data.isascii():
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return
    raise FormatError(
        _("the file declares the character set %(charset)s but its text is UTF-8; "
          "correct the declaration to UTF-8", charset=declared), where=where)


def open_zip(data: bytes, *, where: str, kind: str = "DOCX") -> zipfile.ZipFile:
    """Open a ZIP container after checking it is one and is not a zip bomb."""
    if not data.startswith(b"PK"):
        raise FormatError(
            _("this is not a %(kind)s file (it is not a ZIP package)", kind=kind), where=where
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FormatError(
            _("the %(kind)s file is damaged or truncated (its ZIP directory cannot be read)",
              kind=kind),
            where=where,
        ) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise FormatError(
            _("the %(kind)s package has too many parts (%(n)s)", kind=kind, n=len(infos)),
            where=where,
        )
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_ZIP_TOTAL or (total > 10 * 1024 * 1024 and total / packed > MAX_RATIO):
        raise FormatError(
            _("the %(kind)s package would unpack to %(size)s MB, which looks like a zip bomb",
              kind=kind, size=total // (1024 * 1024)),
            where=where,
        )
    return zf


def read_member(zf: zipfile.ZipFile, name: str, *, where: str) -> bytes:
    """Read one ZIP member, turning CRC and truncation errors into FormatError."""
    try:
        return zf.read(name)
    except KeyError:
        raise FormatError(_("the package has no part %(name)s", name=name), where=where) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
        # zlib.error: a damaged deflate stream (found by tests/test_fuzz_importers.py)
        raise FormatError(
            _("the part %(name)s is damaged or truncated", name=name), where=where
        ) from None
