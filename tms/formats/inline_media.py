"""Images and links inside tagged text, shared by the Markdown and HTML readers and writers.

An image's alt text and title are translatable text, so a reader writes them into the
block's tagged text: the image is a paired tag of kind "image" around its alt text
(``<1>A sign</1>``), or a standalone tag when it has none; its title follows as a paired
tag of kind "image" whose data says ``{"title_of": "<image id>"}``. A writer takes both
texts out of the target with ``media_texts`` and rebuilds the image element from them, so a
translator may move or rephrase them like any other tagged text; ``outside_media`` gives it
the rest of the target's tokens, without those texts.

Links keep whatever href the source had (relative ones too); only schemes that run code
in a browser are refused (``unsafe_url``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tms.formats.base import Tag
from tms.formats.text import TaggedText
from tms.inline import Token, tokenize

# Browsers ignore ASCII tabs and newlines anywhere in a URL and leading C0 controls and
# spaces, so "java\tscript:" runs as javascript: — the scheme is read with them removed.
_IGNORED_RE = re.compile(r"[\x00-\x20\x7f]")
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_CODE_SCHEMES = {"javascript", "vbscript", "livescript", "mocha"}

# The markup of a raw HTML block: comments, declarations, processing instructions and tags.
HTML_MARKUP_RE = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<![A-Za-z][^>]*>|<\?.*?\?>"
    r"|</?[A-Za-z][A-Za-z0-9-]*"
    r"(?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*"
    r"\s*/?>", re.S)


def url_scheme(url: str) -> str:
    """The URL's scheme as a browser reads it ("" for a relative URL)."""
    m = _SCHEME_RE.match(_IGNORED_RE.sub("", url).lower())
    return m.group(1) if m else ""


def unsafe_url(url: str, *, image: bool = False) -> bool:
    """True for a URL that would run code: javascript:/vbscript:, data: on links (an image
    may have a data:image/... source, which a browser never runs)."""
    scheme = url_scheme(url)
    if scheme in _CODE_SCHEMES:
        return True
    if scheme == "data":
        squeezed = _IGNORED_RE.sub("", url).lower()
        return not (image and squeezed.startswith("data:image/"))
    return False


def remote_url(url: str) -> bool:
    """True for a URL that a page would load from another server (http(s), //host)."""
    squeezed = _IGNORED_RE.sub("", url)
    return squeezed.startswith("//") or url_scheme(url) in ("http", "https", "ftp")


def add_image(builder: TaggedText, data: dict[str, Any], alt: str, title: str) -> None:
    """Append an image to a block being built, its alt text and title as tagged text."""
    data = {**data, "alt": alt, "title": title}
    label = f"image: {alt.strip()}"[:60] if alt.strip() else "image"
    if alt.strip():
        ident = builder.open(Tag("image", True, data, label))
        builder.text(alt)
        builder.close(ident)
    else:
        ident = builder.standalone(Tag("image", False, data, label))
    if title.strip():
        title_id = builder.open(Tag("image", True, {"title_of": ident}, "image title"))
        builder.text(title)
        builder.close(title_id)


def is_media_text(tag: Tag | None) -> bool:
    """True for a paired tag whose content is an image's alt text or title, not prose."""
    return tag is not None and tag.kind == "image" and tag.paired


def is_title(tag: Tag | None) -> bool:
    """True for the paired tag that holds an image's title."""
    return tag is not None and tag.kind == "image" and "title_of" in tag.data


def outside_media(target: str, tags: dict[str, Tag]) -> Iterator[tuple[Token, Tag | None]]:
    """The tokens of a target with their tags (None for text), less those inside an image's
    alt text or title: a writer writes those texts inside the image (media_texts)."""
    in_media: list[str] = []  # open alt-text and title tags, innermost last
    for tok in tokenize(target):
        tag = tags.get(tok.value) if tok.kind != "text" else None
        if in_media:
            if tok.kind == "close" and tok.value in in_media:
                in_media.remove(tok.value)
            elif tok.kind == "open" and is_media_text(tag):
                in_media.append(tok.value)
            continue
        if tok.kind == "open" and is_media_text(tag):
            in_media.append(tok.value)  # the writer writes the image; its texts are skipped
        yield tok, tag


@dataclass
class MediaTexts:
    """An image's alt text and title, by the image's tag id, as the target says them."""

    alt: dict[str, str] = field(default_factory=dict)
    title: dict[str, str] = field(default_factory=dict)

    def alt_of(self, ident: str, tag: Tag) -> str:
        """The image's alt text: the target's when the image is paired, else its own."""
        if tag.paired:
            return self.alt.get(ident, "")
        return str(tag.data.get("alt") or "")

    def title_of(self, ident: str, tag: Tag) -> str:
        """The image's title: the target's title tag when it has one, else its own."""
        if ident in self.title:
            return self.title[ident]
        return str(tag.data.get("title") or "")


def media_texts(target: str, tags: dict[str, Tag]) -> MediaTexts:
    """Alt texts and titles of the images of a target (tags inside them count as text)."""
    out = MediaTexts()
    stack: list[str] = []  # open media tags, innermost last
    pieces: dict[str, list[str]] = {}
    for tok in tokenize(target):
        tag = tags.get(tok.value) if tok.kind != "text" else None
        if tok.kind == "open" and is_media_text(tag):
            stack.append(tok.value)
            pieces[tok.value] = []
        elif tok.kind == "close" and tok.value in stack:
            stack.remove(tok.value)
        elif stack:
            if tok.kind == "text":
                pieces[stack[-1]].append(tok.value)
            elif tag is not None and tag.kind == "literal":
                pieces[stack[-1]].append(str(tag.data.get("text", "")))
    for ident, parts in pieces.items():
        tag = tags[ident]
        text = re.sub(r"\s+", " ", "".join(parts)).strip()
        if is_title(tag):
            out.title[str(tag.data["title_of"])] = text
        else:
            out.alt[ident] = text
    # an image whose title tag the source had but the target dropped has no title
    for ident, tag in tags.items():
        if is_title(tag) and ident not in pieces:
            out.title.setdefault(str(tag.data["title_of"]), "")
    return out
