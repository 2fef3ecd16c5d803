"""Quality checks of one target against its source: our tag check, then translate-toolkit's.

Tags are checked by tms.inline.compare_tags (reordering allowed; dropping, inventing,
duplicating or mis-nesting is an error). translate-toolkit's checks run on the
tag-stripped text, as warnings: its own xmltags check rejects reordering, and a tag's digit
would trip its numbers check, so both are kept away from tags.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from translate.filters import checks
from translate.storage.base import TranslationUnit

from tms.i18n import N_, _
from tms.inline import compare_tags, strip_tags
from tms.models import Language, Segment


@dataclass(frozen=True, slots=True)
class QAIssue:
    """One problem of a target: code (machine name), severity error|warning, message."""

    code: str
    severity: str
    message: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


# The translate-toolkit checks worth a volunteer's attention, with our own translatable
# message (the toolkit's English messages are not in our catalogue). Left out on purpose:
# accelerators (documents have none), xmltags (misfires on reordered tags), spellcheck
# (needs dictionaries), and KDE/file-path/option checks meant for software strings.
CHECK_MESSAGES: dict[str, str] = {
    "numbers": N_("The numbers differ from the source."),
    "printf": N_("A placeholder such as %(name)s or %s differs from the source."),
    "pythonbraceformat": N_("A placeholder such as {count} differs from the source."),
    "urls": N_("A web address differs from the source."),
    "emails": N_("An e-mail address differs from the source."),
    "brackets": N_("The brackets differ from the source."),
    "endpunc": N_("The punctuation at the end differs from the source."),
    "doublespacing": N_("There is a double space."),
    "doublewords": N_("A word is repeated."),
    "startcaps": N_("The capitalisation at the start differs from the source."),
    "unchanged": N_("The translation is the same as the source."),
    "long": N_("The translation is much longer than the source."),
    "short": N_("The translation is much shorter than the source."),
    "newlines": N_("The line breaks differ from the source."),
    "startwhitespace": N_("The white space at the start differs from the source."),
    "endwhitespace": N_("The white space at the end differs from the source."),
}

TAG_MESSAGES: dict[str, str] = {
    "missing": N_("Tag %(tag)s is missing."),
    "extra": N_("Tag %(tag)s is not in the source."),
    "duplicate": N_("Tag %(tag)s appears too often."),
}


@lru_cache(maxsize=64)
def _checker(target_language: str) -> checks.StandardChecker:
    """One configured checker per target language (building one costs more than a check)."""
    config = checks.CheckerConfig(targetlanguage=target_language.split("-")[0])
    return checks.StandardChecker(config, limitfilters=list(CHECK_MESSAGES))


def tag_issues(source: str, target: str) -> list[QAIssue]:
    """Tag problems only (severity "error")."""
    issues: list[QAIssue] = []
    problems = compare_tags(source, target)
    seen = {(p.code, p.tag) for p in problems}
    for problem in problems:
        tag = problem.tag
        if tag.startswith("</") and (problem.code, f"<{tag[2:]}") in seen:
            continue  # reported once, with its opening tag
        paired_open = tag.startswith("<") and not tag.startswith("</") and not tag.endswith("/>")
        if paired_open and (problem.code, f"</{tag[1:]}") in seen:
            tag = f"{tag}…</{tag[1:]}"
        if problem.code == "nesting":
            message = _("The tags are not nested correctly: %(detail)s.", detail=problem.message)
        else:
            message = _(TAG_MESSAGES[problem.code], tag=tag)
        issues.append(QAIssue(f"tag-{problem.code}", "error", message))
    return issues


def check(
    source: str, target: str, *, source_language: str, target_language: str
) -> list[QAIssue]:
    """All problems of target against source: tag errors first, then warnings."""
    if not target.strip():
        return []
    issues = tag_issues(source, target)
    unit = TranslationUnit(strip_tags(source))
    unit.target = strip_tags(target)
    failed = set(_checker(target_language).run_filters(unit))
    if "printf" in failed or "pythonbraceformat" in failed:
        failed.discard("brackets")  # the placeholder's own brackets: said once is enough
    for name in CHECK_MESSAGES:
        if name in failed:
            issues.append(QAIssue(name, "warning", _(CHECK_MESSAGES[name])))
    return issues


def check_segment(segment: Segment, language: Language, target: str) -> list[QAIssue]:
    """check() of a target of this segment in this language."""
    return check(segment.source, target, source_language=segment.document.source_language,
                 target_language=language.code)
