"""Quality figures: how often a checker's verdict matches the labels of a corpus.

For one corpus and one checker:

- accuracy: share of cases where `report.blocked` equals the label;
- recall: share of cases labelled blocked that the checker blocks;
- FPR (false-positive rate): share of cases labelled not blocked that the checker blocks;
- per kind (phone, email, url, attachment): recall is the share of cases labelled with the
  kind where the report has a *blocking* finding of that kind; FPR is the share of cases not
  labelled blocked at all where a finding of that kind blocks;
- per group (team corpus: category; external corpus: source project): accuracy;
- for the team corpus, also how many labelled offending strings a blocking finding overlaps
  and how well `policy` warnings match the labelled warnings (informational, no target).

Misclassified cases are kept (missed, falsely blocked, blocked without a labelled kind,
crashed) so they can be listed by id.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bench.inputs import BLOCKING_KINDS, Case
from bench.tables import percent, render_table


class FindingLike(Protocol):
    """What the benchmark reads from a finding (the detector's and the baseline's)."""

    @property
    def kind(self) -> Any: ...
    @property
    def severity(self) -> Any: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def rule(self) -> str: ...


class ReportLike(Protocol):
    """What the benchmark reads from a report (the detector's and the baseline's)."""

    @property
    def blocked(self) -> bool: ...
    @property
    def findings(self) -> Sequence[FindingLike]: ...


Checker = Callable[..., ReportLike]
"""`checker(text, html=..., attachments=...)`, as in the DESIGN.md detector contract."""


def blocking_kinds(report: ReportLike) -> frozenset[str]:
    """Kinds (as plain strings) of the findings whose severity is `block`."""
    return frozenset(str(f.kind) for f in report.findings if str(f.severity) == "block")


def warns_policy(report: ReportLike) -> bool:
    """Whether the report has a `policy` finding of severity `warn`."""
    return any(str(f.kind) == "policy" and str(f.severity) == "warn" for f in report.findings)


@dataclass(slots=True)
class Outcome:
    """A checker's verdict on one case."""

    case: Case
    blocked: bool
    kinds: frozenset[str]
    warned: bool  # has a policy warning
    findings: list[tuple[str, str, str, int, int, str]]  # kind, severity, rule, start, end, text
    crash: str | None = None

    @property
    def correct(self) -> bool:
        return self.crash is None and self.blocked == self.case.blocked

    @property
    def missing_warnings(self) -> list[str]:
        """Labelled warning rule ids the report has no `warn` finding for."""
        rules = {f[2] for f in self.findings if f[1] == "warn"}
        return [rule for rule in self.case.warnings if rule not in rules]

    @property
    def missing_kinds(self) -> frozenset[str]:
        """Labelled blocking kinds the report has no blocking finding for."""
        return (self.case.kinds & frozenset(BLOCKING_KINDS)) - self.kinds


def run_cases(checker: Checker, cases: Iterable[Case]) -> list[Outcome]:
    """Check every case; an exception is recorded as a crash (and counts as wrong)."""
    outcomes: list[Outcome] = []
    for case in cases:
        try:
            report = checker(case.text, html=case.html, attachments=case.attachments)
            findings = [
                (str(f.kind), str(f.severity), str(f.rule), f.start, f.end, str(f.text))
                for f in report.findings
            ]
            outcomes.append(
                Outcome(
                    case, report.blocked, blocking_kinds(report), warns_policy(report), findings
                )
            )
        except Exception as err:  # a crash is a result to report, not a reason to stop
            outcomes.append(
                Outcome(case, False, frozenset(), False, [], f"{type(err).__name__}: {err}")
            )
    return outcomes


@dataclass(frozen=True, slots=True)
class Rate:
    """`hits` out of `total`; `value` is None when there was nothing to count."""

    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def to_dict(self) -> dict[str, Any]:
        return {"hits": self.hits, "total": self.total, "value": self.value}


@dataclass(slots=True)
class QualityResult:
    """All quality figures for one checker on one corpus."""

    corpus: str
    checker: str
    cases: int
    accuracy: Rate
    recall: Rate
    fpr: Rate
    kind_recall: dict[str, Rate]
    kind_fpr: dict[str, Rate]
    group_accuracy: dict[str, Rate]
    offending_covered: Rate
    warning_recall: Rate
    warning_fpr: Rate
    warning_rules: Rate
    missed: list[Outcome] = field(default_factory=list)
    false_blocks: list[Outcome] = field(default_factory=list)
    kind_misses: list[Outcome] = field(default_factory=list)
    crashes: list[Outcome] = field(default_factory=list)
    warning_misses: list[Outcome] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def ids(outcomes: list[Outcome]) -> list[str]:
            return [o.case.id for o in outcomes]

        return {
            "corpus": self.corpus,
            "checker": self.checker,
            "cases": self.cases,
            "accuracy": self.accuracy.to_dict(),
            "recall": self.recall.to_dict(),
            "fpr": self.fpr.to_dict(),
            "kind_recall": {k: r.to_dict() for k, r in self.kind_recall.items()},
            "kind_fpr": {k: r.to_dict() for k, r in self.kind_fpr.items()},
            "group_accuracy": {g: r.to_dict() for g, r in self.group_accuracy.items()},
            "offending_covered": self.offending_covered.to_dict(),
            "warning_recall": self.warning_recall.to_dict(),
            "warning_fpr": self.warning_fpr.to_dict(),
            "warning_rules": self.warning_rules.to_dict(),
            "missed": ids(self.missed),
            "false_blocks": ids(self.false_blocks),
            "kind_misses": {o.case.id: sorted(o.missing_kinds) for o in self.kind_misses},
            "crashes": {o.case.id: o.crash for o in self.crashes},
            "warning_misses": {o.case.id: o.missing_warnings for o in self.warning_misses},
        }


def _offending_coverage(outcomes: list[Outcome]) -> Rate:
    """Labelled offending strings that some blocking finding covers.

    A file name listed in the case's attachments is covered by a blocking attachment finding
    naming it; any other string by a blocking finding overlapping one of its occurrences in
    the text. Strings that are neither (not verbatim in the text) are not counted.
    """
    hits = total = 0
    for outcome in outcomes:
        blocking = [f for f in outcome.findings if f[1] == "block"]
        for needle in outcome.case.offending:
            if needle in outcome.case.attachments:
                total += 1
                hits += any(f[0] == "attachment" and needle in f[5] for f in blocking)
                continue
            starts = _occurrences(outcome.case.text, needle)
            if not starts:
                continue
            total += 1
            hits += any(f[3] < i + len(needle) and i < f[4] for i in starts for f in blocking)
    return Rate(hits, total)


def _occurrences(text: str, needle: str) -> list[int]:
    if not needle:
        return []
    found: list[int] = []
    index = text.find(needle)
    while index != -1:
        found.append(index)
        index = text.find(needle, index + 1)
    return found


def evaluate(corpus: str, checker: str, outcomes: list[Outcome]) -> QualityResult:
    """Reduce outcomes to the figures described in the module docstring."""
    positives = [o for o in outcomes if o.case.blocked]
    negatives = [o for o in outcomes if not o.case.blocked]
    kinds_present = [k for k in BLOCKING_KINDS if any(k in o.case.kinds for o in outcomes)]
    groups = sorted({o.case.group for o in outcomes})
    with_warnings = [o for o in outcomes if o.case.warnings]
    without_warnings = [o for o in outcomes if not o.case.warnings]
    return QualityResult(
        corpus=corpus,
        checker=checker,
        cases=len(outcomes),
        accuracy=Rate(sum(o.correct for o in outcomes), len(outcomes)),
        recall=Rate(sum(o.blocked for o in positives), len(positives)),
        fpr=Rate(sum(o.blocked for o in negatives), len(negatives)),
        kind_recall={
            k: Rate(
                sum(k in o.kinds for o in outcomes if k in o.case.kinds),
                sum(k in o.case.kinds for o in outcomes),
            )
            for k in kinds_present
        },
        kind_fpr={
            k: Rate(sum(k in o.kinds for o in negatives), len(negatives)) for k in kinds_present
        },
        group_accuracy={
            g: Rate(
                sum(o.correct for o in outcomes if o.case.group == g),
                sum(o.case.group == g for o in outcomes),
            )
            for g in groups
        },
        offending_covered=_offending_coverage(outcomes),
        warning_recall=Rate(sum(o.warned for o in with_warnings), len(with_warnings)),
        warning_fpr=Rate(sum(o.warned for o in without_warnings), len(without_warnings)),
        warning_rules=Rate(
            sum(
                any(f[1] == "warn" and f[2] == rule for f in o.findings)
                for o in with_warnings
                for rule in o.case.warnings
            ),
            sum(len(o.case.warnings) for o in with_warnings),
        ),
        missed=[o for o in positives if not o.blocked and o.crash is None],
        false_blocks=[o for o in negatives if o.blocked],
        kind_misses=[o for o in positives if o.blocked and o.missing_kinds],
        crashes=[o for o in outcomes if o.crash is not None],
        warning_misses=[o for o in with_warnings if o.missing_warnings],
    )


# --- rendering -------------------------------------------------------------------------------


def _cell(rate: Rate) -> str:
    return f"{percent(rate.value)} ({rate.hits}/{rate.total})" if rate.total else "n/a"


def render_quality(results: list[QualityResult]) -> str:
    """One table of figures for a corpus, a column per checker, then accuracy per group."""
    rows: list[list[object]] = [
        ["accuracy (verdict == label)", *(_cell(r.accuracy) for r in results)],
        ["recall of blocked cases", *(_cell(r.recall) for r in results)],
        ["FPR on not-blocked cases", *(_cell(r.fpr) for r in results)],
    ]
    for kind in results[0].kind_recall:
        rows.append([f"{kind} recall", *(_cell(r.kind_recall[kind]) for r in results)])
        rows.append([f"{kind} FPR", *(_cell(r.kind_fpr[kind]) for r in results)])
    first = results[0]
    if first.offending_covered.total:
        rows.append(
            ["offending strings overlapped", *(_cell(r.offending_covered) for r in results)]
        )
    if first.warning_recall.total:
        rows.append(["policy warning recall", *(_cell(r.warning_recall) for r in results)])
        rows.append(["policy warning on unlabelled", *(_cell(r.warning_fpr) for r in results)])
        rows.append(["labelled warning rule ids hit", *(_cell(r.warning_rules) for r in results)])
    rows.append(["crashes", *(len(r.crashes) for r in results)])
    table = render_table(["figure", *(r.checker for r in results)], rows)
    groups = render_table(
        ["group", "cases", *(f"{r.checker} accuracy" for r in results)],
        [
            [g, rate.total, *(percent(r.group_accuracy[g].value) for r in results)]
            for g, rate in first.group_accuracy.items()
        ],
    )
    return f"{table}\n\n{groups}"


def _describe(outcome: Outcome) -> str:
    case = outcome.case
    label = "blocked " + ",".join(sorted(case.kinds)) if case.blocked else "not blocked"
    got = "blocked " + ",".join(sorted(outcome.kinds)) if outcome.blocked else "not blocked"
    lines = [f"      {case.id} [{case.group}] label: {label}; got: {got}"]
    text = (
        case.text if len(case.text) <= 400 else case.text[:400] + f"... (+{len(case.text) - 400})"
    )
    lines.append(f"        text: {text!r}" + (" (html)" if case.html else ""))
    if case.attachments:
        lines.append(f"        attachments: {list(case.attachments)}")
    if case.offending:
        lines.append(f"        offending: {list(case.offending)}")
    if case.note:
        lines.append(f"        note: {case.note}")
    if outcome.crash:
        lines.append(f"        crash: {outcome.crash}")
    for kind, severity, rule, start, end, found in outcome.findings:
        lines.append(f"        finding: {kind}/{severity} {rule} [{start}:{end}] {found!r}")
    return "\n".join(lines)


def render_errors(result: QualityResult, limit: int, show: bool) -> str:
    """The misclassified case ids (first `limit` of each list); with `show`, text and findings."""
    sections = [
        ("missed (labelled blocked, not blocked)", result.missed),
        ("false blocks (labelled not blocked, blocked)", result.false_blocks),
        ("blocked, but a labelled kind has no blocking finding", result.kind_misses),
        ("crashed", result.crashes),
        ("labelled warning rule ids not hit (informational)", result.warning_misses),
    ]
    lines: list[str] = []
    for title, outcomes in sections:
        if not outcomes:
            continue
        shown = outcomes[:limit]
        more = f" (first {limit} shown)" if len(outcomes) > limit else ""
        lines.append(f"    {title}: {len(outcomes)}{more}")
        if show:
            lines.extend(_describe(o) for o in shown)
            continue
        if outcomes is result.kind_misses:
            ids = ", ".join(f"{o.case.id} (-{'/'.join(sorted(o.missing_kinds))})" for o in shown)
        elif outcomes is result.warning_misses:
            ids = ", ".join(f"{o.case.id} (-{'/'.join(o.missing_warnings)})" for o in shown)
        else:
            ids = ", ".join(o.case.id for o in shown)
        lines.append(
            textwrap.fill(
                ids,
                width=100,
                initial_indent=" " * 6,
                subsequent_indent=" " * 6,
                break_on_hyphens=False,
                break_long_words=False,
            )
        )
    return "\n".join(lines) if lines else "    none"
