"""Offline round trip: export PO/XLIFF, translate it elsewhere, upload it back."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.clients import need, toolkit
from tests.factories import make_document, make_language, make_user
from tms.formats import po, tmx, xliff
from tms.formats.base import MemoryPair
from tms.models import (
    Document,
    Language,
    MemoryUnit,
    Revision,
    Segment,
    State,
    Suggestion,
    Translation,
    User,
)
from tms.services import exchange, workflow
from tms.services.exporting import export_document
from tms.services.offline import OfflineError, UploadReport, apply_upload, language_matches

SOURCES = ["We, sex workers, declare our rights.",
           "Everyone has the right to <1>life</1>.",
           "See the note.<2/>"]


@dataclass
class World:
    session: Session
    doc: Document
    fr: Language
    ana: User  # translator
    rita: User  # reviewer
    segments: list[Segment]


@pytest.fixture
def world(session: Session) -> World:
    doc = make_document(session, sources=SOURCES)
    fr = make_language(session, "fr")
    make_language(session, "de")
    ana = make_user(session, "ana", roles={"fr": "translator"})
    rita = make_user(session, "rita", roles={"fr": "reviewer"})
    segments = list(session.scalars(
        select(Segment).where(Segment.document_id == doc.id).order_by(Segment.position)))
    return World(session, doc, fr, ana, rita, segments)


def edit_po(data: bytes, changes: dict[str, str], *, keep_fuzzy: bool = False) -> bytes:
    """What Poedit does: new msgstr, fuzzy flag cleared."""
    catalogue = polib.pofile(data.decode("utf-8") + "\n")
    for entry in catalogue:
        if entry.msgctxt in changes:
            entry.msgstr = changes[entry.msgctxt]
            if "fuzzy" in entry.flags and not keep_fuzzy:
                entry.flags.remove("fuzzy")
            elif keep_fuzzy and "fuzzy" not in entry.flags:
                entry.flags.append("fuzzy")
    return str(catalogue).encode("utf-8")


def edit_xliff(data: bytes, changes: dict[str, str], *, keep_fuzzy: bool = False) -> bytes:
    """What a CAT tool does: a new <target> with <g>/<x> inline codes and a state."""
    root = etree.fromstring(data)
    for tu in root.iter(f"{{{xliff.NS}}}trans-unit"):
        if tu.get("id") not in changes:
            continue
        old = tu.find(f"{{{xliff.NS}}}target")
        if old is not None:
            tu.remove(old)
        target = etree.Element(f"{{{xliff.NS}}}target",
                               state="needs-review-translation" if keep_fuzzy else "translated")
        tu.find(f"{{{xliff.NS}}}source").addnext(target)
        xliff.fill_inline(target, changes[tu.get("id")], {})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


EDITORS: dict[str, Callable[..., bytes]] = {"po": edit_po, "xliff": edit_xliff}
SUFFIX = {"po": ".po", "xliff": ".xlf"}


def export(w: World, fmt: str, language: Language | None = None) -> bytes:
    return export_document(w.session, w.doc, language or w.fr, fmt, include="translated").data


def upload(w: World, fmt: str, data: bytes, *, user: User | None = None,
           language: Language | None = None, state: State = State.TRANSLATED,
           document: Document | None = None) -> UploadReport:
    return apply_upload(w.session, document=document or w.doc, language=language or w.fr,
                        user=user or w.ana, filename="work" + SUFFIX[fmt], data=data,
                        state=state)


def online(w: World, index: int, target: str, *, user: User | None = None,
           state: State = State.TRANSLATED) -> None:
    t = workflow.get_translation(w.session, w.segments[index].id, w.fr.id)
    result = workflow.save_translation(w.session, segment=w.segments[index], language=w.fr,
                                       user=user or w.ana, target=target, state=state,
                                       base_version=t.version if t else 0)
    assert result.status == "saved"


def target_of(w: World, index: int) -> tuple[str, int] | None:
    t = workflow.get_translation(w.session, w.segments[index].id, w.fr.id)
    return (t.target, t.state) if t else None


def counts(w: World) -> tuple[int, int, int]:
    return tuple(w.session.scalar(select(func.count()).select_from(m))  # type: ignore[return-value]
                 for m in (Translation, Revision, Suggestion))


FORMATS = pytest.mark.parametrize("fmt", ["po", "xliff"])


@FORMATS
def test_translated_units_are_saved(world: World, fmt: str) -> None:
    keys = [s.key for s in world.segments]
    data = EDITORS[fmt](export(world, fmt), {
        keys[0]: "Nous, travailleuses du sexe, déclarons nos droits.",
        keys[1]: "Chacun·e a droit à la <1>vie</1> & <script>\"x\"</script>.",
    })
    report = upload(world, fmt, data)
    assert [i.key for i in report.updated] == keys[:2]
    assert [i.key for i in report.unchanged] == keys[2:]
    assert report.suggested == report.skipped == []
    assert target_of(world, 0) == ("Nous, travailleuses du sexe, déclarons nos droits.",
                                   State.TRANSLATED)
    assert target_of(world, 1) == ("Chacun·e a droit à la <1>vie</1> & <script>\"x\"</script>.",
                                   State.TRANSLATED)
    origins = world.session.scalars(select(Revision.origin)).all()
    assert origins == ["upload", "upload"]
    assert all(i.line and i.line > 1 for i in report.updated)


@FORMATS
def test_unchanged_file_writes_nothing(world: World, fmt: str) -> None:
    online(world, 0, "Nous déclarons nos droits.")
    before = counts(world)
    report = upload(world, fmt, export(world, fmt))
    assert len(report.unchanged) == 3 and not (report.updated or report.suggested
                                               or report.skipped)
    assert counts(world) == before


@FORMATS
def test_online_change_since_export_becomes_a_suggestion(world: World, fmt: str) -> None:
    online(world, 0, "Nous déclarons nos droits.")
    exported = export(world, fmt)
    online(world, 0, "Nous, travailleuses du sexe, déclarons nos droits.", user=world.rita)
    data = EDITORS[fmt](exported, {world.segments[0].key: "Nous proclamons nos droits."})
    for _attempt in range(2):  # a second upload of the same file files no second suggestion
        report = upload(world, fmt, data)
        assert [i.key for i in report.suggested] == [world.segments[0].key]
        assert "changed since the export" in report.suggested[0].reason
        assert report.updated == []
    assert target_of(world, 0) == ("Nous, travailleuses du sexe, déclarons nos droits.",
                                   State.TRANSLATED)
    (suggestion,) = world.session.scalars(select(Suggestion)).all()
    assert (suggestion.target, suggestion.origin, suggestion.status, suggestion.author_id) == (
        "Nous proclamons nos droits.", "upload", "open", world.ana.id)


@FORMATS
def test_file_without_fingerprints_never_overwrites_online_text(world: World, fmt: str) -> None:
    online(world, 0, "Nous déclarons nos droits.")
    data = EDITORS[fmt](export(world, fmt), {
        world.segments[0].key: "Nous proclamons nos droits.",
        world.segments[2].key: "Voir la note.<2/>",
    })
    if fmt == "po":  # a tool that drops extracted comments
        data = b"\n".join(line for line in data.split(b"\n") if b"tms-base" not in line)
    else:  # a tool that drops attributes it does not know
        root = etree.fromstring(data)
        for tu in root.iter(f"{{{xliff.NS}}}trans-unit"):
            del tu.attrib["extradata"]
        data = etree.tostring(root)
    report = upload(world, fmt, data)
    assert [i.key for i in report.suggested] == [world.segments[0].key]
    assert [i.key for i in report.updated] == [world.segments[2].key]  # was empty online
    assert target_of(world, 0) == ("Nous déclarons nos droits.", State.TRANSLATED)


@FORMATS
def test_tag_errors_and_unknown_keys_are_skipped_with_reason_and_line(world: World,
                                                                      fmt: str) -> None:
    keys = [s.key for s in world.segments]
    data = EDITORS[fmt](export(world, fmt), {keys[1]: "Chacun a droit à la vie.",
                                             keys[2]: "Voir la note.<2/>"})
    old_key = keys[2].encode()
    data = data.replace(old_key, b"0123456789abcdef-9")
    report = upload(world, fmt, data)
    skipped = {i.key: i for i in report.skipped}
    assert set(skipped) == {keys[1], "0123456789abcdef-9"}
    assert "tag <1> is missing" in skipped[keys[1]].reason
    assert "no segment of this document has this key" in skipped["0123456789abcdef-9"].reason
    assert all(i.line for i in report.skipped)
    assert target_of(world, 1) is None and report.updated == []


@FORMATS
def test_wrong_language_refuses_the_whole_upload(world: World, fmt: str) -> None:
    de = make_language(world.session, "de")
    make_user(world.session, "dora", roles={"de": "translator", "fr": "translator"})
    data = EDITORS[fmt](export(world, fmt), {world.segments[0].key: "Nous déclarons."})
    before = counts(world)
    with pytest.raises(OfflineError, match=r"is a translation into 'fr', not German \(de\)"):
        upload(world, fmt, data, language=de)
    assert counts(world) == before


@FORMATS
def test_file_of_another_document_is_refused(world: World, fmt: str) -> None:
    other = make_document(world.session, "manifesto", sources=["Another text."])
    data = export(world, fmt)
    with pytest.raises(OfflineError, match="exported from the document 'declaration', not "
                                           "'manifesto'"):
        upload(world, fmt, data, document=other)


@pytest.mark.parametrize(("fmt", "data", "message"), [
    ("po", b'msgid ""\nmsgstr "unterminated\n', "cannot be read: syntax error at line 2"),
    ("xliff", b'<?xml version="1.0"?><xliff xmlns="urn:oasis:names:tc:xliff:document:1.2">',
     "cannot be read: the XML is not well formed"),
])
def test_unreadable_file_is_refused_before_writing(world: World, fmt: str, data: bytes,
                                                   message: str) -> None:
    before = counts(world)
    with pytest.raises(OfflineError, match=message):
        upload(world, fmt, data)
    assert counts(world) == before


def test_other_file_types_are_refused(world: World) -> None:
    with pytest.raises(OfflineError, match="neither a PO nor an XLIFF file"):
        apply_upload(world.session, document=world.doc, language=world.fr, user=world.ana,
                     filename="work.docx", data=b"PK\x03\x04", state=State.TRANSLATED)


@FORMATS
def test_fuzzy_units_are_saved_as_drafts(world: World, fmt: str) -> None:
    data = EDITORS[fmt](export(world, fmt), {world.segments[0].key: "Nous déclarons."},
                        keep_fuzzy=True)
    report = upload(world, fmt, data)
    assert [i.key for i in report.updated] == [world.segments[0].key]
    assert target_of(world, 0) == ("Nous déclarons.", State.DRAFT)


@FORMATS
def test_approved_text_is_not_replaced_by_a_translator_upload(world: World, fmt: str) -> None:
    online(world, 0, "Nous déclarons nos droits.")
    translation = workflow.get_translation(world.session, world.segments[0].id, world.fr.id)
    assert workflow.approve(world.session, translation=translation, user=world.rita).status \
        == "approved"
    data = EDITORS[fmt](export(world, fmt), {world.segments[0].key: "Nous proclamons."})
    report = upload(world, fmt, data)
    assert [i.key for i in report.suggested] == [world.segments[0].key]
    assert "approved" in report.suggested[0].reason
    assert target_of(world, 0) == ("Nous déclarons nos droits.", State.APPROVED)


def test_an_upload_never_deletes_a_translation(world: World) -> None:
    online(world, 0, "Nous déclarons nos droits.")
    data = edit_po(export(world, "po"), {world.segments[0].key: ""})
    report = upload(world, "po", data)
    assert [i.key for i in report.skipped] == [world.segments[0].key]
    assert "never deletes" in report.skipped[0].reason
    assert target_of(world, 0) == ("Nous déclarons nos droits.", State.TRANSLATED)


def test_non_members_and_approved_uploads_by_translators_are_refused(world: World) -> None:
    outsider = make_user(world.session, "olga", roles={"de": "translator"})
    data = export(world, "po")
    with pytest.raises(OfflineError, match="not a member of the French team"):
        upload(world, "po", data, user=outsider)
    with pytest.raises(OfflineError, match="Only reviewers of French"):
        upload(world, "po", data, state=State.APPROVED)


def test_summary_sentence(world: World) -> None:
    data = edit_po(export(world, "po"), {world.segments[0].key: "Nous déclarons."})
    assert upload(world, "po", data).summary() == (
        "1 updated, 0 filed as suggestions because the text changed online, 0 skipped, "
        "2 unchanged.")


OMEGAT_PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat><project version="1.0">
  <source_dir>__DEFAULT__</source_dir><target_dir>__DEFAULT__</target_dir>
  <tm_dir>__DEFAULT__</tm_dir><glossary_dir>__DEFAULT__</glossary_dir>
  <glossary_file>__DEFAULT__</glossary_file><dictionary_dir>__DEFAULT__</dictionary_dir>
  <source_lang>en</source_lang><target_lang>fr</target_lang>
  <source_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</source_tok>
  <target_tok>org.omegat.tokenizer.LuceneFrenchTokenizer</target_tok>
  <sentence_seg>false</sentence_seg>
  <support_default_translations>true</support_default_translations>
  <remove_tags>false</remove_tags>
</project></omegat>
"""


@pytest.mark.clients
@pytest.mark.slow
def test_po_translated_in_omegat_uploads_back(world: World, tmp_path: Path) -> None:
    """OmegaT reads our TMX, fills our PO from it and keeps the fingerprints."""
    omegat = need("omegat")
    online(world, 2, "Voir la note.<2/>")
    project = tmp_path / "project"
    for folder in ("source", "target", "omegat", "tm", "glossary", "dictionary"):
        (project / folder).mkdir(parents=True)
    (project / "omegat.project").write_text(OMEGAT_PROJECT, encoding="utf-8")
    (project / "source" / "declaration.po").write_bytes(export(world, "po"))
    # One project memory: our default TMX (bpt/ept/ph codes) with a tagged pair OmegaT must
    # parse, plus a pair written with tags as text, which OmegaT matches to our PO exactly.
    codes = etree.fromstring(tmx.write(
        [MemoryPair(SOURCES[0], "Nous, travailleuses du sexe, déclarons nos droits.", "en", "fr"),
         MemoryPair("Unrelated <1>bold</1> text.<2/>", "Texte <1>gras</1>.<2/>", "en", "fr")],
        source_language="en", target_language="fr"))
    text = etree.fromstring(tmx.write(
        [MemoryPair(SOURCES[1], "Chacun·e a droit à la <1>vie</1>.", "en", "fr")],
        source_language="en", target_language="fr", inline="text"))
    codes.find("body").extend(text.find("body"))
    (project / "omegat" / "project_save.tmx").write_bytes(
        etree.tostring(codes, xml_declaration=True, encoding="UTF-8"))
    run = subprocess.run(
        [omegat, str(project), "--mode=console-translate", "--disable-project-locking",
         f"--config-dir={tmp_path / 'config'}", "--quiet"],
        capture_output=True, text=True, check=False, timeout=300)
    translated = project / "target" / "declaration.po"
    assert translated.exists(), run.stdout + run.stderr
    data = translated.read_bytes()
    assert set(po.read_file(data, filename="declaration.po").bases) == {
        s.key for s in world.segments}
    report = upload(world, "po", data)
    assert [i.key for i in report.updated] == [s.key for s in world.segments[:2]]
    assert [i.key for i in report.unchanged] == [world.segments[2].key]
    assert target_of(world, 1) == ("Chacun·e a droit à la <1>vie</1>.", State.TRANSLATED)


def test_xliff_renamed_by_a_tool_is_accepted_when_its_keys_match(world: World) -> None:
    data = edit_xliff(export(world, "xliff"), {world.segments[0].key: "Nous déclarons."})
    data = data.replace(b'original="declaration"', b'original="work.xlf"')
    report = upload(world, "xliff", data)
    assert [i.key for i in report.updated] == [world.segments[0].key]


@pytest.mark.parametrize(("declared", "code", "ok"), [
    ("fr", "fr", True), ("fr_FR", "fr", True), ("fr", "fr-FR", True), ("pt_BR", "pt-br", True),
    ("pt-PT", "pt-BR", False), ("de", "fr", False), ("sr-Latn", "sr-Cyrl", False),
])
def test_language_matches(declared: str, code: str, ok: bool) -> None:
    assert language_matches(declared, code) is ok


def _omegat_project(tmp_path: Path, source_name: str, data: bytes) -> Path:
    project = tmp_path / "project"
    for folder in ("source", "target", "omegat", "tm/auto", "glossary", "dictionary"):
        (project / folder).mkdir(parents=True)
    (project / "omegat.project").write_text(OMEGAT_PROJECT, encoding="utf-8")
    (project / "source" / source_name).write_bytes(data)
    return project


def _omegat_translate(omegat: str, project: Path, tmp_path: Path) -> str:
    run = subprocess.run(
        [omegat, str(project), "--mode=console-translate", "--disable-project-locking",
         f"--config-dir={tmp_path / 'config'}", "--quiet"],
        capture_output=True, text=True, check=False, timeout=300)
    return run.stdout + run.stderr


@pytest.mark.clients
@pytest.mark.slow
def test_xliff_translated_in_omegat_from_our_tmx_uploads_back(world: World,
                                                              tmp_path: Path) -> None:
    """OmegaT sees every segment of our prefilled XLIFF and fills it from our TMX in tm/auto,
    the tagged one included; the untranslated one comes back unchanged."""
    omegat = need("omegat")
    project = _omegat_project(tmp_path, "declaration.xlf", export(world, "xliff"))
    # What `tms export --format tmx --tmx-tags omegat` writes: tags as OmegaT shows them.
    (project / "tm" / "auto" / "memory.tmx").write_bytes(tmx.write(
        [MemoryPair(SOURCES[0], "Nous, travailleuses du sexe, déclarons nos droits.", "en",
                    "fr"),
         MemoryPair(SOURCES[1], "Chacun·e a droit à la <1>vie</1>.", "en", "fr")],
        source_language="en", target_language="fr", inline="omegat"))
    log = _omegat_translate(omegat, project, tmp_path)
    assert "Total:           \t       3" in (project / "omegat" / "project_stats.txt").read_text(
        encoding="utf-8"), log  # every unit is a segment (none without the prefilled target)
    translated = project / "target" / "declaration.xlf"
    assert translated.exists(), log
    data = translated.read_bytes()
    back = {u.key: u for u in xliff.read_units(data, filename="declaration.xlf")}
    assert back[world.segments[1].key].target == "Chacun·e a droit à la <1>vie</1>.", log
    report = upload(world, "xliff", data)
    assert [i.key for i in report.updated] == [s.key for s in world.segments[:2]]
    assert [i.key for i in report.unchanged] == [world.segments[2].key]
    assert target_of(world, 1) == ("Chacun·e a droit à la <1>vie</1>.", State.TRANSLATED)


@pytest.mark.clients
@pytest.mark.slow
def test_po_filled_by_omegat_from_our_document_tmx_in_tm_auto(world: World,
                                                             tmp_path: Path) -> None:
    """The TMX tms writes for a translated document (tags as text), put in OmegaT's tm/auto,
    fills our PO of another document with the same sentences, tagged segment included."""
    omegat = need("omegat")
    done = make_document(world.session, "earlier", sources=SOURCES[:2])
    targets = ["Nous, travailleuses du sexe, déclarons nos droits.",
               "Chacun·e a droit à la <1>vie</1>."]
    for seg, target in zip(world.session.scalars(select(Segment).where(
            Segment.document_id == done.id).order_by(Segment.position)), targets, strict=True):
        world.session.add(Translation(segment_id=seg.id, language_id=world.fr.id,
                                      target=target, state=int(State.APPROVED)))
    world.session.flush()
    project = _omegat_project(tmp_path, "declaration.po", export(world, "po"))
    (project / "tm" / "auto" / "earlier.fr.tmx").write_bytes(export_document(
        world.session, done, world.fr, "tmx", tmx_inline="text").data)
    log = _omegat_translate(omegat, project, tmp_path)
    translated = project / "target" / "declaration.po"
    assert translated.exists(), log
    report = upload(world, "po", translated.read_bytes())
    assert [i.key for i in report.updated] == [s.key for s in world.segments[:2]], log
    assert [i.key for i in report.unchanged] == [world.segments[2].key]
    assert target_of(world, 1) == ("Chacun·e a droit à la <1>vie</1>.", State.TRANSLATED)
    # `tms tm import` reads the three memories OmegaT wrote (TMX 1.1 and 1.4, DOCTYPE,
    # <!-- --> comments), tags as text read back as our tags, dates kept.
    written = sorted(project.glob("project-*.tmx"))
    assert [p.name for p in written] == ["project-level1.tmx", "project-level2.tmx",
                                         "project-omegat.tmx"], log
    world.session.execute(MemoryUnit.__table__.delete())
    for path in written:
        tm_report = exchange.import_tmx(world.session, filename=path.name,
                                        data=path.read_bytes())
        assert tm_report.read == 2, path.name
    units = {u.target for u in world.session.scalars(select(MemoryUnit))}
    assert "Chacun·e a droit à la <1>vie</1>." in units


@pytest.mark.clients
def test_xliff_through_xliff2po_and_po2xliff_changes_nothing(world: World,
                                                              tmp_path: Path) -> None:
    """translate-toolkit flattens inline tags, drops our ids and fingerprints and adds the
    PO header as a unit; the location context group keeps our keys, and the upload finds
    nothing to change."""
    xliff2po, po2xliff = toolkit("xliff2po"), toolkit("po2xliff")
    online(world, 0, "Nous déclarons nos droits.")
    online(world, 1, "Chacun·e a droit à la <1>vie</1>.")
    exported = tmp_path / "declaration.fr.xlf"
    exported.write_bytes(export(world, "xliff"))
    po_path, back = tmp_path / "declaration.fr.po", tmp_path / "back.xlf"
    for args in ([xliff2po, str(exported), str(po_path)], [po2xliff, str(po_path), str(back)]):
        run = subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
    assert f"#: {world.segments[1].key}" in po_path.read_text(encoding="utf-8")
    before = counts(world)
    report = upload(world, "xliff", back.read_bytes())
    assert (report.updated, report.suggested, report.skipped) == ([], [], [])
    assert sorted(i.key for i in report.unchanged) == sorted(s.key for s in world.segments)
    assert counts(world) == before


@pytest.mark.parametrize("translated", [False, True])
def test_unmodified_xliff_with_segments_wrapped_in_tags_changes_nothing(
        session: Session, translated: bool) -> None:
    # lxml's pretty_print indented inside <source>/<target> with no text of their own, and
    # the re-upload then filed those units as suggestions ("the source changed").
    sources = ["<1>Our rights</1>", "<1>All <2>of</2> it</1>", "We declare <1>this</1>."]
    doc = make_document(session, "wrapped", sources=sources)
    fr = make_language(session, "fr")
    ana = make_user(session, "ana", roles={"fr": "translator"})
    segments = list(session.scalars(
        select(Segment).where(Segment.document_id == doc.id).order_by(Segment.position)))
    if translated:
        for seg in segments:
            workflow.save_translation(session, segment=seg, language=fr, user=ana,
                                      target=seg.source.replace("r", "R"),
                                      state=State.TRANSLATED, base_version=0)
    data = export_document(session, doc, fr, "xliff").data
    report = apply_upload(session, document=doc, language=fr, user=ana, filename="w.xlf",
                          data=data, state=State.TRANSLATED)
    assert (report.updated, report.suggested, report.skipped) == ([], [], [])
    assert len(report.unchanged) == 3


# --- files tms did not write: units matched by their source text --------------------------

FOREIGN_XLIFF = """<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">
  <file original="Declaration.docx" source-language="en-US" target-language="fr-FR"
        datatype="x-docx">
    <body>
      <trans-unit id="1"><source>We,  sex workers, declare our rights.</source>
        <target state="translated">Nous, travailleuses du sexe, déclarons nos droits.</target>
      </trans-unit>
      <trans-unit id="2"><source>Everyone has the right to <g id="a" ctype="bold">life</g>.</source>
        <target state="translated">Chacun·e a droit à la <g id="a" ctype="bold">vie</g>.</target>
      </trans-unit>
      <trans-unit id="3"><source>A sentence that is not in the document.</source>
        <target state="translated">Une phrase qui n’est pas dans le document.</target>
      </trans-unit>
    </body>
  </file>
</xliff>
"""


def test_a_foreign_xliff_is_matched_by_source_text(world: World) -> None:
    online(world, 0, "Nous déclarons nos droits.")  # online text without a fingerprint
    report = upload(world, "xliff", FOREIGN_XLIFF.encode())
    by_key = {i.key: i for b in (report.updated, report.suggested, report.skipped,
                                 report.unchanged) for i in b}
    first, second = world.segments[0].key, world.segments[1].key
    assert [i.key for i in report.updated] == [second]  # the tag "a" became <1>
    assert target_of(world, 1) == ("Chacun·e a droit à la <1>vie</1>.", State.TRANSLATED)
    assert [i.key for i in report.suggested] == [first]  # never overwrites online text
    assert target_of(world, 0) == ("Nous déclarons nos droits.", State.TRANSLATED)
    assert by_key[first].matched == by_key[second].matched == "text"
    assert [(i.key, i.line) for i in report.skipped] == [("3", 12)]
    assert "no segment of this document has this key" in report.skipped[0].reason
    assert "2 units were matched by their source text" in report.summary()


def test_a_file_of_another_document_with_none_of_its_sentences_is_still_refused(
        world: World) -> None:
    data = FOREIGN_XLIFF.replace("We,  sex workers", "They").replace(
        "Everyone has", "Nobody has").encode()
    with pytest.raises(OfflineError, match=r"exported from the document 'Declaration\.docx'"):
        upload(world, "xliff", data)


@pytest.mark.clients
def test_xliff_through_xliff2po_translated_uploads_every_unit_matched(
        world: World, tmp_path: Path) -> None:
    """The PO translate-toolkit makes of our XLIFF has no msgctxt: its units are matched by
    text (the "#:" reference picks the segment); back through po2xliff they match by key."""
    xliff2po, po2xliff = toolkit("xliff2po"), toolkit("po2xliff")
    exported = tmp_path / "declaration.fr.xlf"
    exported.write_bytes(export(world, "xliff"))
    po_path, back = tmp_path / "declaration.fr.po", tmp_path / "back.xlf"
    run = subprocess.run([xliff2po, str(exported), str(po_path)], capture_output=True,
                         text=True, check=False, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    catalogue = polib.pofile(str(po_path))
    for entry in catalogue:
        if entry.msgid == SOURCES[0]:
            entry.msgstr = "Nous, travailleuses du sexe, déclarons nos droits."
        elif entry.msgid:
            entry.msgstr = entry.msgid.replace("the", "la")
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    catalogue.save(str(po_path))
    assert all(not e.msgctxt for e in catalogue)
    report = upload(world, "po", po_path.read_bytes())
    items = [i for b in (report.updated, report.unchanged, report.suggested, report.skipped)
             for i in b]
    assert sorted(i.key for i in items) == sorted(s.key for s in world.segments)
    assert {i.matched for i in items} == {"text"}
    assert [i.key for i in report.updated] == [world.segments[0].key]
    # tags xliff2po flattened cannot come back: reported with the reason, not dropped
    assert all("tag" in i.reason for i in report.skipped) and len(report.skipped) == 2
    run = subprocess.run([po2xliff, str(po_path), str(back)], capture_output=True, text=True,
                         check=False, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    again = upload(world, "xliff", back.read_bytes())
    items = [i for b in (again.updated, again.unchanged, again.suggested, again.skipped)
             for i in b]
    assert sorted(i.key for i in items) == sorted(s.key for s in world.segments)
    assert {i.matched for i in items} == {"key"}
    assert [i.key for i in again.unchanged] == [world.segments[0].key]


@pytest.mark.clients
def test_po2tmx_reads_our_po_and_its_tmx_imports_into_the_memory(world: World,
                                                                 tmp_path: Path) -> None:
    po2tmx = toolkit("po2tmx")
    online(world, 0, "Nous déclarons nos droits.")
    online(world, 1, "Chacun·e a droit à la <1>vie</1>.")
    po_path, tmx_path = tmp_path / "declaration.fr.po", tmp_path / "declaration.tmx"
    po_path.write_bytes(export(world, "po"))
    run = subprocess.run([po2tmx, "-l", "fr", str(po_path), str(tmx_path)],
                         capture_output=True, text=True, check=False, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    world.session.execute(MemoryUnit.__table__.delete())
    report = exchange.import_memory(world.session, filename=tmx_path.name,
                                    data=tmx_path.read_bytes())
    assert report.imported == 2 and report.skipped == []
    targets = {u.target for u in world.session.scalars(select(MemoryUnit))}
    assert targets == {"Nous déclarons nos droits.", "Chacun·e a droit à la <1>vie</1>."}
