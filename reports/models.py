"""Evidence packs (one PDF per model version and as-of instant) and monthly executive reports,
each drawn by a Celery task and stored with its hashes."""

import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models

# Fixed namespace for pack ids: uuid5(PACK_NAMESPACE, "<version id>@<as-of ISO>").
PACK_NAMESPACE = uuid.UUID("6f1c1d0e-6a3b-5d7e-9c8a-3e0b7a4f2d11")


def pack_id_for(version_id: int, as_of: datetime) -> uuid.UUID:
    """The same version and as-of instant always name the same pack."""
    return uuid.uuid5(PACK_NAMESPACE, f"{version_id}@{as_of.astimezone(UTC).isoformat()}")


# Celery kills a drawing task after this long without touching its row.
TASK_TIME_LIMIT = timedelta(minutes=30)


class Drawn(models.Model):
    """A PDF a Celery task draws: where it is, and when it was last queued."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_busy(self) -> bool:
        """Queued or running: the page keeps asking until it is ready or failed."""
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    def is_lost(self, now: datetime) -> bool:
        """Busy for longer than its task may run: a worker died with it, so it may be queued
        again."""
        return self.is_busy and (self.queued_at is None or self.queued_at < now - TASK_TIME_LIMIT)


class AskedPack(Drawn):
    """A pack someone asked for as of an instant: its file's hashes and who asked, when."""

    sha256 = models.CharField(max_length=64, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class EvidencePack(AskedPack):
    """The examiner's PDF for one model version as of one instant, with its manifest and hash."""

    pack_id = models.UUIDField(unique=True, editable=False)
    version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="evidence_packs"
    )
    as_of = models.DateTimeField()
    file = models.FileField(upload_to="evidence-packs/", blank=True)
    manifest = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "as_of"], name="reports_evidencepack_one_per_as_of"
            ),
        ]

    def __str__(self) -> str:
        return f"evidence pack {self.pack_id} of {self.version} as of {self.as_of:%Y-%m-%d %H:%M}"


class PortfolioPack(AskedPack):
    """The evidence packs of a set of models as of one instant, asked for at once (all Tier 1
    models in production, say), drawn in parallel and handed over as one zip with a manifest
    naming every pack's hashes."""

    portfolio_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    as_of = models.DateTimeField()
    # What was asked for, as the page and the manifest say it: tiers, environment, business unit.
    selection = models.JSONField(default=dict)
    packs = models.ManyToManyField(EvidencePack, related_name="portfolios")
    file = models.FileField(upload_to="portfolio-packs/", blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"portfolio pack {self.portfolio_id} as of {self.as_of:%Y-%m-%d %H:%M}"


class ExecutiveReport(Drawn):
    """The monthly portfolio report for executives: one PDF per calendar month, replaced when
    the month is generated again."""

    month = models.DateField(unique=True, help_text="The first day of the month reported.")
    # The file and the fields below describe the last PDF stored: a regeneration that is queued,
    # running or failed leaves them as they were, so that PDF stays downloadable.
    file = models.FileField(upload_to="executive-reports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    # None when Celery beat made it on the 1st.
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The latest ask: by someone on the dashboard, or None for beat; null on rows made before
    # reports were asked for.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="reports_executivereport_month_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"executive report {self.month:%B %Y}"
