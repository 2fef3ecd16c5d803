"""axe-core's violations per page and interface language, by impact, as a Markdown table
(the one in docs/accessibility.md).

    python benchmarks/axe_report.py [--json PATH]

Runs the browser audit (tests/browser/test_accessibility.py: every page in en, ru and
en-XR, and the editor at work) with TMS_AXE_REPORT set, so the counts are those of the
test itself; needs Chromium, Playwright and axe-core (scripts/fetch_clients.sh). A cell
reads critical / serious / moderate / minor (violating elements); the test fails on any
critical or serious one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPACTS = ("critical", "serious", "moderate", "minor")


def run_audit(report: Path) -> int:
    """Run the audit tests, appending their counts to `report`; pytest's exit code."""
    env = {**os.environ, "TMS_AXE_REPORT": str(report), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/browser/test_accessibility.py", "-k", "axe_finds or at_work"],
        cwd=ROOT, env=env, check=False).returncode


def table(rows: list[dict[str, object]]) -> str:
    """Pages down, languages across; each cell critical / serious / moderate / minor."""
    locales = list(dict.fromkeys(str(r["locale"]) for r in rows))
    pages = list(dict.fromkeys(str(r["page"]) for r in rows))
    cells = {(r["page"], r["locale"]): " / ".join(str(r[i]) for i in IMPACTS) for r in rows}
    lines = ["| page | " + " | ".join(locales) + " |", "|---|" + "---:|" * len(locales)]
    for page in pages:
        lines.append(f"| {page} | " + " | ".join(cells.get((page, loc), "–")
                                                 for loc in locales) + " |")
    rules = sorted({rule for r in rows for rule in r["rules"]})  # type: ignore[attr-defined]
    lines.append("")
    lines.append("Rules violated: " + (", ".join(rules) if rules else "none") + ".")
    return "\n".join(lines)


def main() -> None:
    """Audit, then print the table (and keep the raw lines with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also keep the raw JSON lines here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = args.json or Path(tmp) / "axe.jsonl"
        report.unlink(missing_ok=True)
        code = run_audit(report)
        rows = [json.loads(line) for line in report.read_text().splitlines()] \
            if report.exists() else []
    if not rows:
        sys.exit("The audit ran no page (is Chromium or axe-core missing?).")
    print(table(rows))
    sys.exit(code)


if __name__ == "__main__":
    main()
