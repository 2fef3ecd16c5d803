"""Alignment accuracy on the project's sample documents, against a known gold alignment.

For each sample document (source_docs/sample-declaration.md, sample-manifesto.docx) the
source is read and segmented as tms does; a deterministic pseudo-translation then makes a
"target" document: every word becomes a made-up word whose length is the source word's
times a language-like ratio (1.15, like French from English) with noise, numbers, URLs,
acronyms and names are kept (as real translations keep them), and sentences get a word
more or less now and then. Edits are applied to the target and tracked, so the gold
alignment is known:

    clean      no edit
    merged     two neighbouring sentences of a paragraph become one     (gold 2-1)
    split      a long sentence becomes two                              (gold 1-2)
    dropped    sentences left out (whole paragraphs when emptied)       (gold 1-0)
    inserted   sentences the source does not have                       (gold 0-1)
    reordered  neighbouring paragraphs swapped
    mixed      all of the above at half the rate

Target sentences are handed to the aligner as sentences (segmentation errors are not part
of this benchmark). A proposed pair is correct when it equals a gold pair exactly; links
are pairs with both sides non-empty. precision = correct links / proposed links, recall =
correct links / gold links; "n-m" counts gold links that are not 1-1 (merges and splits).

    python benchmarks/align_accuracy.py [--json PATH] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tms.align import AlignBlock, AlignedPair, align_document, block_class
from tms.formats import read_document
from tms.inline import strip_tags, tokenize
from tms.segmentation import segment

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("sample-declaration.md", "sample-manifesto.docx")
EDITS = ("clean", "merged", "split", "dropped", "inserted", "reordered", "mixed")
RATIO = 1.15
SYLLABLES = ("ka", "ri", "mo", "te", "sa", "lu", "ne", "vi", "do", "ra", "pe", "li", "co",
             "ma", "ti", "ro", "se", "na", "gu", "fe", "bo", "da", "mi", "ze", "ho", "ja")
_TOKEN = re.compile(r"(https?://\S+|www\.\S+|\d[\d.,]*|[^\W\d_]+|\s+|.)", re.UNICODE)


# ---------------------------------------------------------------- pseudo-translation


def _rng(*parts: object) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


def _made_up(word: str, rng: random.Random, ratio: float) -> str:
    n = max(1, round(len(word) * ratio * rng.uniform(0.8, 1.25)))
    out = ""
    while len(out) < n:
        out += rng.choice(SYLLABLES)
    out = out[:n]
    return out.capitalize() if word[0].isupper() else out


def pseudo_text(text: str, seed: object = 0, ratio: float = RATIO) -> str:
    """A deterministic made-up translation of plain text (names, numbers, URLs kept)."""
    rng = _rng(text, seed)
    out: list[str] = []
    first = True
    for tok in _TOKEN.findall(text):
        if tok[0].isalpha() and not tok.startswith("www."):
            keep = (len(tok) > 1 and tok.isupper()) or (tok[0].isupper() and not first)
            out.append(tok if keep else _made_up(tok, rng, ratio))
            first = False
        else:
            out.append(tok)
            if tok.strip() in (".", "!", "?"):
                first = True
    words = "".join(out)
    # sentence-length noise: now and then a word more or less
    roll = rng.random()
    if roll < 0.3:
        body = words.rstrip(".!?")
        words = body + " " + _made_up("extra", rng, ratio) + words[len(body):]
    elif roll < 0.5:
        parts = words.split(" ")
        if len(parts) > 4:
            del parts[rng.randrange(1, len(parts) - 1)]
            words = " ".join(parts)
    return words


def pseudo_sentence(tagged: str, seed: object = 0, ratio: float = RATIO) -> str:
    """pseudo_text applied to the text between the tags of a tagged sentence."""
    out = []
    for k, tok in enumerate(tokenize(tagged)):
        out.append(pseudo_text(tok.value, (seed, k), ratio) if tok.kind == "text" else tok.raw)
    return "".join(out)


# ---------------------------------------------------------------- documents and edits


def source_blocks(path: Path) -> list[AlignBlock]:
    """A sample document read and segmented as tms imports it."""
    parsed = read_document(path.name, path.read_bytes(), "en")
    blocks = []
    for pb in parsed.blocks:
        if not pb.translatable or pb.type == "code" or not strip_tags(pb.text).strip():
            continue
        sentences = [s for s, _sep in segment(pb.text, "en") if strip_tags(s).strip()]
        if sentences:
            blocks.append(AlignBlock.from_parsed(pb, sentences))
    return blocks


@dataclass
class _TBlock:
    """A target block under construction: sentences with the source indices they render
    and a group id shared by the halves of a split sentence."""

    block: AlignBlock
    sentences: list[tuple[str, tuple[int, ...], int | None]] = field(default_factory=list)


@dataclass
class Case:
    """A target document and its gold alignment (pairs of source/target index tuples)."""

    target: list[AlignBlock]
    gold: set[tuple[tuple[int, ...], tuple[int, ...]]]


def make_case(source: Sequence[AlignBlock], edit: str, seed: int = 1) -> Case:
    """Pseudo-translate the source and apply one kind of edit, tracking the gold pairs."""
    rng = _rng("edit", edit, seed)
    rate = 0.5 if edit == "mixed" else 1.0
    tblocks: list[_TBlock] = []
    n = 0
    for b_index, b in enumerate(source):
        tb = _TBlock(AlignBlock(b.type, [], b.level, b.numbering, dict(b.attrs), dict(b.tags)))
        for k, s in enumerate(b.sentences):
            tb.sentences.append((pseudo_sentence(s, (seed, b_index, k)), (n,), None))
            n += 1
        tblocks.append(tb)
    dropped: list[int] = []
    group = 0
    if edit in ("merged", "mixed"):
        for tb in tblocks:
            if len(tb.sentences) >= 2 and rng.random() < 0.35 * rate:
                k = rng.randrange(len(tb.sentences) - 1)
                (t1, s1, _), (t2, s2, _) = tb.sentences[k], tb.sentences[k + 1]
                joined = t1.rstrip(".!?") + "; " + t2[:1].lower() + t2[1:]
                tb.sentences[k : k + 2] = [(joined, s1 + s2, None)]
    if edit in ("split", "mixed"):
        for tb in tblocks:
            out = []
            for text, srcs, g in tb.sentences:
                words = text.split(" ")
                if len(srcs) == 1 and len(words) >= 10 and rng.random() < 0.2 * rate:
                    mid = len(words) // 2
                    head = " ".join(words[:mid]).rstrip(",;:") + "."
                    tail = " ".join(words[mid:])
                    group += 1
                    out += [(head, srcs, group), (tail[:1].upper() + tail[1:], srcs, group)]
                else:
                    out.append((text, srcs, g))
            tb.sentences = out
    if edit in ("dropped", "mixed"):
        for tb in tblocks:
            keep = []
            for text, srcs, g in tb.sentences:
                if len(srcs) == 1 and g is None and rng.random() < 0.1 * rate:
                    dropped.extend(srcs)
                else:
                    keep.append((text, srcs, g))
            tb.sentences = keep
    if edit in ("inserted", "mixed"):
        for b_index, tb in enumerate(tblocks):
            # translators add notes to paragraphs and list items, not to headings or cells
            if tb.sentences and block_class(tb.block.type) in ("text", "list") \
                    and rng.random() < 0.12 * rate:
                note = pseudo_text("This sentence was added by the translators for their "
                                   "readers.", (seed, "ins", b_index))
                tb.sentences.insert(rng.randrange(len(tb.sentences) + 1), (note, (), None))
    tblocks = [tb for tb in tblocks if tb.sentences]
    if edit in ("reordered", "mixed"):
        k = 0
        swaps = 0
        while k < len(tblocks) - 1 and swaps < 4 * rate + 1:
            a, b = tblocks[k], tblocks[k + 1]
            if (block_class(a.block.type) == block_class(b.block.type) == "text"
                    and rng.random() < 0.3):
                tblocks[k], tblocks[k + 1] = b, a
                swaps += 1
                k += 2
            else:
                k += 1
    # gold
    gold: set[tuple[tuple[int, ...], tuple[int, ...]]] = {((i,), ()) for i in dropped}
    t = 0
    split_targets: dict[int, list[int]] = {}
    split_source: dict[int, tuple[int, ...]] = {}
    target: list[AlignBlock] = []
    for tb in tblocks:
        tb.block.sentences = [text for text, _s, _g in tb.sentences]
        target.append(tb.block)
        for _text, srcs, g in tb.sentences:
            if g is not None:
                split_targets.setdefault(g, []).append(t)
                split_source[g] = srcs
            else:
                gold.add((srcs, (t,)))
            t += 1
    for g, ts in split_targets.items():
        gold.add((split_source[g], tuple(ts)))
    return Case(target, gold)


# ---------------------------------------------------------------- scoring


@dataclass
class Row:
    """One line of the table."""

    document: str
    edit: str
    gold_links: int
    proposed: int
    correct: int
    gold_nm: int
    found_nm: int
    seconds: float

    @property
    def precision(self) -> float:
        """Correct links / proposed links."""
        return self.correct / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        """Correct links / gold links."""
        return self.correct / self.gold_links if self.gold_links else 1.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {**self.__dict__, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4)}


def score(document: str, edit: str, pairs: Sequence[AlignedPair],
          gold: set[tuple[tuple[int, ...], tuple[int, ...]]], seconds: float = 0.0) -> Row:
    """Compare proposed pairs with the gold pairs."""
    links = {(p.source_indices, p.target_indices) for p in pairs
             if p.source_indices and p.target_indices}
    gold_links = {g for g in gold if g[0] and g[1]}
    nm = {g for g in gold_links if len(g[0]) != 1 or len(g[1]) != 1}
    return Row(document, edit, len(gold_links), len(links), len(links & gold_links),
               len(nm), len(links & nm), seconds)


def run(seed: int = 1, docs: Sequence[str] = DOCS, edits: Sequence[str] = EDITS) -> list[Row]:
    """Every document x every edit."""
    rows = []
    for name in docs:
        source = source_blocks(ROOT / "source_docs" / name)
        for edit in edits:
            case = make_case(source, edit, seed)
            start = time.process_time()
            result = align_document(source, case.target)
            rows.append(score(name, edit, result.pairs, case.gold,
                              time.process_time() - start))
    return rows


def table(rows: Sequence[Row]) -> str:
    """The rows as a fixed-width table."""
    head = (f"{'document':24} {'edit':10} {'gold':>5} {'prop':>5} {'ok':>5} "
            f"{'prec':>6} {'recall':>6} {'n-m':>4} {'n-m ok':>6} {'cpu ms':>6}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r.document:24} {r.edit:10} {r.gold_links:5} {r.proposed:5} "
                     f"{r.correct:5} {r.precision:6.3f} {r.recall:6.3f} {r.gold_nm:4} "
                     f"{r.found_nm:6} {r.seconds * 1000:6.0f}")
    total = Row("all", "", *(sum(getattr(r, f) for r in rows) for f in
                             ("gold_links", "proposed", "correct", "gold_nm", "found_nm",
                              "seconds")))
    lines.append("-" * len(head))
    lines.append(f"{'all':24} {'':10} {total.gold_links:5} {total.proposed:5} "
                 f"{total.correct:5} {total.precision:6.3f} {total.recall:6.3f} "
                 f"{total.gold_nm:4} {total.found_nm:6} {total.seconds * 1000:6.0f}")
    return "\n".join(lines)


def to_markdown(blocks: Sequence[AlignBlock]) -> str:
    """A Markdown file of target blocks (headings, list items, paragraphs, footnotes)."""
    out = []
    notes = []
    for b in blocks:
        text = " ".join(strip_tags(s) for s in b.sentences)
        cls = block_class(b.type)
        if cls == "heading":
            out.append("#" * min(6, max(1, b.level or 1)) + " " + text)
        elif cls == "list":
            out.append("   " * (b.level or 0) + (b.numbering if b.numbering and
                                                   b.numbering[0].isdigit() else "-") + " " + text)
        elif cls == "note":
            notes.append(f"[^{b.numbering or len(notes) + 1}]: {text}")
        else:
            out.append(text)
    body = ""
    for k, line in enumerate(out):
        is_item = line.lstrip().startswith(("-", *"0123456789"))
        prev_item = k > 0 and out[k - 1].lstrip().startswith(("-", *"0123456789"))
        body += ("\n" if is_item and prev_item else "\n\n" if k else "") + line
    return body + "\n\n" + "\n\n".join(notes) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table; --json PATH writes the rows too."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rows = run(args.seed)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps({"seed": args.seed, "ratio": RATIO,
                                         "rows": [r.as_dict() for r in rows]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
