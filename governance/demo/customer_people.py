"""Demo models of Customer Operations, Marketing and HR, including the support LLM assistant."""

from governance.demo.spec import CLASSICAL_ML, DemoModel, DemoVersion

_SUPPORT_PROMPTS = (
    (
        "system",
        (
            "You are Nora, Northwind Bank's virtual assistant. Answer only from the help-centre "
            "articles provided. Never give financial advice, never ask for a full card number, PIN "
            "or password. Say you are an AI assistant when asked and whenever you start a chat."
        ),
    ),
    (
        "answer_with_sources",
        (
            "Customer question: {question}\n\nHelp-centre articles:\n{articles}\n\nAnswer in plain "
            "English in at most 120 words and cite the article titles you used."
        ),
    ),
    (
        "escalate_to_human",
        (
            "Decide whether this conversation must go to a colleague: complaints, bereavement, "
            "financial difficulty, suspected fraud or vulnerability. Conversation:\n{transcript}\n"
            'Reply with JSON: {{"escalate": true|false, "reason": "..."}}'
        ),
    ),
)

CUSTOMER_PEOPLE_MODELS: tuple[DemoModel, ...] = (
    DemoModel(
        slug="cv-screening",
        name="Graduate CV screening",
        business_unit="Human Resources",
        model_type=CLASSICAL_ML,
        status="validation",
        owner="hana",
        developer="dev",
        validator="vera",
        framework="scikit-learn 1.5 (TF-IDF + logistic regression)",
        description="Ranks graduate programme applications by similarity to past successful "
        "applicants; names, photos, ages and addresses are removed before scoring.",
        intended_purpose="Order the recruiters' review queue; every application is read by a "
        "person and no one is rejected by the model alone.",
        versions=(
            DemoVersion("0.9", "2026-03-16", "2026-04-06"),
            DemoVersion("1.0", "2026-08-10", "2026-08-24"),
        ),
        datasets=("hiring-history",),
        params={
            "ngram_range": [1, 2],
            "min_df": 5,
            "C": 0.8,
            "dropped": ["name", "age", "address"],
        },
        custom_fields={"regulatory_reference": "EU AI Act Annex III 4(a); Equality Act 2010"},
    ),
    DemoModel(
        slug="support-assistant",
        name="Customer support assistant (Nora)",
        business_unit="Customer Operations",
        model_type="llm_application",
        status="production",
        owner="hana",
        developer="dev",
        validator="vera",
        framework="LangChain 0.3 (retrieval over help-centre articles)",
        description="Chat assistant in the mobile app and website that answers service questions "
        "from help-centre articles and hands over to a colleague for complaints, fraud and "
        "vulnerable customers.",
        intended_purpose="Answer general servicing questions; no advice, no account changes.",
        versions=(
            DemoVersion("1.0", "2025-05-19", "2025-06-02", "2025-07-01", "gpt-4o-2024-08-06"),
            DemoVersion("1.1", "2025-11-10", "2025-11-24", "2026-01-12", "gpt-4o-2024-11-20"),
            DemoVersion("2.0", "2026-07-20", "2026-08-03", "2026-09-07", "gpt-4.1-2025-04-14"),
        ),
        tracker="",
        provider="Azure OpenAI (EU Data Zone)",
        prompts=_SUPPORT_PROMPTS,
        custom_fields={"regulatory_reference": "EU AI Act Art. 50(1); FCA Consumer Duty"},
    ),
    DemoModel(
        slug="current-account-churn",
        name="Current account churn propensity",
        business_unit="Retail Marketing",
        model_type=CLASSICAL_ML,
        status="production",
        owner="hana",
        developer="dev",
        validator="vera",
        framework="CatBoost 1.2",
        description="Probability that a customer switches their main current account away within "
        "90 days.",
        intended_purpose="Choose customers for retention offers; excluded for customers in "
        "financial difficulty.",
        versions=(
            DemoVersion("1.0", "2025-06-02", "2025-06-16", "2025-07-07"),
            DemoVersion("1.1", "2026-02-02", "2026-02-16", "2026-03-09"),
        ),
        tracker="wandb",
        datasets=("customer-360",),
        params={"depth": 6, "learning_rate": 0.08, "iterations": 1500},
        serving="batch",
    ),
    DemoModel(
        slug="agent-emotion-insights",
        name="Contact-centre agent emotion insights (proposed)",
        business_unit="Customer Operations",
        model_type="vendor",
        status="development",
        owner="hana",
        developer="priya",
        validator="victor",
        framework="Vendor speech-emotion API",
        description="A vendor tool that scores the emotions of contact-centre agents from their "
        "voice during calls.",
        intended_purpose="Proposed: flag stressed or disengaged agents to team leaders. Blocked: "
        "emotion recognition at the workplace is prohibited under EU AI Act Art. 5(1)(f).",
        versions=(DemoVersion("0.1", "2026-09-14"),),
        tracker="",
        vendor="Sentira Analytics",
    ),
)
