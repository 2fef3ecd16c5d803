"""Fuzzing the readers: damaged, truncated and random files may only raise FormatError (with a
message); any other exception is a reader bug that would reach a volunteer as a 500.

Two generators: a deterministic mutation loop over real seed files (the samples in
source_docs/ and files written by our own writers), and hypothesis. The default run is
short; TMS_FUZZ_EXAMPLES=N runs N mutations per seed and N hypothesis examples per reader,
and TMS_FUZZ_REPORT=file.json writes the counts (inputs tried, outcomes) for docs/security.md.
"""

from __future__ import annotations

import io
import json
import os
import random
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SOURCE_DOCS
from tms.formats import docx, glossary_files, html, po, read_document, tmx, xliff
from tms.formats.base import (
    ExportMeta,
    ExportUnit,
    FormatError,
    GlossaryEntry,
    MemoryPair,
    ParsedDocument,
    TargetBlock,
)
from tms.inline import tokenize

EXAMPLES = int(os.environ.get("TMS_FUZZ_EXAMPLES", "0") or 0)
LOOP_N = EXAMPLES or 60  # mutations per seed file
HYPOTHESIS_N = EXAMPLES or 25  # hypothesis examples per reader and strategy
COUNTS: Counter[tuple[str, str, str]] = Counter()  # (generator, format, outcome) -> n

READERS: dict[str, Callable[[bytes], Any]] = {
    "docx": lambda d: read_document("fuzz.docx", d),
    "markdown": lambda d: read_document("fuzz.md", d),
    "html": lambda d: read_document("fuzz.html", d),
    "text": lambda d: read_document("fuzz.txt", d),
    "po_document": lambda d: read_document("fuzz.po", d),
    "po_units": lambda d: po.read_units(d, filename="fuzz.po"),
    "xliff": lambda d: xliff.read_units(d, filename="fuzz.xlf"),
    "tmx": lambda d: tmx.read(d, filename="fuzz.tmx"),
    "tbx": lambda d: glossary_files.read(d, filename="fuzz.tbx"),
    "csv": lambda d: glossary_files.read(d, filename="fuzz.csv"),
}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    if hasattr(value, "__dataclass_fields__"):
        return [s for name in value.__dataclass_fields__ for s in _strings(getattr(value, name))]
    return []


def _check_result(result: Any) -> None:
    """What a reader returns must be storable: well-formed tagged text in every block, and
    no NUL character anywhere (PostgreSQL refuses it: the import would fail with a 500)."""
    if isinstance(result, ParsedDocument):
        for block in result.blocks:
            assert isinstance(block.text, str)
            tokenize(block.text)
    assert not any("\x00" in s for s in _strings(result)), "a NUL character got through"


def attempt(generator: str, fmt: str, data: bytes, how: str) -> str:
    """Feed one input to a reader; 'parsed' or 'FormatError', anything else fails the test."""
    try:
        result = READERS[fmt](data)
    except FormatError as exc:
        assert exc.message and exc.message.strip(), f"{fmt}: FormatError without a message"
        outcome = "FormatError"
    except Exception as exc:
        failures = Path(os.environ.get("TMS_FUZZ_FAILURES", "/tmp/tms-fuzz-failures"))
        failures.mkdir(parents=True, exist_ok=True)
        path = failures / f"{fmt}-{abs(hash(data)) % 10**8}.bin"
        path.write_bytes(data)
        raise AssertionError(f"{fmt} reader crashed ({how}) with {type(exc).__name__}: {exc}; "
                             f"input saved to {path}") from exc
    else:
        _check_result(result)
        outcome = "parsed"
    COUNTS[(generator, fmt, outcome)] += 1
    return outcome


# ------------------------------------------------------------------------------ seeds

@lru_cache(maxsize=1)
def seeds() -> dict[str, list[bytes]]:
    """Real files per reader: samples, and what our own writers produce from them."""
    md = (SOURCE_DOCS / "sample-declaration.md").read_bytes()
    docx_files = [p.read_bytes() for p in sorted(SOURCE_DOCS.glob("*.docx"))]
    parsed = docx.read(docx_files[0], filename="s.docx")
    blocks = [b for b in parsed.blocks if b.text][:40]
    units = [ExportUnit(key=f"k{i}-0", source=b.text, target=b.text, state=30 + 10 * (i % 2),
                        context=b.context, block_type=b.type, position=i, tags=b.tags,
                        notes=["a note"], outdated=i % 5 == 0)
             for i, b in enumerate(blocks)]
    meta = ExportMeta(document_slug="sample", document_title="Sample", source_language="en",
                      target_language="fr", translators=["ana"])
    pairs = [MemoryPair(source=u.source, target=u.target, source_language="en",
                        target_language="fr") for u in units]
    entries = [GlossaryEntry(source_term=f"term {i}", target_term=f"terme {i}",
                             source_language="en", target_language="fr", note="n",
                             forbidden=i == 3) for i in range(8)]
    written_docx = docx.write(docx_files[0], [TargetBlock(b, b.text) for b in parsed.blocks],
                              language="fr", title="Titre")
    html_page = html.write([TargetBlock(b, b.text) for b in blocks], language="fr",
                           title="Titre")
    text = "\n\n".join(b.text for b in read_document("s.md", md).blocks).encode()
    po_file = po.write(units, meta)
    return {
        "docx": [*docx_files, written_docx],
        "markdown": [md, b"# T\n\n- a *b* [c](http://x)\n  1. d\n\n| a | b |\n|---|---|\n"
                     b"| 1 | 2 |\n\n```\ncode\n```\n\n> quote[^1]\n\n[^1]: note\n"],
        "html": [html_page],
        "text": [text],
        "po_document": [po_file],
        "po_units": [po_file],
        "xliff": [xliff.write(units, meta)],
        "tmx": [tmx.write(pairs, source_language="en", target_language="fr")],
        "tbx": [glossary_files.write_tbx(entries)],
        "csv": [glossary_files.write_csv(entries)],
    }


# --------------------------------------------------------------------------- mutators

TOKENS = [b"<", b">", b"&", b"&amp;", b"&#0;", b"&#xD800;", b"]]>", b"<![CDATA[", b"\x00",
          b"\xff", b"\xfe\xff", b"\xed\xa0\x80", b'"', b"'", b"\n", b"\r", b"\\", b"\t",
          "\u2028".encode(), b"msgid ", b'msgstr ""', b'msgstr[0] ""', b"#, fuzzy", b"msgctxt ",
          b"<1>", b"</1>", b"<2/>", b"<99>", b"<!DOCTYPE x>", b"<!-- ", b"| --- |", b"```",
          b"* ", b"1. ", b"# ", b"[x](", b"[^", b"<g id=\"1\">", b"</g>", b"<x id=\"9\"/>",
          b"xml:lang=\"\"", b"<seg>", b"</tuv>", b"<target>", b"<term>", b",", b";",
          b"<table>", b"<li>", b"<sup>", b"<a href=\"", b"<w:t>", b"<w:p>", b"</w:r>"]


def mutate_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """One random byte-level edit."""
    buf = bytearray(data)
    op = rng.choice(["flip", "insert", "delete", "truncate", "duplicate", "token", "token",
                     "lines"])
    pos = rng.randrange(len(buf) + 1)
    if op == "flip" and buf:
        for _i in range(rng.randint(1, 8)):
            j = rng.randrange(len(buf))
            buf[j] ^= 1 << rng.randrange(8)
    elif op == "insert":
        buf[pos:pos] = bytes(rng.randrange(256) for _i in range(rng.randint(1, 16)))
    elif op == "delete":
        del buf[pos:pos + rng.randint(1, 64)]
    elif op == "truncate":
        del buf[pos:]
    elif op == "duplicate" and buf:
        start = rng.randrange(len(buf))
        buf[pos:pos] = buf[start:start + rng.randint(1, 200)]
    elif op == "token":
        for _i in range(rng.randint(1, 4)):
            buf[pos:pos] = rng.choice(TOKENS)
            pos = rng.randrange(len(buf) + 1)
    else:
        lines = bytes(buf).split(b"\n")
        rng.shuffle(lines)
        buf = bytearray(b"\n".join(lines[: rng.randint(0, len(lines))]))
    return bytes(buf), op


WORD_NAMES = ["w:p", "w:r", "w:t", "w:tbl", "w:tr", "w:tc", "w:hyperlink", "w:fldChar",
              "w:instrText", "w:footnoteReference", "w:ins", "w:del", "w:delText", "w:sdt",
              "w:sdtContent", "w:smartTag", "w:br", "w:tab", "w:pPr", "w:rPr", "w:numPr",
              "w:ilvl", "w:numId", "w:pStyle", "w:b", "w:i", "w:footnote", "w:fldSimple",
              "w:drawing", "w:sectPr", "w:gridSpan", "w:vMerge", "w:lang", "w:bidi"]
W_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def random_word_xml(rng: random.Random, root: str, depth: int = 0) -> str:
    """Random but well-formed WordprocessingML-looking XML."""
    def element(level: int) -> str:
        name = rng.choice(WORD_NAMES)
        attrs = "".join(f' w:{rng.choice(["val", "id", "fldCharType", "type", "ilvl"])}='
                        f'"{rng.choice(["0", "1", "-1", "begin", "end", "separate", "x", "99"])}"'
                        for _i in range(rng.randint(0, 2)))
        if rng.random() < 0.2:
            attrs += f' r:id="rId{rng.randint(0, 30)}"'
        if level > 4 or rng.random() < 0.3:
            body = rng.choice(["", "text", " spaced ", "&amp;", "<1>"[:0]])
        else:
            body = "".join(element(level + 1) for _i in range(rng.randint(0, 4)))
        return f"<{name}{attrs}>{body}</{name}>"

    inner = "".join(element(depth) for _i in range(rng.randint(0, 8)))
    if root == "w:document":
        inner = f"<w:body>{inner}</w:body>"
    return f'<?xml version="1.0" encoding="UTF-8"?><{root} {W_NS}>{inner}</{root}>'


ROOTS = {"word/document.xml": "w:document", "word/footnotes.xml": "w:footnotes",
         "word/endnotes.xml": "w:endnotes", "word/numbering.xml": "w:numbering",
         "word/styles.xml": "w:styles", "word/header1.xml": "w:hdr"}


def mutate_docx(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """One random edit of a DOCX package: inside a part, a part removed or replaced, or the
    ZIP bytes themselves."""
    op = rng.choice(["part_bytes", "part_bytes", "part_truncate", "part_remove", "random_xml",
                     "random_xml", "raw"])
    if op == "raw":
        mutated, how = mutate_bytes(rng, data)
        return mutated, f"raw {how}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zin:
            parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, zlib.error):
        mutated, how = mutate_bytes(rng, data)  # an earlier edit broke the ZIP already
        return mutated, f"raw {how}"
    xml_parts = sorted(n for n in parts if n.endswith((".xml", ".rels"))) or sorted(ROOTS)
    name = rng.choice(xml_parts)
    if op == "part_bytes":
        parts[name], how = mutate_bytes(rng, parts.get(name, b""))
        op = f"part_bytes {how}"
    elif op == "part_truncate":
        content = parts.get(name, b"")
        parts[name] = content[: rng.randrange(len(content) + 1)]
    elif op == "part_remove":
        parts.pop(name, None)
    else:
        name = rng.choice(sorted(ROOTS))
        parts[name] = random_word_xml(rng, ROOTS[name]).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for part, content in parts.items():
            zout.writestr(part, content)
    return out.getvalue(), f"{op} {name}"


def _flush_report() -> None:
    target = os.environ.get("TMS_FUZZ_REPORT")
    if not target:
        return
    table: dict[str, dict[str, int]] = {}
    for (generator, fmt, outcome), n in sorted(COUNTS.items()):
        table.setdefault(f"{generator}:{fmt}", {}).update({outcome: n})
    Path(target).write_text(json.dumps(table, indent=1, sort_keys=True))


# ------------------------------------------------------------------------------ tests

@pytest.fixture(scope="module", autouse=True)
def _report() -> Any:
    """Write the counts once every fuzz test of the module has run."""
    yield
    _flush_report()


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_seeds_parse(fmt: str) -> None:
    for data in seeds()[fmt]:
        assert attempt("seed", fmt, data, "unchanged seed") == "parsed"


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_mutated_seeds_raise_only_format_errors(fmt: str) -> None:
    outcomes: Counter[str] = Counter()
    for s, seed in enumerate(seeds()[fmt]):
        rng = random.Random(f"{fmt}-{s}")
        for i in range(LOOP_N):
            data, how = (mutate_docx if fmt == "docx" else mutate_bytes)(rng, seed)
            if rng.random() < 0.3:  # stack a second edit now and then
                data, how2 = (mutate_docx if fmt == "docx" else mutate_bytes)(rng, data)
                how = f"{how} + {how2}"
            outcomes[attempt("mutation", fmt, data, f"seed {s} mutation {i}: {how}")] += 1
    assert sum(outcomes.values()) == LOOP_N * len(seeds()[fmt])


FUZZ_SETTINGS = settings(max_examples=HYPOTHESIS_N, deadline=None, derandomize=True,
                         database=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("fmt", sorted(READERS))
@FUZZ_SETTINGS
@given(data=st.binary(max_size=4096))
def test_random_bytes(fmt: str, data: bytes) -> None:
    attempt("hypothesis-bytes", fmt, data, "random bytes")


@pytest.mark.parametrize("fmt", sorted(READERS))
@FUZZ_SETTINGS
@given(text=st.lists(st.one_of(st.text(max_size=12),
                              st.sampled_from([t.decode("utf-8", "replace") for t in TOKENS])),
                     max_size=40).map("".join))
def test_random_text(fmt: str, text: str) -> None:
    attempt("hypothesis-text", fmt, text.encode("utf-8", "surrogatepass"), "random text")


@pytest.mark.parametrize("fmt", sorted(READERS))
@FUZZ_SETTINGS
@given(edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(TOKENS), st.integers(0, 64)),
                      min_size=1, max_size=6))
def test_seed_with_hypothesis_edits(fmt: str, edits: list[tuple[float, bytes, int]]) -> None:
    seed = seeds()[fmt][0]
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(seed)) as zin:
            parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
        body = parts["word/document.xml"]
        for where, token, cut in edits:
            pos = int(where * len(body))
            body = body[:pos] + token + body[pos + cut:]
        parts["word/document.xml"] = body
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for part, content in parts.items():
                zout.writestr(part, content)
        data = out.getvalue()
    else:
        data = seed
        for where, token, cut in edits:
            pos = int(where * len(data))
            data = data[:pos] + token + data[pos + cut:]
    attempt("hypothesis-edits", fmt, data, f"edits {edits!r}")


# Reproducers of crashes the fuzzing found (each was a bug fixed in the reader).

def _po_with_late_nul() -> bytes:
    seed = seeds()["po_units"][0]
    cut = seed.index(b'msgstr "', 9000) + 8
    return seed[:cut] + b"\x00" + seed[cut:]


@pytest.mark.parametrize(("fmt", "make"), [
    # po.py looked for NUL in the first 8 KB only: a NUL further on reached the database,
    # where PostgreSQL refuses it (a 500 on offline upload)
    ("po_units", _po_with_late_nul),
    ("po_document", _po_with_late_nul),
    # glossary CSV: the same with the first 4 KB, and UTF-16 text was not checked at all
    ("csv", lambda: b"source,target\n" + b"a,b\n" * 2000 + b"c\x00,d\n"),
    ("csv", lambda: "source,target\nc\x00,d\n".encode("utf-16")),
])
def test_found_by_fuzzing_nul_after_the_first_kilobytes(fmt: str, make: Callable[[], bytes]
                                                        ) -> None:
    assert attempt("reproducer", fmt, make(), "late NUL") == "FormatError"


def _docx_with_bad_deflate() -> bytes:
    data = bytearray(seeds()["docx"][0])
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("word/document.xml")
    name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    data[start:start + 8] = b"\xff" * 8  # an invalid deflate block type
    return bytes(data)


def test_found_by_fuzzing_damaged_deflate_stream_in_a_docx() -> None:
    # zipfile lets zlib.error through (it is not an OSError): xmlsafe.read_member let it
    # reach the import as an unexplained crash
    data = _docx_with_bad_deflate()
    with zipfile.ZipFile(io.BytesIO(data)) as zf, pytest.raises(zlib.error):
        zf.read("word/document.xml")
    assert attempt("reproducer", "docx", data, "bad deflate") == "FormatError"
