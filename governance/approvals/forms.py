"""Approval UI input: forms parse and check shapes; the approvals service decides and writes."""

from typing import Any, TypedDict, cast

from django import forms

from governance.approvals.models import Gate, SignOff
from governance.approvals.services.workflow import NewCondition
from governance.errors import DomainError
from governance.forms import BootstrapForm
from registry.models import Deployment

CONDITION_SLOTS = 3
ATTACHMENT_SLOTS = 2
TIERS = [("", "All tiers"), ("tier_1", "Tier 1"), ("tier_2", "Tier 2"), ("tier_3", "Tier 3")]
DATE = forms.DateInput(attrs={"type": "date"})


class RequestForm(BootstrapForm):
    """Open a draft request for one version to pass one gate."""

    gate = forms.ChoiceField(choices=Gate.choices)
    environment = forms.ChoiceField(
        choices=[("", "—"), *Deployment.Environment.choices],
        required=False,
        help_text="Deployment requests only: where the version is to run.",
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What is asked and why; reviewers read this first.",
    )

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "gate": data["gate"],
            "environment": data["environment"],
            "summary": data["summary"],
        }


class SignOffForm(BootstrapForm):
    """One sign-off: role, decision, comment, conditions with due dates, expiry, attachments."""

    role = forms.ChoiceField(choices=())
    decision = forms.ChoiceField(choices=SignOff.Decision.choices)
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required when you reject: say why.",
    )
    expires_on = forms.DateField(
        label="Approval expires on",
        widget=DATE,
        required=False,
        help_text="Required for an approval with conditions.",
    )

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(SignOff.Role.choices)
        choices = [(role, labels.get(role, role)) for role in roles]
        cast(forms.ChoiceField, self.fields["role"]).choices = choices
        for slot in range(1, CONDITION_SLOTS + 1):
            self.fields[f"condition_{slot}_text"] = forms.CharField(
                label=f"Condition {slot}", required=False
            )
            self.fields[f"condition_{slot}_due_on"] = forms.DateField(
                label=f"Condition {slot} due on", widget=DATE, required=False
            )
        for slot in range(1, ATTACHMENT_SLOTS + 1):
            self.fields[f"attachment_{slot}_title"] = forms.CharField(
                label=f"Attachment {slot} title", required=False
            )
            self.fields[f"attachment_{slot}_file"] = forms.FileField(
                label=f"Attachment {slot} file", required=False
            )
        self.style_widgets()

    @property
    def condition_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"condition_{slot}_text"], self[f"condition_{slot}_due_on"])
            for slot in range(1, CONDITION_SLOTS + 1)
        ]

    @property
    def attachment_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"attachment_{slot}_title"], self[f"attachment_{slot}_file"])
            for slot in range(1, ATTACHMENT_SLOTS + 1)
        ]

    def _used_conditions(self) -> list[int]:
        data = self.cleaned_data
        return [
            slot
            for slot in range(1, CONDITION_SLOTS + 1)
            if data[f"condition_{slot}_text"] or data[f"condition_{slot}_due_on"]
        ]

    def add_domain_error(self, exc: DomainError) -> None:
        """Condition errors go to the row the service numbered; empty rows were left out."""
        used = self._used_conditions()
        if exc.field in {"conditions", "due_on"}:
            slot = used[exc.row - 1] if exc.row and exc.row <= len(used) else 1
            part = "text" if exc.field == "conditions" else "due_on"
            self.add_error(f"condition_{slot}_{part}", exc.error_text)
            return
        if exc.field == "attachments":
            self.add_error("attachment_1_file", exc.error_text)
            return
        if exc.field == "signer":  # segregation of duties: about who signs in this role
            self.add_error("role", exc.error_text)
            return
        super().add_domain_error(exc)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        conditions = [
            NewCondition(data[f"condition_{slot}_text"], data[f"condition_{slot}_due_on"])
            for slot in self._used_conditions()
        ]
        attachments = [
            (data[f"attachment_{slot}_title"], data[f"attachment_{slot}_file"])
            for slot in range(1, ATTACHMENT_SLOTS + 1)
            if data[f"attachment_{slot}_file"]
        ]
        return {
            "role": data["role"],
            "decision": data["decision"],
            "comment": data["comment"],
            "conditions": conditions,
            "expires_on": data["expires_on"],
            "attachments": attachments,
        }


class WithdrawForm(BootstrapForm):
    reason = forms.CharField(
        label="Why withdraw?", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class MeetConditionForm(BootstrapForm):
    note = forms.CharField(label="How was it met?", required=False)


class QueueFilters(TypedDict):
    gate: str
    tier: str


class QueueFilterForm(BootstrapForm):
    gate = forms.ChoiceField(choices=[("", "All gates"), *Gate.choices], required=False)
    tier = forms.ChoiceField(choices=TIERS, required=False)

    def filters(self) -> QueueFilters:
        if not self.is_valid():
            return {"gate": "", "tier": ""}
        return {"gate": self.cleaned_data["gate"], "tier": self.cleaned_data["tier"]}
