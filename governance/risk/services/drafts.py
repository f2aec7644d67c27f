"""Draft work products Attest prepares from the EU AI Act classification, kept on the matching
obligations as drafts (never counted as evidence until a person adopts one: controls.adopt_draft).
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from governance import audit, permissions
from governance.access.models import RaciAssignment
from governance.labels import label_for
from governance.risk import records
from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, DraftEvidence, Framework, RiskAssessment
from governance.risk.rules import eu_ai_act
from governance.risk.rules import work_products as wp
from governance.rulebooks.content import as_json, as_rules, content_sha256
from registry.models import MLModel, UseCase
from reports.exports.word import Document


def _titles(model: MLModel, kind: str) -> tuple[str, ...]:
    source = records.RECORD_SOURCES[kind]
    return tuple(source.describe(row).title for row in source.rows(model)[:20])


def _raci(model: MLModel) -> tuple[str, ...]:
    rows = RaciAssignment.objects.filter(model=model).select_related("user", "group")
    return tuple(
        f"{row.get_role_display()} for {row.get_area_display().lower()}: "
        f"{row.user.get_full_name() or row.user.get_username() if row.user else row.group}"
        for row in rows
    )


def _versions(model: MLModel) -> tuple[str, ...]:
    return tuple(
        " ".join(
            filter(None, (v.version, f"({v.framework})" if v.framework else "", v.artifact_uri))
        )
        for v in model.versions.order_by("-created_at", "-pk")[:20]
    )


def inventory_of(model: MLModel, use_case: UseCase) -> wp.Inventory:
    """What the inventory holds on the model and the use case, in words."""
    owner = model.owner
    return wp.Inventory(
        model=model.name,
        owner=owner.get_full_name() or owner.get_username(),
        business_unit=model.business_unit,
        intended_purpose=model.intended_purpose,
        description=model.description,
        model_type=model.get_model_type_display(),
        vendor=model.vendor,
        organisation=settings.ATTEST_ORGANISATION,
        use_case=use_case.name,
        business_purpose=use_case.business_purpose,
        deployer_context=use_case.deployer_context,
        affected_people=use_case.affected_people,
        versions=_versions(model),
        training_runs=_titles(model, "training_run"),
        datasets=_titles(model, "dataset_version"),
        deployments=_titles(model, "deployment"),
        raci=_raci(model),
        monitoring=_titles(model, "monitoring_policy"),
        fairness=_titles(model, "fairness_result"),
    )


def classification_of(assessment: RiskAssessment) -> wp.Classification:
    outcome = risk_selectors.effective_outcome(assessment)
    conditions = as_rules(assessment.rulebook.content).get("derogation_conditions", [])
    assessor = assessment.assessed_by
    return wp.Classification(
        outcome=outcome,
        result=label_for(outcome.result),
        assessed_by=(assessor.get_full_name() or assessor.get_username()) if assessor else "Attest",
        assessed_on=timezone.localdate(assessment.valid_from),
        conditions={c["id"]: c["title"] for c in conditions},
    )


def _source(model: MLModel) -> RiskAssessment | None:
    """The EU AI Act assessment in force that gives the model its category (the strictest)."""
    found = [
        a
        for use_case in model.use_cases.all()
        if (a := risk_selectors.in_force_at(use_case, Framework.EU_AI_ACT)) is not None
    ]
    ranked = sorted(
        found,
        key=lambda a: eu_ai_act.SEVERITY.index(risk_selectors.effective_outcome(a).result),
    )
    return ranked[0] if ranked else None


def _wanted(model: MLModel) -> list[tuple[Control, wp.WorkProduct, RiskAssessment]]:
    source = _source(model)
    if source is None or source.use_case is None:
        return []
    classification = classification_of(source)
    inventory = inventory_of(model, source.use_case)
    kinds = wp.products_for(classification.outcome)
    ids = {obligation: kind for kind in kinds for obligation in wp.OBLIGATIONS[kind]}
    controls = Control.objects.filter(model=model, applies=True, obligation_id__in=ids)
    products = {kind: wp.build(kind, classification, inventory) for kind in kinds}
    return [(c, products[ids[c.obligation_id]], source) for c in controls.order_by("pk")]


def _write(
    actor: User | None, control: Control, product: wp.WorkProduct, source: RiskAssessment
) -> DraftEvidence | None:
    """Replace the open draft of this product on the obligation; None when it is unchanged."""
    document = as_json(wp.as_json(product))
    digest = content_sha256(document)
    draft = DraftEvidence.objects.filter(
        control=control, product=product.kind, adopted_as__isnull=True
    ).first() or DraftEvidence(control=control, product=product.kind)
    if draft.pk and draft.sha256 == digest:
        return None
    before = audit.snapshot(draft, ["title", "sha256", "assessment"]) if draft.pk else None
    draft.title, draft.document, draft.sha256 = product.title[:300], document, digest
    draft.assessment, draft.prepared_by, draft.prepared_at = source, actor, timezone.now()
    draft.save()
    audit.record(
        actor=actor,
        verb="draft.prepared",
        target=draft,
        before=before,
        after={
            **audit.snapshot(draft, ["product", "title", "sha256", "assessment"]),
            "control": control.obligation_id,
            "to_complete": [item.citation for item in product.missing],
        },
        mlmodel_id=control.model_id,
    )
    return draft


def _withdraw(actor: User | None, draft: DraftEvidence) -> None:
    audit.record(
        actor=actor,
        verb="draft.withdrawn",
        target=draft,
        before=audit.snapshot(draft, ["product", "title", "sha256"]),
        after={"control": draft.control.obligation_id},
        mlmodel_id=draft.control.model_id,
    )
    draft.delete()


@transaction.atomic
def prepare_drafts(
    *, actor: User | None, model: MLModel, after: RiskAssessment | None = None
) -> list[DraftEvidence]:
    """Draft the work products the model's EU AI Act classification calls for, on the matching
    obligations; a draft already there is replaced, never duplicated, and one no longer called
    for is withdrawn. Returns the drafts written.

    Args:
        actor: who asks; a person asking directly needs the rights of attaching evidence. None
            is Attest itself (a re-derivation by the daily task).
        after: the EU AI Act assessment whose completion this follows: completing it was the
            permission checked, so the drafts are prepared for its assessor on every model.
    """
    model = MLModel.objects.select_for_update().get(pk=model.pk)
    if actor is not None and after is None:
        permissions.require(actor, "change", model)
    wanted = _wanted(model)
    keep = {(control.pk, product.kind) for control, product, _ in wanted}
    written = [d for c, p, s in wanted if (d := _write(actor, c, p, s)) is not None]
    stale = DraftEvidence.objects.filter(control__model=model, adopted_as__isnull=True)
    for draft in stale.select_related("control"):
        if (draft.control_id, draft.product) not in keep:
            _withdraw(actor, draft)
    return written


def product_of(draft: DraftEvidence) -> wp.WorkProduct:
    return wp.from_json(draft.document)


def document_of(draft: DraftEvidence) -> Document:
    """The draft as a document, for Word or PDF."""
    return wp.as_document(
        product_of(draft), as_of=draft.prepared_at, subject=f"draft-{draft.pk}-{draft.sha256[:8]}"
    )
