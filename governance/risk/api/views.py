"""Risk API: assessments (answers, completion, review, history), a model's obligations, evidence
(files, links, records Attest proposes, one file for several obligations) and its acceptance.

Models: scoping and the model risk tier; use cases: the EU AI Act. Writes call the same services
as the UI (governance.risk.services.assessments and .controls); errors have the API's one shape.
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import permissions
from governance.api.serializers import DecisionInput, ErrorsSerializer
from governance.api.views import (
    REFUSALS,
    GlobalRight,
    SecondPersonRequests,
    fields_named,
    request_schema,
    validated,
)
from governance.downloads import stored_file_response
from governance.errors import DomainError
from governance.labels import label_for
from governance.risk import records
from governance.risk import selectors as risk_selectors
from governance.risk.api.serializers import (
    AcceptInput,
    AnswersInput,
    AsOfQuery,
    AsOfSerializer,
    AssessmentSerializer,
    AttachToManyInput,
    ChecklistSerializer,
    CompleteInput,
    ConfirmInput,
    ControlSerializer,
    DraftAdoptInput,
    DraftEvidenceSerializer,
    EvidenceInput,
    EvidenceSerializer,
    LinkRecordInput,
    OverrideInput,
    ProposalSerializer,
    WaiverRequestInput,
    WaiverSerializer,
)
from governance.risk.models import Control, Framework, RiskAssessment, Waiver
from governance.risk.services import assessments, controls, drafts
from registry.models import MLModel, UseCase

FRAMEWORK_PARAMETER = OpenApiParameter(
    "framework",
    location=OpenApiParameter.PATH,
    enum=[value for value, _ in Framework.choices],
    description="scoping or tiering for a model; eu_ai_act for a use case",
)


class SubjectScoped(APIView):
    """Routes under /models/{model_slug}/ or /use-cases/{use_case_slug}/: the subject.

    A model the caller cannot see is 404; use cases need the global read (or change) right.
    """

    def subject(self, action: str = "view") -> MLModel | UseCase:
        if "model_slug" in self.kwargs:
            return self.subject_model(action)
        right = "view_use_cases" if action == "view" else "change_use_case"
        permissions.require_globally(self.request.user, right)
        return get_object_or_404(UseCase, slug=self.kwargs["use_case_slug"])

    def subject_model(self, action: str = "view") -> MLModel:
        """The subject of a route under /models/{model_slug}/ (obligations and evidence)."""
        return permissions.model_for_user_or_404(
            self.request.user, self.kwargs["model_slug"], action
        )

    def obligation(self, model: MLModel, obligation_id: str) -> Control:
        """The obligation in the route, 404 unless it applies to the model."""
        control = risk_selectors.control_of(model, obligation_id=obligation_id)
        if control is None:
            raise Http404(f"No obligation {obligation_id!r} applies to this model.")
        return control

    def assessed(self, framework: str) -> MLModel | UseCase:
        """The subject, for someone who may assess it, under a framework that assesses it."""
        subject = self.subject("change")
        if framework not in risk_selectors.frameworks_for(subject):
            raise DomainError(
                field="framework",
                message=f"must be one of: {', '.join(risk_selectors.frameworks_for(subject))}",
            )
        return subject


class ConflictOnReview:
    """A refusal on "review" or "status" means the assessment moved on (its override decided, or
    it is no longer the one in force): 409 with the same body, as ConflictOnState does for
    requests."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DomainError) and exc.field in {"review", "status"}:
            return Response({"errors": [exc.as_dict()]}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)  # type: ignore[misc]


class AssessmentFilter(django_filters.FilterSet):
    framework = django_filters.ChoiceFilter(choices=Framework.choices)
    status = django_filters.ChoiceFilter(choices=RiskAssessment.Status.choices)

    class Meta:
        model = RiskAssessment
        fields = ["framework", "status"]


class AssessmentViewSet(
    ConflictOnReview,
    SubjectScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Every assessment of the subject: the draft, the one in force, and those it superseded.

    Review (the result page's forms): a validator or decider on every model it covers confirms
    the result in force or proposes an override, which counts once a second one grants it.
    """

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

    def reviewed(self) -> RiskAssessment:
        """The assessment, for someone who may review it: others hear 403 before their input is
        read (the services check again, and keep the assessor and developers out)."""
        assessment = self.get_object()
        if not risk_selectors.can_review(permissions.actor(self.request), assessment):
            raise PermissionDenied(f"{self.request.user} may not review {assessment}")
        return assessment

    def shown(self, assessment: RiskAssessment) -> Response:
        return Response(AssessmentSerializer(self.get_queryset().get(pk=assessment.pk)).data)

    @extend_schema(
        summary="Confirm the result in force (a validator or decider, not its assessor)",
        request=ConfirmInput,
        responses={200: AssessmentSerializer, 409: ErrorsSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request: Request, pk: int, **slug: str) -> Response:
        assessment = self.reviewed()
        reason = validated(ConfirmInput, request)["reason"]
        done = assessments.confirm(
            actor=permissions.actor(request), assessment=assessment, reason=reason
        )
        return self.shown(done)

    @extend_schema(
        summary="Propose another result; it counts once a second reviewer grants it",
        request=OverrideInput,
        responses={200: AssessmentSerializer, 409: ErrorsSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def override(self, request: Request, pk: int, **slug: str) -> Response:
        assessment = self.reviewed()
        payload = validated(OverrideInput, request)
        with fields_named(override_result="result", review_reason="reason"):
            done = assessments.propose_override(
                actor=permissions.actor(request), assessment=assessment, **payload
            )
        return self.shown(done)

    @extend_schema(
        summary="Grant or refuse an override someone else proposed (a refusal needs a reason, "
        "a grant takes none); 409 once decided",
        request=DecisionInput,
        responses={200: AssessmentSerializer, 409: ErrorsSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], url_path="override-decision", filter_backends=[])
    def override_decision(self, request: Request, pk: int, **slug: str) -> Response:
        assessment = self.reviewed()
        payload = validated(DecisionInput, request)
        actor = permissions.actor(request)
        if payload["decision"] == "grant":
            done = assessments.approve_override(
                actor=actor, assessment=assessment, reason=payload["reason"]
            )
        else:
            with fields_named(review_reason="reason"):
                done = assessments.refuse_override(
                    actor=actor, assessment=assessment, reason=payload["reason"]
                )
        return self.shown(done)


class UseCaseAssessmentViewSet(AssessmentViewSet):
    global_rights = dict.fromkeys(
        ["list", "retrieve", "confirm", "override", "override_decision"], "view_use_cases"
    )


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
            actor=permissions.actor(request),
            framework=framework,
            subject=subject,
            answers=payload["answers"],
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
        done = assessments.complete(actor=permissions.actor(request), draft=draft)
        stored = risk_selectors.assessments_of(subject).get(pk=done.pk)
        return Response(AssessmentSerializer(stored).data)


class AsOfView(SubjectScoped, APIView):
    @extend_schema(
        summary="The current answers classified under the rules in force on a date (nothing is "
        "saved), with today's result from the same answers and what differs",
        parameters=[
            FRAMEWORK_PARAMETER,
            OpenApiParameter("date", OpenApiTypes.DATE, required=True, description="YYYY-MM-DD"),
        ],
        responses={200: AsOfSerializer, **REFUSALS},
    )
    def get(self, request: Request, framework: str, **slug: str) -> Response:
        subject = self.subject()
        if framework not in risk_selectors.frameworks_for(subject):
            raise Http404(f"{framework} does not assess this subject")
        query = AsOfQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = risk_selectors.classified_as_of(subject, framework, query.validated_data["date"])
        return Response(AsOfSerializer(found).data)


class ObligationsView(SubjectScoped, APIView):
    @extend_schema(
        summary="The model's obligations: coverage, and each with its status and evidence",
        responses={200: ChecklistSerializer, 404: ErrorsSerializer},
    )
    def get(self, request: Request, model_slug: str) -> Response:
        model = self.subject_model()
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
        control = self.obligation(self.subject_model("change"), obligation_id)
        payload = validated(EvidenceInput, request)
        evidence = controls.attach_evidence(
            actor=permissions.actor(request), control=control, **payload
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


def _proposals(model: MLModel, chosen: list[Control]) -> list[dict[str, Any]]:
    proposed = records.proposed_records(model, chosen)
    return [
        {
            "obligation_id": control.obligation_id,
            "reference": control.reference,
            "record_type": record.kind,
            "record_type_label": label_for(record.kind),
            "record_id": record.id,
            "title": record.title,
            "url": record.url,
        }
        for control in chosen
        for record in proposed[control.pk]
    ]


class ProposalsView(SubjectScoped, APIView):
    @extend_schema(
        summary="Attest records proposed as evidence: per obligation, the newest record of each "
        "kind that satisfies it and is not linked yet (for those who may link them)",
        parameters=[
            OpenApiParameter(
                "obligation", str, description="Only this obligation's proposals (its id)"
            )
        ],
        responses={200: ProposalSerializer(many=True), **REFUSALS},
    )
    def get(self, request: Request, model_slug: str) -> Response:
        model = self.subject_model("change")
        wanted = request.query_params.get("obligation")
        if wanted is None:
            chosen = [c for _, rows in risk_selectors.checklist_of(model) for c in rows]
        elif (control := risk_selectors.control_of(model, obligation_id=wanted)) is not None:
            chosen = [control]
        else:
            raise DomainError(field="obligation", message=f"no obligation {wanted!r} applies")
        return Response(ProposalSerializer(_proposals(model, chosen), many=True).data)


class LinkRecordView(SubjectScoped, APIView):
    @extend_schema(
        summary="Link an Attest record (a proposal's kind and id) as the obligation's evidence; "
        "a validator then accepts it as any other evidence",
        request=LinkRecordInput,
        responses={201: EvidenceSerializer, **REFUSALS},
    )
    def post(self, request: Request, model_slug: str, obligation_id: str) -> Response:
        control = self.obligation(self.subject_model("change"), obligation_id)
        payload = validated(LinkRecordInput, request)
        with fields_named(kind="record_type"):
            evidence = controls.link_record(
                actor=permissions.actor(request),
                control=control,
                kind=payload["record_type"],
                record_id=payload["record_id"],
            )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class AttachToManyView(SubjectScoped, APIView):
    @extend_schema(
        summary="Attach one file to several obligations of the model: stored once, one "
        "evidence each; all of them or, on any refusal, none",
        request={"multipart/form-data": AttachToManyInput},
        operation_id="v1_models_obligations_evidence_attach_many",
        responses={201: EvidenceSerializer(many=True), **REFUSALS},
    )
    def post(self, request: Request, model_slug: str) -> Response:
        model = self.subject_model("change")
        payload = validated(AttachToManyInput, request)
        chosen = [
            self.listed_obligation(model, obligation_id, row)
            for row, obligation_id in enumerate(payload.pop("obligations"), start=1)
        ]
        with fields_named(controls="obligations"):
            attached = controls.attach_file_to_many(
                actor=permissions.actor(request), controls=chosen, **payload
            )
        return Response(
            EvidenceSerializer(attached, many=True).data, status=status.HTTP_201_CREATED
        )

    def listed_obligation(self, model: MLModel, obligation_id: str, row: int) -> Control:
        control = risk_selectors.control_of(model, obligation_id=obligation_id)
        if control is None:
            raise DomainError(
                field="obligations", message=f"no obligation {obligation_id!r} applies", row=row
            )
        return control


class AcceptView(SubjectScoped, APIView):
    @extend_schema(
        summary="A validator of the model accepts the obligation's evidence as satisfying it",
        request=AcceptInput,
        responses={200: ControlSerializer, **REFUSALS},
    )
    def post(self, request: Request, model_slug: str, obligation_id: str) -> Response:
        model = self.subject_model("validate")
        control = self.obligation(model, obligation_id)
        validated(AcceptInput, request)
        controls.accept(actor=permissions.actor(request), control=control)
        return Response(ControlSerializer(self.obligation(model, obligation_id)).data)


class WaiverRequestView(SubjectScoped, APIView):
    @extend_schema(
        summary="Ask to waive an obligation until a date; a decider grants or refuses it",
        request=WaiverRequestInput,
        responses={201: WaiverSerializer, **REFUSALS},
    )
    def post(self, request: Request, model_slug: str, obligation_id: str) -> Response:
        control = self.obligation(self.subject_model("view"), obligation_id)
        payload = validated(WaiverRequestInput, request)
        with fields_named(waiver_reason="reason", waiver_expires_on="expires_on"):
            asked = controls.request_waiver(
                actor=permissions.actor(request), control=control, **payload
            )
        return Response(WaiverSerializer(asked).data, status=status.HTTP_201_CREATED)


@request_schema(
    listed="Requests to waive obligations, newest first",
    one="One request to waive an obligation",
    decide="Grant or refuse a waiver someone else asked for",
    shown=WaiverSerializer,
)
class WaiverViewSet(SecondPersonRequests):
    queryset = Waiver.objects.none()
    serializer_class = WaiverSerializer

    def get_queryset(self) -> QuerySet[Waiver]:
        visible = permissions.models_for(self.request.user)
        return Waiver.objects.filter(control__model__in=visible).select_related(
            "control__model", "requested_by", "decided_by"
        )

    def decide_request(
        self, actor: User, asked: Waiver, grant: bool, given: Mapping[str, Any]
    ) -> None:
        controls.decide_waiver(actor=actor, waiver=asked, grant=grant, reason=given["reason"])


class EvidenceFileView(SubjectScoped, APIView):
    @extend_schema(
        summary="An evidence file, with its media type; the ETag is its SHA-256",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: ErrorsSerializer},
    )
    def get(self, request: Request, model_slug: str, pk: int) -> Any:
        evidence = risk_selectors.evidence_file(self.subject_model(), pk)
        if evidence is None:
            raise Http404("No such evidence file.")
        return stored_file_response(request, evidence)


class DraftsGenerateView(SubjectScoped, APIView):
    @extend_schema(
        summary="Prepare the drafts the EU AI Act classification calls for (those that changed)",
        request=None,
        responses={200: DraftEvidenceSerializer(many=True), **REFUSALS},
    )
    def post(self, request: Request, model_slug: str) -> Response:
        model = self.subject_model("change")
        written = drafts.prepare_drafts(actor=permissions.actor(request), model=model)
        return Response(DraftEvidenceSerializer(written, many=True).data)


class DraftAdoptView(SubjectScoped, APIView):
    @extend_schema(
        summary="Adopt a draft as the obligation's evidence: the completed file, or the draft",
        request={"multipart/form-data": DraftAdoptInput},
        responses={201: EvidenceSerializer, **REFUSALS},
    )
    def post(self, request: Request, model_slug: str, pk: int) -> Response:
        model = self.subject_model("change")
        draft = risk_selectors.draft_evidence(model, pk)
        if draft is None:
            raise Http404("No such draft.")
        payload = validated(DraftAdoptInput, request)
        evidence = controls.adopt_draft(
            actor=permissions.actor(request), draft=draft, file=payload.get("file")
        )
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)
