"""Risk UI routes, mounted under /inventory/ beside the inventory pages (namespace `risk`)."""

from django.urls import URLPattern, path

from governance.risk import views
from governance.risk.views import MODEL, USE_CASE


def _assessment_routes(prefix: str, kind: str) -> list[URLPattern]:
    """The questionnaire, result and review pages of one kind of subject."""
    base = f"{prefix}/<slug:slug>/risk/<str:framework>"
    subject = {"kind": kind}
    return [
        path(f"{base}/", views.questionnaire, subject, name=f"{kind}-questionnaire"),
        path(f"{base}/answers/", views.answers_save, subject, name=f"{kind}-answers"),
        path(f"{base}/classify/", views.classify, subject, name=f"{kind}-classify"),
        path(f"{base}/result/", views.result, subject, name=f"{kind}-result"),
        path(f"{base}/as-of/", views.classify_as_of, subject, name=f"{kind}-as-of"),
        path(f"{base}/result/<int:pk>/", views.result, subject, name=f"{kind}-result-at"),
        path(f"{base}/result/<int:pk>/<slug:step>/", views.review, subject, name=f"{kind}-review"),
    ]


app_name = "risk"
urlpatterns = [
    *_assessment_routes("models", MODEL),
    *_assessment_routes("use-cases", USE_CASE),
    path("models/<slug:slug>/obligations/", views.obligations, name="obligations"),
    path(
        "models/<slug:slug>/obligations/<int:pk>/evidence/",
        views.evidence_attach,
        name="evidence-attach",
    ),
    path(
        "models/<slug:slug>/obligations/attach/",
        views.evidence_attach_many,
        name="evidence-attach-many",
    ),
    path("models/<slug:slug>/obligations/<int:pk>/link/", views.record_link, name="record-link"),
    path(
        "models/<slug:slug>/obligations/<int:pk>/accept/",
        views.control_accept,
        name="control-accept",
    ),
    path(
        "models/<slug:slug>/obligations/<int:pk>/waive/", views.control_waive, name="control-waive"
    ),
    path("models/<slug:slug>/waivers/<int:pk>/decide/", views.waiver_decide, name="waiver-decide"),
    path(
        "models/<slug:slug>/evidence/<int:pk>/download/",
        views.evidence_download,
        name="evidence-download",
    ),
    path("models/<slug:slug>/drafts/generate/", views.drafts_generate, name="drafts-generate"),
    path("models/<slug:slug>/drafts/<int:pk>/", views.draft_detail, name="draft-detail"),
    path("models/<slug:slug>/drafts/<int:pk>/word/", views.draft_download, name="draft-download"),
    path("models/<slug:slug>/drafts/<int:pk>/adopt/", views.draft_adopt, name="draft-adopt"),
]
