"""Which obligations apply to one model: the catalog entries its classification outcomes pick.

A catalog (governance/rulebooks/data/obligations/<framework>.yaml) lists, for one framework, the
obligations a model owner evidences; each entry names the outcome labels it applies to and, under
the EU AI Act, the roles it binds. `check_catalog` lists what stops a catalog from being
published; `applicable` picks the entries for one model. Plain dicts in, plain dicts out.
"""

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from typing import Any, TypeGuard

from governance.risk.rules.results import Outcome

EU = "eu_ai_act"
ANY = "any"  # an entry that applies whatever the outcome's labels

EU_LABELS = frozenset(
    {
        "prohibited",
        "high_risk_annex_i",
        "high_risk_annex_iii",
        "annex_iii_not_high_risk",
        "transparency",
        "transparency_interaction",  # Art. 50(1)
        "transparency_synthetic",  # Art. 50(2)
        "transparency_emotion_biometric",  # Art. 50(3)
        "transparency_deepfake",  # Art. 50(4)
        "transparency_public_text",  # Art. 50(4)
        "gpai",
        "gpai_systemic",
        "minimal",
        "outside_act",  # Art. 2: no AI Act obligation keys on it
        "deployer_fria",  # Art. 27(1): the deployer owes a fundamental rights impact assessment
        "deployer_explanation",  # Art. 86(1): affected people may ask the deployer to explain
        "ai_literacy",
    }
)
TIER_LABELS = frozenset({"tier_1", "tier_2", "tier_3"})
LABELS = EU_LABELS | TIER_LABELS

# The labels each framework's outcome can carry. Voluntary frameworks have no outcome to key on,
# so their entries can only apply to "any".
FRAMEWORK_LABELS: dict[str, frozenset[str]] = {
    EU: EU_LABELS,
    "sr_26_2": TIER_LABELS,
    "sr_11_7": TIER_LABELS,
    "pra_ss1_23": TIER_LABELS,
    "nist_ai_rmf": frozenset(),
    "iso_42001": frozenset(),
}

EVIDENCE_KINDS = frozenset(
    {
        "file",
        "link",
        "record:validation_signoff",
        "record:fairness_result",
        "record:drift_result",
        "record:metric_series",
        "record:training_run",
        "record:dataset_version",
        "record:deployment",
        "record:approval",
    }
)

# When an obligation falls due in a model's life: the validation gate asks for what is due before
# validation, the deployment gate also for what is due before deployment; ongoing duties show as
# due but never block a submission. An entry without a stage (a version 1 catalog) is due before
# validation, as every obligation was before stages existed.
BEFORE_VALIDATION, BEFORE_DEPLOYMENT, ONGOING = "before_validation", "before_deployment", "ongoing"
STAGES = (BEFORE_VALIDATION, BEFORE_DEPLOYMENT, ONGOING)
DEFAULT_STAGE = BEFORE_VALIDATION

# Records Attest keeps that can stand as an obligation's evidence (an entry's `satisfied_by`).
RECORD_KINDS = frozenset(
    {
        "scoping_assessment",
        "tier_assessment",
        "eu_assessment",
        "fairness_result",
        "drift_result",
        "data_validation_result",
        "monitoring_policy",
        "validation_approval",
        "validation_report",
        "deployment_approval",
        "deployment",
        "training_run",
        "dataset_version",
    }
)

STATUSES = frozenset({"in_force", "superseded", "voluntary"})
CONFIDENCE = frozenset({"verified", "secondary", "uncertain"})
# The EU AI Act operators (Art. 3(3)-(7)) an entry may bind.
OTHER_OPERATORS = ("importer", "distributor", "authorised_representative")
ROLES = frozenset({"provider", "deployer", *OTHER_OPERATORS})
# The EU outcome's details["role"], as the entry roles it takes.
ROLE_SCOPE: dict[str, frozenset[str]] = {
    "provider": frozenset({"provider"}),
    "deployer": frozenset({"deployer"}),
    "provider_and_deployer": frozenset({"provider", "deployer"}),
    **{operator: frozenset({operator}) for operator in OTHER_OPERATORS},
}

HEADER_KEYS = ("kind", "name", "framework", "version", "effective_from", "title", "status")
ENTRY_TEXT_KEYS = ("id", "reference", "title", "description", "source")
ENTRY_KEYS = frozenset(
    {
        *ENTRY_TEXT_KEYS,
        "applies_to",
        "roles",
        "evidence_kinds",
        "confidence",
        "stage",
        "satisfied_by",
    }
)
# The checklist copies these into columns of this width (governance.models.Control).
MAX_CHARS = {"id": 80, "reference": 80, "title": 300}


# ---- Checking a catalog -----------------------------------------------------------------------


def check_catalog(catalog: dict[str, Any]) -> list[str]:
    """Every problem that stops this catalog from being published, each naming its field.

    Entry problems read "entries[<id>].<field>: ..." (or "entries[<position>]" without an id).
    """
    problems = _check_header(catalog)
    entries = catalog.get("entries")
    if not isinstance(entries, list) or not entries:
        return [*problems, "entries: must list at least one obligation"]
    framework = catalog.get("framework")
    seen: set[str] = set()
    for position, entry in enumerate(entries):
        problems += _check_entry(entry, position, framework, seen)
    return problems


def _is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def _check_header(catalog: dict[str, Any]) -> list[str]:
    problems = [f"{key}: required" for key in HEADER_KEYS if key not in catalog]
    if "kind" in catalog and catalog["kind"] != "obligations":
        problems.append(f"kind: must be 'obligations', not {catalog['kind']!r}")
    if "framework" in catalog and catalog["framework"] not in FRAMEWORK_LABELS:
        problems.append(f"framework: unknown framework {catalog['framework']!r}")
    problems += [
        f"{key}: must be text"
        for key in ("name", "title")
        if key in catalog and not _is_text(catalog[key])
    ]
    version = catalog.get("version")
    if "version" in catalog and (
        not isinstance(version, int) or isinstance(version, bool) or version < 1
    ):
        problems.append("version: must be a whole number from 1")
    if "effective_from" in catalog and not isinstance(catalog["effective_from"], date):
        problems.append("effective_from: must be a date")
    problems += _check_status(catalog)
    if catalog.get("confidence", "verified") not in CONFIDENCE:
        problems.append(f"confidence: must be one of {sorted(CONFIDENCE)}")
    return problems + _check_sources(catalog.get("sources"))


def _check_status(catalog: dict[str, Any]) -> list[str]:
    status = catalog.get("status")
    if "status" in catalog and status not in STATUSES:
        return [f"status: must be one of {sorted(STATUSES)}, not {status!r}"]
    if status != "superseded":
        return []
    # A superseded catalog must say what replaced it and from when, for the checklist to explain.
    problems = [] if _is_text(catalog.get("superseded_by")) else ["superseded_by: required"]
    if not isinstance(catalog.get("rescinded_on"), date):
        problems.append("rescinded_on: required (a date)")
    return problems


def _check_sources(sources: Any) -> list[str]:
    if not isinstance(sources, list) or not sources:
        return ["sources: must list at least one source"]
    return [
        f"sources[{index}].url: required"
        for index, source in enumerate(sources)
        if not (isinstance(source, dict) and _is_text(source.get("url")))
    ]


def _check_entry(entry: Any, position: int, framework: Any, seen: set[str]) -> list[str]:
    if not isinstance(entry, dict):
        return [f"entries[{position}]: must be a mapping"]
    entry_id = entry.get("id")
    name = f"entries[{entry_id}]" if _is_text(entry_id) else f"entries[{position}]"
    problems = [f"{name}.{key}: unknown field" for key in entry if key not in ENTRY_KEYS]
    problems += _check_texts(entry, name)
    if _is_text(entry_id):
        if entry_id in seen:
            problems.append(f"{name}.id: appears twice")
        seen.add(entry_id)
    problems += _check_applies_to(entry.get("applies_to"), name, framework)
    problems += _check_roles(entry, name, framework)
    problems += _check_evidence_kinds(entry.get("evidence_kinds"), name)
    problems += _check_stage(entry, name)
    if entry.get("confidence", "verified") not in CONFIDENCE:
        problems.append(f"{name}.confidence: must be one of {sorted(CONFIDENCE)}")
    return problems


def _check_texts(entry: dict[str, Any], name: str) -> list[str]:
    problems = []
    for key in ENTRY_TEXT_KEYS:
        if key not in entry:
            problems.append(f"{name}.{key}: required")
        elif not _is_text(entry[key]):
            problems.append(f"{name}.{key}: must be text")
        elif key in MAX_CHARS and len(entry[key]) > MAX_CHARS[key]:
            problems.append(f"{name}.{key}: longer than {MAX_CHARS[key]} characters")
    return problems


def _check_applies_to(labels: Any, name: str, framework: Any) -> list[str]:
    if labels is None:
        return [f"{name}.applies_to: required"]
    if not isinstance(labels, list) or not labels:
        return [f"{name}.applies_to: must list at least one label, or ['any']"]
    if ANY in labels and len(labels) > 1:
        return [f"{name}.applies_to: 'any' must stand alone"]
    known = FRAMEWORK_LABELS.get(framework, LABELS) | {ANY}
    return [
        f"{name}.applies_to: {label!r} is not a label {framework} outcomes carry"
        for label in labels
        if label not in known
    ]


def _check_roles(entry: dict[str, Any], name: str, framework: Any) -> list[str]:
    roles = entry.get("roles")
    if framework != EU:
        return [] if roles is None else [f"{name}.roles: only EU AI Act entries have roles"]
    if not isinstance(roles, list) or not roles:
        return [f"{name}.roles: must list at least one of {', '.join(sorted(ROLES))}"]
    return [f"{name}.roles: unknown role {role!r}" for role in roles if role not in ROLES]


def _check_evidence_kinds(kinds: Any, name: str) -> list[str]:
    if kinds is None:
        return [f"{name}.evidence_kinds: required"]
    if not isinstance(kinds, list) or not kinds:
        return [f"{name}.evidence_kinds: must list at least one kind of evidence"]
    return [
        f"{name}.evidence_kinds: unknown kind {kind!r}"
        for kind in kinds
        if kind not in EVIDENCE_KINDS
    ]


def _check_stage(entry: dict[str, Any], name: str) -> list[str]:
    problems = []
    if entry.get("stage", DEFAULT_STAGE) not in STAGES:
        problems.append(f"{name}.stage: must be one of {', '.join(STAGES)}")
    records = entry.get("satisfied_by", [])
    if not isinstance(records, list):
        return [*problems, f"{name}.satisfied_by: must list record kinds"]
    problems += [
        f"{name}.satisfied_by: unknown record kind {kind!r}"
        for kind in records
        if kind not in RECORD_KINDS
    ]
    return problems


def stage_of(entry: Mapping[str, Any]) -> str:
    """When the entry falls due; before validation when the catalog does not say."""
    return str(entry.get("stage", DEFAULT_STAGE))


def satisfied_by(entry: Mapping[str, Any]) -> list[str]:
    """The kinds of Attest record that can stand as the entry's evidence (none when unsaid)."""
    return [str(kind) for kind in entry.get("satisfied_by", [])]


# ---- Picking the obligations that apply -------------------------------------------------------


def applicable(
    catalogs: Iterable[dict[str, Any]],
    outcomes: Mapping[str, Outcome],
    *,
    voluntary: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The catalog entries that apply to one model, each with its "framework" added.

    `outcomes` are the model's classifications keyed by framework. A catalog counts when its
    framework has an outcome; a voluntary one only when its framework is in `voluntary`. A
    superseded catalog (SR 11-7) is treated like any other: the caller gives its outcome only
    for dates before the rescission. Pass one catalog per framework. Ordered by framework, then
    catalog order.
    """
    picked = []
    for catalog in sorted(catalogs, key=lambda c: c["framework"]):
        scope = _scope(catalog, outcomes, voluntary)
        if scope is None:
            continue
        labels, roles = scope
        picked += [
            {**entry, "framework": catalog["framework"]}
            for entry in catalog["entries"]
            if _applies(entry, labels, roles)
        ]
    return picked


def _scope(
    catalog: dict[str, Any], outcomes: Mapping[str, Outcome], voluntary: Collection[str]
) -> tuple[frozenset[str], frozenset[str] | None] | None:
    """The labels and (EU only) roles entries are matched against; None when nothing applies."""
    framework = catalog["framework"]
    outcome = outcomes.get(framework)
    if catalog.get("status") == "voluntary":
        switched_on = framework in voluntary
    else:
        switched_on = outcome is not None
    if not switched_on:
        return None
    if outcome is None:  # a voluntary framework has no classification: only "any" entries apply
        return frozenset(), None
    # The headline counts even when a caller left `labels` empty.
    labels = frozenset({outcome.result, *outcome.labels})
    return labels, _roles(outcome) if framework == EU else None


def _roles(outcome: Outcome) -> frozenset[str]:
    # Without a stated role show both sides' duties: a checklist that asks too much is
    # corrected by a waiver, one that asks too little hides an obligation.
    role = outcome.details.get("role", "provider_and_deployer")
    if role not in ROLE_SCOPE:
        raise ValueError(f"role: unknown EU AI Act role {role!r}")
    return ROLE_SCOPE[role]


def _applies(entry: dict[str, Any], labels: frozenset[str], roles: frozenset[str] | None) -> bool:
    wanted = entry["applies_to"]
    if ANY not in wanted and labels.isdisjoint(wanted):
        return False
    return roles is None or not roles.isdisjoint(entry.get("roles", ()))
