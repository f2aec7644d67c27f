"""Template helpers for the risk cards on the model and use case pages, and readable labels.

The inventory views do not know about risk; these tags let their templates include a card
(`templates/governance/risk/_model_risk_card.html`) without those views changing.
"""

from typing import Any

from django import template
from django.urls import reverse

from governance.labels import action_label, label_for, rule_label, signer_noun, value_label
from governance.risk import forms as risk_forms
from governance.risk import selectors as risk_selectors
from governance.risk.models import Framework, RiskAssessment
from governance.risk.services import assessments
from registry.models import MLModel, UseCase

register = template.Library()


@register.filter
def verb_label(verb: str) -> str:
    """An audit event's action in words: {{ event.verb|verb_label }}."""
    return action_label(verb)


@register.filter
def risk_label(value: object) -> str:
    """A result, label or framework id as people read it: {{ "tier_1"|risk_label }}."""
    return label_for(value)


@register.filter
def signers(role: str, count: int) -> str:
    """How many of whom a sign-off needs: {{ "committee"|signers:2 }} is "2 committee members"."""
    return f"{count} {signer_noun(role, count)}"


@register.filter(name="value_label")
def value_label_filter(value: object) -> str:
    """A stored value as people read it (a code in words, Yes/No, a rounded number):
    {{ answer|value_label }}."""
    return value_label(value)


@register.filter(name="rule_label")
def rule_label_filter(rule: str) -> str:
    """The rule an assessment's reason cites, named: {{ reason.rule|rule_label }}."""
    return rule_label(rule)


@register.filter
def open_questions(assessment: RiskAssessment) -> list[str]:
    """The questions a provisional result left open, in words: {{ assessment|open_questions }}."""
    return risk_forms.open_questions(assessment)


def _url(name: str, slug: str, framework: str) -> str:
    return reverse(f"risk:{name}", args=[slug, framework])


@register.simple_tag(takes_context=True)
def model_risk(context: template.Context, model: MLModel) -> dict[str, Any]:
    """The model's risk at a glance: {% model_risk model as risk %}."""
    summary = risk_selectors.model_risk(model)
    first = Framework.SCOPING if summary.scoping is None else Framework.TIERING
    return {
        "summary": summary,
        "can_assess": assessments.can_assess(context["request"].user, model),
        "assess_url": _url("model-questionnaire", model.slug, first),
        "scoping_url": _url("model-result", model.slug, Framework.SCOPING),
        "tiering_url": _url("model-result", model.slug, Framework.TIERING),
        "obligations_url": reverse("risk:obligations", args=[model.slug]),
    }


@register.simple_tag(takes_context=True)
def use_case_risk(context: template.Context, use_case: UseCase) -> dict[str, Any]:
    """The use case's EU AI Act category in force, or why the Act does not reach it:
    {% use_case_risk use_case as risk %}."""
    return {
        "current": risk_selectors.in_force_at(use_case, Framework.EU_AI_ACT),
        "outside": risk_selectors.outside_eu_ai_act(use_case),
        "can_assess": assessments.can_assess(context["request"].user, use_case),
        "questionnaire_url": _url("usecase-questionnaire", use_case.slug, Framework.EU_AI_ACT),
        "result_url": _url("usecase-result", use_case.slug, Framework.EU_AI_ACT),
    }
