"""Risk API: assessments (answers, completion, history) and a model's obligations and evidence.

Models: scoping and the model risk tier; use cases: the EU AI Act. Writes call the same services
as the UI (governance.services.assessments and .controls); errors have the API's one shape.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from governance import permissions
from governance.api.serializers import ErrorsSerializer, StrictInput
from governance.api.views import REFUSALS, GlobalRight, validated
from governance.errors import DomainError
from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, Evidence, Framework, RiskAssessment
from governance.risk.rules import results
from governance.risk.services import assessments, controls
from governance.risk.views import evidence_response
from registry.models import MLModel, UseCase

FRAMEWORK_PARAMETER = OpenApiParameter(
    "framework",
    location=OpenApiParameter.PATH,
    enum=[value for value, _ in Framework.choices],
    description="scoping or tiering for a model; eu_ai_act for a use case",
)


# ---- Serializers ------------------------------------------------------------------------------


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
        help_text="Score breakdown, cadence and approvers (tiers); application dates, "
        "in force and role (EU AI Act); frameworks in scope (scoping)",
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
    assessed_by = serializers.CharField(source="assessed_by.username", read_only=True)
    reviewed_by = serializers.CharField(
        source="reviewed_by.username", read_only=True, allow_null=True
    )
    override_approved_by = serializers.CharField(
        source="override_approved_by.username", read_only=True, allow_null=True
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

    @extend_schema_field(OutcomeSerializer(allow_null=True))
    def get_outcome(self, assessment: RiskAssessment) -> dict[str, Any] | None:
        return assessment.outcome or None

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
    missing = serializers.IntegerField(read_only=True)
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


class EvidenceInput(StrictInput):
    title = serializers.CharField(max_length=300)
    file = serializers.FileField(required=False, help_text="multipart/form-data only")
    url = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    record_type = serializers.ChoiceField(
        choices=sorted(controls.RECORDS), required=False, allow_blank=True
    )
    record_id = serializers.CharField(required=False, allow_blank=True, max_length=80)


# ---- Views ------------------------------------------------------------------------------------


class SubjectScoped:
    """Routes under /models/{model_slug}/ or /use-cases/{use_case_slug}/: the subject.

    A model the caller cannot see is 404; use cases need the global read (or change) right.
    """

    request: Request
    kwargs: dict[str, Any]

    def subject(self, action: str = "view") -> MLModel | UseCase:
        if "model_slug" in self.kwargs:
            return permissions.model_for_user_or_404(
                self.request.user, self.kwargs["model_slug"], action
            )
        right = "view_use_cases" if action == "view" else "change_use_case"
        permissions.require_globally(self.request.user, right)
        return get_object_or_404(UseCase, slug=self.kwargs["use_case_slug"])

    def assessed(self, framework: str) -> MLModel | UseCase:
        """The subject, for someone who may assess it, under a framework that assesses it."""
        subject = self.subject("change")
        if framework not in risk_selectors.frameworks_for(subject):
            raise DomainError(
                field="framework",
                message=f"must be one of: {', '.join(risk_selectors.frameworks_for(subject))}",
            )
        return subject


class AssessmentFilter(django_filters.FilterSet):
    framework = django_filters.ChoiceFilter(choices=Framework.choices)
    status = django_filters.ChoiceFilter(choices=RiskAssessment.Status.choices)

    class Meta:
        model = RiskAssessment
        fields = ["framework", "status"]


class AssessmentViewSet(
    SubjectScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Every assessment of the subject: the draft, the one in force, and those it superseded."""

    queryset = RiskAssessment.objects.none()
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    lookup_value_converter = "int"
    permission_classes = [IsAuthenticated, GlobalRight]

    def get_queryset(self) -> QuerySet[RiskAssessment]:
        return risk_selectors.assessments_of(self.subject())

    @extend_schema(summary="Assessments, the draft first, then newest in force first")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="One assessment, with its outcome and reasons")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)


class UseCaseAssessmentViewSet(AssessmentViewSet):
    global_rights = {"list": "view_use_cases", "retrieve": "view_use_cases"}


class AnswersView(SubjectScoped, APIView):
    @extend_schema(
        summary="Save answers to the draft (made on first save)",
        parameters=[FRAMEWORK_PARAMETER],
        request=AnswersInput,
        responses={200: AssessmentSerializer, **REFUSALS},
    )
    def post(self, request: Request, framework: str, **slug: str) -> Response:
        subject = self.assessed(framework)
        payload = validated(AnswersInput, request)
        draft = assessments.save_answers(
            actor=request.user, framework=framework, subject=subject, answers=payload["answers"]
        )
        return Response(AssessmentSerializer(draft).data)


class CompleteView(SubjectScoped, APIView):
    @extend_schema(
        summary="Classify the draft: its result is in force from now",
        parameters=[FRAMEWORK_PARAMETER],
        request=CompleteInput,
        responses={200: AssessmentSerializer, **REFUSALS},
    )
    def post(self, request: Request, framework: str, **slug: str) -> Response:
        subject = self.assessed(framework)
        validated(CompleteInput, request)
        draft = risk_selectors.draft_of(subject, framework)
        if draft is None:
            raise DomainError(field="answers", message="there is no draft: save answers first")
        done = assessments.complete(actor=request.user, draft=draft)
        stored = risk_selectors.assessments_of(subject).get(pk=done.pk)
        return Response(AssessmentSerializer(stored).data)


class ObligationsView(SubjectScoped, APIView):
    @extend_schema(
        summary="The model's obligations: coverage, and each with its status and evidence",
        responses={200: ChecklistSerializer, 404: ErrorsSerializer},
    )
    def get(self, request: Request, model_slug: str) -> Response:
        model = self.subject()
        rows = [control for _, group in risk_selectors.checklist_of(model) for control in group]
        checklist = {"coverage": risk_selectors.coverage(model), "controls": rows}
        return Response(ChecklistSerializer(checklist).data)


class EvidenceAttachView(SubjectScoped, APIView):
    @extend_schema(
        summary="Attach evidence: a file (multipart), or a link or record (JSON)",
        request={"multipart/form-data": EvidenceInput, "application/json": EvidenceInput},
        responses={201: EvidenceSerializer, **REFUSALS},
    )
    def post(self, request: Request, model_slug: str, obligation_id: str) -> Response:
        model = self.subject("change")
        control = risk_selectors.control_of(model, obligation_id=obligation_id)
        if control is None:
            raise Http404(f"No obligation {obligation_id!r} applies to this model.")
        payload = validated(EvidenceInput, request)
        evidence = controls.attach_evidence(actor=request.user, control=control, **payload)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceFileView(SubjectScoped, APIView):
    @extend_schema(
        summary="An evidence file, with its media type; the ETag is its SHA-256",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ErrorsSerializer},
    )
    def get(self, request: Request, model_slug: str, pk: int) -> Any:
        evidence = risk_selectors.evidence_file(self.subject(), pk)
        if evidence is None:
            raise Http404("No such evidence file.")
        return evidence_response(request, evidence)


MODEL, USE_CASE = "models/<slug:model_slug>", "use-cases/<slug:use_case_slug>"
router = SimpleRouter(use_regex_path=False)
router.register(f"{MODEL}/assessments", AssessmentViewSet, basename="model-assessment")
router.register(f"{USE_CASE}/assessments", UseCaseAssessmentViewSet, basename="use-case-assessment")


def _assessment_writes(prefix: str, name: str) -> list[URLPattern]:
    base = f"{prefix}/assessments/<str:framework>"
    return [
        path(f"{base}/answers/", AnswersView.as_view(), name=f"{name}-assessment-answers"),
        path(f"{base}/complete/", CompleteView.as_view(), name=f"{name}-assessment-complete"),
    ]


urlpatterns = [
    *_assessment_writes(MODEL, "model"),
    *_assessment_writes(USE_CASE, "use-case"),
    path(f"{MODEL}/obligations/", ObligationsView.as_view(), name="risk-api-obligations"),
    path(
        f"{MODEL}/obligations/<str:obligation_id>/evidence/",
        EvidenceAttachView.as_view(),
        name="risk-api-evidence-attach",
    ),
    path(
        f"{MODEL}/evidence/<int:pk>/file/",
        EvidenceFileView.as_view(),
        name="risk-api-evidence-file",
    ),
    *router.urls,
]
