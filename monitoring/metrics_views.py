"""GET /metrics: the Prometheus scrape target (docs/operations.md, "Prometheus")."""

from collections.abc import Iterable

from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from rest_framework.authentication import SessionAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from governance.api.auth import ApiTokenAuthentication
from monitoring.prometheus import AttestCollector

# The scrape shows every production model's health and alert counts, so it takes the right
# to see alerts on the whole portfolio, not on one model.
SCRAPE_PERMISSION = "monitoring.view_alert"


class MaySeeMonitoring(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_staff or user.has_perm(SCRAPE_PERMISSION)))


class FirstRenderer(BaseContentNegotiation):
    """Scrapers accept versioned text or OpenMetrics types, which DRF would answer with 406.

    The scrape itself is always the Prometheus text format; only refusals are rendered (JSON).
    """

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        first = next(iter(renderers))
        return first, first.media_type


class MetricsView(APIView):
    # Token first: an unauthenticated scrape hears 401 with `WWW-Authenticate: Token`.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [MaySeeMonitoring]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRenderer
    schema = None  # not part of the REST API

    def get(self, request: Request) -> HttpResponse:
        # A registry per scrape: no process metrics, nothing kept between gunicorn workers.
        registry = CollectorRegistry()
        registry.register(AttestCollector())
        return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
