"""Rulebooks: EU AI Act, scoping and tiering rules, obligation catalogs and gate policies as data.

Each version is a row with its effective date; once published it never changes (a change is a
new version), so an assessment can always say exactly which rules produced it.
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from governance.access.models.decisions import SecondPersonRequest
from governance.errors import DomainError


class RulebookManager(models.Manager["Rulebook"]):
    def in_force(self, kind: str, name: str | None = None, *, on: date | None = None) -> "Rulebook":
        """The published version in force on a date (today by default)."""
        on = on or timezone.localdate()
        books = self._published(kind, on)
        if name is not None:
            books = books.filter(name=name)
        book = books.order_by(*IN_FORCE_FIRST).first()
        if book is None:
            raise DomainError(field="rulebook", message=f"no {kind} rulebook is in force on {on}")
        return book

    def in_force_by_name(self, kind: str, *, on: date | None = None) -> list["Rulebook"]:
        """Every rulebook of a kind with a version in force on a date, that version, in name
        order: what `in_force` answers for each name, in two queries however many there are."""
        on = on or timezone.localdate()
        winners: dict[str, int] = {}
        for name, pk in (
            self._published(kind, on).order_by("name", *IN_FORCE_FIRST).values_list("name", "pk")
        ):
            winners.setdefault(name, pk)
        return sorted(self.filter(pk__in=winners.values()), key=lambda book: book.name)

    def _published(self, kind: str, on: date) -> "models.QuerySet[Rulebook]":
        return self.live(kind).filter(effective_from__lte=on)

    def live(self, kind: str) -> "models.QuerySet[Rulebook]":
        """Published versions of a kind that no published correction replaces: the timeline
        `in_force` chooses from (a corrected version is never in force, on any day)."""
        return self.filter(kind=kind, status=Rulebook.Status.PUBLISHED).exclude(
            corrections__status=Rulebook.Status.PUBLISHED
        )


# On the same effective date, the one published last wins (a new version, or a switch of method).
IN_FORCE_FIRST = ("-effective_from", "-published_at", "-version")


class Rulebook(models.Model):
    class Kind(models.TextChoices):
        EU_AI_ACT = "eu_ai_act", "EU AI Act rules"
        SCOPING = "scoping", "Scoping rules"
        TIERING = "tiering", "Tiering method"
        OBLIGATIONS = "obligations", "Obligation catalog"
        GATE_POLICY = "gate_policy", "Gate policy"
        MONITORING = "monitoring", "Monitoring defaults"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=80)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    effective_from = models.DateField()
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # A correction takes the place of the published version it corrects, on its own (possibly
    # earlier) effective date, for every day that version would have been in force.
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    correction_reason = models.TextField(blank=True)

    objects = RulebookManager()

    class Meta:
        ordering = ["kind", "name", "-version"]
        permissions = [
            ("publish_rulebook", "Can publish a rulebook version another person drafted")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "name", "version"], name="governance_rulebook_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The last line of defence behind the services: a published version is frozen.
        if self.pk and Rulebook.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise ValidationError(f"{self} is published and cannot change; draft a new version")
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def correction(self) -> "Rulebook | None":
        """The published version that corrects this one, if any."""
        return self.corrections.filter(status=self.Status.PUBLISHED).first()


class Publication(SecondPersonRequest):
    """A request to publish a draft rulebook version (which re-tiers what it changes); a second
    person holding the publish right decides it."""

    rulebook = models.ForeignKey(Rulebook, on_delete=models.PROTECT, related_name="publications")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"publication of {self.rulebook}"
