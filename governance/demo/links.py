"""How the demo models connect: model-to-model dependencies and EU AI Act use cases."""

from governance.demo.spec import (
    FINANCIAL_CRIME,
    INSURANCE,
    RETAIL_CREDIT,
    DemoDependency,
    DemoUseCase,
)

DEPENDENCIES: tuple[DemoDependency, ...] = (
    DemoDependency("bureau-score", "retail-pd", "Bureau score is a scorecard characteristic"),
    DemoDependency("retail-pd", "ifrs9-staging", "Lifetime PD now vs at origination (SICR test)"),
    DemoDependency("retail-pd", "ifrs9-ecl", "PD term structure"),
    DemoDependency("retail-lgd", "ifrs9-ecl", "Point-in-time LGD"),
    DemoDependency("retail-ead", "ifrs9-ecl", "EAD for revolving products"),
    DemoDependency("ifrs9-staging", "ifrs9-ecl", "Stage decides 12-month or lifetime ECL"),
    DemoDependency("mortgage-prepayment", "ifrs9-ecl", "Expected life of mortgages"),
    DemoDependency("retail-pd", "collections-propensity", "PD grade is a model input"),
    DemoDependency(
        "sanctions-screening", "aml-transaction-monitoring", "Screening hits as risk factor"
    ),
    DemoDependency("card-fraud", "aml-transaction-monitoring", "Confirmed card fraud as a feature"),
    DemoDependency(
        "corporate-rating", "credit-memo-summariser", "Rating grade quoted in summaries"
    ),
)

USE_CASES: tuple[DemoUseCase, ...] = (
    DemoUseCase(
        slug="retail-creditworthiness",
        name="Creditworthiness assessment for retail lending",
        business_unit=RETAIL_CREDIT,
        owner="olivia",
        business_purpose="Decide on applications and limit changes for personal loans and credit "
        "cards from the applicant's probability of default and affordability.",
        deployer_context="Northwind Bank deploys the system in its UK and Irish retail lending; "
        "underwriters review every decline and every referral.",
        affected_people="Loan and credit card applicants and existing cardholders (natural "
        "persons). High-risk under EU AI Act Annex III 5(b).",
        models=("retail-pd", "bureau-score", "affordability"),
    ),
    DemoUseCase(
        slug="graduate-recruitment-screening",
        name="Recruitment screening for the graduate programme",
        business_unit="Human Resources",
        owner="hana",
        business_purpose="Order some 9,000 yearly graduate applications so recruiters read the "
        "most relevant first.",
        deployer_context="HR recruiters in the UK and Ireland; every application is read by a "
        "person and the ranking is never shown to interviewers.",
        affected_people="Job applicants (natural persons). High-risk under EU AI Act Annex III "
        "4(a): recruitment and selection.",
        models=("cv-screening",),
    ),
    DemoUseCase(
        slug="motor-insurance-pricing",
        name="Motor insurance pricing",
        business_unit=INSURANCE,
        owner="ines",
        business_purpose="Set the technical premium for new and renewing private motor policies.",
        deployer_context="Northwind Insurance's direct and aggregator channels; underwriters own "
        "the final commercial price and its fairness review.",
        affected_people="Motor policyholders and quote requesters. Not listed in Annex III (which "
        "names life and health insurance), treated as high-impact under the Consumer Duty.",
        models=("motor-pricing",),
    ),
    DemoUseCase(
        slug="customer-support-chatbot",
        name="Customer-support chatbot",
        business_unit="Customer Operations",
        owner="hana",
        business_purpose="Answer servicing questions in the app and on the website at any hour, "
        "handing over to colleagues when needed.",
        deployer_context="Retail customers in the mobile app and on northwind.example; the chat "
        "opens by saying it is an AI assistant.",
        affected_people="Retail customers and members of the public. Transparency obligations "
        "under EU AI Act Art. 50(1).",
        models=("support-assistant",),
    ),
    DemoUseCase(
        slug="aml-monitoring",
        name="Anti-money-laundering transaction monitoring",
        business_unit=FINANCIAL_CRIME,
        owner="felix",
        business_purpose="Detect and investigate suspicious payments and sanctions exposure, and "
        "report them to the National Crime Agency.",
        deployer_context="Financial Crime Operations investigators; the models prioritise alerts "
        "and never close them on their own.",
        affected_people="All personal and business customers and their payment counterparties.",
        models=("aml-transaction-monitoring", "sanctions-screening", "card-fraud"),
    ),
    DemoUseCase(
        slug="ifrs9-provisioning",
        name="IFRS 9 credit loss provisioning",
        business_unit=RETAIL_CREDIT,
        owner="olivia",
        business_purpose="Compute the monthly retail loss allowance for the financial statements.",
        deployer_context="Finance and Credit Risk month-end close; results are approved by the "
        "Impairment Committee.",
        affected_people="No decisions about individuals; shareholders and supervisors rely on it.",
        models=("ifrs9-staging", "ifrs9-ecl", "retail-pd", "retail-lgd", "retail-ead"),
    ),
    DemoUseCase(
        slug="motor-claims-handling",
        name="Motor claims handling",
        business_unit=INSURANCE,
        owner="ines",
        business_purpose="Route new motor claims to the right handling team on the day they are "
        "notified.",
        deployer_context="Northwind Insurance claims teams; handlers make every settlement "
        "decision.",
        affected_people="Motor policyholders and third-party claimants.",
        models=("claims-triage",),
    ),
    DemoUseCase(
        slug="agent-emotion-monitoring",
        name="Contact-centre agent emotion monitoring (proposed)",
        business_unit="Customer Operations",
        owner="hana",
        business_purpose="Proposed by Customer Operations: tell team leaders which agents sound "
        "stressed or disengaged.",
        deployer_context="Would run on recorded calls in the Cork and Leeds contact centres.",
        affected_people="Contact-centre employees (natural persons). Prohibited under EU AI Act "
        "Art. 5(1)(f): emotion recognition at the workplace.",
        models=("agent-emotion-insights",),
    ),
    DemoUseCase(
        slug="credit-limit-management",
        name="Credit limit management for cardholders",
        business_unit=RETAIL_CREDIT,
        owner="olivia",
        business_purpose="Raise, hold or lower credit card limits each month from behavioural PD "
        "and exposure at default.",
        deployer_context="Automated monthly batch; customers are told of decreases and may ask "
        "for a review by a person.",
        affected_people="Credit cardholders (natural persons). High-risk under EU AI Act "
        "Annex III 5(b).",
        models=("retail-pd", "retail-ead"),
    ),
)
