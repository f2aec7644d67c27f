"""What every web form shares: Bootstrap classes on each widget, service errors on their field."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import QuerySet

from governance.errors import DomainError


def _widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
        return "form-check-input"  # RadioSelect covers CheckboxSelectMultiple too
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget, and service errors put back on the field they name."""

    error_css_class = "has-error"
    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            wanted = _widget_class(field.widget)
            if wanted not in css.split():
                field.widget.attrs["class"] = f"{css} {wanted}".strip()

    def form_field_for(self, error_field: str) -> str | None:
        """The form field a DomainError's field maps to (None: the error is about the form)."""
        return error_field if error_field in self.fields else None

    def add_domain_error(self, exc: DomainError) -> None:
        self.add_error(self.form_field_for(exc.field), exc.error_text)


def active_users() -> QuerySet[User]:
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.get_username()})" if full_name else obj.get_username()


class DecisionForm(BootstrapForm):
    """Grant or refuse something another person asked for; a refusal says why.

    The page's two buttons carry the decision (`name="decision"`, value grant or refuse).
    """

    decision = forms.ChoiceField(choices=[("grant", "Grant"), ("refuse", "Refuse")])
    reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why you decide so (needed to refuse).",
    )

    @property
    def granted(self) -> bool:
        return self.cleaned_data["decision"] == "grant"
