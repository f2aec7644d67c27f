"""Forms of the evidence-pack pages: asking for a pack, and uploading one to verify."""

from django import forms

from governance.forms import BootstrapForm


class PackRequestForm(BootstrapForm):
    as_of = forms.DateTimeField(
        required=False,
        label="As of",
        help_text="Leave empty for now; a past instant gives the state then (UTC).",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class PackUploadForm(BootstrapForm):
    file = forms.FileField(label="Evidence pack (PDF)")
