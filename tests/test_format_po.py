"""PO: offline exchange (write / read_units), interface catalogues (read / write_catalog).

ExchangeRoundTrip is the contract every exchange format (PO, XLIFF) passes; each format's
test module subclasses it with its own module and file suffix.
"""

from __future__ import annotations

import types
from pathlib import Path

import polib
import pytest

from tests.clients import msgfmt_check
from tms.formats import po
from tms.formats.base import ExportMeta, ExportUnit, FormatError, Tag, TargetBlock
from tms.inline import compare_tags
from tms.models import State

TAGS = {
    "1": Tag("bold", label="bold"),
    "2": Tag("footnote_ref", paired=False, data={"note": "1"}, label="footnote 1"),
    "3": Tag("link", data={"href": "https://example.org"}, label="link: example.org"),
}
HOSTILE = 'Le <1>droit</1> <script>alert("x")</script> & "guillemets" \\ fin<2/>'


def units() -> list[ExportUnit]:
    """A small document in every state, with tags, notes and an outdated unit."""
    return [
        ExportUnit(key="a1-0", source="We, sex workers, declare our rights.",
                   target="Nous, travailleuses du sexe, déclarons nos droits.",
                   state=int(State.APPROVED), context="Preamble", block_type="heading"),
        ExportUnit(key="b2-0", source="Everyone has the right to <1>life</1>.<2/>",
                   target=HOSTILE, state=int(State.TRANSLATED), context="Preamble > Rights",
                   position=1, tags={"1": TAGS["1"], "2": TAGS["2"]},
                   notes=["Keep the footnote after the full stop.", "tms-base: spoofed"]),
        ExportUnit(key="c3-0", source="Read <3>the <1>full</1> text</3> and 50% of %s.",
                   target="", state=int(State.UNTRANSLATED), position=2,
                   tags={"1": TAGS["1"], "3": TAGS["3"]}),
        ExportUnit(key="d4-0", source="Nobody may be forced to work.",
                   target="Personne ne peut être forcé·e à travailler.",
                   state=int(State.DRAFT), position=3, outdated=True,
                   previous_source="Nobody can be forced to work."),
        ExportUnit(key="e5-0", source="Sent back.", target="Renvoyé.",
                   state=int(State.NEEDS_WORK), position=4),
    ]


META = ExportMeta(document_slug="declaration", document_title="Sample declaration",
                  source_language="en", target_language="pt-BR",
                  plural_forms="nplurals=2; plural=(n > 1);", team="Equipe portuguesa")


class ExchangeRoundTrip:
    """What every exchange format guarantees; subclasses set `fmt` and `suffix`."""

    fmt: types.ModuleType
    suffix: str

    def roundtrip(self, data: bytes) -> po.UnitsFile:
        return self.fmt.read_file(data, filename="upload" + self.suffix)

    def test_keys_sources_and_targets_survive(self) -> None:
        back = self.roundtrip(self.fmt.write(units(), META))
        assert [(u.key, u.source, u.target) for u in back.units] == [
            (u.key, u.source, u.target) for u in units()
        ]

    def test_read_units_is_the_units_of_read_file(self) -> None:
        data = self.fmt.write(units(), META)
        assert self.fmt.read_units(data, filename="x" + self.suffix) == self.roundtrip(data).units

    def test_script_quotes_and_ampersand_stay_intact(self) -> None:
        back = self.roundtrip(self.fmt.write(units(), META))
        assert back.units[1].target == HOSTILE

    def test_outdated_unit_reads_back_fuzzy(self) -> None:
        back = {u.key: u for u in self.roundtrip(self.fmt.write(units(), META)).units}
        assert back["d4-0"].fuzzy
        assert not back["a1-0"].fuzzy and not back["b2-0"].fuzzy

    def test_header_names_language_and_document(self) -> None:
        back = self.roundtrip(self.fmt.write(units(), META))
        assert po.same_language(back.language or "", "pt-BR")
        assert back.document == "declaration"
        assert back.source_language == "en"

    def test_each_unit_carries_the_fingerprint_of_its_exported_target(self) -> None:
        back = self.roundtrip(self.fmt.write(units(), META))
        assert back.bases == {u.key: po.base_hash(u.target) for u in units()}

    def test_line_numbers_point_into_the_file(self) -> None:
        data = self.fmt.write(units(), META)
        lines = data.decode("utf-8").splitlines()
        for unit in self.roundtrip(data).units:
            assert unit.line is not None and 1 <= unit.line <= len(lines)
            assert unit.key in "\n".join(lines[unit.line - 1 : unit.line + 8])


class TestPoRoundTrip(ExchangeRoundTrip):
    fmt = po
    suffix = ".po"


def write_po(tmp_path: Path, data: bytes, name: str = "x.po") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.clients
def test_written_po_passes_msgfmt_check(tmp_path: Path) -> None:
    tricky = [*units(),
              ExportUnit(key="f6-0", source="\nStarts with a newline", target="Sans saut",
                         state=int(State.DRAFT)),
              ExportUnit(key="g7-0", source="Ends with one\n", target="\nAvec un saut",
                         state=int(State.DRAFT)),
              ExportUnit(key="h8-0", source="100% of %(name)s {count} tab\tcr\r",
                         target="100 % de %(nom)s", state=int(State.DRAFT))]
    result = msgfmt_check(write_po(tmp_path, po.write(tricky, META)))
    assert result.returncode == 0, result.stderr


def test_header_is_complete_and_credits_only_the_team_by_default() -> None:
    meta = polib.pofile(po.write(units(), META).decode() + "\n").metadata
    for name in ("Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date",
                 "PO-Revision-Date", "Last-Translator", "Language-Team", "Language",
                 "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "Plural-Forms",
                 "X-Generator"):
        assert name in meta
    assert meta["Language"] == "pt_BR"
    assert meta["Content-Type"] == "text/plain; charset=UTF-8"
    assert meta["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert meta["Last-Translator"] == "Equipe portuguesa"
    credited = ExportMeta(**{**META.__dict__, "translators": ["ana", "boris"]})
    assert polib.pofile(po.write(units(), credited).decode() + "\n").metadata[
        "Last-Translator"] == "ana, boris"


def test_entries_carry_context_tag_legend_location_and_previous_source() -> None:
    entries = {e.msgctxt: e for e in polib.pofile(po.write(units(), META).decode() + "\n")}
    b2 = entries["b2-0"]
    assert "Context: Preamble > Rights" in b2.comment
    assert "Block: paragraph" in b2.comment
    assert "Tags: <1>…</1> bold; <2/> footnote 1" in b2.comment
    assert "Keep the footnote after the full stop." in b2.comment
    assert b2.occurrences == [("declaration", "1")]
    assert "fuzzy" not in b2.flags
    d4 = entries["d4-0"]
    assert "fuzzy" in d4.flags and d4.previous_msgid == "Nobody can be forced to work."
    assert entries["c3-0"].msgstr == ""
    assert "<3>…</3> link: example.org" in entries["c3-0"].comment


def test_po_edited_with_polib_reads_back() -> None:
    catalogue = polib.pofile(po.write(units(), META).decode() + "\n")
    for entry in catalogue:
        if entry.msgctxt == "c3-0":
            entry.msgstr = "Lisez <3>le texte <1>complet</1></3> et 50 % de %s."
        if entry.msgctxt == "d4-0":
            entry.flags.remove("fuzzy")
            entry.msgstr = "Personne ne peut être contraint·e au travail."
    back = {u.key: u for u in po.read_units(str(catalogue).encode(), filename="x.po")}
    assert back["c3-0"].target == "Lisez <3>le texte <1>complet</1></3> et 50 % de %s."
    assert compare_tags(back["c3-0"].source, back["c3-0"].target) == []
    assert not back["d4-0"].fuzzy
    assert back["d4-0"].target == "Personne ne peut être contraint·e au travail."


VALID = po.write(units(), META)


def line_of(text: str) -> int:
    """The 1-based line of the written file that is exactly text."""
    return VALID.decode().splitlines().index(text) + 1


UNCLOSED_LINE = line_of('msgid "Sent back."')
LATIN1_LINE = line_of('msgstr "Nous, travailleuses du sexe, déclarons nos droits."')


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"hello world\nthis is not po\n", "syntax error at line 1"),
        (b"/etc/passwd", "syntax error at line 1"),
        (b"", "not a PO file"),
        (VALID.replace(b'msgid "Sent back."', b'msgid "Sent back.'),
         f"syntax error at line {UNCLOSED_LINE}"),
        (VALID.replace("déclarons".encode(), "déclarons".encode("latin-1")),
         f"not valid UTF-8 text (line {LATIN1_LINE})"),
        (VALID.replace(b"charset=UTF-8", b"charset=NOPE-9"), "unknown character set"),
        (VALID.replace(b'msgctxt "e5-0"\n', b""), "has no msgctxt"),
    ],
    ids=["binary", "not-po", "path-like", "empty", "unclosed-string", "latin-1", "charset",
         "no-msgctxt"],
)
def test_unreadable_po_is_refused_with_the_line(data: bytes, message: str) -> None:
    with pytest.raises(FormatError) as err:
        po.read_units(data, filename="upload.po")
    assert message in str(err.value)
    assert str(err.value).startswith("upload.po: ")


def test_declared_latin1_po_is_decoded() -> None:
    data = VALID.replace(b"charset=UTF-8", b"charset=ISO-8859-1")
    data = data.decode("utf-8").encode("latin-1", errors="replace")
    back = {u.key: u for u in po.read_units(data, filename="x.po")}
    assert back["a1-0"].target == "Nous, travailleuses du sexe, déclarons nos droits."


# --- interface catalogues ---------------------------------------------------------------

POT = r'''# Interface strings.
msgid ""
msgstr ""
"Project-Id-Version: tms 0.1\n"
"Content-Type: text/plain; charset=CHARSET\n"

#. Shown on the dashboard.
#: tms/web/dashboard.py:12
#, python-format
msgid "Welcome, %(name)s!"
msgstr ""

#: tms/templates/editor.html:40
msgctxt "button"
msgid "Save"
msgstr ""

#, python-format
msgid "%(num)s segment"
msgid_plural "%(num)s segments"
msgstr[0] ""
msgstr[1] ""

msgid "Use <1> for bold and {count} or %s as they are"
msgstr ""

#~ msgid "Obsolete"
#~ msgstr "Obsolète"
'''


def test_pot_reads_as_interface_document() -> None:
    doc = po.read(POT.encode(), filename="messages.pot")
    assert doc.format == "po" and doc.title == "tms 0.1"
    assert [b.type for b in doc.blocks] == ["message"] * 4
    welcome, save, plural, literal = doc.blocks
    assert welcome.text == "Welcome, %(name)s!"
    assert welcome.attrs == {"msgctxt": None, "msgid_plural": None, "flags": ["python-format"],
                             "comments": "Shown on the dashboard.",
                             "occurrences": ["tms/web/dashboard.py:12"]}
    assert welcome.context == "Shown on the dashboard."
    assert save.attrs["msgctxt"] == "button" and save.context == "button"
    assert plural.text == "%(num)s segment" + po.PLURAL_SEPARATOR + "%(num)s segments"
    assert plural.attrs["msgid_plural"] == "%(num)s segments"
    assert literal.text == "Use <1/> for bold and {count} or %s as they are"
    assert literal.tags["1"].kind == "literal" and literal.tags["1"].data == {"text": "<1>"}
    assert len({b.locator for b in doc.blocks}) == 4


def catalog(translations: dict[str, str], plural_forms: str = "nplurals=2; plural=(n != 1);"
            ) -> bytes:
    doc = po.read(POT.encode(), filename="messages.pot")
    entries = [TargetBlock(block=b, target=translations.get(b.text.split("\n")[0], ""))
               for b in doc.blocks]
    return po.write_catalog(entries, "fr", plural_forms)


def test_write_catalog_restores_msgids_and_literal_text() -> None:
    data = catalog({"Welcome, %(name)s!": "Bienvenue, %(name)s !",
                    "Save": "Enregistrer",
                    "%(num)s segment": "%(num)s segment" + po.PLURAL_SEPARATOR
                    + "%(num)s segments",
                    "Use <1/> for bold and {count} or %s as they are":
                    "Utilisez <1/> pour le gras et {count} ou %s tels quels"})
    entries = {(e.msgctxt, e.msgid): e for e in polib.pofile(data.decode() + "\n")}
    assert entries[(None, "Welcome, %(name)s!")].msgstr == "Bienvenue, %(name)s !"
    assert "python-format" in entries[(None, "Welcome, %(name)s!")].flags
    assert entries[("button", "Save")].msgstr == "Enregistrer"
    plural = entries[(None, "%(num)s segment")]
    assert plural.msgid_plural == "%(num)s segments"
    assert plural.msgstr_plural == {0: "%(num)s segment", 1: "%(num)s segments"}
    literal = entries[(None, "Use <1> for bold and {count} or %s as they are")]
    assert literal.msgstr == "Utilisez <1> pour le gras et {count} ou %s tels quels"


def test_plural_with_the_wrong_number_of_forms_stays_untranslated() -> None:
    data = catalog({"%(num)s segment": "%(num)s сегмент" + po.PLURAL_SEPARATOR + "%(num)s"},
                   "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
                   "(n%100<10 || n%100>=20) ? 1 : 2);")
    plural = next(e for e in polib.pofile(data.decode() + "\n") if e.msgid_plural)
    assert plural.msgstr_plural == {0: "", 1: "", 2: ""}


@pytest.mark.clients
def test_written_catalog_compiles_with_msgfmt_check(tmp_path: Path) -> None:
    forms = "%(num)s segment" + po.PLURAL_SEPARATOR + "%(num)s segments"
    data = catalog({"Welcome, %(name)s!": "Bienvenue, %(name)s !", "%(num)s segment": forms})
    result = msgfmt_check(write_po(tmp_path, data, "fr.po"))
    assert result.returncode == 0, result.stderr


def test_translation_with_broken_placeholders_is_left_out_of_the_catalog() -> None:
    data = catalog({"Welcome, %(name)s!": "Bienvenue, %(nom)s !",
                    "%(num)s segment": "un segment" + po.PLURAL_SEPARATOR + "%(num)s segments",
                    "Save": "Enregistrer 100%"})
    entries = {e.msgid: e for e in polib.pofile(data.decode() + "\n")}
    assert entries["Welcome, %(name)s!"].msgstr == ""  # would raise KeyError at run time
    assert entries["%(num)s segment"].msgstr_plural == {0: "un segment", 1: "%(num)s segments"}
    assert entries["Save"].msgstr == "Enregistrer 100%"  # not a python-format entry


@pytest.mark.parametrize(
    ("msgid", "msgstr", "flags", "plural", "ok"),
    [
        ("Welcome, %(name)s!", "Bienvenue, %(name)s !", ["python-format"], False, True),
        ("Welcome, %(name)s!", "Bienvenue !", ["python-format"], False, False),
        ("Welcome!", "Bienvenue, %(name)s !", ["python-format"], False, False),
        ("%(num)s file", "un fichier", ["python-format"], True, True),
        ("%s of %d", "%s sur %d, 100%%", ["python-format"], False, True),
        ("%s of %d", "%d sur %s", ["python-format"], False, False),
        ("{count} files", "{count} fichiers", ["python-brace-format"], False, True),
        ("{count} files", "{n} fichiers", ["python-brace-format"], False, False),
        ("{0!r:>3} x", "{0} y", ["python-brace-format"], False, True),
        ("no flags", "%(x)s {y}", [], False, True),
    ],
)
def test_placeholders_match(msgid: str, msgstr: str, flags: list[str], plural: bool,
                            ok: bool) -> None:
    assert po.placeholders_match(msgid, msgstr, flags, plural=plural) is ok


def test_oversize_po_is_refused() -> None:
    with pytest.raises(FormatError, match="larger than 20 MB"):
        po.read_units(b"#" * (po.MAX_PO_BYTES + 1), filename="big.po")


@pytest.mark.parametrize(("code", "forms"), [
    # gettext's conventional forms for whole numbers, which CLDR (through Babel) must give
    ("fr", [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
    ("pt-BR", [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
    ("de", [1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
    ("ru", [2, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2]),
    ("ar", [0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 4]),
    ("ja", [0] * 12),
    ("sw", [1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),  # not in the old 27-language table
])
def test_plural_forms_follow_cldr_for_whole_numbers(code: str, forms: list[int]) -> None:
    import gettext

    header = po.plural_forms(code)
    expression = header.split("plural=", 1)[1].rstrip(";")
    assert [gettext.c2py(expression)(n) for n in range(12)] == forms
    assert int(header.split(";")[0].split("=")[1]) == max(forms) + 1 or code == "ar"
    assert "e" not in expression.replace("(", "").split()  # no CLDR-only operand left


def test_ru_counts_21_as_one_and_unknown_codes_get_the_default() -> None:
    import gettext

    ru = gettext.c2py(po.plural_forms("ru").split("plural=", 1)[1].rstrip(";"))
    assert (ru(21), ru(22), ru(25), ru(111)) == (0, 1, 2, 2)
    assert po.plural_forms("xx-unknown") == "nplurals=2; plural=(n != 1);"


@pytest.mark.clients
def test_babel_plural_forms_pass_msgfmt(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.clients import msgfmt_check

    for code in ("fr", "ru", "ar", "sr-Latn", "ga", "lv", "cy"):
        path = tmp_path / f"{code}.po"
        path.write_text(
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            f'"Plural-Forms: {po.plural_forms(code)}\\n"\n\n', encoding="utf-8")
        result = msgfmt_check(path)
        assert result.returncode == 0, (code, result.stderr)
