"""Forms of the evidence-pack pages: asking for a pack, and uploading one to verify."""

from typing import cast

from django import forms

from governance.forms import BootstrapForm
from governance.labels import label_for
from governance.risk.rules.tiering import TIERS
from registry.models import Deployment, MLModel


def _as_of() -> forms.DateTimeField:
    return forms.DateTimeField(
        required=False,
        label="As of",
        help_text="Leave empty for now; a past instant gives the state then (UTC).",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class PackRequestForm(BootstrapForm):
    as_of = _as_of()


class PackUploadForm(BootstrapForm):
    file = forms.FileField(label="Evidence pack (PDF)")


class PortfolioRequestForm(BootstrapForm):
    """Which models' packs to draw at once, and as of when."""

    tiers = forms.MultipleChoiceField(
        required=False,
        choices=[(t, label_for(t)) for t in TIERS],
        label="Risk tiers",
        help_text="None ticked: every tier, and models not tiered yet.",
        widget=forms.CheckboxSelectMultiple,
    )
    environment = forms.ChoiceField(
        required=False,
        choices=[
            *((e.value, f"Live in {e.label.lower()}") for e in Deployment.Environment),
            ("", "The newest version registered"),
        ],
        initial=Deployment.Environment.PRODUCTION,
        label="Version",
        help_text="The version live there at the as-of instant; models live nowhere are left out.",
    )
    business_unit = forms.ChoiceField(required=False, label="Business unit")
    as_of = _as_of()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        units = MLModel.objects.order_by("business_unit").values_list("business_unit", flat=True)
        cast(forms.ChoiceField, self.fields["business_unit"]).choices = [
            ("", "Every business unit"),
            *((u, u) for u in dict.fromkeys(units)),
        ]
