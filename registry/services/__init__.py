"""Inventory writes: one function per domain action; each checks, writes, and audits."""

from registry.services.custom_fields import define_custom_field, update_custom_field
from registry.services.data import register_dataset, register_dataset_version
from registry.services.deployments import end_deployment, record_deployment
from registry.services.models import (
    add_dependency,
    delete_model,
    register_model,
    remove_dependency,
    update_model,
)
from registry.services.organisation import update_organisation_profile
from registry.services.use_cases import (
    decide_use_case_change,
    link_model,
    propose_use_case_change,
    register_use_case,
    unlink_model,
    update_use_case,
)
from registry.services.versions import record_training_run, register_version

__all__ = [
    "add_dependency",
    "decide_use_case_change",
    "define_custom_field",
    "delete_model",
    "end_deployment",
    "link_model",
    "propose_use_case_change",
    "record_deployment",
    "record_training_run",
    "register_dataset",
    "register_dataset_version",
    "register_model",
    "register_use_case",
    "register_version",
    "remove_dependency",
    "unlink_model",
    "update_custom_field",
    "update_model",
    "update_organisation_profile",
    "update_use_case",
]
