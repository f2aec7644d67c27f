"""The validator's text of a validation report: scope, a note per section, conclusion."""

from django import forms

from governance.approvals.rules.narrative import Narrative
from governance.forms import BootstrapForm


def _text(label: str, rows: int = 3, help_text: str = "") -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows})
    return forms.CharField(label=label, required=False, widget=widget, help_text=help_text)


class ValidationTextForm(BootstrapForm):
    """What the validator writes; the records (tables, figures) are drawn, not typed."""

    scope = _text("Scope statement", 4, "What the validation covered and what it left out.")
    evidence_note = _text("Note on the evidence reviewed")
    tests_note = _text("Note on the tests and results")
    findings_note = _text("Note on the findings")
    conclusion = _text(
        "Conclusion", 5, "Your opinion of the model's fitness for its intended purpose."
    )

    def narrative(self) -> Narrative:
        return Narrative(**{name: self.cleaned_data[name] for name in self.fields})
