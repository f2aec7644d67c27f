"""Factories for rulebooks and checklist controls (tests that need a catalog without the shipped files)."""

import datetime as dt

import factory

from governance.risk.models import Control
from governance.rulebooks.models import Rulebook
from tests.factories.registry import MLModelFactory


class RulebookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rulebook

    kind = Rulebook.Kind.OBLIGATIONS
    name = factory.Sequence(lambda n: f"catalog-{n}")
    version = 1
    title = factory.LazyAttribute(lambda o: f"{o.name} catalog")
    effective_from = dt.date(2026, 1, 1)
    content = factory.LazyAttribute(lambda o: {"name": o.name, "framework": o.name, "entries": []})
    content_sha256 = "0" * 64
    status = Rulebook.Status.PUBLISHED


class ControlFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Control

    model = factory.SubFactory(MLModelFactory)
    obligation_id = factory.Sequence(lambda n: f"eu.art{n}")
    framework = "eu_ai_act"
    reference = "Art. 9"
    title = "Risk management system"
    evidence_kinds = ["file", "link"]
    catalog = factory.SubFactory(RulebookFactory)
