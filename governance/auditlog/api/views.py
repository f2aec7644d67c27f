"""Audit log API: the whole trail, newest first, for auditors and administrators."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from governance.api.serializers import ErrorsSerializer
from governance.api.views import GlobalRight
from governance.auditlog.api.serializers import AuditEventSerializer
from governance.auditlog.models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    verb = django_filters.CharFilter()
    target_type = django_filters.CharFilter(help_text='e.g. "registry.mlmodel"')
    target_id = django_filters.CharFilter()
    mlmodel_id = django_filters.NumberFilter(help_text="Events about this model and its parts.")

    class Meta:
        model = AuditEvent
        fields = ["verb", "target_type", "target_id", "mlmodel_id"]


class AuditEventViewSet(viewsets.GenericViewSet):
    """The whole audit trail, newest first: for auditors and administrators."""

    queryset = AuditEvent.objects.order_by("-seq")
    filterset_class = AuditEventFilter
    permission_classes = [IsAuthenticated, GlobalRight]
    global_rights = {"list": "view_audit"}

    @extend_schema(responses={200: AuditEventSerializer(many=True), 403: ErrorsSerializer})
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)
