"""The shapes of the demo portfolio, its people and custom fields, and small pure helpers."""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TypedDict

from governance import roles

BANK = "Northwind Bank"
PASSWORD = "attest-demo"  # noqa: S105 - published on purpose: demo accounts only
DEMO_AS_OF = date(2026, 11, 22)
ADMIN = "ada"
COMMITTEE_CHAIR = "carl"  # Accountable for every approval decision
HEAD_OF_VALIDATION = "vera"  # appoints each model's validator
MARKER_SLUG = "retail-pd"  # present once the portfolio is loaded

# Business units and the commonest model type, shared by the portfolio modules.
CLASSICAL_ML = "classical_ml"
RETAIL_CREDIT = "Retail Credit Risk"
FINANCIAL_CRIME = "Financial Crime"
INSURANCE = "Northwind Insurance"
CORPORATE_BANKING = "Corporate Banking"
TREASURY = "Treasury"


@dataclass(frozen=True)
class DemoUser:
    """One demo login and the role group it belongs to."""

    username: str
    first_name: str
    last_name: str
    role: str
    title: str
    also: tuple[str, ...] = ()  # further role groups, e.g. the validation lead appoints validators


@dataclass(frozen=True)
class DemoDatasetVersion:
    """One snapshot of a demo dataset, released on `released` (ISO date)."""

    version: str
    released: str
    row_count: int


@dataclass(frozen=True)
class DemoDataset:
    """A demo data source; `store` is dvc, lakefs or delta and decides the external reference."""

    slug: str
    name: str
    description: str
    store: str
    schema: dict[str, str]
    versions: tuple[DemoDatasetVersion, ...]
    contains_personal_data: bool = True


@dataclass(frozen=True)
class DemoVersion:
    """One model version: trained on `trained`, then (optionally) to staging and production."""

    label: str
    trained: str
    staging: str | None = None
    production: str | None = None
    base_model: str = ""


@dataclass(frozen=True)
class DemoModel:
    """One inventory entry with its people, how it is built and its release history."""

    slug: str
    name: str
    business_unit: str
    model_type: str
    status: str
    owner: str
    developer: str
    validator: str
    framework: str
    description: str
    intended_purpose: str
    versions: tuple[DemoVersion, ...]
    tracker: str = "mlflow"
    datasets: tuple[str, ...] = ()
    params: dict[str, object] = field(default_factory=dict)
    serving: str = "api"  # "api" (online endpoint) or "batch" (scheduled job)
    vendor: str = ""
    provider: str = ""
    prompts: tuple[tuple[str, str], ...] = ()
    custom_fields: dict[str, object] = field(default_factory=dict)
    retired_on: str | None = None


@dataclass(frozen=True)
class DemoDependency:
    """`downstream` consumes `upstream`'s output."""

    upstream: str
    downstream: str
    description: str


@dataclass(frozen=True)
class DemoUseCase:
    """An AI system in EU AI Act terms and the models it uses."""

    slug: str
    name: str
    business_unit: str
    owner: str
    business_purpose: str
    deployer_context: str
    affected_people: str
    models: tuple[str, ...]


def at(day: str, hour: int = 6) -> datetime:
    """A demo date as an aware UTC datetime (changes go live at 06:00 UTC by default)."""
    return datetime.combine(date.fromisoformat(day), time(hour), tzinfo=UTC)


def digest(*parts: str) -> str:
    """A stable SHA-256 standing in for a real artifact or data hash."""
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


USERS: tuple[DemoUser, ...] = (
    DemoUser("ada", "Ada", "Nwosu", roles.ADMINISTRATOR, "Model risk platform administrator"),
    DemoUser("olivia", "Olivia", "Bennett", roles.OWNER, "Head of Retail Credit Risk Models"),
    DemoUser("felix", "Felix", "Moreau", roles.OWNER, "Head of Financial Crime Analytics"),
    DemoUser("ines", "Ines", "Duarte", roles.OWNER, "Chief Pricing Actuary, Northwind Insurance"),
    DemoUser("tom", "Tom", "Okafor", roles.OWNER, "Head of Treasury & Corporate Analytics"),
    DemoUser("hana", "Hana", "Sato", roles.OWNER, "Head of Customer & People Analytics"),
    DemoUser("dev", "Dev", "Patel", roles.DEVELOPER, "Senior model developer"),
    DemoUser("priya", "Priya", "Raman", roles.DEVELOPER, "Machine learning engineer"),
    DemoUser(
        "vera",
        "Vera",
        "Lindqvist",
        roles.VALIDATOR,
        "Model validation lead",
        also=(roles.HEAD_OF_VALIDATION,),
    ),
    DemoUser("victor", "Victor", "Adeyemi", roles.VALIDATOR, "Model validator"),
    DemoUser("carl", "Carl", "Jensen", roles.COMMITTEE, "Chair, Model Risk Committee"),
    DemoUser("celine", "Celine", "Dubois", roles.COMMITTEE, "Member, Model Risk Committee"),
    DemoUser("cora", "Cora", "Whitfield", roles.COMPLIANCE, "Regulatory compliance officer"),
    DemoUser("leon", "Leon", "Brandt", roles.LEGAL, "Legal counsel, technology and data"),
    DemoUser("audrey", "Audrey", "Fontaine", roles.AUDITOR, "Internal audit"),
    DemoUser("erin", "Erin", "Castellano", roles.EXECUTIVE, "Chief Risk Officer"),
    # The second administrator: roles that take part in controls need one to ask, one to grant.
    DemoUser("sam", "Sam", "Whitaker", roles.ADMINISTRATOR, "Identity and access administrator"),
)


class CustomFieldSpec(TypedDict):
    """A custom field the demo defines, as `define_custom_field` takes it."""

    key: str
    label: str
    field_type: str
    help_text: str
    position: int


CUSTOM_FIELDS: tuple[CustomFieldSpec, ...] = (
    {
        "key": "regulatory_reference",
        "label": "Regulatory reference",
        "field_type": "text",
        "help_text": "The rule or guideline the model serves, e.g. CRR Art. 178",
        "position": 1,
    },
    {
        "key": "sox_relevant",
        "label": "SOX relevant",
        "field_type": "boolean",
        "help_text": "Feeds financial reporting, so it is in scope of SOX 404 controls",
        "position": 2,
    },
)
