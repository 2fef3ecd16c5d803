"""Real English sentences for the memory benchmarks, collected from this machine at run time.

Nothing is committed: the sentences come from freely licensed text installed with the
system and the venv, and are cached (one sentence a line) under the temporary folder, or
`--cache DIR`:

* /usr/share/common-licenses (licence texts);
* /usr/share/doc: copyright files, changelogs, READMEs, NEWS, text and HTML documentation
  (gzip-compressed ones read through gzip, HTML tags dropped), and /usr/share/info;
* English man pages under /usr/share/man/man[1-8] (roff requests and escapes stripped);
* docstrings of the Python standard library and the venv's site-packages (the
  triple-quoted strings of their .py files, which are nearly all docstrings).

Text is folded into paragraphs, cut into sentences at ". ", "? ", "! " before a capital
letter, and kept when it reads as prose: 20-300 characters, at least 4 words, at least 75%
letters or spaces, no code-like characters (`{}<>=_\\|`@#$`), starting with a capital
letter. Sentences are distinct (case-folded).

A machine gives a few hundred thousand distinct sentences. `memory(n)` reaches n by
**deterministic edited copies** of them (a seeded substitution of one or two words by
other words of the corpus, or two neighbouring words swapped, or a word dropped); every
copy is distinct from the rest. The benchmarks say how many units are originals.

    python benchmarks/realtext.py            # collect (or read the cache) and print counts
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

VERSION = 2  # of the collecting rules: a change makes a new cache file
_ROOT = Path(__file__).resolve().parent.parent
_PROSE_BAD = re.compile(r"[{}<>=_\\|`@#$~^*\[\]]")
_SPLIT = re.compile(r"(?<=[.?!])[\"')]?\s+(?=[A-Z])")
_WS = re.compile(r"\s+")
_ROFF_ESC = re.compile(r"\\(?:f[BIRPV1-4]|f\(..|f\[[^]]*\]|\(..|\[[^]]*\]|\*.|[-&e|^ 0:%c])")
_TRIPLE = re.compile(r'"""(.*?)"""|\'\'\'(.*?)\'\'\'', re.S)
_WORD = re.compile(r"[A-Za-z]+")


def _read(path: Path) -> str:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                data = fh.read(2_000_000)
        else:
            with path.open("rb") as fh:
                data = fh.read(2_000_000)
    except (OSError, EOFError, gzip.BadGzipFile):
        return ""
    return data.decode("utf-8", "replace")


def _paragraphs(text: str) -> Iterator[str]:
    """Blank-line separated paragraphs, each folded to one line."""
    for para in re.split(r"\n\s*\n", text):
        folded = _WS.sub(" ", para).strip()
        if folded:
            yield folded


def _from_roff(text: str) -> str:
    """The prose of a man page: requests dropped, escapes removed."""
    lines = []
    for line in text.splitlines():
        if line.startswith((".", "'")):
            # a paragraph request ends a paragraph; other requests (.B word) keep their words
            request, _, rest = line[1:].partition(" ")
            if request in {"PP", "LP", "P", "SH", "SS", "TP", "IP", "HP", "sp", "br"}:
                lines.append("")
            elif request in {"B", "I", "BR", "RB", "IR", "RI", "BI", "IB"}:
                lines.append(rest.replace('"', ""))
            continue
        lines.append(line)
    return _ROFF_ESC.sub("", "\n".join(lines)).replace("\\", "")


_TAG = re.compile(r"<[^>]*>")


def _from_html(text: str) -> str:
    """The text of an HTML page: block ends as paragraph breaks, tags and entities gone."""
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", text)
    text = re.sub(r"(?i)</?(p|div|h[1-6]|li|pre|br|tr|table|dd|dt)\b[^>]*>", "\n\n", text)
    text = _TAG.sub("", text)
    return html.unescape(text)


def _from_python(text: str) -> str:
    return "\n\n".join(m.group(1) or m.group(2) or "" for m in _TRIPLE.finditer(text))


def sources() -> Iterator[tuple[str, Path]]:
    """(kind, path) of every file the collector reads, in a fixed order."""
    for path in sorted(Path("/usr/share/common-licenses").glob("*")):
        if path.is_file():
            yield "text", path
    doc = Path("/usr/share/doc")
    if doc.is_dir():
        for path in sorted(doc.rglob("*")):
            if not path.is_file():
                continue
            if path.suffix in {".html", ".htm"}:
                yield "html", path
            elif path.suffix in {"", ".gz", ".txt", ".md", ".rst", ".Debian"}:
                yield "text", path
    for path in sorted(Path("/usr/share/info").glob("*.gz")):
        yield "text", path
    for section in range(1, 9):
        folder = Path(f"/usr/share/man/man{section}")
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                yield "roff", path
    site = sorted((_ROOT / ".venv" / "lib").glob("python3*/site-packages"))
    for folder in [*sorted(Path("/usr/lib").glob("python3.*")), *site]:
        for path in sorted(folder.rglob("*.py")):
            yield "python", path


def sentences_of(text: str) -> Iterator[str]:
    """The prose sentences of a text."""
    for para in _paragraphs(text):
        for sentence in _SPLIT.split(para):
            s = sentence.strip()
            if not (20 <= len(s) <= 300) or not s[0].isupper() or _PROSE_BAD.search(s):
                continue
            if len(s.split()) < 4:
                continue
            letters = sum(c.isalpha() or c == " " for c in s)
            if letters < 0.75 * len(s):
                continue
            yield s


def cache_path(cache: Path | None = None) -> Path:
    """Where the collected sentences are kept."""
    folder = cache or Path(tempfile.gettempdir()) / "tms-realtext"
    return folder / f"sentences-v{VERSION}.txt"


def collect(cache: Path | None = None, *, verbose: bool = False) -> list[str]:
    """Every distinct prose sentence on this machine (read from the cache if there)."""
    path = cache_path(cache)
    if path.exists():
        return path.read_text(encoding="utf-8").splitlines()
    t0 = time.perf_counter()
    seen: set[str] = set()
    found: list[str] = []
    files = 0
    for kind, source in sources():
        raw = _read(source)
        if not raw:
            continue
        files += 1
        convert = {"roff": _from_roff, "python": _from_python, "html": _from_html}
        text = convert[kind](raw) if kind in convert else raw
        for s in sentences_of(text):
            key = s.casefold()
            if key not in seen:
                seen.add(key)
                found.append(s)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(found) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    if verbose:
        print(f"collected {len(found)} sentences from {files} files in "
              f"{time.perf_counter() - t0:.0f} s -> {path}", file=sys.stderr)
    return found


def _variant(rng: random.Random, sentence: str, words: list[str]) -> str:
    """A deterministic edited copy: one or two words replaced, two neighbours swapped, or a
    word dropped."""
    parts = sentence.split(" ")
    op = rng.random()
    if op < 0.5:
        for _ in range(rng.randint(1, 2)):
            parts[rng.randrange(len(parts))] = rng.choice(words)
    elif op < 0.8 and len(parts) > 2:
        i = rng.randrange(len(parts) - 1)
        parts[i], parts[i + 1] = parts[i + 1], parts[i]
    elif len(parts) > 4:
        del parts[rng.randrange(len(parts))]
    else:
        parts[rng.randrange(len(parts))] = rng.choice(words)
    out = " ".join(parts)
    return out[0].upper() + out[1:]


def memory(n: int, *, seed: int = 7, cache: Path | None = None) -> tuple[list[str], int]:
    """n distinct sentences: the real ones first (shuffled, seeded), then edited copies;
    returns them and how many are originals."""
    real = collect(cache)
    rng = random.Random(seed)
    order = real[:]
    rng.shuffle(order)
    if n <= len(order):
        return order[:n], n
    words = sorted({w for s in real[:50_000] for w in _WORD.findall(s) if len(w) > 2})
    out = order[:]
    seen = {s.casefold() for s in out}
    i = 0
    while len(out) < n:
        base = order[i % len(order)]
        # the rng of a copy depends only on its base and round: the same n gives the same copies
        vr = random.Random(hashlib.blake2b(f"{seed}:{i}".encode(), digest_size=8).digest())
        copy = _variant(vr, base, words)
        i += 1
        if copy.casefold() not in seen:
            seen.add(copy.casefold())
            out.append(copy)
    return out, len(order)


_TYPO = "etaoinshrdlu"


def mutate(rng: random.Random, sentence: str, words: list[str]) -> str:
    """A query made from a memory sentence: 1-3 edits among word drops, word substitutions
    and typos (a letter replaced, dropped or doubled)."""
    parts = sentence.split(" ")
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        i = rng.randrange(len(parts))
        if op < 0.3 and len(parts) > 3:
            del parts[i]
        elif op < 0.6:
            parts[i] = rng.choice(words)
        else:
            w = parts[i]
            j = rng.randrange(len(w))
            kind = rng.random()
            if kind < 0.4:
                w = w[:j] + rng.choice(_TYPO) + w[j + 1 :]
            elif kind < 0.7 and len(w) > 1:
                w = w[:j] + w[j + 1 :]
            else:
                w = w[:j] + w[j] + w[j:]
            parts[i] = w
    return " ".join(p for p in parts if p)


def vocabulary(sentences: list[str]) -> list[str]:
    """Distinct words of the first sentences (for substitutions)."""
    return sorted({w for s in sentences[:50_000] for w in _WORD.findall(s) if len(w) > 2})


def main() -> None:
    """Collect (or read the cache) and print what was found."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--sample", type=int, default=5)
    args = ap.parse_args()
    found = collect(args.cache, verbose=True)
    lengths = sorted(len(s) for s in found)
    print(f"{len(found)} distinct sentences; length median {lengths[len(lengths) // 2]}, "
          f"short (< 40 chars) {sum(n < 40 for n in lengths)}; cache {cache_path(args.cache)}")
    rng = random.Random(1)
    for s in rng.sample(found, min(args.sample, len(found))):
        print("  " + s)


if __name__ == "__main__":
    main()
