"""Approval requests and their sign-offs, conditions and reminders."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from governance.approvals.rules import narrative, signoffs, states
from registry.models import UseCase


class Gate(models.TextChoices):
    VALIDATION = "validation", "Validation"
    DEPLOYMENT = "deployment", "Deployment"
    PERIODIC_REVIEW = "periodic_review", "Periodic review"
    MATERIAL_CHANGE = "material_change", "Material change"
    RETIREMENT = "retirement", "Retirement"


class ApprovalRequest(models.Model):
    """A request that one version pass one gate, routed to the sign-offs its tier needs."""

    class State(models.TextChoices):
        DRAFT = states.DRAFT, "Draft"
        SUBMITTED = states.SUBMITTED, "Submitted"
        IN_REVIEW = states.IN_REVIEW, "In review"
        APPROVED = states.APPROVED, "Approved"
        APPROVED_WITH_CONDITIONS = states.APPROVED_WITH_CONDITIONS, "Approved with conditions"
        REJECTED = states.REJECTED, "Rejected"
        WITHDRAWN = states.WITHDRAWN, "Withdrawn"

    model = models.ForeignKey(
        "registry.MLModel", on_delete=models.PROTECT, related_name="approval_requests"
    )
    version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.PROTECT, related_name="approval_requests"
    )
    gate = models.CharField(max_length=20, choices=Gate.choices)
    # Only deployments name an environment; "" otherwise.
    environment = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=30, choices=State.choices, default=State.DRAFT)
    summary = models.TextField(blank=True)
    # Fixed at submission: the tier, the gate policy version and the sign-offs it asked for.
    tier = models.CharField(max_length=20, blank=True)
    policy = models.ForeignKey(
        "governance.Rulebook", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requirements = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The approval's own end date, when a sign-off set one (approval with conditions must).
    expires_on = models.DateField(null=True, blank=True)
    # Periodic reviews: the day the review falls due.
    due_on = models.DateField(null=True, blank=True)
    # Exactly what was approved: version, assessments and evidence with their hashes.
    snapshot = models.JSONField(default=dict, blank=True)
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "gate", "environment"],
                condition=Q(state__in=sorted(states.OPEN)),
                name="governance_request_one_open_per_gate",
            ),
            models.CheckConstraint(
                condition=~Q(gate="deployment") | ~Q(environment=""),
                name="governance_request_deployment_has_environment",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "gate"], name="governance_request_state_idx"),
            models.Index(fields=["version", "gate", "state"], name="governance_request_gate_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_gate_display()} of {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("approvals:request-detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"AR-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in states.OPEN

    @property
    def is_approval(self) -> bool:
        return self.state in states.APPROVALS

    def required_sign_offs(self) -> list[signoffs.Requirement]:
        """Each role and how many approvals it needs, fixed at submission (none for a draft)."""
        return [signoffs.Requirement(r["role"], int(r["count"])) for r in self.requirements]

    def given_sign_offs(self) -> list[signoffs.Given]:
        """The sign-offs recorded so far (the prefetched ones, when the caller prefetched)."""
        return [signoffs.Given(s.role, s.signer_id, s.decision) for s in self.sign_offs.all()]

    def progress(self) -> signoffs.Progress:
        """Sign-offs given against those required: approvals per role, what is outstanding."""
        return signoffs.progress(self.required_sign_offs(), self.given_sign_offs())


class SignOff(models.Model):
    """One person's decision in one required role, with their comment and attachments."""

    class Decision(models.TextChoices):
        APPROVE = signoffs.APPROVE, "Approve"
        APPROVE_WITH_CONDITIONS = signoffs.APPROVE_WITH_CONDITIONS, "Approve with conditions"
        REJECT = signoffs.REJECT, "Reject"

    class Role(models.TextChoices):
        VALIDATOR = "validator", "Independent validator"
        COMMITTEE = "committee", "Model risk committee"
        COMPLIANCE = "compliance", "Compliance"
        LEGAL = "legal", "Legal"

    request = models.ForeignKey(ApprovalRequest, on_delete=models.PROTECT, related_name="sign_offs")
    role = models.CharField(max_length=20, choices=Role.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=30, choices=Decision.choices)
    comment = models.TextField(blank=True)
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            # Segregation of duties, enforced by the database too: one role per person.
            models.UniqueConstraint(
                fields=["request", "signer"], name="governance_signoff_one_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.get_decision_display()} by {self.signer}"


class Attachment(models.Model):
    """A file backing a sign-off (a validation report, minutes), kept with its SHA-256."""

    sign_off = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="attachments")
    title = models.CharField(max_length=300)
    file = models.FileField(upload_to="sign-offs/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    media_type = models.CharField(max_length=100)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Condition(models.Model):
    """A condition of an approval: it must be met by its due date or the approval lapses."""

    request = models.ForeignKey(
        ApprovalRequest, on_delete=models.PROTECT, related_name="conditions"
    )
    sign_off = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="conditions")
    text = models.TextField()
    due_on = models.DateField()
    met_at = models.DateTimeField(null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    met_note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text


class ValidationReport(models.Model):
    """The validator's words in a validation's report (scope, notes, conclusion): editable by the
    validator until a validator signs the validation off, then frozen with that sign-off."""

    request = models.OneToOneField(
        ApprovalRequest, on_delete=models.PROTECT, related_name="validation_report"
    )
    scope = models.TextField(blank=True)
    evidence_note = models.TextField(blank=True)
    tests_note = models.TextField(blank=True)
    findings_note = models.TextField(blank=True)
    conclusion = models.TextField(blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    # Set once, by the first validator sign-off: the text from then on is the text signed.
    signed_with = models.OneToOneField(
        SignOff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="validation_report",
    )
    text_sha256 = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"Validation report of {self.request.reference}"

    @property
    def is_frozen(self) -> bool:
        return self.signed_with_id is not None

    def text(self) -> narrative.Narrative:
        return narrative.Narrative(**{name: getattr(self, name) for name in narrative.FIELDS})


class Reminder(models.Model):
    """A reminder sent about a request (periodic reviews): kept so each goes out once."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=40)
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="governance_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.request}"


# ---- The gate's kept answers --------------------------------------------------------------------

# The generation scope of what every model's answer reads (people's names, anything an event does
# not tie to one model); a model's own scope is its primary key, and primary keys start at 1.
EVERY_MODEL = 0

# Audit events that change nothing the gate reads although they name no model: these need not
# make every kept answer stale. An event not listed here and tied to no model or use case does.
UNREAD_BY_GATE = (
    "api_token.",
    "audit.",
    "customfield.",
    "dataset.",
    "datasetversion.",
    "executive_report.",
    "notices.",
    "organisation.",
    "portfolio_pack.",
    "role.",
    "role_grant.",
    "rulebook.drafted",
    "rulebook.publication_requested",
    "service_account.",
    "shadow_model.",
    "signin.",
    "user.created",
    "user.directory_linked",
    "user.password_changed",
)


class GateInputsQuerySet(models.QuerySet["GateInputs"]):
    """Counting changes: which scopes an audit event touches, and one more change in each."""

    def scopes_of(self, verb: str, target: models.Model, mlmodel_id: int | None) -> set[int]:
        """The scopes an audited change can alter the gate's answer for: the model it names, the
        models of the use case it names, else every model (unless the gate never reads it)."""
        if mlmodel_id is not None:
            return {mlmodel_id}
        use_case = target if isinstance(target, UseCase) else None
        use_case_id = use_case.pk if use_case else getattr(target, "use_case_id", None)
        if use_case_id is not None:
            # A use case's EU AI Act category and links close or open its models' gates.
            through = UseCase.models.through.objects.filter(usecase_id=use_case_id)
            return set(through.values_list("mlmodel_id", flat=True))
        if verb.startswith(UNREAD_BY_GATE):
            return set()
        return {EVERY_MODEL}

    def bump(self, scopes: set[int]) -> None:
        """Count one change in each scope, inside the writer's transaction (so the count and the
        change commit together); a scope without a row had generation 0."""
        if not scopes:
            return
        if self.filter(pk__in=scopes).update(generation=F("generation") + 1) == len(scopes):
            return
        missing = scopes - set(self.filter(pk__in=scopes).values_list("pk", flat=True))
        # A row inserted meanwhile by another writer is kept (generation 0 means no row), and
        # the update below then counts this change on top of it.
        self.bulk_create([self.model(scope=s) for s in missing], ignore_conflicts=True)
        self.filter(pk__in=missing).update(generation=F("generation") + 1)


class GateInputs(models.Model):
    """How many times what the gate reads has changed, for one model (or for every model)."""

    # The model's primary key, or EVERY_MODEL; no foreign key: a counter outlives its model
    # harmlessly and must never block a model's deletion.
    scope = models.BigIntegerField(primary_key=True)
    generation = models.BigIntegerField(default=0)

    objects = GateInputsQuerySet.as_manager()

    def __str__(self) -> str:
        return f"gate inputs of {self.scope or 'every model'}: generation {self.generation}"


class KeptGateAnswer(models.Model):
    """The gate's answer for one version at one gate and environment, kept while it holds:
    until what it read changes (the generations) or the day ends (`valid_until`)."""

    version = models.ForeignKey(
        "registry.ModelVersion", on_delete=models.CASCADE, related_name="kept_gate_answers"
    )
    gate = models.CharField(max_length=20, choices=Gate.choices)
    environment = models.CharField(max_length=20)
    model_generation = models.BigIntegerField()
    every_model_generation = models.BigIntegerField()
    code = models.CharField(max_length=16)  # the fingerprint of the code that computed it
    computed_at = models.DateTimeField()
    valid_until = models.DateTimeField()
    answer = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "gate", "environment"], name="governance_keptgateanswer_one"
            ),
        ]

    def __str__(self) -> str:
        return f"gate answer for {self.version_id} at {self.gate} {self.environment}".strip()
