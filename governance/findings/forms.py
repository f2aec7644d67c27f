"""Findings, exceptions and revalidation input: forms parse; the findings service decides."""

from typing import Any, cast

from django import forms

from governance.findings.models import Finding
from governance.forms import BootstrapForm, UserChoiceField
from governance.risk.models import Control
from registry.models import MLModel, ModelVersion

DATE = forms.DateInput(attrs={"type": "date"})


def _text(rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class FindingFilterForm(BootstrapForm):
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Finding.Status.choices], required=False
    )
    severity = forms.ChoiceField(
        choices=[("", "Any severity"), *Finding.Severity.choices], required=False
    )
    source = forms.ChoiceField(
        choices=[("", "Any source"), *Finding.Source.choices], required=False
    )
    model = forms.SlugField(required=False, label="Model (slug)")
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def filters(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}


class FindingForm(BootstrapForm):
    """Raise a finding on one model; names the model's own versions and obligations only."""

    title = forms.CharField(max_length=300)
    description = _text(4, required=False)
    severity = forms.ChoiceField(choices=Finding.Severity.choices)
    owner = UserChoiceField(
        queryset=None, help_text="Who must remediate it (the model's owner unless you choose)."
    )
    due_on = forms.DateField(widget=DATE, required=False)
    version: "forms.ModelChoiceField[ModelVersion]" = forms.ModelChoiceField(
        queryset=None, required=False
    )
    controls: "forms.ModelMultipleChoiceField[Control]" = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Obligations",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, model: MLModel, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners
        self.fields["owner"].initial = model.owner_id
        versions = ModelVersion.objects.filter(model=model)
        cast(forms.ModelChoiceField, self.fields["version"]).queryset = versions
        controls = Control.objects.filter(model=model, applies=True)
        cast(forms.ModelMultipleChoiceField, self.fields["controls"]).queryset = controls


class RemediationForm(BootstrapForm):
    remediation_plan = _text(label="Remediation plan")


class CloseForm(BootstrapForm):
    resolution = _text(label="How it was resolved")


class AcceptRiskForm(BootstrapForm):
    resolution = _text(label="Why the risk is acceptable")
    accepted_until = forms.DateField(widget=DATE, label="Accepted until")


class ExceptionForm(BootstrapForm):
    """Ask to waive one gate rule for one model; a second person with decision rights decides."""

    rule_id = forms.ChoiceField(label="Rule", choices=())
    reason = _text()
    expires_on = forms.DateField(widget=DATE, required=False)

    def __init__(self, *args: Any, rules: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["rule_id"]).choices = rules


class RevalidationForm(BootstrapForm):
    reason = forms.CharField(max_length=500, help_text="What breach or doubt asks for it.")


class ClearRevalidationForm(BootstrapForm):
    clearance_note = _text(label="What the revalidation found")
