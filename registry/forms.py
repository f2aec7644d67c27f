"""Inventory UI input: forms parse and check shapes; services decide and write."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypedDict, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from governance.approvals.rules import policy
from governance.approvals.selectors import gate
from governance.errors import DomainError
from governance.forms import BootstrapForm, UserChoiceField, active_users
from governance.risk.rules import scoping
from registry.models import (
    CustomField,
    DatasetVersion,
    Deployment,
    MLModel,
    ModelVersion,
    OrganisationProfile,
    TrainingRun,
    UseCase,
)
from registry.services import models as model_services
from registry.validators import label_validator, slug_validator

PROMPT_SLOTS = 3
# The record's own fields; custom fields get one form field each (see ModelRecordForm).
MODEL_FIELDS = tuple(name for name in model_services.EDITABLE if name != "custom_fields")
ARTIFACT_FIELDS = (
    "version",
    "artifact_uri",
    "artifact_sha256",
    "framework",
    "source_tracker",
    "external_id",
)
VERSION_FIELDS = (*ARTIFACT_FIELDS, "training_run", "base_model", "provider")
# A run recorded with the version: the form's field for each field the run service names.
NEW_RUN_FIELDS = {
    "external_id": "run_external_id",
    "code_commit": "run_code_commit",
    "input_datasets": "input_datasets",
}


class _FieldOptions(TypedDict):
    label: str
    required: bool
    help_text: str


def custom_form_field(spec: CustomField) -> forms.Field:
    """One form field for one custom field definition; the service checks the value again."""
    common = _FieldOptions(label=spec.label, required=spec.is_required, help_text=spec.help_text)
    if spec.field_type == CustomField.FieldType.INTEGER:
        return forms.IntegerField(**common)
    if spec.field_type == CustomField.FieldType.DECIMAL:
        return forms.DecimalField(**common)
    if spec.field_type == CustomField.FieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if spec.field_type == CustomField.FieldType.BOOLEAN:
        return forms.ChoiceField(choices=[("", "—"), ("true", "Yes"), ("false", "No")], **common)
    if spec.field_type == CustomField.FieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in spec.choices]], **common)
    return forms.CharField(max_length=500, **common)


def _custom_initial(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class ModelRecordForm(BootstrapForm):
    """A model's inventory record, plus one field per active custom field (prefixed `cf_`)."""

    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    intended_purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What the model decides or estimates, for whom, and within which limits.",
    )
    business_unit = forms.CharField(max_length=100)
    model_type = forms.ChoiceField(label="Type", choices=MLModel.ModelType.choices)
    status = forms.ChoiceField(choices=MLModel.Status.choices, initial=MLModel.Status.DEVELOPMENT)
    vendor = forms.CharField(
        max_length=200, required=False, help_text="For vendor models and hosted LLMs."
    )
    owner = UserChoiceField(queryset=active_users(), empty_label=None)

    def __init__(self, *args: Any, custom_fields: list[CustomField], **kwargs: Any) -> None:
        self.custom_specs = custom_fields
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = active_users()
        for spec in custom_fields:
            self.fields[f"cf_{spec.key}"] = custom_form_field(spec)
        self.style_widgets()

    @classmethod
    def initial_for(cls, model: MLModel) -> dict[str, object]:
        """The edit form's starting values: the stored record."""
        initial: dict[str, object] = {name: getattr(model, name) for name in MODEL_FIELDS}
        initial["owner"] = model.owner_id
        for key, value in model.custom_fields.items():
            initial[f"cf_{key}"] = _custom_initial(value)
        return initial

    @property
    def identity_fields(self) -> list[forms.BoundField]:
        names = ("slug", "name", "description", "intended_purpose")
        return [self[name] for name in names if name in self.fields]

    @property
    def classification_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("business_unit", "model_type", "status", "vendor", "owner")]

    @property
    def custom_bound_fields(self) -> list[forms.BoundField]:
        return [self[f"cf_{spec.key}"] for spec in self.custom_specs]

    def form_field_for(self, error_field: str) -> str | None:
        if error_field.startswith("custom_fields."):
            error_field = "cf_" + error_field.removeprefix("custom_fields.")
        return super().form_field_for(error_field)

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for the service: the record fields and the custom values."""
        data = {name: self.cleaned_data[name] for name in MODEL_FIELDS}
        data["custom_fields"] = {
            spec.key: self.cleaned_data.get(f"cf_{spec.key}") for spec in self.custom_specs
        }
        return data


class ModelRegisterForm(ModelRecordForm):
    """Registering a model: the record plus its permanent slug."""

    slug = forms.CharField(
        max_length=80,
        validators=[slug_validator],
        help_text="Permanent identifier used in URLs and the API: lowercase letters, digits, -.",
    )
    field_order = ["slug", "name"]


class RunChoiceField(forms.ModelChoiceField):
    """A training run as people tell runs apart: tracker and id, when, commit, its versions."""

    def label_from_instance(self, obj: TrainingRun) -> str:
        trackers = dict(ModelVersion.Tracker.choices)
        tracker = trackers.get(obj.tracker) if obj.tracker else None
        ref = obj.external_id or f"#{obj.pk}"
        parts = [
            f"{tracker or obj.tracker or 'Recorded'} run {ref[:12]}{'…' if len(ref) > 12 else ''}",
            f"{obj.started_at or obj.created_at:%d %b %Y}",
        ]
        if obj.code_commit:
            parts.append(f"commit {obj.code_commit[:7]}")
        used = [version.version for version in obj.versions.all()]
        parts.append(f"used by {', '.join(used)}" if used else "no version yet")
        return " · ".join(parts)


class DatasetVersionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: DatasetVersion) -> str:
        return f"{obj.dataset.name} {obj.version}"


class VersionForm(BootstrapForm):
    """A new version of a model, on an existing training run or one recorded with it; LLM
    applications may add up to three prompt templates."""

    version = forms.CharField(
        max_length=64,
        validators=[label_validator],
        help_text="A label unique within this model, e.g. 2.1.0",
    )
    artifact_uri = forms.CharField(max_length=500, required=False, label="Artifact URI")
    artifact_sha256 = forms.CharField(
        max_length=64, required=False, label="Artifact SHA-256", help_text="64 hex characters."
    )
    framework = forms.CharField(max_length=100, required=False)
    source_tracker = forms.ChoiceField(choices=ModelVersion.Tracker.choices, required=False)
    external_id = forms.CharField(max_length=200, required=False, label="ID in the tracker")
    training_run = RunChoiceField(
        queryset=TrainingRun.objects.none(),
        required=False,
        empty_label="— none, or the new run below —",
        label="Existing training run",
        help_text="Runs recorded for this model by tracker pushes or the API.",
    )
    run_external_id = forms.CharField(
        max_length=200, required=False, label="New run: ID in the tracker"
    )
    run_code_commit = forms.CharField(max_length=64, required=False, label="New run: code commit")
    input_datasets = DatasetVersionsField(
        queryset=DatasetVersion.objects.none(),
        required=False,
        label="New run: input dataset versions",
        help_text="The data the run read. Hold Ctrl (⌘ on a Mac) to pick several.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    base_model = forms.CharField(max_length=200, required=False, label="Base model")
    provider = forms.CharField(max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        model: MLModel,
        dataset_versions: QuerySet[DatasetVersion] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        runs = model.training_runs.prefetch_related("versions").order_by("-created_at", "-pk")
        cast(forms.ModelChoiceField, self.fields["training_run"]).queryset = runs
        offered = DatasetVersion.objects.none() if dataset_versions is None else dataset_versions
        cast(forms.ModelMultipleChoiceField, self.fields["input_datasets"]).queryset = offered
        for slot in range(1, PROMPT_SLOTS + 1):
            self.fields[f"prompt_{slot}_name"] = forms.CharField(
                max_length=100, required=False, label=f"Prompt {slot} name"
            )
            self.fields[f"prompt_{slot}_template"] = forms.CharField(
                required=False,
                label=f"Prompt {slot} template",
                widget=forms.Textarea(attrs={"rows": 4, "class": "font-monospace"}),
            )
        self.style_widgets()

    @property
    def artifact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ARTIFACT_FIELDS]

    @property
    def new_run_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in NEW_RUN_FIELDS.values()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("training_run") and self.new_run() is not None:
            self.add_error("training_run", "Pick an existing run or describe a new one, not both.")
        return data

    def new_run(self) -> dict[str, Any] | None:
        """Keyword arguments for services.record_training_run, when the form describes a run."""
        data = {field: self.cleaned_data.get(name) for field, name in NEW_RUN_FIELDS.items()}
        if not any(data.values()):
            return None
        return {
            "tracker": self.cleaned_data.get("source_tracker", ""),
            "external_id": data["external_id"] or "",
            "code_commit": data["code_commit"] or "",
            "input_datasets": list(data["input_datasets"] or []),
        }

    @contextmanager
    def run_errors(self) -> Iterator[None]:
        """A refusal of the new run, put on the run's own fields (not the version's)."""
        try:
            yield
        except DomainError as exc:
            field = NEW_RUN_FIELDS.get(exc.field, "run_external_id")
            raise DomainError(field=field, message=exc.error_text) from exc

    @property
    def prompt_slots(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"prompt_{slot}_name"], self[f"prompt_{slot}_template"])
            for slot in range(1, PROMPT_SLOTS + 1)
        ]

    def add_domain_error(self, exc: DomainError) -> None:
        if exc.field.startswith("prompt_templates.") and exc.row is not None:
            # The service numbers the prompts it was given; empty slots were left out.
            slot = self.used_slots[exc.row - 1]
            part = exc.field.removeprefix("prompt_templates.")
            self.add_error(self.form_field_for(f"prompt_{slot}_{part}"), exc.error_text)
            return
        super().add_domain_error(exc)

    @property
    def used_slots(self) -> list[int]:
        return [
            slot
            for slot in range(1, PROMPT_SLOTS + 1)
            if self.cleaned_data[f"prompt_{slot}_name"]
            or self.cleaned_data[f"prompt_{slot}_template"]
        ]

    def service_arguments(self, run: TrainingRun | None = None) -> dict[str, Any]:
        """Keyword arguments for services.register_version (on `run` when one was recorded with
        it); empty prompt slots are left out."""
        data = {name: self.cleaned_data[name] for name in VERSION_FIELDS}
        if run is not None:
            data["training_run"] = run
        data["prompt_templates"] = [
            {
                "name": self.cleaned_data[f"prompt_{slot}_name"],
                "template": self.cleaned_data[f"prompt_{slot}_template"],
            }
            for slot in self.used_slots
        ]
        return data


class ServingForm(BootstrapForm):
    """Which version was serving in environment E at time T (UTC)?"""

    environment = forms.ChoiceField(
        choices=Deployment.Environment.choices, initial=Deployment.Environment.PRODUCTION
    )
    at = forms.DateTimeField(
        label="At (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> "ServingForm":
        """Bound to the query string, defaulting to production, now."""
        now = timezone.now().replace(second=0, microsecond=0)
        data = {"environment": Deployment.Environment.PRODUCTION, "at": now}
        data.update({k: query[k] for k in ("environment", "at") if query.get(k)})
        return cls(data)

    def question(self) -> tuple[str, datetime] | None:
        if not self.is_valid():
            return None
        return self.cleaned_data["environment"], self.cleaned_data["at"]


class DeploymentForm(BootstrapForm):
    """A version went live in an environment; through a closed gate only when the person says so.

    The gate does not stop a recording (what went live is a fact, and the service records a
    breach of a closed gate); the form asks first, naming the gate's unmet rules.
    """

    environment = forms.ChoiceField(
        choices=Deployment.Environment.choices, initial=Deployment.Environment.PRODUCTION
    )
    endpoint = forms.CharField(
        max_length=300, required=False, help_text="Where it serves, if it has an address."
    )
    started_at = forms.DateTimeField(
        label="Went live at (UTC)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave empty for now.",
    )
    through_closed_gate = forms.BooleanField(
        label="It went live although the deployment gate is closed",
        required=False,
        help_text="Recorded as a policy breach: a high-severity finding is opened for the owner.",
    )

    def __init__(self, *args: Any, version: ModelVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or data.get("through_closed_gate"):
            return data
        environment = data["environment"]
        answer = gate_now(self.version, environment, data.get("started_at"))
        if answer is not None and not answer.open:
            unmet = "; ".join(f"{rule.title}: {rule.reason}" for rule in answer.unmet)
            shown = Deployment.Environment(environment).label
            self.add_error(
                "through_closed_gate",
                f"The deployment gate to {shown} is closed. Unmet: {unmet}. Tick this box only "
                "if the version is live there anyway.",
            )
        return data

    def service_arguments(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("environment", "endpoint", "started_at")}


def gate_now(
    version: ModelVersion, environment: str, at: datetime | None = None
) -> policy.Answer | None:
    """The deployment gate's answer (None: no gate policy was in force then)."""
    try:
        answer, _ = gate.check(version, environment, at=at)
    except DomainError:
        return None
    return answer


# ---- Use cases and the organisation profile ---------------------------------------------------


USE_CASE_FIELDS = (
    "name",
    "business_purpose",
    "business_unit",
    "deployer_context",
    "affected_people",
)


def _plain_text(value: object) -> object:
    # Browsers post textarea line breaks as CRLF; stored text uses LF, so an unedited field
    # compares equal and a proposal lists only what really changed.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class UseCaseForm(BootstrapForm):
    """A use case's description: what the AI system is for, who deploys it, who it affects."""

    name = forms.CharField(max_length=200)
    business_purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the system decides or produces, and for which business process.",
    )
    business_unit = forms.CharField(max_length=100)
    deployer_context = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Who operates it and how: staff who act on its output, customers who use it.",
    )
    affected_people = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="The people its outputs are about or decide on.",
    )
    owner = UserChoiceField(queryset=active_users(), empty_label=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = active_users()

    @classmethod
    def initial_for(cls, use_case: UseCase) -> dict[str, object]:
        initial: dict[str, object] = {name: getattr(use_case, name) for name in USE_CASE_FIELDS}
        initial["owner"] = use_case.owner_id
        return initial

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for the services: the description and the owner."""
        return {name: _plain_text(self.cleaned_data[name]) for name in (*USE_CASE_FIELDS, "owner")}

    def changed_from(self, use_case: UseCase) -> dict[str, Any]:
        """Only what differs from the use case now: what a proposal asks for."""
        return {
            name: value
            for name, value in self.changes().items()
            if value != getattr(use_case, name)
        }


class UseCaseRegisterForm(UseCaseForm):
    """A new use case: its description plus its permanent slug."""

    slug = forms.CharField(
        max_length=80,
        validators=[slug_validator],
        help_text="Permanent identifier used in URLs and the API: lowercase letters, digits, -.",
    )
    field_order = ["slug", "name"]


class UseCaseProposalForm(UseCaseForm):
    """A change someone other than the owner proposes; the owner accepts or refuses it."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Why the change is needed, for the owner who decides.",
    )

    def form_field_for(self, error_field: str) -> str | None:
        return None if error_field == "non_field" else super().form_field_for(error_field)


class LinkModelForm(BootstrapForm):
    """Pick a model for a use case to use."""

    model = forms.ModelChoiceField(
        queryset=MLModel.objects.none(),
        to_field_name="slug",
        label="Model",
        empty_label="Choose a model…",
    )

    def __init__(self, *args: Any, models: QuerySet[MLModel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["model"]).queryset = models


UNSTATED = ""
YES_NO = [(UNSTATED, "Not stated"), ("true", "Yes"), ("false", "No")]


def _yes_no(value: str) -> bool | None:
    return {"true": True, "false": False}.get(value)


def _yes_no_field(label: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
        help_text=help_text,
    )


class OrganisationProfileForm(BootstrapForm):
    """The organisation's facts; each stated one answers a scoping question for every model."""

    jurisdiction = forms.ChoiceField(
        label="Where is the organisation incorporated?",
        choices=[(UNSTATED, "Not stated"), *OrganisationProfile.Jurisdiction.choices],
        required=False,
    )
    us_banking_organisation = _yes_no_field(
        "A US banking organisation supervised by the Federal Reserve, the OCC or the FDIC?",
        "Answers the scoping question on US model-risk guidance (SR 26-2, SR 11-7).",
    )
    pra_firm = forms.ChoiceField(
        label="Does PRA SS1/23 address the organisation?",
        choices=[
            (UNSTATED, "Not stated"),
            *scoping.PRA_FIRMS,
        ],
        required=False,
        help_text="Answers the scoping question on PRA SS1/23.",
    )
    eu_establishment = _yes_no_field(
        "Established in the European Union?",
        "Yes answers the EU territorial question for every model (Art. 2(1)(b): deployers "
        "established in the EU); No leaves it to each model, whose outputs may still be used "
        "in the EU.",
    )
    public_body = _yes_no_field(
        "A public body, or a private provider of public services?",
        "Recorded for the fundamental rights impact assessment (EU AI Act Art. 27); no "
        "questionnaire question reads it yet.",
    )

    @classmethod
    def initial_for(cls, profile: OrganisationProfile | None) -> dict[str, object]:
        if profile is None:
            return {}
        initial: dict[str, object] = {
            name: getattr(profile, name) for name in ("jurisdiction", "pra_firm")
        }
        for name in ("us_banking_organisation", "eu_establishment", "public_body"):
            value = getattr(profile, name)
            initial[name] = UNSTATED if value is None else str(value).lower()
        return initial

    def facts(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
