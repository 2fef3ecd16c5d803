"""Which interface language is longest: the characters of every compiled catalogue's
translations, relative to the English source (msgids), over the messages both have.

    python benchmarks/catalogue_lengths.py [--translations DIR]

Plural messages count their first two forms against singular and plural; a message a
catalogue leaves untranslated is left out of both sums, so a partial catalogue is not
"shorter". The widest layouts must hold the longest language (tests/browser/test_i18n.py
::test_every_language_fits_a_phone checks all of them at 360 px).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tms.services import interface


def _pairs(catalog: object) -> list[tuple[str, str]]:
    out = []
    for m in catalog:  # type: ignore[attr-defined]
        if not m.id or not m.string:
            continue
        ids = list(m.id) if isinstance(m.id, tuple | list) else [m.id]
        strings = list(m.string) if isinstance(m.string, tuple | list) else [m.string]
        out.extend((i, s) for i, s in zip(ids, strings, strict=False) if s)
    return out


def measure(translations: Path) -> list[tuple[str, int, int, int]]:
    """(locale, messages, English characters, translated characters), longest first."""
    rows = []
    for folder in interface.locales(translations):
        mo = translations / folder / "LC_MESSAGES" / "messages.mo"
        if not mo.exists():
            continue  # not offered in the interface
        pairs = _pairs(interface.read_catalog(mo.with_suffix(".po")))
        rows.append((interface.locale_code(folder), len(pairs), sum(len(i) for i, _ in pairs),
                     sum(len(s) for _, s in pairs)))
    return sorted(rows, key=lambda r: r[3] / max(r[2], 1), reverse=True)


def main() -> None:
    """Print the table, longest language first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--translations", type=Path, default=interface.TRANSLATIONS_DIR)
    args = parser.parse_args()
    print("| language | messages | English characters | characters | relative to English |")
    print("|---|---:|---:|---:|---:|")
    for code, n, english, chars in measure(args.translations):
        print(f"| {code} | {n} | {english} | {chars} | {chars / max(english, 1):.2f} |")


if __name__ == "__main__":
    main()
