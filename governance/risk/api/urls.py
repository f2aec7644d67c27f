"""Risk API routes, mounted under /api/v1/: assessments, answers, obligations and evidence."""

from django.urls import URLPattern, path
from rest_framework.routers import SimpleRouter

from governance.risk.api.views import (
    AcceptView,
    AnswersView,
    AsOfView,
    AssessmentViewSet,
    AttachToManyView,
    CompleteView,
    DraftAdoptView,
    DraftsGenerateView,
    EvidenceAttachView,
    EvidenceFileView,
    LinkRecordView,
    ObligationsView,
    ProposalsView,
    UseCaseAssessmentViewSet,
    WaiverRequestView,
    WaiverViewSet,
)

MODEL, USE_CASE = "models/<slug:model_slug>", "use-cases/<slug:use_case_slug>"
router = SimpleRouter(use_regex_path=False)
router.register(f"{MODEL}/assessments", AssessmentViewSet, basename="model-assessment")
router.register("waivers", WaiverViewSet, basename="waiver")
router.register(f"{USE_CASE}/assessments", UseCaseAssessmentViewSet, basename="use-case-assessment")


def _assessment_routes(prefix: str, name: str) -> list[URLPattern]:
    """Answering and completing the draft, and classifying the answers as of a date."""
    base = f"{prefix}/assessments/<str:framework>"
    return [
        path(f"{base}/answers/", AnswersView.as_view(), name=f"{name}-assessment-answers"),
        path(f"{base}/complete/", CompleteView.as_view(), name=f"{name}-assessment-complete"),
        path(f"{base}/as-of/", AsOfView.as_view(), name=f"{name}-assessment-as-of"),
    ]


urlpatterns = [
    *_assessment_routes(MODEL, "model"),
    *_assessment_routes(USE_CASE, "use-case"),
    path(f"{MODEL}/obligations/", ObligationsView.as_view(), name="risk-api-obligations"),
    path(
        f"{MODEL}/obligations/<str:obligation_id>/evidence/",
        EvidenceAttachView.as_view(),
        name="risk-api-evidence-attach",
    ),
    path(
        f"{MODEL}/obligations/evidence/",
        AttachToManyView.as_view(),
        name="risk-api-evidence-attach-many",
    ),
    path(
        f"{MODEL}/obligations/<str:obligation_id>/link/",
        LinkRecordView.as_view(),
        name="risk-api-record-link",
    ),
    path(
        f"{MODEL}/obligations/<str:obligation_id>/accept/",
        AcceptView.as_view(),
        name="risk-api-obligation-accept",
    ),
    path(f"{MODEL}/evidence-proposals/", ProposalsView.as_view(), name="risk-api-proposals"),
    path(
        f"{MODEL}/obligations/<str:obligation_id>/waivers/",
        WaiverRequestView.as_view(),
        name="risk-api-waiver-request",
    ),
    path(
        f"{MODEL}/evidence/<int:pk>/file/",
        EvidenceFileView.as_view(),
        name="risk-api-evidence-file",
    ),
    path(f"{MODEL}/drafts/", DraftsGenerateView.as_view(), name="risk-api-drafts-generate"),
    path(f"{MODEL}/drafts/<int:pk>/adopt/", DraftAdoptView.as_view(), name="risk-api-draft-adopt"),
    *router.urls,
]
