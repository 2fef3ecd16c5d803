"""QA checks: our tag check as errors, translate-toolkit's checks on tag-free text as warnings."""

from __future__ import annotations

import time

import pytest

from tms.services.qa import QAIssue, check


def codes(source: str, target: str, lang: str = "fr") -> set[str]:
    """The issue codes of one check."""
    return {i.code for i in check(source, target, source_language="en", target_language=lang)}


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        # tags reordered: fine
        ("The <1>right</1> to <2>work</2>.", "Le droit au <2>travail</2> et au <1>droit</1>.",
         set()),
        ("See the note.<3/>", "Voir la note.<3/>", set()),
        # dropped, invented, duplicated, mis-nested: errors
        ("The right to <1>life</1>.", "Le droit à la vie.", {"tag-missing"}),
        ("See the note.<3/>", "Voir la note.", {"tag-missing"}),
        ("The right to life.", "Le droit à la <1>vie</1>.", {"tag-extra"}),
        ("The right to life.", "Le droit à la vie.<4/>", {"tag-extra"}),
        ("Note<3/>.", "Remarque<3/><3/>.", {"tag-duplicate"}),
        ("<1>a <2>b</2></1> c.", "<1>x <2>y</1></2> z.", {"tag-nesting"}),
        # placeholders of the interface document: warnings
        ("Hello %(name)s.", "Bonjour.", {"printf"}),
        ("You have {count} messages.", "Vous avez des messages.", {"pythonbraceformat"}),
        ("Hello %(name)s, {count} new.", "Bonjour %(name)s, {count} nouveaux.", set()),
        # a tag's digit is not a number
        ("Article <12>seven</12> applies.", "L'article <12>sept</12> s'applique.", set()),
        ("We have 3 rights.", "Nous avons 4 droits.", {"numbers"}),
        ("We have 3 rights.", "Nous avons 3 droits.", set()),
        ("We have rights.", "Nous avons  des droits.", {"doublespacing"}),
        ("Read https://example.org today.", "Lisez aujourd'hui.", {"urls"}),
        ("Write to info@example.org now.", "Écrivez-nous maintenant.", {"emails"}),
        ("We demand rights.", "Nous exigeons des droits", {"endpunc"}),
        ("We demand rights.", "Nous nous exigeons des droits.", {"doublewords"}),
        ("Our rights matter.", "Our rights matter.", {"unchanged"}),
        ("Everything", "", set()),  # empty target: nothing to check
        ("Everything", "   ", set()),
    ],
)
def test_check_table(source: str, target: str, expected: set[str]) -> None:
    assert codes(source, target) == expected


def test_tag_errors_are_errors_and_toolkit_checks_are_warnings() -> None:
    issues = check("We have 3 <1>rights</1>.", "Nous avons 4 droits.",
                   source_language="en", target_language="fr")
    by_code = {i.code: i for i in issues}
    assert by_code["tag-missing"].severity == "error"
    assert "<1>…</1>" in by_code["tag-missing"].message  # a pair is reported once
    assert by_code["numbers"].severity == "warning"
    assert issues[0].code.startswith("tag-")  # errors first
    assert all(isinstance(i, QAIssue) and i.message for i in issues)


def test_accelerators_and_xmltags_are_off() -> None:
    # "&" would be an accelerator marker; reordered tags would trip xmltags
    assert codes("Save & close <1>now</1>.", "Enregistrer et fermer <1>maintenant</1>.") == set()


def test_right_to_left_target_language() -> None:
    assert codes("We have 3 rights.", "لدينا 3 حقوق.", "ar") == set()


def test_messages_go_through_the_translator() -> None:
    from tms import i18n

    i18n.set_translator(lambda m: "XX " + m)
    try:
        issues = check("A <1>b</1>.", "A b.", source_language="en", target_language="fr")
    finally:
        i18n.set_translator(lambda m: m)
    assert issues[0].message.startswith("XX ")


def test_check_is_fast() -> None:
    start = time.perf_counter()
    for _ in range(200):
        check("The <1>right</1> to work, {count} times.", "Le <1>droit</1> au travail.",
              source_language="en", target_language="de")
    assert (time.perf_counter() - start) / 200 < 0.005  # well under 5 ms a check
