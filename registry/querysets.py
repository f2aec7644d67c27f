"""Chainable one-model filters for the inventory."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q


class MLModelQuerySet(models.QuerySet):
    def active(self) -> MLModelQuerySet:
        return self.exclude(status="retired")

    def search(self, text: str) -> MLModelQuerySet:
        """Free text over the fields a committee member would type a word from."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(slug__icontains=text)
            | Q(description__icontains=text)
            | Q(intended_purpose__icontains=text)
            | Q(business_unit__icontains=text)
            | Q(vendor__icontains=text)
        )


class DeploymentQuerySet(models.QuerySet):
    def in_environment(self, environment: str) -> DeploymentQuerySet:
        return self.filter(environment=environment)

    def live_at(self, at: datetime) -> DeploymentQuerySet:
        return self.filter(started_at__lte=at).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))

    def live(self) -> DeploymentQuerySet:
        return self.filter(ended_at__isnull=True)
