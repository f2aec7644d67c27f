"""Draft work products from an EU AI Act classification: the Art. 6(4) not-high-risk record, the
fundamental rights impact assessment (Art. 27) skeleton and the Annex IV technical documentation
checklist, each prefilled from inventory facts given as plain data. No Django here.

Each product is a list of items, one per provision it must answer; an item holds what Attest
knows (lines of text) or nothing, and then reads "to be completed". A person adopts the draft
once it is complete: until then it is not evidence (the service keeps it apart from evidence).
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from governance.risk.rules.results import Outcome
from reports.exports.word import Document, Section

# The products, by the obligations (catalog entry ids) each one drafts evidence for.
NOT_HIGH_RISK_RECORD = "not_high_risk_record"
FRIA = "fria"
ANNEX_IV = "annex_iv"
OBLIGATIONS: dict[str, tuple[str, ...]] = {
    NOT_HIGH_RISK_RECORD: ("eu.art6.4",),
    FRIA: ("eu.art27.1",),
    ANNEX_IV: ("eu.art11", *(f"eu.annex4.{point}" for point in range(1, 10))),
}
DEROGATION_RULE = "eu.art6.3"  # eu_ai_act: the Annex III use is not high-risk under Art. 6(3)
NOT_HIGH_RISK_LABEL = "annex_iii_not_high_risk"
HIGH_RISK = ("high_risk_annex_i", "high_risk_annex_iii")
PROVIDING = ("provider", "provider_and_deployer")
TO_COMPLETE = "To be completed: Attest holds nothing on this."
PREFILLED = "Prefilled by Attest from the inventory: review and complete."


@dataclass(frozen=True)
class Inventory:
    """What the inventory says about the model and the use case, already in words."""

    model: str
    owner: str
    business_unit: str
    intended_purpose: str = ""
    description: str = ""
    model_type: str = ""
    vendor: str = ""
    organisation: str = ""
    use_case: str = ""
    business_purpose: str = ""
    deployer_context: str = ""
    affected_people: str = ""
    versions: tuple[str, ...] = ()
    training_runs: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    deployments: tuple[str, ...] = ()
    raci: tuple[str, ...] = ()
    monitoring: tuple[str, ...] = ()
    fairness: tuple[str, ...] = ()


@dataclass(frozen=True)
class Classification:
    """The EU AI Act outcome in force for the use case, and who made it when."""

    outcome: Outcome
    result: str  # the headline result in words
    assessed_by: str
    assessed_on: date
    conditions: Mapping[str, str]  # Art. 6(3) condition cited -> its title (from the rulebook)


@dataclass(frozen=True)
class Item:
    """One provision the product answers: what the Act asks, and what Attest knows of it."""

    citation: str
    heading: str
    asks: str
    known: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return bool(self.known)


@dataclass(frozen=True)
class WorkProduct:
    kind: str
    title: str
    introduction: tuple[str, ...]
    items: tuple[Item, ...]

    @property
    def citations(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(item.citation for item in self.items))

    @property
    def missing(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if not item.complete)


def products_for(outcome: Outcome) -> tuple[str, ...]:
    """Which drafts the outcome calls for: the 6(4) record when it rests on the Art. 6(3)
    derogation, the FRIA when Art. 27 binds the deployer, Annex IV for a high-risk provider."""
    found = []
    # The label too: an approved override away from "not high-risk" keeps the rules' reasons.
    derogated = any(reason.rule == DEROGATION_RULE for reason in outcome.reasons)
    if derogated and NOT_HIGH_RISK_LABEL in outcome.labels:
        found.append(NOT_HIGH_RISK_RECORD)
    if "deployer_fria" in outcome.labels:
        found.append(FRIA)
    if outcome.result in HIGH_RISK and outcome.details.get("role") in PROVIDING:
        found.append(ANNEX_IV)
    return tuple(found)


def build(kind: str, classification: Classification, inventory: Inventory) -> WorkProduct:
    """The draft of one product."""
    return BUILDERS[kind](classification, inventory)


def _lines(*pairs: tuple[str, str | tuple[str, ...]]) -> tuple[str, ...]:
    """`Label: value` for each value known; a tuple value gives one line per entry."""
    found: list[str] = []
    for label, value in pairs:
        if isinstance(value, tuple):
            found += [f"{label}: {entry}" for entry in value]
        elif value.strip():
            found.append(f"{label}: {value.strip()}")
    return tuple(found)


def _system(inventory: Inventory) -> tuple[str, ...]:
    return _lines(
        ("AI system (use case)", inventory.use_case),
        ("Model", inventory.model),
        ("Intended purpose", inventory.intended_purpose),
        ("Business purpose", inventory.business_purpose),
    )


def _cited(outcome: Outcome, prefix: str) -> tuple[str, ...]:
    return tuple(basis for basis in outcome.legal_basis if basis.startswith(prefix))


# ---- Art. 6(4): the not-high-risk record ------------------------------------------------------


def not_high_risk_record(classification: Classification, inventory: Inventory) -> WorkProduct:
    """The provider's documented assessment that an Annex III system is not high-risk."""
    outcome = classification.outcome
    why = next(r.because for r in outcome.reasons if r.rule == DEROGATION_RULE)
    conditions = tuple(
        f"{cited}: {classification.conditions.get(cited, cited)}"
        for cited in _cited(outcome, "Art. 6(3)(")
    )
    uses = _cited(outcome, "Annex III ")
    items = (
        Item(
            "Art. 6(4)",
            "The AI system",
            "Which system the assessment is about.",
            _system(inventory),
        ),
        Item(
            "Art. 6(3)",
            "The Annex III use and the condition met",
            "The Annex III use it is intended for, and which Art. 6(3) condition it meets.",
            _lines(("Annex III use", uses), ("Condition met", conditions)),
        ),
        Item(
            "Art. 6(3) first subparagraph",
            "Why it poses no significant risk of harm",
            "Why it does not pose a significant risk of harm to health, safety or fundamental "
            "rights, including by not materially influencing the outcome of decision making.",
            (why,),
        ),
        Item(
            "Art. 6(3) third subparagraph",
            "No profiling of natural persons",
            "A system that profiles natural persons is always high-risk.",
            ("The classification records that it does not profile natural persons.",),
        ),
        Item(
            "Art. 6(4)",
            "Assessment documented before placing on the market",
            "The provider documents the assessment before the system is placed on the market "
            "or put into service, and gives it to the national competent authorities on request.",
            (
                (
                    f"Assessed by {classification.assessed_by} on "
                    f"{classification.assessed_on:%d %B %Y}: {classification.result}."
                ),
            ),
        ),
        Item(
            "Art. 49(2)",
            "Registration in the EU database",
            "Before placing it on the market or putting it into service, the provider registers "
            "itself and the system in the EU database (Annex VIII Section B). Give the "
            "registration reference and date.",
        ),
    )
    return WorkProduct(
        NOT_HIGH_RISK_RECORD,
        f"Assessment that {inventory.use_case or inventory.model} is not high-risk",
        (
            (
                "The record Art. 6(4) asks of a provider that considers an Annex III system not "
                "high-risk under Art. 6(3), drafted from the EU AI Act classification."
            ),
        ),
        items,
    )


# ---- Art. 27: the fundamental rights impact assessment ----------------------------------------


def fria(classification: Classification, inventory: Inventory) -> WorkProduct:
    """The deployer's assessment of the impact on fundamental rights, one heading per point."""
    reasons = tuple(r.because for r in classification.outcome.reasons if r.basis == "Art. 27(1)")
    items = (
        Item(
            "Art. 27(1)(a)",
            "The deployer's processes",
            "A description of the deployer's processes in which the system will be used in line "
            "with its intended purpose.",
            (*_system(inventory), *_lines(("Deployer context", inventory.deployer_context))),
        ),
        Item(
            "Art. 27(1)(b)",
            "Period and frequency of use",
            "The period of time within which, and the frequency with which, it is intended to be "
            "used.",
            _lines(("Deployment", inventory.deployments)),
        ),
        Item(
            "Art. 27(1)(c)",
            "People likely to be affected",
            "The categories of natural persons and groups likely to be affected by its use in "
            "the specific context.",
            _lines(("Affected people", inventory.affected_people)),
        ),
        Item(
            "Art. 27(1)(d)",
            "Specific risks of harm",
            "The specific risks of harm likely to have an impact on those categories, taking "
            "into account the information the provider gives under Art. 13.",
            _lines(("Fairness check", inventory.fairness)),
        ),
        Item(
            "Art. 27(1)(e)",
            "Human oversight",
            "The human oversight measures, according to the instructions for use.",
            _lines(("RACI", inventory.raci)),
        ),
        Item(
            "Art. 27(1)(f)",
            "If the risks materialise",
            "The measures to be taken if those risks materialise, including the arrangements "
            "for internal governance and complaint mechanisms.",
            _lines(("Monitoring threshold", inventory.monitoring)),
        ),
    )
    return WorkProduct(
        FRIA,
        f"Fundamental rights impact assessment of {inventory.use_case or inventory.model}",
        (
            (
                "Owed before first use (Art. 27(1)); the results are notified to the market "
                "surveillance authority (Art. 27(3))."
            ),
            *reasons,
        ),
        items,
    )


# ---- Annex IV: the technical documentation checklist ------------------------------------------


def annex_iv(classification: Classification, inventory: Inventory) -> WorkProduct:
    """The provider's technical documentation (Art. 11(1)), one item per Annex IV point."""
    reasons = tuple(r.because for r in classification.outcome.reasons)
    versions = _lines(("Version", inventory.versions))
    items = (
        Item(
            "Annex IV(1)",
            "General description",
            "Intended purpose, provider, versions, interaction with other hardware or software, "
            "how it is supplied, the deployer's user interface and the instructions for use.",
            (
                *_system(inventory),
                *_lines(
                    ("Provider", inventory.organisation),
                    ("Owner", inventory.owner),
                    ("Business unit", inventory.business_unit),
                    ("Type", inventory.model_type),
                    ("Vendor", inventory.vendor),
                    ("Description", inventory.description),
                ),
                *versions,
            ),
        ),
        Item(
            "Annex IV(2)",
            "Elements and development process",
            "Methods and tools, design choices, architecture and compute, training data with "
            "provenance and preparation, human oversight, and the validation and testing done.",
            _lines(("Training run", inventory.training_runs), ("Dataset", inventory.datasets)),
        ),
        Item(
            "Annex IV(3)",
            "Monitoring, functioning and control",
            "Capabilities and limitations, accuracy overall and for groups, foreseeable "
            "unintended outcomes and sources of risk, oversight measures, input data.",
            _lines(("Fairness check", inventory.fairness)),
        ),
        Item(
            "Annex IV(4)",
            "Why these performance metrics",
            "Why the performance metrics chosen suit this system.",
            _lines(("Metric monitored", inventory.monitoring)),
        ),
        Item(
            "Annex IV(5)",
            "Risk management system",
            "The Art. 9 risk management system as applied to this system.",
            (f"EU AI Act classification: {classification.result}.", *reasons),
        ),
        Item(
            "Annex IV(6)",
            "Changes over the lifecycle",
            "The relevant changes made to the system over its lifecycle.",
            (*versions, *_lines(("Deployment", inventory.deployments))),
        ),
        Item(
            "Annex IV(7)",
            "Standards applied",
            "The harmonised standards applied, or the solutions adopted to meet the "
            "requirements for high-risk systems.",
        ),
        Item(
            "Annex IV(8)",
            "EU declaration of conformity",
            "A copy of the EU declaration of conformity (Art. 47).",
        ),
        Item(
            "Annex IV(9)",
            "Post-market performance evaluation",
            "How performance is evaluated once on the market, with the post-market monitoring "
            "plan (Art. 72).",
            _lines(("Monitoring threshold", inventory.monitoring), ("RACI", inventory.raci)),
        ),
    )
    return WorkProduct(
        ANNEX_IV,
        f"Technical documentation checklist for {inventory.use_case or inventory.model}",
        (
            (
                "Art. 11(1): the technical documentation of a high-risk system, drawn up before it "
                "is placed on the market and kept up to date, covers at least the points of Annex IV."
            ),
        ),
        items,
    )


BUILDERS = {NOT_HIGH_RISK_RECORD: not_high_risk_record, FRIA: fria, ANNEX_IV: annex_iv}


# ---- Stored and shown -------------------------------------------------------------------------


def as_json(product: WorkProduct) -> dict[str, Any]:
    return asdict(product)


def from_json(data: Mapping[str, Any]) -> WorkProduct:
    items = tuple(
        Item(i["citation"], i["heading"], i["asks"], tuple(i["known"])) for i in data["items"]
    )
    return WorkProduct(data["kind"], data["title"], tuple(data["introduction"]), items)


def as_document(product: WorkProduct, *, as_of: datetime, subject: str) -> Document:
    """The draft as a Word or PDF document: each item under its citation, prefilled or not."""
    sections = tuple(
        Section(
            f"{item.citation}: {item.heading}",
            (item.asks, PREFILLED if item.complete else TO_COMPLETE, *item.known),
        )
        for item in product.items
    )
    missing = len(product.missing)
    return Document(
        title=product.title,
        subtitle=f"Draft prepared by Attest: {missing} of {len(product.items)} items to complete",
        as_of=as_of,
        sections=(Section("About this draft", product.introduction), *sections),
        subject=subject,
    )
