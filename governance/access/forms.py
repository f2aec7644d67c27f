"""Access input: RACI assignments, API tokens, service accounts. Forms parse; services decide."""

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Group

from governance import roles
from governance.access import signin
from governance.access.models import RaciAssignment
from governance.forms import BootstrapForm, DecisionForm, UserChoiceField, active_users


class SignInForm(AuthenticationForm):
    """The password sign-in; with passwords switched off it says so before trying one."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username and not signin.password_allowed(username):
            raise forms.ValidationError(signin.passwords_off_message(), code="passwords_off")
        cleaned: dict[str, Any] = super().clean()
        return cleaned


class TokenForm(BootstrapForm):
    """Name a new token after where it will be used, so a list of tokens can be told apart."""

    name = forms.CharField(
        max_length=100,
        help_text="Where the token will be used, e.g. “laptop notebook” or “GitHub Actions”.",
    )


class ServiceAccountForm(BootstrapForm):
    """A pipeline's own user: it cannot log in and acts through its tokens only."""

    username = forms.CharField(max_length=150, help_text="e.g. “ci-bot” or “airflow-prod”.")
    description = forms.CharField(
        max_length=300,
        required=False,
        help_text="What runs as this account and who looks after it.",
    )


class RaciAssignForm(BootstrapForm):
    """Name a user or a group as R, A, C or I for one area of a model."""

    user = UserChoiceField(queryset=active_users(), required=False, empty_label="— a person —")
    group = forms.ModelChoiceField(
        queryset=Group.objects.order_by("name"), required=False, empty_label="— or a group —"
    )
    role = forms.ChoiceField(choices=RaciAssignment.Role.choices)
    area = forms.ChoiceField(choices=RaciAssignment.Area.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = active_users()

    def service_arguments(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("user", "group", "role", "area")}


class ValidatorChoiceForm(DecisionForm):
    """Grant a request for a validator by naming one (a validator), or refuse it."""

    validator = UserChoiceField(
        queryset=active_users(), required=False, empty_label="— a validator —"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        validators = active_users().filter(groups__name__in=sorted(roles.MAY_VALIDATE)).distinct()
        cast(forms.ModelChoiceField, self.fields["validator"]).queryset = validators


class RoleRequestForm(BootstrapForm):
    """Ask for a person to hold a role that takes part in controls."""

    user = UserChoiceField(queryset=active_users(), empty_label="— a person —")
    role = forms.ModelChoiceField(queryset=Group.objects.none(), empty_label="— a role —")
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this person needs the role (joined the committee, new validator...).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = active_users().filter(
            service_account__isnull=True
        )
        cast(forms.ModelChoiceField, self.fields["role"]).queryset = Group.objects.filter(
            name__in=sorted(roles.TAKES_PART_IN_CONTROLS)
        ).order_by("name")
