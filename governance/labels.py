"""Names people read for the codes Attest stores ("tier_1" -> "Tier 1 (high)").

One place, so that a page, a PDF and an export never show a code a reader has to decode.
"""

import re
from datetime import date, datetime

LABELS = {
    # The audit trail's own events (governance.audit, governance.auditlog).
    "audit.reanchored": "Audit trail re-anchored under a keyed hash",
    "audit.key_rotated": "Audit trail key rotated",
    "audit.checkpoint_signed": "Audit trail checkpoint signed",
    "in_scope": "In scope",
    "out_of_scope": "Out of scope",
    "tier_1": "Tier 1 (high)",
    "tier_2": "Tier 2 (medium)",
    "tier_3": "Tier 3 (low)",
    "prohibited": "Prohibited practice (Art. 5)",
    "high_risk_annex_i": "High risk: Annex I product (Art. 6(1))",
    "high_risk_annex_iii": "High risk: Annex III (Art. 6(2))",
    "annex_iii_not_high_risk": "Annex III, not high risk (Art. 6(3))",
    "transparency": "Transparency (Art. 50)",
    "transparency_interaction": "Transparency: interacts with people (Art. 50(1))",
    "transparency_synthetic": "Transparency: synthetic content (Art. 50(2))",
    "transparency_emotion_biometric": "Transparency: emotion or biometric categorisation (Art. 50(3))",
    "transparency_deepfake": "Transparency: deep fakes (Art. 50(4))",
    "transparency_public_text": "Transparency: public-interest text (Art. 50(4))",
    "gpai": "General-purpose AI model",
    "gpai_systemic": "General-purpose AI model with systemic risk",
    "minimal": "Minimal risk",
    "outside_act": "Outside the EU AI Act (Art. 2)",
    "deployer_fria": "Fundamental rights impact assessment owed (Art. 27(1))",
    "deployer_explanation": "Explanation of decisions owed (Art. 86(1))",
    "ai_literacy": "AI literacy (Art. 4)",
    # EU AI Act answers and details that are codes (version 5 rules).
    "unknown": "Not known yet",
    "provider_and_deployer": "Provider and deployer",
    "authorised_representative": "Authorised representative (Art. 22)",
    "importer": "Importer (Art. 23)",
    "distributor": "Distributor (Art. 24)",
    "eu_link": "Whether it reaches the EU (Art. 2(1))",
    "annex_iii_point": "Which Annex III use",
    "public_service_deployer": "Whether the deployer is a public body or public-service provider",
    "training_compute_flops": "Training compute",
    "eu_ai_act": "EU AI Act",
    "sr_26_2": "SR 26-2",
    "sr_11_7": "SR 11-7",
    "pra_ss1_23": "PRA SS1/23",
    "nist_ai_rmf": "NIST AI RMF",
    "iso_42001": "ISO/IEC 42001",
    # Attest records that can stand as an obligation's evidence (obligations.RECORD_KINDS), and
    # the kinds of evidence a catalog entry asks for.
    "scoping_assessment": "Scoping assessment",
    "tier_assessment": "Risk tier assessment",
    "eu_assessment": "EU AI Act classification",
    "fairness_result": "Passed fairness check",
    "drift_result": "Drift check",
    "data_validation_result": "Passed data validation",
    "monitoring_policy": "Monitoring threshold",
    "validation_approval": "Validation approval",
    "validation_report": "Validation report",
    "deployment_approval": "Deployment approval",
    "deployment": "Deployment",
    "training_run": "Training run",
    "dataset_version": "Dataset version",
    "before_validation": "Before validation",
    "before_deployment": "Before deployment",
    "ongoing": "Ongoing, once in use",
    "file": "File",
    "none": "None of these",
    "link": "Link",
    "record:validation_signoff": "Validation sign-off",
    "record:fairness_result": "Fairness result",
    "record:drift_result": "Drift result",
    "record:metric_series": "Metric series",
    "record:training_run": "Training run",
    "record:dataset_version": "Dataset version",
    "record:deployment": "Deployment",
    "record:approval": "Approval",
}

# The rules that fire in an assessment (`Reason.rule`), by their stable id or by the family the id
# starts with ("tier.factor.exposure" is a scorecard factor); the longest match names the rule.
RULES = {
    "scope.eu_ai_act": "Whether the EU AI Act applies",
    "scope.eu_ai_act.ai_system": "Whether it is an AI system (EU AI Act)",
    "scope.sr_26_2": "Whether SR 26-2 applies",
    "scope.sr_26_2.model": "Whether it is a model (SR 26-2)",
    "scope.sr_26_2.ai_carve_out": "SR 26-2 carve-out for generative and agentic AI",
    "scope.sr_11_7": "Whether SR 11-7 applies",
    "scope.sr_11_7.model": "Whether it is a model (SR 11-7)",
    "scope.pra_ss1_23": "Whether PRA SS1/23 applies",
    "scope.pra_ss1_23.model": "Whether it is a model (PRA SS1/23)",
    "scope.pra_ss1_23.dqm": "Deterministic quantitative method (PRA SS1/23)",
    "eu.art2": "Outside the EU AI Act's scope",
    "eu.art2.1": "Outside the EU AI Act: no link to the EU (Art. 2(1))",
    "eu.art2.1.assumed": "Provisional: taken to reach the EU",
    "eu.annex_iii.assumed": "Provisional: taken to be a listed Annex III use",
    "eu.art51.2.assumed": "Provisional: taken to have systemic risk",
    "eu.operator": "Duties of the organisation's role",
    "eu.operator.not_high_risk": "No operator duties: they need a high-risk system",
    "eu.art111.2": "Transition: high-risk system already on the market (Art. 111(2))",
    "eu.art111.3": "Transition: general-purpose AI model already on the market (Art. 111(3))",
    "eu.art27": "Who owes a fundamental rights impact assessment",
    "eu.art86": "Who owes an explanation of individual decisions",
    "eu.art25": "Deployer considered the provider (Art. 25)",
    "eu.art25.not_high_risk": "Not the provider: Art. 25 needs a high-risk system",
    "eu.art4": "AI literacy",
    "eu.art5": "Prohibited practice",
    "eu.art6.1": "High risk: safety component of an Annex I product",
    "eu.art6.1.no_third_party": "Annex I product without third-party conformity assessment",
    "eu.art6.2": "High risk: Annex III use",
    "eu.art6.3": "Annex III use that is not high risk",
    "eu.art6.3.profiling": "Annex III use with profiling: always high risk",
    "eu.art6.3.significant_risk": "Annex III use posing a significant risk: high risk",
    "eu.annex_iii.excluded": "Use excluded by its Annex III point",
    "eu.art50": "Transparency duty",
    "eu.art51": "General-purpose AI model with systemic risk",
    "eu.gpai": "General-purpose AI model",
    "eu.minimal": "Minimal risk",
    "tier.factor": "Scorecard factor",
    "tier.score.threshold": "Tier from the score's thresholds",
    "tier.matrix.cell": "Tier from the materiality and complexity matrix",
}


# Words a reader knows in capitals: a metric "max_psi" reads "Max PSI", not "Max psi".
ACRONYMS = frozenset(
    {"auc", "roc", "ks", "psi", "csi", "kl", "js", "f1", "mae", "mse", "rmse", "mape", "ece",
     "pd", "lgd", "ead", "llm", "ai", "eu", "us", "uk", "id", "url", "api", "ifrs", "raci",
     "uri", "sha256", "i", "iii"}
)  # fmt: skip


def label_for(value: object) -> str:
    """A result, label or framework id as people read it ("tier_1" -> "Tier 1 (high)")."""
    text = str(value)
    if text in LABELS:
        return LABELS[text]
    shown = _words(text)
    return shown[:1].upper() + shown[1:]


def result_words(result: str, details: dict[str, object]) -> str:
    """A result as people read it, marked when it rests on answers not known yet, so that no
    register or document shows a provisional category as settled."""
    shown = label_for(result)
    return f"{shown} (provisional)" if details.get("provisional") else shown


def _words(code: str) -> str:
    """A code's words in lower case but for acronyms ("max_psi" -> "max PSI")."""
    words = code.replace("_", " ").split(" ")
    return " ".join(w.upper() if w.lower() in ACRONYMS else w.lower() for w in words)


# A monitoring threshold's key: "signal:measure", with "[scope]" when it watches one segment.
SIGNAL_KEY = re.compile(r"^(?P<signal>[a-z]+):(?P<measure>[^\[]+)(\[(?P<scope>.*)\])?$")


def signal_label(key: str) -> str:
    """A monitoring threshold's key as people read it ("fairness:demographic_parity_difference"
    -> "Fairness: demographic parity difference"; "evaluation:pass_rate[jailbreak]" ->
    "Evaluation: pass rate for jailbreak"); the key itself stays what alerts are de-duplicated
    on, and the API's field."""
    found = SIGNAL_KEY.match(key)
    if found is None:
        return label_for(key)
    scope = f" for {found['scope']}" if found["scope"] else ""
    return f"{label_for(found['signal'])}: {_words(found['measure'])}{scope}"


# A stored code: "tier_1", "high_risk_annex_iii", "missing" (never a hash: those carry digits).
CODE = re.compile(r"^[a-z]+(_[a-z0-9]+)*$")


def value_label(value: object) -> str:
    """A stored value as people read it: a code in words, Yes/No, a number to four significant
    digits, an ISO date or instant as a date, a list or mapping item by item; "—" for nothing."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(value_label(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{label_for(k)}: {value_label(v)}" for k, v in value.items())
    if isinstance(value, str):
        return _text_label(value)
    return str(value)


def _text_label(value: str) -> str:
    if value in LABELS or CODE.match(value):
        return label_for(value)
    try:
        moment = datetime.fromisoformat(value) if len(value) > 10 and "T" in value else None
        day = date.fromisoformat(value) if len(value) == 10 and value[4] == "-" else None
    except ValueError:
        return value
    if moment is not None:
        return f"{moment:%-d %b %Y, %H:%M} UTC"
    return f"{day:%-d %b %Y}" if day is not None else value


def action_label(verb: str) -> str:
    """An audit event's action as people read it ("approval.signed_off" -> "Approval signed
    off"); the verb itself stays the filter key and the API's field."""
    return label_for(verb.replace(".", " ")) if verb not in LABELS else LABELS[verb]


def rule_label(rule: str) -> str:
    """The rule an assessment's reason cites, named ("tier.score.threshold" -> "Tier from the
    score's thresholds"); an id of no known family reads as its words."""
    parts = rule.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in RULES:
            return RULES[".".join(parts[:end])]
    return label_for(" ".join(parts))


# How a sign-off role reads in a sentence: one and many ("2 committee members").
SIGNERS = {
    "validator": ("validator", "validators"),
    "committee": ("committee member", "committee members"),
    "compliance": ("compliance officer", "compliance officers"),
    "legal": ("legal reviewer", "legal reviewers"),
}


def signer_noun(role: str, count: int = 1) -> str:
    """Who fills a sign-off role, in the singular or plural: signer_noun("legal", 2) is "legal
    reviewers"."""
    one, many = SIGNERS.get(role, (role, role))
    return one if count == 1 else many
