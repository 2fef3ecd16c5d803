"""Write the Serbian Latin catalogue (sr_Latn) from the Serbian Cyrillic one (sr).

    .venv/bin/python scripts/sr_latn.py

Serbian has a one-to-one standard mapping from Cyrillic to Latin (љ → lj, њ → nj, џ → dž),
so the Latin catalogue is derived rather than translated: rerun this after every change to
tms/translations/sr/LC_MESSAGES/messages.po. Only Cyrillic letters change; placeholders such
as %(name)s and {count}, tags and every other ASCII character are left exactly as they are.
The output is deterministic (the sr file's dates are kept), so a rerun gives the same bytes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tms/translations/sr/LC_MESSAGES/messages.po"
TARGET = ROOT / "tms/translations/sr_Latn/LC_MESSAGES/messages.po"

_LOWER = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e", "ж": "ž",
    "з": "z", "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n",
    "њ": "nj", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u",
    "ф": "f", "х": "h", "ц": "c", "ч": "č", "џ": "dž", "ш": "š",
}
TABLE: dict[str, str] = dict(_LOWER)
TABLE.update({k.upper(): v.capitalize() for k, v in _LOWER.items()})

HEADER_COMMENT = (
    "# sr_Latn translation of the tms interface (Serbian, Latin script).\n"
    "# DRAFT: written without a native speaker; it awaits review by a native speaker,\n"
    "# in tms itself (tms i18n seed puts it into the review queue). See docs/i18n.md.\n"
    "# Generated from the sr catalogue by scripts/sr_latn.py: edit sr, then rerun it.\n"
    "# This file is distributed under the same license as the tms project.")


def transliterate(text: str) -> str:
    """Serbian Cyrillic text in Latin script; every other character is kept as it is."""
    out: list[str] = []
    for i, ch in enumerate(text):
        latin = TABLE.get(ch)
        if latin is None:
            out.append(ch)
            continue
        if len(latin) == 2 and ch.isupper():
            # Љ in a word written in capitals (ЉУБАВ, or a lone capital after one: ЊЊ)
            # becomes LJ; at the start of a capitalised word (Љубав) it becomes Lj.
            after = text[i + 1] if i + 1 < len(text) else ""
            before = text[i - 1] if i > 0 else ""
            if after.isupper() or (before.isupper() and not after.islower()):
                latin = latin.upper()
        out.append(latin)
    return "".join(out)


def _convert(value: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    """A msgstr (or the tuple of plural forms) in Latin script."""
    if isinstance(value, str):
        return transliterate(value)
    return tuple(transliterate(form) for form in value)


def build(source: Path = SOURCE, target: Path = TARGET) -> Catalog:
    """Write target (.po and .mo) from the sr catalogue at source and return the catalogue."""
    with source.open("rb") as fh:
        sr = read_po(fh)
    latn = Catalog(locale="sr_Latn", project=sr.project, version=sr.version,
                   copyright_holder="tms contributors", msgid_bugs_address="",
                   last_translator=sr.last_translator,
                   language_team="sr_Latn (draft, generated from sr)",
                   creation_date=sr.creation_date, revision_date=sr.revision_date, fuzzy=False)
    latn.header_comment = HEADER_COMMENT
    for message in sr:
        if not message.id:
            continue
        latn.add(message.id, _convert(message.string), locations=message.locations,
                 flags=message.flags, auto_comments=message.auto_comments,
                 user_comments=message.user_comments, context=message.context)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as fh:
        write_po(fh, latn, width=0, omit_header=False)
    subprocess.run(["msgfmt", "-c", "-o", str(target.with_suffix(".mo")), str(target)],
                   check=True)
    return latn


if __name__ == "__main__":
    catalogue = build()
    print(f"Wrote {TARGET.relative_to(ROOT)} and messages.mo: "
          f"{sum(1 for m in catalogue if m.id)} messages.")
