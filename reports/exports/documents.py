"""Model documentation, read from the records for Word (`word.to_docx`); the validation report
is `validation_records`.

Callers resolve the model or request through permissions first. Each document is dated by the
newest change among the records it shows, so downloading it twice gives the same content.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Max, Prefetch, Q

from governance.access.models import RaciAssignment
from governance.approvals.selectors import facts as approval_facts
from governance.labels import label_for, result_words
from governance.risk.models import Control, Evidence, RiskAssessment
from governance.risk.rules.results import Outcome
from governance.risk.selectors import coverage, status_of
from registry.models import CustomField, DatasetVersion, MLModel, ModelVersion
from reports.exports.registers import person
from reports.exports.word import Document, Facts, Grid, Section


def _newest(*moments: Iterable[datetime | None]) -> datetime:
    return max(moment for group in moments for moment in group if moment is not None)


def _classification(
    tier: Outcome | None, eu: Outcome | None, when: str = ""
) -> tuple[tuple[str, str], ...]:
    """The tier and EU AI Act category with their legal basis; `when` qualifies the labels."""
    return (
        (f"Model risk tier{when}", label_for(tier.result) if tier else "Not assessed"),
        (f"Legal basis of the tier{when}", "; ".join(tier.legal_basis) if tier else ""),
        (
            f"EU AI Act category{when}",
            result_words(eu.result, eu.details) if eu else "Not classified",
        ),
        (f"Legal basis of the category{when}", "; ".join(eu.legal_basis) if eu else ""),
    )


# ---- Model documentation --------------------------------------------------------------------------


def _record(model: MLModel, fields: list[CustomField]) -> Facts:
    custom = tuple((f.label, model.custom_fields.get(f.key)) for f in fields)
    return Facts(
        (
            ("Name", model.name),
            ("Slug", model.slug),
            ("Description", model.description),
            ("Business unit", model.business_unit),
            ("Type", model.get_model_type_display()),
            ("Status", model.get_status_display()),
            ("Vendor", model.vendor),
            ("Owner", person(model.owner)),
            ("Use cases", "; ".join(u.name for u in model.use_cases.all())),
            ("Registered (UTC)", model.created_at),
            ("Updated (UTC)", model.updated_at),
            *custom,
        )
    )


def _raci(assignments: list[RaciAssignment]) -> Grid:
    return Grid(
        ("Area", "Role", "Person or group"),
        tuple((a.get_area_display(), a.get_role_display(), a.principal_name) for a in assignments),
        "Nobody is named in the RACI yet.",
    )


def _run_name(version: ModelVersion) -> str:
    run = version.training_run
    if run is None:
        return ""
    return " ".join(part for part in (run.tracker, run.external_id or f"#{run.pk}") if part)


def _versions(versions: list[ModelVersion]) -> Grid:
    return Grid(
        ("Version", "Registered (UTC)", "Registered by", "Framework", "Artifact SHA-256",
         "Training run", "Code commit"),
        tuple(
            (v.version, v.created_at, person(v.created_by), v.framework, v.artifact_sha256,
             _run_name(v), v.training_run.code_commit if v.training_run else "")
            for v in versions
        ),
        "No version is registered yet.",
    )  # fmt: skip


def _training_data(versions: list[ModelVersion]) -> Grid:
    used: list[tuple[ModelVersion, DatasetVersion]] = [
        (v, data)
        for v in versions
        if v.training_run
        for data in v.training_run.input_datasets.all()
    ]
    return Grid(
        ("Model version", "Dataset", "Dataset version", "Content SHA-256", "External reference",
         "Rows"),
        tuple(
            (v.version, data.dataset.name, data.version, data.content_sha256, data.external_ref,
             data.row_count)
            for v, data in used
        ),
        "No training data is recorded for these versions.",
    )  # fmt: skip


def _obligations(controls: list[Control]) -> Grid:
    return Grid(
        ("Framework", "Reference", "Obligation", "Status", "Due on", "Evidence",
         "Waiver expires on"),
        tuple(
            (label_for(c.framework), c.reference, c.title, Control.Status(status_of(c)).label,
             c.due_on, "; ".join(e.title for e in c.evidence.all()), c.waiver_expires_on)
            for c in controls
        ),
        "No obligation applies yet: the model has no risk classification.",
    )  # fmt: skip


def _model_records(model: MLModel) -> dict[str, Any]:
    data = DatasetVersion.objects.select_related("dataset").order_by("dataset__name", "version")
    return {
        "fields": list(CustomField.objects.filter(is_active=True)),
        "raci": list(model.raci_assignments.select_related("user", "group")),
        "versions": list(
            model.versions.select_related("created_by", "training_run")
            .prefetch_related(Prefetch("training_run__input_datasets", queryset=data))
            .order_by("created_at", "pk")
        ),
        "controls": list(
            Control.objects.filter(model=model, applies=True)
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("added_at")))
            .order_by("framework", "pk")
        ),
    }


def _assessed_at(model: MLModel) -> datetime | None:
    """When the model's risk was last (re)classified, its own or its use cases' assessments."""
    found = RiskAssessment.objects.filter(Q(model=model) | Q(use_case__models=model))
    return found.aggregate(newest=Max("updated_at"))["newest"]


def model_documentation(model: MLModel) -> Document:
    """The inventory record, purpose, accountability, versions and their data, the risk
    classification in force and every obligation with its status."""
    found = _model_records(model)
    versions, controls = found["versions"], found["controls"]
    return Document(
        title=f"Model documentation: {model.name}",
        subtitle=f"{model.slug} · {model.business_unit} · {model.get_status_display()}",
        as_of=_newest(
            [model.updated_at, _assessed_at(model)],
            (u.updated_at for u in model.use_cases.all()),
            (a.created_at for a in found["raci"]),
            (v.created_at for v in versions),
            (c.updated_at for c in controls),
            (e.added_at for c in controls for e in c.evidence.all()),
        ),
        sections=(
            Section("Inventory record", (_record(model, found["fields"]),)),
            Section("Intended purpose", (model.intended_purpose or "Not recorded.",)),
            Section("Accountability", (f"Owner: {person(model.owner)}.", _raci(found["raci"]))),
            Section("Versions", (_versions(versions),)),
            Section("Training data", (_training_data(versions),), 2),
            Section("Risk classification", (Facts(_classification(*_outcomes(model))),)),
            Section("Obligations", (f"{coverage(model).sentence}.", _obligations(controls))),
        ),
        subject=f"Model documentation of {model.slug}",
    )


def _outcomes(model: MLModel) -> tuple[Outcome | None, Outcome | None]:
    return approval_facts.tier_of(model), approval_facts.eu_outcome(model)
