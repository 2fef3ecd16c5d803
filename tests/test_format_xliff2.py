"""XLIFF 2.0: our export against the OASIS core schema, states both ways, and reading."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.clients import xliff20_schema
from tms.formats import SEGMENT_FORMATS, ReadHints, xliff2
from tms.formats.base import ExportMeta, ExportUnit, FormatError, Tag

META = ExportMeta("declaration", "Declaration", "en", "fr")
TAGS = {"1": Tag("bold"), "2": Tag("footnote_ref"), "3": Tag("link")}


def units() -> list[ExportUnit]:
    return [
        ExportUnit("a1-0", "We <1>declare</1> our rights.<2/>",
                   "Nous <1>déclarons</1> nos droits.<2/>", 40, context="Preamble", tags=TAGS),
        ExportUnit("b2-0", "Untranslated <3>link</3>", "", 0, tags=TAGS),
        ExportUnit("c3-0", "Draft", "Brouillon", 20),
        ExportUnit("d4-0", "Sent back.", "Renvoyé.", 10),
        ExportUnit("e5-0", "Awaiting review", "En attente", 30),
        ExportUnit("f6-0", "Old", "Vieux", 40, outdated=True, previous_source="Older"),
        ExportUnit("key with space", "Odd key", "Clé bizarre", 30),
    ]


def test_export_is_valid_against_the_core_schema() -> None:
    schema = xliff20_schema()
    doc = etree.fromstring(xliff2.write(units(), META))
    assert schema.validate(doc), schema.error_log
    broken = etree.fromstring(xliff2.write(units(), META))
    broken.find(f"{{{xliff2.NS}}}file").set("id", "not a token")
    assert not schema.validate(broken)  # the schema really checks


def test_states_and_keys_read_back() -> None:
    data = xliff2.write(units(), META)
    file = SEGMENT_FORMATS["xliff2"].read(data, "d.xliff", ReadHints())
    got = {u.key: (u.target, u.fuzzy) for u in file.units}
    assert got == {
        "a1-0": ("Nous <1>déclarons</1> nos droits.<2/>", False),
        "b2-0": ("", False),  # the prefilled copy of the source is untranslated
        "c3-0": ("Brouillon", True),
        "d4-0": ("Renvoyé.", True),
        "e5-0": ("En attente", False),
        "f6-0": ("Vieux", True),
        "key with space": ("Clé bizarre", False),
    }
    assert (file.format, file.language, file.source_language, file.document) == (
        "xliff2", "fr", "en", "declaration")
    assert set(file.bases) == set(got)


def test_the_xliff_reader_tells_the_versions_apart() -> None:
    data = xliff2.write(units(), META)
    assert SEGMENT_FORMATS["xliff"].read(data, "d.xlf", ReadHints()).format == "xliff2"


@pytest.mark.parametrize(("data", "message"), [
    (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0"><file id="f"/>'
     b"</xliff>", "has no srcLang"),
    (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en">'
     b'<file id="f"><unit id="u"><segment><target>x</target></segment></unit></file></xliff>',
     "has no <source>"),
    (b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en">'
     b'<file id="f"><unit id="u"><segment><source>a<ph/></source></segment></unit></file>'
     b"</xliff>", "has no id"),
])
def test_broken_files_are_refused_with_the_line(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        xliff2.read_file(data, filename="x.xliff")
