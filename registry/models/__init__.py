"""Inventory models: what models exist, what they are built from, and where they run."""

from registry.models.custom_fields import CustomField
from registry.models.data import Dataset, DatasetVersion, TrainingRun
from registry.models.deployments import Deployment
from registry.models.inventory import (
    MLModel,
    MLModelGroupObjectPermission,
    MLModelUserObjectPermission,
    ModelDependency,
    ModelVersion,
    PromptTemplate,
)
from registry.models.organisation import OrganisationProfile
from registry.models.use_cases import UseCase, UseCaseChange

__all__ = [
    "CustomField",
    "Dataset",
    "DatasetVersion",
    "Deployment",
    "MLModel",
    "MLModelGroupObjectPermission",
    "MLModelUserObjectPermission",
    "ModelDependency",
    "ModelVersion",
    "OrganisationProfile",
    "PromptTemplate",
    "TrainingRun",
    "UseCase",
    "UseCaseChange",
]
