"""Glossary files: TBX (2008 martif and v3) and CSV, formula escaping, hostile input."""

from __future__ import annotations

import codecs

import pytest
from lxml import etree

from tms.formats import glossary_files
from tms.formats.base import FormatError, GlossaryEntry

ENTRIES = [
    GlossaryEntry("sex work", "travail du sexe", "en", "fr", note="Not 'prostitution'.",
                  status="preferred"),
    GlossaryEntry("sex work", "prostitution", "en", "fr", note="Not 'prostitution'.",
                  forbidden=True, status="deprecated"),
    GlossaryEntry("peer, support", 'soutien "entre pairs"', "en", "fr", status="admitted"),
    GlossaryEntry("=HYPERLINK(\"http://x\")", "+33 1 23", "en", "fr", note="@mention -1",
                  status="preferred"),
]


@pytest.mark.parametrize(("writer", "filename"),
                         [(glossary_files.write_tbx, "g.tbx"), (glossary_files.write_csv, "g.csv")])
def test_round_trip(writer, filename: str) -> None:  # type: ignore[no-untyped-def]
    assert glossary_files.read(writer(ENTRIES), filename=filename) == ENTRIES


def test_csv_escapes_formulas_for_spreadsheets() -> None:
    data = glossary_files.write_csv(ENTRIES)
    assert data.startswith(codecs.BOM_UTF8)
    rows = data.decode("utf-8-sig").split("\r\n")
    assert rows[0] == "source,target,note,forbidden,source_language,target_language,status"
    assert rows[4] == "\"'=HYPERLINK(\"\"http://x\"\")\",'+33 1 23,'@mention -1,,en,fr,preferred"


def test_tbx_marks_forbidden_terms_deprecated() -> None:
    root = etree.fromstring(glossary_files.write_tbx(ENTRIES))
    assert root.tag == "martif"
    statuses = {tig.findtext("term"): tig.findtext("termNote")
                for tig in root.iter("tig") if tig.find("termNote") is not None}
    assert statuses["prostitution"] == "deprecatedTerm-admn-sts"
    assert statuses["travail du sexe"] == "preferredTerm-admn-sts"


TBX_V3 = b'''<?xml version="1.0" encoding="UTF-8"?>
<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic" style="dca" xml:lang="en">
 <tbxHeader><fileDesc><sourceDesc><p>A test</p></sourceDesc></fileDesc></tbxHeader>
 <text><body>
  <conceptEntry id="c1">
   <descrip type="definition">Someone in the same situation.</descrip>
   <langSec xml:lang="en"><termSec><term>peer</term></termSec></langSec>
   <langSec xml:lang="de">
    <termSec><term>Peer</term>
     <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></termSec>
    <termSec><term>Gleichgestellte</term></termSec>
   </langSec>
   <langSec xml:lang="fr"><termSec><term>pair</term></termSec></langSec>
  </conceptEntry>
 </body></text>
</tbx>'''

TBX_2008 = b'''<?xml version="1.0" encoding="UTF-8"?>
<martif type="TBX" xml:lang="en"><martifHeader><fileDesc><sourceDesc><p>x</p></sourceDesc>
</fileDesc></martifHeader><text><body>
<termEntry id="e1"><langSet xml:lang="fr"><ntig><termGrp><term>droits</term></termGrp></ntig>
</langSet><langSet xml:lang="en"><tig><term>rights</term></tig></langSet></termEntry>
<termEntry id="e2"><langSet xml:lang="en"><tig><term>  </term></tig></langSet></termEntry>
</body></text></martif>'''


def test_tbx_v3_concept_entries() -> None:
    entries = glossary_files.read(TBX_V3, filename="v3.tbx")
    assert [(e.source_term, e.target_term, e.target_language, e.forbidden) for e in entries] == [
        ("peer", "Peer", "de", True), ("peer", "Gleichgestellte", "de", False),
        ("peer", "pair", "fr", False)]
    assert {e.note for e in entries} == {"Someone in the same situation."}
    only_fr = glossary_files.read(TBX_V3, filename="v3.tbx", target_language="fr")
    assert [e.target_term for e in only_fr] == ["pair"]


def test_tbx_2008_with_ntig_and_the_document_language_as_source() -> None:
    (entry,) = glossary_files.read(TBX_2008, filename="old.tbx")
    assert (entry.source_term, entry.source_language) == ("rights", "en")
    assert (entry.target_term, entry.target_language) == ("droits", "fr")


@pytest.mark.parametrize(
    ("data", "source", "target", "note", "forbidden"),
    [
        (b"source,target\nrights,droits\n", "rights", "droits", "", False),
        (codecs.BOM_UTF8 + b"Source;Target;Note;Forbidden\nrights;droits;plural;yes\n",
         "rights", "droits", "plural", True),
        (b"source\ttarget\tforbidden\nrights\tdroits, libert\xc3\xa9s\tno\n",
         "rights", "droits, libertés", "", False),
        ("source,target\r\nrights,\"droits\"\"\"\r\n".encode("utf-16"),
         "rights", 'droits"', "", False),
    ],
    ids=["plain", "bom-semicolon", "tab", "utf16"],
)
def test_csv_dialects(data: bytes, source: str, target: str, note: str,
                      forbidden: bool) -> None:
    (entry,) = glossary_files.read(data, filename="g.csv", source_language="en",
                                   target_language="fr")
    assert (entry.source_term, entry.target_term, entry.note, entry.forbidden) == (
        source, target, note, forbidden)
    assert (entry.source_language, entry.target_language) == ("en", "fr")


def test_csv_header_of_language_codes() -> None:
    entries = glossary_files.read(b"en,uk\nrights,\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xb0\n\n",
                                  filename="g.csv")
    assert entries == [GlossaryEntry("rights", "права", "en", "uk")]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"term,translation\nrights,droits\n", "g.csv", "must name the columns"),
        (b"", "g.csv", "empty"),
        (b"source,target\nrights,droits\nlibert\xe9,x\n", "g.csv", "not UTF-8 text (line 3)"),
        (b"source,target\n,droits\n", "g.csv", "line 2 has no source term"),
        (b"PK\x03\x04\x00\x00", "g.csv", "binary data"),
        (b"<martif/>", "g.xlsx", "not '.xlsx'"),
        (b"<html/>", "g.tbx", "not a TBX file"),
        (b'<?xml version="1.0"?><!DOCTYPE martif [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         b"<martif><text><body><termEntry><langSet xml:lang='en'><tig><term>&x;</term></tig>"
         b"</langSet></termEntry></body></text></martif>", "g.tbx", "declares entities"),
        (TBX_2008[:200], "g.tbx", "not well formed"),
        (TBX_2008.replace(b'<langSet xml:lang="en">', b"<langSet>"), "g.tbx",
         "at line 5 has no xml:lang"),
    ],
    ids=["bad-header", "empty", "latin-1", "no-source", "binary", "unknown-type", "not-tbx",
         "external-entity", "truncated", "no-lang"],
)
def test_bad_glossary_files_are_refused(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(FormatError) as err:
        glossary_files.read(data, filename=filename)
    assert message in str(err.value)
    assert str(err.value).startswith(f"{filename}: ")


TBX_BASIC = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">
<martif type="TBX-Basic" xml:lang="en-US">
  <martifHeader><fileDesc><sourceDesc><p>Made by hand [for the test]</p></sourceDesc>
  </fileDesc></martifHeader>
  <text><body>
    <termEntry id="c1">
      <descrip type="subjectField">labour rights</descrip>
      <langSet xml:lang="en-US">
        <tig><term>sex worker</term>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
      </langSet>
      <langSet xml:lang="fr-FR">
        <tig><term>travailleuse du sexe</term>
          <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
          <termNote type="grammaticalGender">feminine</termNote></tig>
        <tig><term>travailleur du sexe</term>
          <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote>
          <note>Masculine form, when the person says so.</note></tig>
        <tig><term>prostituée</term>
          <termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig>
      </langSet>
    </termEntry>
  </body></text>
</martif>""".encode()


def test_tbx_basic_keeps_every_target_with_status_and_notes() -> None:
    entries = glossary_files.read(TBX_BASIC, filename="basic.tbx", source_language="en",
                                  target_language="fr")
    assert [(e.source_term, e.target_term, e.status, e.forbidden) for e in entries] == [
        ("sex worker", "travailleuse du sexe", "preferred", False),
        ("sex worker", "travailleur du sexe", "admitted", False),
        ("sex worker", "prostituée", "deprecated", True)]
    assert {e.source_language for e in entries} == {"en-US"}
    assert "grammaticalGender: feminine" in entries[0].note
    assert "subjectField: labour rights" in entries[0].note
    assert "Masculine form, when the person says so." in entries[1].note


def test_language_variants_match_but_regions_do_not() -> None:
    assert glossary_files.lang_match("en-US", "en") and glossary_files.lang_match("fr", "fr_FR")
    assert not glossary_files.lang_match("pt-PT", "pt-BR")
    assert glossary_files.read(TBX_BASIC, filename="b.tbx", target_language="fr-CA") == []
