"""A model's obligations checklist: which obligations apply, their evidence, review and waivers."""

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from governance import audit, permissions, uploads
from governance.access import selectors as people
from governance.access.models import RequestState
from governance.access.services import decisions
from governance.errors import DomainError, clean_or_raise
from governance.labels import label_for
from governance.risk import records
from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, DraftEvidence, Evidence, Waiver
from governance.risk.rules import obligations
from governance.risk.rules.results import Outcome
from governance.risk.services import drafts
from governance.rulebooks.content import as_rules
from governance.rulebooks.models import Rulebook
from registry.models import MLModel
from reports.exports import word

# Records already in Attest that can stand as evidence, by kind (how to find each for a model).
RECORDS = records.RECORD_SOURCES


def _catalogs(on: date | None = None) -> list[Rulebook]:
    """The obligation catalog in force for each framework (none for a framework whose first
    catalog has not taken effect yet, e.g. SR 26-2 before 17 April 2026)."""
    return Rulebook.objects.in_force_by_name(Rulebook.Kind.OBLIGATIONS, on=on)


def _wanted(
    catalogs: list[Rulebook], outcomes: Mapping[str, Outcome]
) -> dict[str, tuple[Rulebook, dict[str, Any]]]:
    by_framework = {book.content["framework"]: book for book in catalogs}
    entries = obligations.applicable(
        [as_rules(book.content) for book in catalogs],
        outcomes,
        voluntary=settings.ATTEST_VOLUNTARY_FRAMEWORKS,
    )
    return {entry["id"]: (by_framework[entry["framework"]], entry) for entry in entries}


def _due_on(entry: dict[str, Any], outcomes: Mapping[str, Outcome]) -> date | None:
    """When the obligation starts to bite: the application date of the label it keys on."""
    outcome = outcomes.get(entry["framework"])
    dates = outcome.details.get("applies_from", {}) if outcome else {}
    found = [dates[label] for label in entry.get("applies_to", []) if label in dates]
    return date.fromisoformat(str(min(found))) if found else None


def sync_controls(
    *, actor: User | None, model: MLModel, outcomes: Mapping[str, Outcome]
) -> dict[str, list[str]]:
    """Make the checklist match the model's outcomes: add new obligations, retire old ones.

    Retired controls keep their evidence and history (`applies=False`); if the obligation comes
    back, so does the control with what it had.
    """
    wanted = _wanted(_catalogs(), outcomes)
    existing = {c.obligation_id: c for c in Control.objects.select_for_update().filter(model=model)}
    added, dropped, new = [], [], []
    for obligation_id, (catalog, entry) in wanted.items():
        control = existing.get(obligation_id) or Control(model=model, obligation_id=obligation_id)
        if control.pk and control.applies and control.catalog_id == catalog.pk:
            continue
        if not control.pk or not control.applies:
            added.append(obligation_id)
        control.framework, control.catalog = entry["framework"], catalog
        control.reference, control.title = entry["reference"], entry["title"]
        control.description = entry.get("description", "")
        control.evidence_kinds = entry["evidence_kinds"]
        control.stage = obligations.stage_of(entry)
        control.satisfied_by = obligations.satisfied_by(entry)
        control.due_on, control.applies = _due_on(entry, outcomes), True
        if control.pk:
            control.save()
        else:
            new.append(control)
    Control.objects.bulk_create(new)  # a first checklist: dozens of rows, one insert
    for obligation_id, control in existing.items():
        if obligation_id not in wanted and control.applies:
            control.applies = False
            control.save(update_fields=["applies", "updated_at"])
            dropped.append(obligation_id)
    if added or dropped:
        audit.record(
            actor=actor,
            verb="controls.synced",
            target=model,
            after={"added": added, "dropped": dropped},
            mlmodel_id=model.pk,
        )
    return {"added": added, "dropped": dropped}


def resync_stale_checklists() -> int:
    """Move checklists still on a catalog version no longer in force onto the one in force (a
    shipped version loaded at migrate, or one whose effective date has come); how many models."""
    in_force = [book.pk for book in _catalogs()]
    stale = (
        Control.objects.filter(applies=True)
        .exclude(catalog_id__in=in_force)
        .values_list("model_id", flat=True)
        .distinct()
    )
    models = MLModel.objects.filter(pk__in=list(stale))
    for model in models:
        sync_controls(actor=None, model=model, outcomes=risk_selectors.outcomes_for(model))
    return len(models)


def preview_catalog(
    catalog: Rulebook, outcomes_for: Callable[[MLModel], Mapping[str, Outcome]]
) -> list[dict[str, Any]]:
    """Per model, the obligations a new catalog version would add and drop."""
    others = [c for c in _catalogs() if c.content["framework"] != catalog.content["framework"]]
    rows = []
    for model in MLModel.objects.filter(controls__isnull=False).distinct():
        outcomes = outcomes_for(model)
        before = set(_wanted(_catalogs(), outcomes))
        after = set(_wanted([*others, catalog], outcomes))
        if before != after:
            rows.append(
                {
                    "subject": str(model),
                    "framework": catalog.content["framework"],
                    "added": sorted(after - before),
                    "dropped": sorted(before - after),
                }
            )
    return rows


# ---- Evidence ---------------------------------------------------------------------------------


def _record_fields(model: MLModel, record_type: str, record_id: str) -> dict[str, Any]:
    if record_type not in RECORDS:
        raise DomainError(field="record_type", message=f"unknown record type {record_type!r}")
    found = records.record_of(model, record_type, int(record_id)) if record_id.isdigit() else None
    if found is None:
        raise DomainError(field="record_id", message=f"no {record_type} {record_id} of {model}")
    return {"record_type": record_type, "record_id": str(found.id), "url": found.url}


def _locked(control: Control) -> Control:
    return Control.objects.select_for_update().select_related("model").get(pk=control.pk)


def _require_title(title: str) -> str:
    if not title.strip():
        raise DomainError(field="title", message="say what this evidence is")
    return title.strip()


def _attached(actor: User, control: Control, evidence: Evidence, verb: str) -> Evidence:
    """Save checked evidence, mark a missing obligation evidenced, and audit both."""
    # A record's url is a path inside Attest, not a web address to validate. The control was
    # just read under lock and the actor is the caller's: full_clean would read both back.
    held = ["control", "added_by", "file"]
    clean_or_raise(evidence, exclude=[*held, "url"] if evidence.record_type else held)
    evidence.save()
    before = control.status
    if control.status == Control.Status.MISSING:
        control.status = Control.Status.EVIDENCED
        control.save(update_fields=["status", "updated_at"])
    after = audit.snapshot(evidence, ["kind", "title", "sha256", "url", "record_type", "record_id"])
    audit.record(
        actor=actor,
        verb=verb,
        target=evidence,
        before={"control_status": before},
        after={**after, "control": control.obligation_id, "control_status": control.status},
        mlmodel_id=control.model_id,
    )
    return evidence


@transaction.atomic
def attach_evidence(
    *,
    actor: User,
    control: Control,
    title: str,
    file: UploadedFile | None = None,
    url: str = "",
    record_type: str = "",
    record_id: str = "",
) -> Evidence:
    """Attach one piece of evidence (a file, a link or an Attest record) to an obligation."""
    control = _locked(control)
    permissions.require(actor, "change", control.model)
    title = _require_title(title)
    given = [
        kind for kind, value in (("file", file), ("url", url), ("record", record_type)) if value
    ]
    if len(given) != 1:
        raise DomainError(field="file", message="give exactly one of a file, a link or a record")
    if file is not None:
        fields = {"kind": Evidence.Kind.FILE, **uploads.describe(file)}
    elif url:
        fields = {"kind": Evidence.Kind.LINK, "url": url}
    else:
        fields = {
            "kind": Evidence.Kind.RECORD,
            **_record_fields(control.model, record_type, str(record_id)),
        }
    evidence = Evidence(control=control, title=title, added_by=actor, **fields)
    return _attached(actor, control, evidence, "evidence.attached")


@transaction.atomic
def link_record(*, actor: User, control: Control, kind: str, record_id: int) -> Evidence:
    """Link an Attest record as an obligation's evidence: one of the model's records, of a kind
    its catalog entry says satisfies it (the rights of attaching evidence; a validator accepts)."""
    control = _locked(control)
    permissions.require(actor, "change", control.model)
    if kind not in control.satisfied_by:
        raise DomainError(
            field="kind",
            message=f"a {label_for(kind).lower()} does not satisfy {control.reference}",
        )
    record = records.record_of(control.model, kind, record_id)
    if record is None:
        raise DomainError(
            field="record_id",
            message=f"{control.model} has no {label_for(kind).lower()} {record_id}",
        )
    linked = control.evidence.filter(record_type=kind, record_id=str(record.id))
    if linked.exists():
        raise DomainError(field="record_id", message=f"is linked to {control.reference} already")
    evidence = Evidence(
        control=control,
        kind=Evidence.Kind.RECORD,
        title=record.title[:300],  # the width of Evidence.title
        url=record.url,
        record_type=kind,
        record_id=str(record.id),
        added_by=actor,
    )
    return _attached(actor, control, evidence, "evidence.linked")


@transaction.atomic
def attach_file_to_many(
    *, actor: User, controls: Sequence[Control], title: str, file: UploadedFile
) -> list[Evidence]:
    """One file as the evidence of several obligations of one model: stored once (one SHA-256),
    one evidence row per obligation, each audited; all of them or, on a refusal, none."""
    wanted = {control.pk for control in controls}
    if not wanted:
        raise DomainError(field="controls", message="choose at least one obligation")
    locked = list(
        Control.objects.select_for_update()
        .select_related("model")
        .filter(pk__in=wanted, applies=True)
        .order_by("framework", "pk")
    )
    if len(locked) != len(wanted) or len({c.model_id for c in locked}) != 1:
        raise DomainError(field="controls", message="choose obligations that apply to one model")
    permissions.require(actor, "change", locked[0].model)
    title = _require_title(title)
    fields = uploads.describe(file)
    attached: list[Evidence] = []
    for control in locked:
        evidence = Evidence(control=control, kind=Evidence.Kind.FILE, title=title, added_by=actor)
        evidence.sha256, evidence.size = fields["sha256"], fields["size"]
        evidence.media_type = fields["media_type"]
        # The first row stores the upload; the others name the same stored file.
        evidence.file = attached[0].file.name if attached else fields["file"]
        attached.append(_attached(actor, control, evidence, "evidence.attached"))
    return attached


def _as_written(draft: DraftEvidence) -> UploadedFile:
    """A draft with nothing left to complete, as the Word file a person adopts."""
    product = drafts.product_of(draft)
    if product.missing:
        raise DomainError(
            field="file",
            message="upload the completed version: "
            + ", ".join(item.citation for item in product.missing)
            + " still to be completed",
        )
    name = f"{draft.get_product_display()}.docx"
    return SimpleUploadedFile(name, word.to_docx(drafts.document_of(draft)))


@transaction.atomic
def adopt_draft(*, actor: User, draft: DraftEvidence, file: UploadedFile | None = None) -> Evidence:
    """A person adopts a draft Attest prepared: the completed version uploaded, or the draft as
    it stands once nothing is left to complete, becomes the obligation's evidence (and counts)."""
    draft = DraftEvidence.objects.select_for_update().get(pk=draft.pk)
    control = _locked(draft.control)
    permissions.require(actor, "change", control.model)
    if draft.adopted_as_id is not None or not control.applies:
        raise DomainError(field="draft", message="this draft is no longer open")
    fields = uploads.describe(file if file is not None else _as_written(draft))
    evidence = Evidence(
        control=control, kind=Evidence.Kind.FILE, title=draft.title, added_by=actor, **fields
    )
    evidence = _attached(actor, control, evidence, "evidence.attached")
    draft.adopted_as, draft.adopted_by, draft.adopted_at = evidence, actor, timezone.now()
    draft.save(update_fields=["adopted_as", "adopted_by", "adopted_at"])
    audit.record(
        actor=actor,
        verb="draft.adopted",
        target=draft,
        after={
            "evidence": evidence.pk,
            "control": control.obligation_id,
            "as_uploaded": file is not None,
            "sha256": evidence.sha256,
        },
        mlmodel_id=control.model_id,
    )
    return evidence


# ---- Review and waivers -----------------------------------------------------------------------


@transaction.atomic
def accept(*, actor: User, control: Control) -> Control:
    """A validator accepts the evidence as satisfying the obligation."""
    control = Control.objects.select_for_update().select_related("model").get(pk=control.pk)
    permissions.require(actor, "validate", control.model)
    if not control.evidence.exists():
        raise DomainError(field="evidence", message="there is no evidence to accept")
    before = audit.snapshot(control, ["status"])
    control.status = Control.Status.ACCEPTED
    control.reviewed_by, control.reviewed_at = actor, timezone.now()
    control.save()
    audit.record(
        actor=actor,
        verb="control.accepted",
        target=control,
        before=before,
        after=audit.snapshot(control, ["status", "reviewed_by"]),
        mlmodel_id=control.model_id,
    )
    return control


@transaction.atomic
def request_waiver(
    *, actor: User, control: Control, reason: str, expires_on: date | None
) -> Waiver:
    """Ask to waive one obligation until a date; it counts only once a second person with
    decision rights on the model grants it, and it always expires."""
    control = Control.objects.select_for_update().select_related("model").get(pk=control.pk)
    model = control.model
    if not risk_selectors.may_ask_waiver(actor, model):
        raise PermissionDenied(f"{actor} may not request a waiver on {model}")
    if control.waivers.filter(state=RequestState.REQUESTED).exists():
        raise DomainError(
            field="waiver_reason", message="a waiver of this obligation waits already"
        )
    if not reason.strip():
        raise DomainError(field="waiver_reason", message="a waiver needs a reason")
    if expires_on is None or expires_on <= timezone.localdate():
        raise DomainError(field="waiver_expires_on", message="a waiver needs a future expiry date")
    waiver = Waiver.objects.create(
        control=control, reason=reason.strip(), expires_on=expires_on, requested_by=actor
    )
    audit.record(
        actor=actor,
        verb="waiver.requested",
        target=waiver,
        after={**audit.snapshot(waiver, ["reason", "expires_on"]), "obligation": control.reference},
        mlmodel_id=model.pk,
    )
    decisions.announce(
        request=waiver,
        deciders=people.deciders_of(model),
        kind="waiver.requested",
        subject=f"{actor.get_username()} asks to waive {control.reference} for {model} until {expires_on}",
        link=reverse("risk:obligations", args=[model.slug]),
    )
    return waiver


@transaction.atomic
def decide_waiver(*, actor: User, waiver: Waiver, grant: bool, reason: str = "") -> Waiver:
    """A second person with decision rights grants the waiver (the obligation then reads waived
    until it expires) or refuses it."""
    waiver = decisions.locked(waiver)
    control = Control.objects.select_for_update().select_related("model").get(pk=waiver.control_id)
    decisions.require_model_decider(actor, control.model, "this waiver")
    if grant and waiver.expires_on <= timezone.localdate():
        raise DomainError(field="waiver_expires_on", message="the waiver asked for has expired")
    decisions.decide(
        actor=actor,
        request=waiver,
        grant=grant,
        reason=reason,
        verb="waiver",
        mlmodel_id=control.model_id,
        link=reverse("risk:obligations", args=[control.model.slug]),
    )
    if grant:
        before = audit.snapshot(control, ["status"])
        control.status = Control.Status.WAIVED
        control.waiver_reason, control.waiver_approved_by = waiver.reason, actor
        control.waiver_expires_on = waiver.expires_on
        control.save()
        audit.record(
            actor=actor,
            verb="control.waived",
            target=control,
            before=before,
            after=audit.snapshot(
                control, ["status", "waiver_reason", "waiver_approved_by", "waiver_expires_on"]
            ),
            mlmodel_id=control.model_id,
        )
    return waiver
