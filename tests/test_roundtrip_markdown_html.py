"""Markdown and HTML come back with their structure, links and images (issue 13).

Each construct goes the way a document goes through tms: read, cut into segments, every
segment translated (identity copy or pseudo-translation), segments joined, written, and the
written file read again. The second reading must show the same blocks (type, level,
numbering, quote/list/definition nesting), the same tags, every link's href and every
image's source, and the translated text (alt texts and titles included).
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from tms import i18n
from tms.formats import html, markdown
from tms.formats.base import ParsedBlock, ParsedDocument, Tag, TargetBlock
from tms.formats.inline_media import media_texts
from tms.inline import join_segments, strip_tags
from tms.pseudo_locale import pseudo_translate
from tms.segmentation import segment

Module = Any


def identity(text: str) -> str:
    """The copy translation (pretranslate --mode copy)."""
    return text


def translate_block(block: ParsedBlock, translate: Callable[[str], str]) -> str:
    """The block's target as the exporter builds it: segments translated, then joined."""
    if not block.translatable or not strip_tags(block.text).strip():
        return block.text
    return join_segments((translate(text), sep) for text, sep in segment(block.text, "en"))


def shape(block: ParsedBlock, text: str) -> tuple[Any, ...]:
    """What must survive: structure, tags, hrefs, images (alt and title as translated)."""
    media = media_texts(text, block.tags)
    images = []
    for ident, tag in sorted(block.tags.items(), key=lambda kv: int(kv[0])):
        if tag.kind == "image" and "title_of" not in tag.data:
            images.append((tag.data.get("src"), media.alt_of(ident, tag),
                           media.title_of(ident, tag)))
    links = sorted(str(t.data.get("href")) for t in block.tags.values() if t.kind == "link")
    keep = {k: v for k, v in block.attrs.items() if k in ("within", "rule", "html", "ordered")}
    plain = re.sub(r"\s+", " ", strip_tags(text)).strip()
    return (block.type, block.level, block.numbering, keep, block.translatable,
            sorted(t.kind for t in block.tags.values()), links, images, plain)


def round_trip(module: Module, source: str, translate: Callable[[str], str] = identity
               ) -> tuple[ParsedDocument, ParsedDocument, str]:
    """Read, translate segment by segment, write, read again; the written file too."""
    name = "page.md" if module is markdown else "page.html"
    doc = module.read(source.encode(), filename=name)
    targets = [TargetBlock(b, translate_block(b, translate)) for b in doc.blocks]
    out = module.write(targets, language="fr", title=doc.title or "")
    again = module.read(out, filename=name)
    expected = [shape(tb.block, tb.target) for tb in targets]
    got = [shape(b, b.text) for b in again.blocks]
    assert got == expected, out.decode()
    return doc, again, out.decode()


BOTH = pytest.mark.parametrize("translate", [identity, pseudo_translate],
                               ids=["identity", "pseudo"])

# ------------------------------------------------------------------------- Markdown

MD_IMAGES = """\
Text ![A *sign* here](img/sign.png "The sign") and ![](empty.png) and \
![Dot](data:image/png;base64,iVBORw0KGgo= "Pixel").

![Alone in its paragraph](../pics/alone.jpg)

[![Badge](badge.svg)](https://example.org/project)
"""


@BOTH
def test_md_images_keep_source_and_translate_alt_and_title(translate) -> None:  # type: ignore[no-untyped-def]
    doc, _again, out = round_trip(markdown, MD_IMAGES, translate)
    first = doc.blocks[0]
    assert [(t.data.get("src"), t.paired) for t in first.tags.values() if "src" in t.data] == [
        ("img/sign.png", True), ("empty.png", False),
        ("data:image/png;base64,iVBORw0KGgo=", True)]
    assert "data:image/png;base64,iVBORw0KGgo=" in out
    assert strip_tags(first.text).startswith("Text A sign hereThe sign and")
    assert len(doc.blocks) == 3
    if translate is pseudo_translate:
        assert "The sign" not in out and "Alone in" not in out and "(empty.png)" in out


MD_LINKS = """\
See [the page](docs/page.md#part), [up](../index.html), [root](/about), [here](#x), \
[query](?q=1&r=2), [mail](mailto:a@example.org), [web](https://example.org/a?b=1 "Web") \
and [spaced](<my file.md>).
"""


@BOTH
def test_md_relative_links_keep_their_href(translate) -> None:  # type: ignore[no-untyped-def]
    doc, _again, _out = round_trip(markdown, MD_LINKS, translate)
    hrefs = [t.data["href"] for t in doc.blocks[0].tags.values() if t.kind == "link"]
    assert hrefs == ["docs/page.md#part", "../index.html", "/about", "#x", "?q=1&r=2",
                     "mailto:a@example.org", "https://example.org/a?b=1", "my%20file.md"]


def test_md_writer_refuses_code_running_links() -> None:
    tags = {"1": Tag("link", True, {"href": "javascript:alert(1)"}),
            "2": Tag("link", True, {"href": " JaVa\tScRiPt:alert(1)"}),
            "3": Tag("link", True, {"href": "vbscript:msgbox"}),
            "4": Tag("link", True, {"href": "data:text/html,<script>x</script>"}),
            "5": Tag("link", True, {"href": "docs/ok.md"})}
    block = ParsedBlock("paragraph", "<1>a</1> <2>b</2> <3>c</3> <4>d</4> <5>e</5>", tags)
    out = markdown.write([TargetBlock(block, block.text)], language="en").decode()
    assert out.strip() == "a b c d [e](docs/ok.md)"


MD_RULES = "Before.\n\n---\n\nBetween.\n\n***\n\n* * *\n\nAfter.\n"


@BOTH
def test_md_horizontal_rules(translate) -> None:  # type: ignore[no-untyped-def]
    doc, _again, out = round_trip(markdown, MD_RULES, translate)
    assert [b.attrs.get("rule", False) for b in doc.blocks] == [False, True, False, True,
                                                                True, False]
    assert out.count("\n---\n") + out.count("\n***\n") + out.count("\n* * *\n") == 3


MD_QUOTES = """\
> First quote paragraph.
>
> Second paragraph, same quote.
>
> - item in the quote
> - item two
>
> ```
> code in the quote
> ```
>
> > A nested quote.
>
> Back in the outer quote.

> An adjacent quote, a second one.

Plain text.
"""


@BOTH
def test_md_nested_and_adjacent_quotes(translate) -> None:  # type: ignore[no-untyped-def]
    doc, _again, _out = round_trip(markdown, MD_QUOTES, translate)
    within = [b.attrs.get("within") for b in doc.blocks]
    assert within == [["q1"], ["q1"], ["q1", "i2"], ["q1", "i3"], ["q1"], ["q1", "q4"],
                      ["q1"], ["q5"], None]
    code = doc.blocks[4]
    assert code.type == "code" and code.text == "code in the quote"
    assert [b.type for b in doc.blocks] == ["quote", "quote", "list_item", "list_item",
                                            "code", "quote", "quote", "quote", "paragraph"]
    assert [b.level for b in doc.blocks if b.type == "quote"] == [0, 0, 1, 0, 0]


MD_ITEMS = """\
1. First item.

   Second paragraph of the first item.

   ```
   code in the item
   ```

2. Second item.
   - nested bullet

     nested paragraph
   - nested two

Not in the list.
"""


@BOTH
def test_md_list_items_with_several_paragraphs(translate) -> None:  # type: ignore[no-untyped-def]
    doc, _again, _out = round_trip(markdown, MD_ITEMS, translate)
    assert [(b.type, b.attrs.get("within")) for b in doc.blocks] == [
        ("list_item", ["i1"]), ("paragraph", ["i1"]), ("code", ["i1"]),
        ("list_item", ["i2"]), ("list_item", ["i2", "i3"]), ("paragraph", ["i2", "i3"]),
        ("list_item", ["i2", "i4"]), ("paragraph", None)]


MD_RAW_HTML = """\
<!-- a comment that stays -->

<div class="note">
Some <em>text</em> in a div &amp; more.
</div>

Para with <ins>inserted</ins>, <del>deleted</del> and \
<span style="font-variant: small-caps">small caps</span>.

<dl>
<dt>Term</dt>
<dd>Definition text.</dd>
</dl>
"""


@BOTH
def test_md_raw_html_passes_through_and_its_text_is_translatable(translate) -> None:  # type: ignore[no-untyped-def]
    doc, _again, out = round_trip(markdown, MD_RAW_HTML, translate)
    assert "code" not in [b.type for b in doc.blocks]
    comment, div, _para, dl = doc.blocks
    assert comment.translatable is False and comment.attrs.get("html")
    assert div.translatable
    assert strip_tags(div.text).split() == ["Some", "text", "in", "a", "div", "&amp;", "more."]
    assert strip_tags(dl.text).split() == ["Term", "Definition", "text."]
    for raw in ("<!-- a comment that stays -->", '<div class="note">', "<em>", "</div>",
                "<ins>", "</del>", '<span style="font-variant: small-caps">', "<dl>",
                "<dt>", "</dd>"):
        assert raw in out
    if translate is identity:
        assert out == MD_RAW_HTML
    else:
        assert "Definition text" not in out and "in a div" not in out


def test_md_export_has_no_code_fence_for_html() -> None:
    doc = markdown.read(MD_RAW_HTML.encode(), filename="x.md")
    out = markdown.write([TargetBlock(b, b.text) for b in doc.blocks], language="en")
    assert b"```" not in out


# ------------------------------------------------------------------------- HTML

HTML_IMAGES = """<!DOCTYPE html><html lang="en"><head><title>Images</title></head><body>
<p>See <img src="a/b.png" alt="A photo" title="A tip"> and
<img src="data:image/png;base64,iVBORw0KGgo=" alt=""> here.</p>
<p><img src="alone.png" alt="Alone"></p>
<p><img src="https://example.org/remote.png" alt="Remote picture"> far away.</p>
<p><a href="https://example.org/"><img src="//cdn.example.org/x.png" alt="Logo"></a></p>
</body></html>"""


@BOTH
def test_html_images_kept_alt_and_title_translatable(translate) -> None:  # type: ignore[no-untyped-def]
    _doc, _again, out = round_trip(html, HTML_IMAGES, translate)
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in out
    assert re.search(r'<img src="a/b.png" alt="[^"]+" title="[^"]+">', out)
    # nothing loads from another server: remote images are links to them
    assert not re.search(r"""\ssrc\s*=\s*["']?(?:https?:)?//""", out)
    assert 'href="https://example.org/remote.png"' in out
    if translate is pseudo_translate:
        assert "A photo" not in out and "A tip" not in out and "Remote picture" not in out


HTML_LINKS = """<p><a href="docs/x.html#y">rel</a> <a href="../up/">up</a>
<a href="/root">root</a> <a href="?q=1&amp;r=2">query</a> <a href="#top">top</a>
<a href="mailto:a@example.org">mail</a> <a href="tel:+4912345">tel</a>
<a href="https://example.org/">web</a></p>"""


@BOTH
def test_html_relative_links_keep_their_href(translate) -> None:  # type: ignore[no-untyped-def]
    doc, _again, out = round_trip(html, HTML_LINKS, translate)
    assert [t.data["href"] for t in doc.blocks[0].tags.values()] == [
        "docs/x.html#y", "../up/", "/root", "?q=1&r=2", "#top", "mailto:a@example.org",
        "tel:+4912345", "https://example.org/"]
    assert 'href="?q=1&amp;r=2"' in out


@pytest.mark.parametrize("href", ["javascript:alert(1)", " JaVa\tScRiPt:alert(1)",
                                  "vbscript:msgbox(1)", "data:text/html,<b>x</b>",
                                  "data:image/png;base64,AAAA", "java\nscript:x"])
def test_html_writer_blocks_code_running_hrefs(href: str) -> None:
    block = ParsedBlock("paragraph", "A <1>link</1>.", {"1": Tag("link", True, {"href": href})})
    page = html.write([TargetBlock(block, block.text)], language="en", title="T").decode()
    assert "<p>A link.</p>" in page and "<a " not in page.split("<main>")[1]


def test_html_writer_refuses_code_running_image_sources() -> None:
    tags = {"1": Tag("image", True, {"src": "javascript:alert(1)", "alt": "x"}),
            "2": Tag("image", True, {"src": "data:text/html,<script>", "alt": "y"})}
    block = ParsedBlock("paragraph", "A <1>x</1> <2>y</2>", tags)
    page = html.write([TargetBlock(block, block.text)], language="en", title="T").decode()
    assert "<img" not in page and "<p>A x y</p>" in page


HTML_RULES_DL = """<p>Before.</p><hr><p>After.</p>
<dl><dt>Term one</dt><dd>Its definition.</dd><dt>Term two</dt><dt>Alias</dt>
<dd><p>First part.</p><p>Second part.</p></dd></dl>
<dl><dt>Other list</dt><dd>Other definition.</dd></dl>"""


@BOTH
def test_html_rules_and_definition_lists(translate) -> None:  # type: ignore[no-untyped-def]
    doc, _again, out = round_trip(html, HTML_RULES_DL, translate)
    assert [b.attrs.get("rule", False) for b in doc.blocks][:3] == [False, True, False]
    assert "<hr>" in out and out.count("<dl>") == 2 and out.count("<dt>") == 4
    assert [b.attrs.get("within") for b in doc.blocks[3:]] == [
        ["d1", "t2"], ["d1", "e3"], ["d1", "t4"], ["d1", "t5"], ["d1", "e6"], ["d1", "e6"],
        ["d7", "t8"], ["d7", "e9"]]


HTML_SPANS = """<p>Words with <span style="font-variant: small-caps">small caps</span>,
<ins>inserted</ins> and <del>deleted</del> text, <s>struck</s>.</p>"""


@BOTH
def test_html_small_caps_ins_del(translate) -> None:  # type: ignore[no-untyped-def]
    doc, _again, out = round_trip(html, HTML_SPANS, translate)
    kinds = [(t.kind, t.data.get("element")) for t in doc.blocks[0].tags.values()]
    assert kinds == [("smallcaps", "span"), ("span", "ins"), ("strike", "del"),
                     ("strike", "s")]
    body = out.split("<main>")[1]
    assert '<span class="small-caps">' in body and "<ins>" in body and "<del>" in body
    assert "<s>" in body


HTML_QUOTES = """<blockquote><p>Outer one.</p><p>Outer two.</p>
<ul><li>Listed in the quote</li><li>Second</li></ul><pre>code in quote</pre>
<blockquote><p>Nested.</p></blockquote><p>Outer again.</p></blockquote>
<blockquote><p>Adjacent quote.</p></blockquote>
<ol><li><p>Item one.</p><p>More of item one.</p></li><li>Item two
<ul><li>nested<p>nested para</p></li></ul></li></ol>
<p>After.</p>"""


@BOTH
def test_html_nested_adjacent_quotes_and_multi_paragraph_items(translate) -> None:  # type: ignore[no-untyped-def]
    doc, _again, out = round_trip(html, HTML_QUOTES, translate)
    assert [(b.type, b.attrs.get("within")) for b in doc.blocks] == [
        ("quote", ["q1"]), ("quote", ["q1"]), ("list_item", ["q1", "i2"]),
        ("list_item", ["q1", "i3"]), ("code", ["q1"]), ("quote", ["q1", "q4"]),
        ("quote", ["q1"]), ("quote", ["q5"]), ("list_item", ["i6"]), ("paragraph", ["i6"]),
        ("list_item", ["i7"]), ("list_item", ["i7", "i8"]), ("paragraph", ["i7", "i8"]),
        ("paragraph", None)]
    assert out.count("<blockquote>") == 3
    assert out.count("<ol") == 1 and out.count("<ul>") == 2  # one list, not one per item


# ------------------------------------------------------------------- page headings


def _catalogue(tmp_path: Path, translations: dict[str, str]) -> Callable[[str], str]:
    catalog = Catalog(locale="fr")
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    path = tmp_path / "messages.mo"
    with path.open("wb") as fh:
        write_mo(fh, catalog)
    with path.open("rb") as fh:
        return gettext.GNUTranslations(fh).gettext


def _notes_and_headings() -> list[TargetBlock]:
    blocks = [ParsedBlock("heading", "Rights", level=2),
              ParsedBlock("paragraph", "Text<1/>.", {"1": Tag("footnote_ref", False,
                                                              {"note": "1"})}),
              ParsedBlock("heading", "Health", level=2),
              ParsedBlock("footnote", "A note.", attrs={"note": "1"}, locator="fn-1")]
    return [TargetBlock(b, b.text) for b in blocks]


def test_page_headings_come_from_the_target_catalogue(tmp_path: Path) -> None:
    translate = _catalogue(tmp_path, {"Contents": "Sommaire", "Notes": "Remarques",
                                      "Back to the text": "Retour au texte"})
    page = html.write(_notes_and_headings(), language="fr", title="Droits",
                      translate=translate).decode()
    assert ">Sommaire</h2>" in page and ">Remarques</h2>" in page
    assert 'aria-label="Retour au texte"' in page
    assert "Contents" not in page and ">Notes<" not in page


def test_target_catalogue_is_the_languages_own() -> None:
    """The page's words come from the target language's catalogue, English without one."""
    assert i18n.catalogue_translator("de")("Document") == "Dokument"
    assert i18n.catalogue_translator("ru")("Document") == "Документ"
    assert i18n.catalogue_translator("ja")("Document") == "Document"  # no catalogue
    # A regional variant without its own catalogue falls back to the language's.
    assert i18n.catalogue_translator("pt-BR")("Document") == "Documento"
    page = html.write([], language="de", title="", translate=i18n.catalogue_translator("de"))
    assert b"<title>Dokument</title>" in page


def test_no_h1_is_invented_from_the_title() -> None:
    page = html.write(_notes_and_headings(), language="en", title="declaration-2024").decode()
    assert "<h1" not in page and "declaration-2024" in page.split("<body>")[0]
    assert '<h2 id="h-1">Rights</h2>' in page


def test_page_keeps_source_heading_levels_without_h1() -> None:
    doc = html.read(b"<h2>Two</h2><p>x</p><h3>Three</h3>", filename="x.html")
    again = html.read(html.write([TargetBlock(b, b.text) for b in doc.blocks],
                                 language="en", title=""), filename="y.html")
    assert [(b.type, b.level) for b in again.blocks] == [("heading", 2), ("paragraph", None),
                                                         ("heading", 3)]


@pytest.mark.clients
def test_nu_html_checker_accepts_every_construct(tmp_path: Path) -> None:
    """Each construct's page (from HTML and from Markdown, copy and pseudo) is valid HTML."""
    from tests.clients import vnu_check

    sources = {"md": [MD_IMAGES, MD_LINKS, MD_RULES, MD_QUOTES, MD_ITEMS, MD_RAW_HTML],
               "html": [HTML_IMAGES, HTML_LINKS, HTML_RULES_DL, HTML_SPANS, HTML_QUOTES]}
    paths = []
    for kind, texts in sources.items():
        module = markdown if kind == "md" else html
        for n, source in enumerate(texts):
            doc = module.read(source.encode(), filename=f"x.{kind}")
            for translate in (identity, pseudo_translate):
                targets = [TargetBlock(b, translate_block(b, translate)) for b in doc.blocks]
                path = tmp_path / f"{kind}-{n}-{translate.__name__}.html"
                path.write_bytes(html.write(targets, language="fr", title=doc.title or ""))
                paths.append(path)
    result = vnu_check(paths)
    assert result.returncode == 0, result.stderr + result.stdout
