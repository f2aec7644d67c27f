"""The Northwind Bank demo portfolio, as plain data: people, data, models, links and use cases.

`manage.py seed_demo` loads it through the services (`governance.demo.loader`). Every date is
fixed and falls before DEMO_AS_OF, so a seeded database looks the same whenever it is built.
"""

from governance.demo.customer_people import CUSTOMER_PEOPLE_MODELS
from governance.demo.datasets import DATASETS
from governance.demo.financial_crime import FINANCIAL_CRIME_MODELS
from governance.demo.insurance import INSURANCE_MODELS
from governance.demo.links import DEPENDENCIES, USE_CASES
from governance.demo.retail_credit import RETAIL_CREDIT_MODELS
from governance.demo.spec import (
    ADMIN,
    BANK,
    COMMITTEE_CHAIR,
    CUSTOM_FIELDS,
    DEMO_AS_OF,
    HEAD_OF_VALIDATION,
    MARKER_SLUG,
    PASSWORD,
    USERS,
    DemoDataset,
    DemoDatasetVersion,
    DemoDependency,
    DemoModel,
    DemoUseCase,
    DemoUser,
    DemoVersion,
)
from governance.demo.treasury_corporate import TREASURY_CORPORATE_MODELS

MODELS: tuple[DemoModel, ...] = (
    *RETAIL_CREDIT_MODELS,
    *FINANCIAL_CRIME_MODELS,
    *INSURANCE_MODELS,
    *TREASURY_CORPORATE_MODELS,
    *CUSTOMER_PEOPLE_MODELS,
)

__all__ = [
    "ADMIN",
    "BANK",
    "COMMITTEE_CHAIR",
    "CUSTOM_FIELDS",
    "DATASETS",
    "DEMO_AS_OF",
    "DEPENDENCIES",
    "HEAD_OF_VALIDATION",
    "MARKER_SLUG",
    "MODELS",
    "PASSWORD",
    "USERS",
    "USE_CASES",
    "DemoDataset",
    "DemoDatasetVersion",
    "DemoDependency",
    "DemoModel",
    "DemoUseCase",
    "DemoUser",
    "DemoVersion",
]
