"""The organisation profile: facts about the firm itself, asked once for every model."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from governance.risk.rules import scoping


class OrganisationProfile(models.Model):
    """Where the organisation is and what kind of firm it is (one row): the default answers of
    every model's scoping questionnaire, which a model's own answer overrides."""

    class Jurisdiction(models.TextChoices):
        US = "us", "United States"
        UK = "uk", "United Kingdom"
        EU = "eu", "A member state of the European Union"
        OTHER = "other", "Elsewhere"

    # Blank or None: not stated yet, so no questionnaire gets a default for it.
    jurisdiction = models.CharField(max_length=10, choices=Jurisdiction.choices, blank=True)
    us_banking_organisation = models.BooleanField(null=True, blank=True)
    pra_firm = models.CharField(max_length=20, choices=scoping.PRA_FIRMS, blank=True)
    eu_establishment = models.BooleanField(null=True, blank=True)
    public_body = models.BooleanField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "organisation profile"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="registry_organisationprofile_one_row")
        ]

    def __str__(self) -> str:
        return "Organisation profile"

    def clean(self) -> None:
        """Facts that cannot both hold: the firm's seat decides some of its regulators."""
        errors: dict[str, str] = {}
        if self.jurisdiction == self.Jurisdiction.EU and self.eu_establishment is False:
            errors["eu_establishment"] = (
                "An organisation incorporated in the EU is established there."
            )
        if self.pra_firm == scoping.PRA_INTERNAL_MODELS and self.jurisdiction not in (
            "",
            self.Jurisdiction.UK,
        ):
            errors["pra_firm"] = (
                "PRA SS1/23 addresses UK-incorporated firms; choose “applies it by its own policy” "
                "or set the jurisdiction to the United Kingdom."
            )
        if errors:
            raise ValidationError(errors)

    def scoping_answers(self) -> dict[str, Any]:
        """The answers these facts give every model's scoping questionnaire."""
        return scoping.organisation_answers(
            us_banking_organisation=self.us_banking_organisation,
            pra_firm=self.pra_firm,
            eu_establishment=self.eu_establishment,
        )
