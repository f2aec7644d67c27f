"""Risk API output and input: assessments and their outcomes, obligations, evidence, coverage."""

import dataclasses
from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.api.serializers import StrictInput
from governance.labels import label_for
from governance.risk import selectors as risk_selectors
from governance.risk.models import (
    Control,
    DraftEvidence,
    Evidence,
    Framework,
    RiskAssessment,
    Waiver,
)
from governance.risk.rules import results, work_products
from governance.risk.services import assessments, controls


class ReasonSerializer(serializers.Serializer):
    rule = serializers.CharField(read_only=True, help_text='Stable id, e.g. "eu.art6.2"')
    basis = serializers.CharField(read_only=True, help_text='e.g. "Art. 6(2)", "SR 26-2 §III"')
    because = serializers.CharField(read_only=True)
    answers = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Question keys that led here"
    )


class OutcomeSerializer(serializers.Serializer):
    """What the rules returned (before any override; see `effective_result`)."""

    framework = serializers.CharField(read_only=True)
    result = serializers.CharField(read_only=True)
    legal_basis = serializers.ListField(child=serializers.CharField(), read_only=True)
    reasons = ReasonSerializer(many=True, read_only=True)
    labels = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Labels obligations key on"
    )
    details = serializers.DictField(
        read_only=True,
        help_text="Score breakdown, cadence and approvers (tiers); application dates "
        "(applies_from), whether each is in force today (in_force, worked out when read) and "
        "role (EU AI Act); frameworks in scope (scoping)",
    )


class RulebookRefSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class AssessmentSerializer(serializers.ModelSerializer):
    # Plain text, not an enum: "status" enums of other components would clash in the schema.
    status = serializers.CharField(read_only=True, help_text="draft, completed or superseded")
    model = serializers.CharField(source="model.slug", read_only=True, allow_null=True)
    use_case = serializers.CharField(source="use_case.slug", read_only=True, allow_null=True)
    rulebook = RulebookRefSerializer(read_only=True)
    effective_result = serializers.CharField(
        read_only=True, help_text="The rules' result, or an override a second person approved"
    )
    outcome = serializers.SerializerMethodField()
    unanswered = serializers.SerializerMethodField()
    provisional = serializers.SerializerMethodField(
        help_text="The result rests on answers not known yet: the cautious answer was assumed"
    )
    open_questions = serializers.SerializerMethodField(
        help_text="The questions answered 'not known yet', as keys (see the questionnaire)"
    )
    assessed_by = serializers.CharField(source="assessed_by.username", read_only=True)
    reviewed_by = serializers.CharField(
        source="reviewed_by.username",
        read_only=True,
        allow_null=True,
        help_text="Who confirmed the result, or proposed the override",
    )
    override_approved_by = serializers.CharField(
        source="override_approved_by.username",
        read_only=True,
        allow_null=True,
        help_text="The second person who granted or refused the proposed override",
    )

    class Meta:
        model = RiskAssessment
        fields = [
            "id",
            "framework",
            "model",
            "use_case",
            "status",
            "result",
            "effective_result",
            "outcome",
            "answers",
            "unanswered",
            "provisional",
            "open_questions",
            "rulebook",
            "assessed_by",
            "created_at",
            "updated_at",
            "valid_from",
            "valid_to",
            "trigger",
            "review",
            "reviewed_by",
            "reviewed_at",
            "review_reason",
            "override_result",
            "override_approved_by",
            "override_approved_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "review_reason": {
                "help_text": "The confirmation's note, or the override's justification"
            },
            "override_result": {"help_text": "The result proposed instead of the rules' result"},
            "override_approved_at": {"help_text": "When the proposed override was decided"},
        }

    @extend_schema_field(OutcomeSerializer(allow_null=True))
    def get_outcome(self, assessment: RiskAssessment) -> dict[str, Any] | None:
        """The stored outcome; `details.in_force` is worked out for today as it is read."""
        if not assessment.outcome:
            return None
        details = results.details_on(assessment.outcome.get("details", {}), timezone.localdate())
        return {**assessment.outcome, "details": details}

    def get_provisional(self, assessment: RiskAssessment) -> bool:
        return bool(self.get_open_questions(assessment))

    def get_open_questions(self, assessment: RiskAssessment) -> list[str]:
        return list((assessment.outcome or {}).get("details", {}).get("open_questions", []))

    def get_unanswered(self, assessment: RiskAssessment) -> list[str]:
        """A draft's shown, required questions still without an answer (empty otherwise)."""
        if assessment.status != RiskAssessment.Status.DRAFT:
            return []
        asked = risk_selectors.questions_of(assessment)
        return [q.key for q in results.unanswered(asked, assessment.answers)]


class EvidenceSerializer(serializers.ModelSerializer):
    obligation = serializers.CharField(source="control.obligation_id", read_only=True)
    control_status = serializers.CharField(source="control.status", read_only=True)
    added_by = serializers.CharField(source="added_by.username", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "obligation",
            "control_status",
            "kind",
            "title",
            "sha256",
            "size",
            "media_type",
            "url",
            "record_type",
            "record_id",
            "added_by",
            "added_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, evidence: Evidence) -> str | None:
        """Where to fetch a file (API path); null for links and records."""
        if evidence.kind != Evidence.Kind.FILE:
            return None
        slug = evidence.control.model.slug
        return reverse("risk-api-evidence-file", args=[slug, evidence.pk])


class ControlSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True, help_text="missing, evidenced, accepted (by a validator) or waived"
    )
    effective_status = serializers.SerializerMethodField()
    reviewed_by = serializers.CharField(
        source="reviewed_by.username", read_only=True, allow_null=True
    )
    waiver_approved_by = serializers.CharField(
        source="waiver_approved_by.username", read_only=True, allow_null=True
    )
    # Plain text, like `status`: a "stage" enum would be named after whichever component came first.
    stage = serializers.CharField(
        read_only=True,
        help_text="When it falls due: before_validation (the validation gate asks for it), "
        "before_deployment (the deployment gate asks for it) or ongoing (due once in use; "
        "blocks no gate)",
    )
    stage_label = serializers.SerializerMethodField()
    satisfied_by = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Kinds of Attest record that satisfy it; the newest of each the model has is "
        "proposed as its evidence (evidence-proposals)",
    )
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Control
        fields = [
            "id",
            "obligation_id",
            "framework",
            "reference",
            "title",
            "description",
            "stage",
            "stage_label",
            "satisfied_by",
            "evidence_kinds",
            "status",
            "effective_status",
            "due_on",
            "reviewed_by",
            "reviewed_at",
            "waiver_reason",
            "waiver_approved_by",
            "waiver_expires_on",
            "evidence",
        ]
        read_only_fields = fields

    def get_effective_status(self, control: Control) -> str:
        """As the coverage counts it: an expired waiver is missing again."""
        return risk_selectors.status_of(control)

    def get_stage_label(self, control: Control) -> str:
        """The stage as people read it ("Before deployment")."""
        return label_for(control.stage)


class ProposalSerializer(serializers.Serializer):
    """An Attest record proposed as an obligation's evidence: link it by record_type and id."""

    obligation_id = serializers.CharField(read_only=True)
    reference = serializers.CharField(read_only=True, help_text="The obligation's reference")
    record_type = serializers.CharField(
        read_only=True, help_text="The record's kind: one of the obligation's satisfied_by"
    )
    record_type_label = serializers.CharField(read_only=True)
    record_id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True, help_text="What the record reads as")
    url = serializers.CharField(read_only=True, help_text="Where Attest shows it (a path)")


class DueItemSerializer(serializers.Serializer):
    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)


class CoverageSerializer(serializers.Serializer):
    sentence = serializers.CharField(read_only=True)
    total = serializers.IntegerField(read_only=True)
    evidenced = serializers.IntegerField(read_only=True, help_text="Evidenced or accepted")
    accepted = serializers.IntegerField(read_only=True)
    waived = serializers.IntegerField(read_only=True, help_text="Waivers still running")
    missing = serializers.IntegerField(read_only=True, help_text="Due now and without evidence")
    not_due = serializers.IntegerField(
        read_only=True, help_text="Without evidence but not due yet (a later stage or date)"
    )
    expired_waivers = serializers.IntegerField(read_only=True)
    due_next = DueItemSerializer(many=True, read_only=True)


class ChecklistSerializer(serializers.Serializer):
    coverage = CoverageSerializer(read_only=True)
    controls = ControlSerializer(many=True, read_only=True)


class AnswersInput(StrictInput):
    answers = serializers.DictField(
        help_text="Question key → answer: true/false, a choice value, a list of choice values, "
        "a number or text; null clears an answer. Merged into the draft."
    )


class CompleteInput(StrictInput):
    """Nothing to send: the draft's answers are classified."""


class ConfirmInput(StrictInput):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why the result stands (optional)."
    )


# Listed, not an enum: which results are allowed depends on the assessment's framework, and the
# service says so naming `result`.
OVERRIDE_RESULTS = "; ".join(
    f"{', '.join(assessments.allowed_results(framework))} ({framework})"
    for framework in Framework.values
)


class OverrideInput(StrictInput):
    result = serializers.CharField(
        max_length=40,
        help_text=f"A result of the assessment's framework other than the rules' result: "
        f"{OVERRIDE_RESULTS}.",
    )
    # Blank is let through so the service's refusal ("needs a justification") is the one heard.
    reason = serializers.CharField(allow_blank=True, help_text="The justification (required).")


class EvidenceInput(StrictInput):
    title = serializers.CharField(max_length=300)
    file = serializers.FileField(required=False, help_text="multipart/form-data only")
    url = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    record_type = serializers.ChoiceField(
        choices=sorted(controls.RECORDS), required=False, allow_blank=True
    )
    record_id = serializers.CharField(required=False, allow_blank=True, max_length=80)


class LinkRecordInput(StrictInput):
    # Named as in EvidenceInput (and the evidence it makes), so both share one enum.
    record_type = serializers.ChoiceField(
        choices=sorted(controls.RECORDS),
        help_text="The record's kind: one the obligation's satisfied_by names",
    )
    record_id = serializers.IntegerField(min_value=1, help_text="The record's id (a proposal's)")


class AttachToManyInput(StrictInput):
    title = serializers.CharField(max_length=300)
    file = serializers.FileField(help_text="multipart/form-data; stored once")
    obligations = serializers.ListField(
        child=serializers.CharField(max_length=80),
        help_text="Obligation ids of the model (repeat the field in multipart), each getting "
        "the file as evidence; one that does not apply refuses them all",
    )


class AcceptInput(StrictInput):
    """Nothing to send: the obligation's evidence is accepted as it stands."""


class WaiverSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text='"WV-<id>"')
    model = serializers.CharField(source="control.model.slug", read_only=True)
    obligation_id = serializers.CharField(source="control.obligation_id", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Waiver
        fields = [
            "id",
            "reference",
            "model",
            "obligation_id",
            "reason",
            "expires_on",
            "state",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class WaiverRequestInput(StrictInput):
    reason = serializers.CharField(allow_blank=True)
    expires_on = serializers.DateField()


class AsOfQuery(serializers.Serializer):
    """Query-string input: other parameters (`format`) pass through to DRF."""

    date = serializers.DateField(help_text="YYYY-MM-DD: the day whose law classifies the answers")


class ApplicationSerializer(serializers.Serializer):
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]
    label_text = serializers.CharField(read_only=True, help_text="The label in words")
    applies_from = serializers.DateField(read_only=True)
    in_force = serializers.BooleanField(read_only=True, help_text="On the day classified for")


class ClassifiedSerializer(serializers.Serializer):
    """Answers classified under the rulebook in force on a day, read on that day."""

    date = serializers.DateField(source="on", read_only=True)
    rulebook = RulebookRefSerializer(read_only=True)
    outcome = serializers.SerializerMethodField()
    application_dates = serializers.SerializerMethodField()

    @extend_schema_field(OutcomeSerializer)
    def get_outcome(self, found: risk_selectors.Classified) -> dict[str, Any]:
        return {**dataclasses.asdict(found.outcome), "details": found.details}

    @extend_schema_field(ApplicationSerializer(many=True))
    def get_application_dates(self, found: risk_selectors.Classified) -> list[dict[str, Any]]:
        rows = [
            {"label": label, "label_text": label_for(label), "applies_from": day, "in_force": on}
            for label, day, on in found.applications
        ]
        return list(ApplicationSerializer(rows, many=True).data)


class ChangesSerializer(serializers.Serializer):
    """From the day asked to today: what the same answers give differently."""

    result = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        allow_null=True,
        help_text="[then, today] when the result differs; null otherwise",
    )
    labels_added = serializers.ListField(child=serializers.CharField(), read_only=True)
    labels_removed = serializers.ListField(child=serializers.CharField(), read_only=True)
    citations_added = serializers.ListField(child=serializers.CharField(), read_only=True)
    citations_removed = serializers.ListField(child=serializers.CharField(), read_only=True)
    in_force_changed = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_in_force_changed(self, changes: results.Changes) -> list[dict[str, Any]]:
        """Labels whose obligations were in force on one day and not the other."""
        return [
            {"label": label, "then": then, "today": now}
            for label, then, now in changes.in_force_changed
        ]


class AsOfSerializer(serializers.Serializer):
    assessment = serializers.IntegerField(
        source="assessment.pk", read_only=True, help_text="The assessment in force whose answers"
    )
    then = ClassifiedSerializer(read_only=True)
    today = ClassifiedSerializer(read_only=True, allow_null=True)
    today_problem = serializers.CharField(
        read_only=True, help_text="Why today's rules cannot classify the answers, if they cannot"
    )
    changes = ChangesSerializer(read_only=True, allow_null=True)


class DraftEvidenceSerializer(serializers.ModelSerializer):
    """A draft Attest prepared for an obligation: not evidence until a person adopts it."""

    obligation = serializers.CharField(source="control.obligation_id", read_only=True)
    to_complete = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = DraftEvidence
        fields = ["id", "obligation", "product", "title", "sha256", "prepared_at", "to_complete",
                  "page"]  # fmt: skip
        read_only_fields = fields

    def get_to_complete(self, draft: DraftEvidence) -> list[str]:
        """The provisions the draft leaves to be completed."""
        return [item.citation for item in work_products.from_json(draft.document).missing]

    def get_page(self, draft: DraftEvidence) -> str:
        return reverse("risk:draft-detail", args=[draft.control.model.slug, draft.pk])


class DraftAdoptInput(StrictInput):
    file = serializers.FileField(required=False)
