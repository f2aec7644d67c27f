"""Monitoring UI input: forms parse; the policies, alerts and incidents services decide."""

from datetime import timedelta
from typing import Any

from django import forms

from governance.forms import BootstrapForm
from governance.labels import label_for
from monitoring.models import Alert, Incident, MonitoringPolicy
from monitoring.stats.thresholds import DIRECTIONS, MEASURES, SIGNALS, Status
from registry.models import Deployment

DAY = timedelta(days=1)
KEY_FIELDS = ("signal", "measure", "scope")


def _text(rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _measures_help() -> str:
    known = [f"{signal}: {', '.join(sorted(m))}" for signal, m in MEASURES.items() if m]
    return "; ".join(["metric: any name the model reports", *known]) + "."


class FilterForm(BootstrapForm):
    def filters(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}


class FleetFilterForm(FilterForm):
    status = forms.ChoiceField(
        label="Health",
        choices=[("", "Any health"), *((s.value, label_for(s)) for s in Status)],
        required=False,
    )
    order = forms.ChoiceField(
        label="Sort by",
        choices=[("health", "Worst health first"), ("name", "Model"), ("data", "Stalest data")],
        required=False,
    )


class AlertFilterForm(FilterForm):
    state = forms.ChoiceField(choices=[("", "Any state"), *Alert.State.choices], required=False)
    severity = forms.ChoiceField(
        choices=[("", "Any severity"), *Alert.Severity.choices], required=False
    )
    model = forms.SlugField(required=False, label="Model (slug)")


class PolicyForm(BootstrapForm):
    """One threshold of one model. Editing keeps signal, measure and scope: they name it."""

    signal = forms.ChoiceField(choices=[(s, s.capitalize()) for s in SIGNALS])
    measure = forms.CharField(max_length=200, help_text=_measures_help())
    scope = forms.CharField(
        max_length=200,
        required=False,
        help_text="A segment, a drifted column, a sensitive feature set (sex, age_band+sex) or "
        "a suite. Empty: the worst of them all.",
    )
    direction = forms.ChoiceField(choices=DIRECTIONS)
    warning = forms.FloatField(required=False, label="Warning level")
    critical = forms.FloatField(required=False, label="Critical level")
    min_sample_size = forms.IntegerField(
        initial=0,
        max_value=MonitoringPolicy.MAX_SAMPLE_SIZE,
        label="Minimum sample size",
        help_text="Observations of fewer cases are shown but not judged.",
    )
    consecutive = forms.IntegerField(
        initial=1,
        max_value=MonitoringPolicy.MAX_CONSECUTIVE,
        label="Consecutive breaches",
        help_text="How many breaching observations in a row raise an alert.",
    )
    window = forms.FloatField(
        initial=30,
        max_value=MonitoringPolicy.MAX_WINDOW_DAYS,
        label="Window (days)",
        help_text="Older observations do not count.",
    )
    material = forms.BooleanField(
        required=False,
        help_text="A critical breach requires revalidation, which closes the deployment gate.",
    )
    enabled = forms.BooleanField(
        required=False,
        initial=True,
        help_text="Untick to switch off the tier default with this signal, measure and scope.",
    )
    note = forms.CharField(max_length=300, required=False, help_text="Why this threshold.")

    def __init__(self, *args: Any, policy: MonitoringPolicy | None = None, **kwargs: Any) -> None:
        if policy is not None:
            kwargs["initial"] = self.initial_for(policy)
        super().__init__(*args, **kwargs)
        if policy is not None:
            for name in KEY_FIELDS:
                self.fields[name].disabled = True

    @staticmethod
    def initial_for(policy: MonitoringPolicy) -> dict[str, Any]:
        fields = {name: getattr(policy, name) for name in PolicyForm.base_fields}
        return fields | {"window": f"{policy.window / DAY:g}"}

    def policy_fields(self) -> dict[str, Any]:
        """The cleaned fields as `policies.set_policy` takes them."""
        return self.cleaned_data | {"window": timedelta(days=self.cleaned_data["window"])}


class IncidentForm(BootstrapForm):
    environment = forms.ChoiceField(
        choices=Deployment.Environment.choices, initial=Deployment.Environment.PRODUCTION
    )
    occurred_at = forms.DateTimeField(
        label="Occurred at (UTC)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Attest finds the version that was serving then.",
    )
    title = forms.CharField(max_length=300)
    severity = forms.ChoiceField(choices=Incident.Severity.choices)
    description = _text(4, required=False)


class AcknowledgeForm(BootstrapForm):
    note = _text(2, required=False, help_text="Who is looking into it, and what they check.")


class ResolveForm(BootstrapForm):
    resolution = _text(label="What was done about it")
