"""Sentence segmentation: a table of hard cases, tagged cuts and the join invariant."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tms.inline import join_segments, strip_tags, well_formed_errors
from tms.segmentation import count_words, segment

CASES = [
    # (language, text, expected segments)
    ("en", "Dr. Smith met Mr. Jones at 10 a.m. today. They talked.",
     ["Dr. Smith met Mr. Jones at 10 a.m. today.", "They talked."]),
    ("en", "Some rights, e.g. health and safety, i.e. basics, are denied. Approx. 40% agree.",
     ["Some rights, e.g. health and safety, i.e. basics, are denied.",
      "Approx. 40% agree."]),
    ("en", "See art. 3 of the Convention. The U.N. agreed. Then we left.",
     ["See art. 3 of the Convention.", "The U.N. agreed.", "Then we left."]),
    ("en", "1. Everyone has the right to health. 2. Everyone has the right to work.",
     ["1. Everyone has the right to health.", "2. Everyone has the right to work."]),
    ("en", "I. The right to life. II. The right to health.",
     ["I. The right to life.", "II. The right to health."]),
    ("en", "a) The first item. b) The second item.",
     ["a) The first item.", "b) The second item."]),
    ("en", "The rights are: (1) health; (2) safety; (3) work. Next sentence.",
     ["The rights are: (1) health; (2) safety; (3) work.", "Next sentence."]),
    ("en", 'She said "We are workers." Then she left.',
     ['She said "We are workers."', "Then she left."]),
    ("en", "She said “We are workers.” Then she left.",
     ["She said “We are workers.”", "Then she left."]),
    ("en", "She said “we are workers.” then left.",
     ["She said “we are workers.” then left."]),
    ("en", "He waited... Then he left. Wait…what?",
     ["He waited...", "Then he left.", "Wait…what?"]),
    ("en", "Visit https://example.org/a.b?c=d. Write to info@example.org. Thanks.",
     ["Visit https://example.org/a.b?c=d.", "Write to info@example.org.", "Thanks."]),
    ("en", "Prices rose 3.5% in 2020. That is 1.5 times more.",
     ["Prices rose 3.5% in 2020.", "That is 1.5 times more."]),
    ("en", "The rights of Women1 are important. Other rights2 follow.",
     ["The rights of Women1 are important.", "Other rights2 follow."]),
    ("en", "Sex workers—all of them—have rights. They do.",
     ["Sex workers—all of them—have rights.", "They do."]),
    ("en", "Is this right? Yes! It is.", ["Is this right?", "Yes!", "It is."]),
    ("fr", "Les travailleuSEs du sexe ont des droits. Les travailleur·euse·s aussi.",
     ["Les travailleuSEs du sexe ont des droits.", "Les travailleur·euse·s aussi."]),
    ("fr", "Il a dit « Nous sommes là. » Puis il est parti.",
     ["Il a dit « Nous sommes là. »", "Puis il est parti."]),
    ("fr", "M. Dupont est venu. Mme Durand aussi, cf. art. 5. Voir p. 3.",
     ["M. Dupont est venu.", "Mme Durand aussi, cf. art. 5.", "Voir p. 3."]),
    ("de", "SexarbeiterInnen haben Rechte. Dr. Müller sagt z.B. nein. Am 3. Mai kam er.",
     ["SexarbeiterInnen haben Rechte.", "Dr. Müller sagt z.B. nein.", "Am 3. Mai kam er."]),
    ("de", "Siehe Art. 3 GG. Das ist ca. 5 km weit.",
     ["Siehe Art. 3 GG.", "Das ist ca. 5 km weit."]),
    ("es", "Los trabajador@s tienen derechos. El Sr. García vino. ¿Qué pasa? ¡Nada!",
     ["Los trabajador@s tienen derechos.", "El Sr. García vino.", "¿Qué pasa?", "¡Nada!"]),
    ("ru", "Секс-работники имеют права. Т.е. все люди. Он сказал: «Мы здесь». Потом ушёл.",
     ["Секс-работники имеют права.", "Т.е. все люди.", "Он сказал: «Мы здесь».",
      "Потом ушёл."]),
    ("ru", "См. ст. 5 Конвенции. Это важно.", ["См. ст. 5 Конвенции.", "Это важно."]),
    ("en", "They said no. Then we left.", ["They said no.", "Then we left."]),
    ("en", "See No. 5 of the list. Then go.", ["See No. 5 of the list.", "Then go."]),
    ("fr", "Voir l’art. 12 du Code. C’est clair.", ["Voir l’art. 12 du Code.", "C’est clair."]),
    ("pt", "Olá. Tudo bem? Sim.", ["Olá.", "Tudo bem?", "Sim."]),  # no pysbd rules: English
    ("en-GB", "One. Two.", ["One.", "Two."]),
]


@pytest.mark.parametrize(("language", "text", "expected"), CASES)
def test_segment_cases(language: str, text: str, expected: list[str]) -> None:
    result = segment(text, language)
    assert [s for s, _ in result] == expected
    assert "".join(s + sep for s, sep in result) == text


TAGGED = [
    # a paired tag spanning the cut is closed and reopened; the space moves out of it
    ("<1>Hello there. World.</1> Next one.",
     [("<1>Hello there.</1>", " "), ("<1>World.</1>", " "), ("Next one.", "")]),
    # a footnote reference right after the full stop stays with its sentence
    ("Women have rights.<2/> Next sentence.",
     [("Women have rights.<2/>", " "), ("Next sentence.", "")]),
    ("A <1>bold</1> claim. Another <2>link</2>.",
     [("A <1>bold</1> claim.", " "), ("Another <2>link</2>.", "")]),
    # a tag that genuinely ends after the space keeps it
    ("<1>First. </1>Second.", [("<1>First. </1>", ""), ("Second.", "")]),
    ("  Leading space. Second.", [("  Leading space.", " "), ("Second.", "")]),
    ("<1/>", [("<1/>", "")]),
    ("   ", [("   ", "")]),
    ("", []),
    ("End.  ", [("End.", "  ")]),
    ("First paragraph.\n\nsecond paragraph starts lower.",
     [("First paragraph.", "\n\n"), ("second paragraph starts lower.", "")]),
]


@pytest.mark.parametrize(("text", "expected"), TAGGED)
def test_segment_tagged(text: str, expected: list[tuple[str, str]]) -> None:
    result = segment(text, "en")
    assert result == expected
    assert join_segments(result) == text


WORDS = [
    ("en", "Sex workers' rights are human rights.", 6),
    ("fr", "Les travailleur·euse·s du sexe", 4),
    ("es", "trabajador@s", 1),
    ("en", "It rose by 3.5% in 2020.", 6),
    ("en", "", 0),
    ("zh", "性工作者的权利", 7),
    ("de", "SexarbeiterInnen — z.B. hier", 3),
]


@pytest.mark.parametrize(("language", "text", "n"), WORDS)
def test_count_words(language: str, text: str, n: int) -> None:
    assert count_words(text, language) == n


# Random tagged strings: sentences, spaces, punctuation, unique tag ids, well nested.
_WORDS = st.sampled_from(["Rights", "are", "work", "Dr.", "e.g.", "1.", "II.", "a)", "health",
                          "“Yes.”", "3.5%", "http://x.org/a.b", "Women1", "«Non.»", "now"])
_PUNCT = st.sampled_from([". ", "? ", "! ", " ", "  ", ", ", "... ", ".\n\n", ". "])


@st.composite
def _text(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 6))
    return "".join(draw(_WORDS) + draw(_PUNCT) for _ in range(n))


@st.composite
def _tagged(draw: st.DrawFn, depth: int = 0) -> list[tuple[str, object]]:
    items: list[tuple[str, object]] = []
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(st.integers(0, 5 if depth < 2 else 3))
        if choice <= 2:
            items.append(("text", draw(_text())))
        elif choice == 3:
            items.append(("standalone", None))
        else:
            items.append(("paired", draw(_tagged(depth + 1))))
    return items


def _render(items: list[tuple[str, object]], counter: list[int]) -> str:
    out = []
    for kind, value in items:
        if kind == "text":
            out.append(str(value))
        elif kind == "standalone":
            counter[0] += 1
            out.append(f"<{counter[0]}/>")
        else:
            counter[0] += 1
            ident = counter[0]
            inner = _render(value, counter)  # type: ignore[arg-type]
            if strip_tags(inner).strip():
                out.append(f"<{ident}>{inner}</{ident}>")
            else:
                out.append(inner)
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(_tagged())
def test_join_invariant(items: list[tuple[str, object]]) -> None:
    text = _render(items, [0])
    result = segment(text, "en")
    assert join_segments(result) == text
    assert "".join(strip_tags(s) + sep for s, sep in result) == strip_tags(text)
    for s, sep in result:
        assert sep.strip() == ""
        assert not well_formed_errors(s)
    if "</" not in text:  # no paired tag can span a cut: plain concatenation holds
        assert "".join(s + sep for s, sep in result) == text


def test_long_document_is_fast() -> None:
    sentence = ("Everyone who sells sexual services has the right to health care, "
                "e.g. testing and treatment, without fear of arrest (see art. 3). ")
    paragraphs = [sentence * 6 for _ in range(250)]  # ~33k words
    start = time.perf_counter()
    total = sum(len(segment(p.strip(), "en")) for p in paragraphs)
    elapsed = time.perf_counter() - start
    assert total == 250 * 6
    assert elapsed < 10, f"segmenting 33k words took {elapsed:.1f} s"


def test_corpus_blocks_join_back() -> None:
    """Every block of the shared DOCX corpus segments and joins back exactly."""
    from tests.conftest import CORPUS
    from tms.formats import read_document
    from tms.formats.base import FormatError

    files = sorted(CORPUS.glob("**/*.docx")) if CORPUS.exists() else []
    if not files:
        pytest.skip(f"the DOCX corpus is not at {CORPUS}")
    pytest.importorskip("tms.formats.docx", reason="the DOCX reader is not importable yet")
    checked = 0
    for path in files:
        try:
            doc = read_document(path.name, path.read_bytes())
        except FormatError:
            continue
        for block in doc.blocks:
            result = segment(block.text, "en")
            assert join_segments(result) == block.text, (path.name, block.locator)
            assert all(not well_formed_errors(s) for s, _sep in result)
            checked += 1
    assert checked > 100


def test_threads_do_not_share_a_segmenter() -> None:
    """pysbd Segmenters keep state; parallel requests must each get their own."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"Sentence {i} is here. Dr. Who number {i} follows. The end {i}." for i in range(1000)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda t: segment(t, "en"), texts))
    for i, result in enumerate(results):
        assert [s for s, _ in result] == [f"Sentence {i} is here.",
                                          f"Dr. Who number {i} follows.", f"The end {i}."]
