"""API token and service account input: forms parse; the tokens service decides and audits."""

from django import forms

from governance.forms import BootstrapForm


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
