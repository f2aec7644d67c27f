"""Demo models of Treasury, Markets and Corporate Banking, including an LLM memo summariser."""

from governance.demo.spec import CLASSICAL_ML, CORPORATE_BANKING, TREASURY, DemoModel, DemoVersion

_MEMO_PROMPTS = (
    (
        "summarise_memo",
        (
            "Summarise this credit memorandum for the credit committee in five sections: borrower, "
            "facility, financial performance, key risks and mitigants, recommendation. Quote figures "
            "exactly as written; write 'not stated' when the memo does not say.\n\n{memo}"
        ),
    ),
    (
        "list_covenants",
        (
            "List every financial covenant in the memo with its test level and testing frequency as "
            "a table.\n\n{memo}"
        ),
    ),
)

TREASURY_CORPORATE_MODELS: tuple[DemoModel, ...] = (
    DemoModel(
        slug="cash-forecast",
        name="Branch and ATM cash demand forecast",
        business_unit=TREASURY,
        model_type=CLASSICAL_ML,
        status="production",
        owner="tom",
        developer="priya",
        validator="victor",
        framework="Prophet 1.1 + LightGBM 4.5",
        description="Forecasts daily cash withdrawals for every branch and ATM 21 days ahead, with "
        "holiday and payday effects.",
        intended_purpose="Plan cash deliveries and the cash buffer held by the treasury desk.",
        versions=(
            DemoVersion("1.0", "2025-02-24", "2025-03-03", "2025-03-17"),
            DemoVersion("1.1", "2025-09-01", "2025-09-08", "2025-09-22"),
            DemoVersion("2.0", "2026-05-11", "2026-05-18", "2026-06-01"),
        ),
        datasets=("cash-movements",),
        params={"horizon_days": 21, "seasonality_mode": "multiplicative", "num_leaves": 15},
        serving="batch",
    ),
    DemoModel(
        slug="market-risk-var",
        name="Trading book VaR (historical simulation)",
        business_unit="Markets",
        model_type=CLASSICAL_ML,
        status="production",
        owner="tom",
        developer="priya",
        validator="victor",
        framework="numpy 2.1 (full revaluation, 250-day window)",
        description="One-day 99% value at risk and stressed VaR of the trading book by historical "
        "simulation with full revaluation; back-tested daily.",
        intended_purpose="Market risk limits and the internal-model capital requirement.",
        versions=(
            DemoVersion("5.0", "2025-03-03", "2025-03-10", "2025-04-01"),
            DemoVersion("5.1", "2026-01-19", "2026-02-02", "2026-03-02"),
        ),
        tracker="dvc",
        datasets=("market-data",),
        params={"confidence": 0.99, "window_days": 250, "stress_period": "2008-2009"},
        serving="batch",
        custom_fields={"regulatory_reference": "CRR Art. 325bc; Basel MAR33"},
    ),
    DemoModel(
        slug="nmd-behavioural",
        name="Non-maturity deposit behavioural model",
        business_unit=TREASURY,
        model_type=CLASSICAL_ML,
        status="validation",
        owner="tom",
        developer="priya",
        validator="victor",
        framework="statsmodels 0.14 (deposit decay and rate pass-through)",
        description="Splits current and savings balances into stable and volatile parts and "
        "estimates their behavioural maturity and rate pass-through.",
        intended_purpose="Interest rate risk in the banking book (IRRBB) and structural hedging.",
        versions=(DemoVersion("1.0", "2026-08-24", "2026-09-07"),),
        datasets=("deposit-balances",),
        params={"max_maturity_years": 5, "core_share_cap": 0.9},
        serving="batch",
        custom_fields={"regulatory_reference": "EBA/GL/2022/14 (IRRBB)"},
    ),
    DemoModel(
        slug="corporate-rating",
        name="SME and corporate rating model",
        business_unit=CORPORATE_BANKING,
        model_type=CLASSICAL_ML,
        status="production",
        owner="tom",
        developer="priya",
        validator="victor",
        framework="scikit-learn 1.5 (ordinal logistic on ratios) + expert overlay",
        description="Rates corporate and SME borrowers on the 21-grade master scale from financial "
        "ratios, industry and qualitative factors; overrides are logged.",
        intended_purpose="Corporate PD for IRB capital, pricing and credit approval authority.",
        versions=(
            DemoVersion("2.0", "2025-04-07", "2025-04-22", "2025-06-02"),
            DemoVersion("2.1", "2026-03-09", "2026-03-23", "2026-05-04"),
        ),
        datasets=("corporate-financials",),
        params={"grades": 21, "qualitative_weight": 0.3, "override_limit_notches": 2},
        custom_fields={"regulatory_reference": "CRR Art. 170", "sox_relevant": True},
    ),
    DemoModel(
        slug="credit-memo-summariser",
        name="Credit memo summariser",
        business_unit=CORPORATE_BANKING,
        model_type="llm_application",
        status="validation",
        owner="tom",
        developer="priya",
        validator="victor",
        framework="vLLM 0.6 + LangChain 0.3",
        description="Summarises corporate credit memoranda and lists their covenants for credit "
        "committee packs; runs on the bank's own GPU cluster so memos never leave the bank.",
        intended_purpose="Draft summaries for credit officers, who check and sign every summary.",
        versions=(
            DemoVersion("0.9", "2026-06-22", "2026-07-06", base_model="Llama-3.1-70B-Instruct"),
            DemoVersion("1.0", "2026-10-12", "2026-10-26", base_model="Llama-3.3-70B-Instruct"),
        ),
        tracker="",
        provider="Northwind AI platform (self-hosted vLLM)",
        prompts=_MEMO_PROMPTS,
    ),
)
