"""A validation report as a document: scope, evidence reviewed, tests and results, findings,
conclusion and sign-offs, from the records (read into plain rows by `documents`) and the
validator's own words.

No Django here: records in, a `word.Document` out, which `word` writes as DOCX and `pdf` as PDF.
Every value arrives in words (labels, names); this module decides what the report says and in
which order, and what it says when something is missing.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from governance.approvals.rules.narrative import Narrative
from reports.exports.word import Block, Document, Facts, Grid, Section, Subheading


@dataclass(frozen=True)
class Subject:
    """What was validated, and where the request stands (values already in words)."""

    reference: str
    model: str
    version: str
    business_unit: str
    model_type: str
    intended_purpose: str
    owner: str
    tier: str
    eu_category: str
    state: str
    is_open: bool
    requested_scope: str
    requested_by: str
    submitted_at: datetime | None
    decided_at: datetime | None
    expires_on: date | None


@dataclass(frozen=True)
class Obligation:
    framework: str
    reference: str
    title: str
    status: str
    met: bool  # evidenced, accepted or waived
    evidence: str


@dataclass(frozen=True)
class Metric:
    name: str
    segment: str
    value: float
    at: datetime


@dataclass(frozen=True)
class Check:
    """One check recorded for the version: fairness, drift, data validation or an evaluation."""

    kind: str
    name: str
    evaluated_at: datetime
    result: str
    detail: str


@dataclass(frozen=True)
class FindingRow:
    reference: str
    title: str
    severity: str
    status: str
    is_open: bool
    owner: str
    due_on: date
    resolution: str


@dataclass(frozen=True)
class ConditionRow:
    text: str
    set_by: str
    due_on: date
    met: str


@dataclass(frozen=True)
class SignOffRow:
    role: str
    signer: str
    decision: str
    signed_at: datetime
    comment: str


@dataclass(frozen=True)
class Covered:
    """One assessment the approval covered, from its snapshot."""

    framework: str
    subject: str
    result: str
    rulebook: str


@dataclass(frozen=True)
class Frozen:
    """The validator sign-off that froze the text, and the text's SHA-256 then."""

    signer: str
    signed_at: datetime
    text_sha256: str


@dataclass(frozen=True)
class ValidationRecords:
    subject: Subject
    obligations: tuple[Obligation, ...]
    metrics: tuple[Metric, ...]
    checks: tuple[Check, ...]
    findings: tuple[FindingRow, ...]
    conditions: tuple[ConditionRow, ...]
    sign_offs: tuple[SignOffRow, ...]
    text: Narrative
    frozen: Frozen | None
    covered: tuple[Covered, ...]
    snapshot_sha256: str
    as_of: datetime  # the newest change among the records shown
    organisation: str = ""


SECTIONS = (
    "Scope",
    "Evidence reviewed",
    "Tests and results",
    "Findings",
    "Conclusion",
    "Sign-offs",
)


def _note(text: str) -> tuple[Block, ...]:
    return (f"Validator's note: {text}",) if text else ()


def _written(text: str, missing: str) -> Block:
    return text or missing


def _scope(records: ValidationRecords) -> Section:
    s = records.subject
    facts = Facts(
        (
            ("Model", s.model),
            ("Version", s.version),
            ("Business unit", s.business_unit),
            ("Model type", s.model_type),
            ("Model owner", s.owner),
            ("Intended purpose", s.intended_purpose or "Not recorded"),
            ("Model risk tier", s.tier),
            ("EU AI Act category", s.eu_category),
            ("Requested by", s.requested_by),
            ("Submitted (UTC)", s.submitted_at or "Not submitted yet"),
            ("Scope requested", s.requested_scope or "The request states no scope"),
        )
    )
    statement = _written(records.text.scope, "The validator has not written a scope statement.")
    return Section("Scope", (facts, Subheading("Scope statement"), statement))


def _evidence(records: ValidationRecords) -> Section:
    rows = records.obligations
    met = sum(1 for o in rows if o.met)
    summary = (
        f"{met} of {len(rows)} obligations applying to the model are evidenced, accepted or waived."
        if rows
        else "No obligation applies: the model has no risk classification."
    )
    grid = Grid(
        ("Framework", "Reference", "Obligation", "Status", "Evidence"),
        tuple((o.framework, o.reference, o.title, o.status, o.evidence) for o in rows),
        "No obligation applies.",
    )
    return Section("Evidence reviewed", (summary, grid, *_note(records.text.evidence_note)))


def _tests(records: ValidationRecords) -> Section:
    metrics = Grid(
        ("Metric", "Segment", "Latest value", "Reported (UTC)"),
        tuple((m.name, m.segment or "All", f"{m.value:.4g}", m.at) for m in records.metrics),
        "No metric has been reported for this version.",
    )
    checks = Grid(
        ("Check", "Suite or tool", "Evaluated (UTC)", "Result", "Detail"),
        tuple((c.kind, c.name, c.evaluated_at, c.result, c.detail) for c in records.checks),
        "No fairness, drift, data validation or evaluation check has been recorded for this "
        "version.",
    )
    blocks: tuple[Block, ...] = (Subheading("Metrics"), metrics, Subheading("Checks"), checks)
    return Section("Tests and results", (*blocks, *_note(records.text.tests_note)))


def findings_summary(findings: tuple[FindingRow, ...]) -> str:
    """ "2 findings, 1 still open (1 high)." in words, or that there is none."""
    if not findings:
        return "No finding has been raised on this version."
    still = Counter(f.severity.lower() for f in findings if f.is_open)
    by_severity = ", ".join(f"{n} {severity}" for severity, n in still.items())
    open_part = f", {sum(still.values())} still open ({by_severity})" if still else ", none open"
    noun = "finding" if len(findings) == 1 else "findings"
    return f"{len(findings)} {noun} raised on this version{open_part}."


def _findings(records: ValidationRecords) -> Section:
    grid = Grid(
        ("Reference", "Title", "Severity", "Status", "Owner", "Due on", "Resolution"),
        tuple(
            (f.reference, f.title, f.severity, f.status, f.owner, f.due_on, f.resolution)
            for f in records.findings
        ),
        "None.",
    )
    summary = findings_summary(records.findings)
    return Section("Findings", (summary, grid, *_note(records.text.findings_note)))


def _outcome(subject: Subject) -> str:
    if subject.decided_at is None:
        return f"{subject.state}: no decision yet."
    until = f", valid until {subject.expires_on.isoformat()}" if subject.expires_on else ""
    return f"{subject.state} on {subject.decided_at:%Y-%m-%d}{until}."


def _conclusion(records: ValidationRecords) -> Section:
    text = _written(records.text.conclusion, "The validator has not written a conclusion.")
    conditions = Grid(
        ("Condition", "Set by", "Due on", "Met"),
        tuple((c.text, c.set_by, c.due_on, c.met) for c in records.conditions),
        "No conditions.",
    )
    blocks = (Subheading("Validator's conclusion"), text, Subheading("Decision"))
    outcome = (_outcome(records.subject), conditions)
    return Section("Conclusion", (*blocks, *outcome))


def _frozen(records: ValidationRecords) -> str:
    frozen = records.frozen
    if frozen is not None:
        return (
            f"The scope statement, notes and conclusion were frozen when {frozen.signer} signed "
            f"off as validator on {frozen.signed_at:%Y-%m-%d %H:%M} UTC; SHA-256 of that text: "
            f"{frozen.text_sha256}."
        )
    if records.subject.is_open:
        return "Not signed off yet: the validator may still change the scope, notes and conclusion."
    return "No validator signed this request off: its text was never frozen by a sign-off."


def _sign_offs(records: ValidationRecords) -> Section:
    grid = Grid(
        ("Role", "Signer", "Decision", "Signed (UTC)", "Comment"),
        tuple((s.role, s.signer, s.decision, s.signed_at, s.comment) for s in records.sign_offs),
        "No sign-off yet.",
    )
    return Section("Sign-offs", (grid, _frozen(records), *_covered(records)))


def _covered(records: ValidationRecords) -> tuple[Block, ...]:
    if not records.covered:
        return ()
    grid = Grid(
        ("Framework", "Subject", "Result", "Rulebook"),
        tuple((c.framework, c.subject, c.result, c.rulebook) for c in records.covered),
    )
    return (
        Subheading("What the approval covered"),
        (
            "The assessments in force when the request was approved (snapshot SHA-256 "
            f"{records.snapshot_sha256}):"
        ),
        grid,
    )


def validation_document(records: ValidationRecords) -> Document:
    """The report, section by section; the cover names the validation and where it stands."""
    s = records.subject
    cover = Facts(
        (
            ("Validation", s.reference),
            ("Model", s.model),
            ("Version", s.version),
            ("Model risk tier", s.tier),
            ("EU AI Act category", s.eu_category),
            ("State", s.state),
            ("Records as of (UTC)", records.as_of),
            *((("Organisation", records.organisation),) if records.organisation else ()),
        )
    )
    return Document(
        title=f"Validation report: {s.model} {s.version}",
        subtitle=f"{s.reference} · {s.state}",
        as_of=records.as_of,
        sections=(
            _scope(records),
            _evidence(records),
            _tests(records),
            _findings(records),
            _conclusion(records),
            _sign_offs(records),
        ),
        subject=f"Validation report {s.reference}",
        cover=cover,
    )
