"""The pack's glossary: each term it uses, and the labels it prints, read from where they are
defined (the models' choices and `governance.labels`) so a new label shows here unasked."""

from dataclasses import dataclass

from django.db.models import TextChoices

from governance.approvals.models import ApprovalRequest, Gate, SignOff
from governance.findings.models import Finding
from governance.labels import label_for
from governance.risk.models import Control

TIERS = ("tier_1", "tier_2", "tier_3")
EU_CATEGORIES = (
    "prohibited",
    "high_risk_annex_i",
    "high_risk_annex_iii",
    "annex_iii_not_high_risk",
    "transparency",
    "gpai",
    "gpai_systemic",
    "minimal",
    "outside_act",
)


@dataclass(frozen=True)
class Term:
    term: str
    meaning: str
    labels: tuple[str, ...] = ()


def _labels(choices: type[TextChoices]) -> tuple[str, ...]:
    return tuple(str(c.label) for c in choices)


def entries() -> list[Term]:
    """Every term, alphabetically; where a term has a set of values, the labels it can show."""
    terms = [
        Term("Approval state", "Where an approval request stood.", _labels(ApprovalRequest.State)),
        Term("As-of instant", "The moment the pack describes: nothing recorded later is shown, "
             "and a later change is read back to what it was then."),
        Term("EU AI Act category", "The use case's class under Regulation (EU) 2024/1689.",
             tuple(label_for(c) for c in EU_CATEGORIES)),
        Term("Finding severity", "How much a finding weakens the model's use.",
             _labels(Finding.Severity)),
        Term("Finding source", "Who or what raised the finding.", _labels(Finding.Source)),
        Term("Finding status", "Where the finding's remediation stands; open and in "
             "remediation count as open.", _labels(Finding.Status)),
        Term("Gate", "A step a version must pass, each with its approval request.",
             _labels(Gate)),
        Term("Independence statement", "For one approval request: who filled each required "
             "role and each independence rule checked against the signers."),
        Term("Manifest", "manifest.json, attached to the PDF: the pack's identity and summary "
             "figures, and the size and SHA-256 of each other attachment."),
        Term("Obligation stage", "When an obligation falls due; one not yet due is counted "
             "apart in the summary.", _labels(Control.Stage)),
        Term("Obligation status", "How an obligation that applied was met.",
             _labels(Control.Status)),
        Term("Risk tier", "The model risk tier from the tiering scorecard; Tier 1 is the most "
             "material.", tuple(label_for(t) for t in TIERS)),
        Term("Segregation of duties", "No one who built the version signed off on it, and no "
             "one signed one request in two roles."),
        Term("Sign-off decision", "A signer's answer to a request.", _labels(SignOff.Decision)),
        Term("Sign-off role", "The capacity a person signed in.", _labels(SignOff.Role)),
    ]  # fmt: skip
    return sorted(terms, key=lambda t: t.term)
