"""The Serbian Latin catalogue is the exact transliteration of the Serbian Cyrillic one."""

from __future__ import annotations

import gettext
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
SR = ROOT / "tms/translations/sr/LC_MESSAGES/messages.po"
LATN = ROOT / "tms/translations/sr_Latn/LC_MESSAGES/messages.po"


def _script() -> ModuleType:
    """scripts/sr_latn.py, loaded from its file (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("sr_latn", ROOT / "scripts/sr_latn.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("cyrillic", "latin"), [
    ("Љубав", "Ljubav"), ("ЉУБАВ", "LJUBAV"), ("њихов", "njihov"), ("Њ", "Nj"),
    ("џеп", "džep"), ("Џемпер", "Džemper"), ("ђак", "đak"), ("ћелија", "ćelija"),
    ("жена", "žena"), ("чувар", "čuvar"), ("шема", "šema"), ("ЏЏ", "DŽDŽ"),
    ("Сачувај нацрт", "Sačuvaj nacrt"), ("Чека на проверу", "Čeka na proveru"),
])
def test_transliteration_table(cyrillic: str, latin: str) -> None:
    """Single letters, digraphs in capitalised and all-capital words, whole phrases."""
    assert _script().transliterate(cyrillic) == latin


def test_placeholders_and_ascii_untouched() -> None:
    """Placeholders, tags, quotes and Latin text pass through unchanged."""
    text = "%(num)d сегмент, {count} <1>ознака</1> „tms init“ DOCX %s"
    expected = "%(num)d segment, {count} <1>oznaka</1> „tms init“ DOCX %s"
    assert _script().transliterate(text) == expected


def test_every_message_is_the_transliteration_of_sr() -> None:
    """Each sr_Latn msgstr (every plural form) equals the transliterated sr msgstr."""
    translit = _script().transliterate
    with SR.open("rb") as fh:
        sr = read_po(fh)
    with LATN.open("rb") as fh:
        latn = read_po(fh)
    assert str(latn.locale) == "sr_Latn"
    assert "awaits review by a native speaker" in latn.header_comment
    pairs = 0
    for message in sr:
        if not message.id:
            continue
        other = latn.get(message.id, context=message.context)
        assert other is not None, message.id
        if isinstance(message.string, str):
            assert other.string == translit(message.string), message.id
        else:
            assert tuple(other.string) == tuple(translit(s) for s in message.string), message.id
        assert not any("\u0400" <= ch <= "\u04ff" for ch in "".join(
            [other.string] if isinstance(other.string, str) else other.string)), message.id
        pairs += 1
    assert pairs == sum(1 for m in latn if m.id) and pairs > 900


def test_committed_files_are_what_the_script_writes(tmp_path: Path) -> None:
    """Rerunning the script gives the committed .po byte for byte; the .mo reads back."""
    out = tmp_path / "sr_Latn/LC_MESSAGES/messages.po"
    _script().build(SR, out)
    assert out.read_bytes() == LATN.read_bytes()
    with LATN.with_suffix(".mo").open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    assert catalogue.gettext("Save draft") == "Sačuvaj nacrt"
    assert catalogue.ngettext("%(num)d segment", "%(num)d segments", 5) == "%(num)d segmenata"
