"""Names people read for the codes Attest stores ("tier_1" -> "Tier 1 (high)").

One place, so that a page, a PDF and an export never show a code a reader has to decode.
"""

LABELS = {
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
    "ai_literacy": "AI literacy (Art. 4)",
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


# Words a reader knows in capitals: a metric "max_psi" reads "Max PSI", not "Max psi".
ACRONYMS = frozenset(
    {"auc", "roc", "ks", "psi", "csi", "kl", "js", "f1", "mae", "mse", "rmse", "mape", "ece",
     "pd", "lgd", "ead", "llm", "ai", "eu", "us", "uk", "id", "url", "api", "ifrs", "raci",
     "uri", "sha256"}
)  # fmt: skip


def label_for(value: object) -> str:
    """A result, label or framework id as people read it ("tier_1" -> "Tier 1 (high)")."""
    text = str(value)
    if text in LABELS:
        return LABELS[text]
    words = text.replace("_", " ").split(" ")
    shown = [w.upper() if w.lower() in ACRONYMS else w.lower() for w in words]
    return " ".join(shown)[:1].upper() + " ".join(shown)[1:]


def action_label(verb: str) -> str:
    """An audit event's action as people read it ("approval.signed_off" -> "Approval signed
    off"); the verb itself stays the filter key and the API's field."""
    return label_for(verb.replace(".", " ")) if verb not in LABELS else LABELS[verb]
