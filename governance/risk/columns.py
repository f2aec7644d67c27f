"""The risk in force as columns of a list of models: one correlated subquery per column, so a page
of the inventory costs no query per row.

The tier is the model's completed tiering assessment; the EU AI Act category is the strictest
completed classification among the use cases the model serves, as `selectors.outcomes_for`
decides it for one model. An approved override replaces the result in both.
"""

from django.db.models import Case, F, OuterRef, QuerySet, Subquery, Value, When

from governance.risk.models import Framework, RiskAssessment
from governance.risk.rules import eu_ai_act
from registry.models import MLModel


def _effective_result() -> Case:
    overridden = When(review=RiskAssessment.Review.OVERRIDDEN, then=F("override_result"))
    return Case(overridden, default=F("result"))


def _in_force(**subject: object) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(status=RiskAssessment.Status.COMPLETED, **subject)


def _severity() -> Case:
    severity = eu_ai_act.SEVERITY
    return Case(
        *(When(effective=category, then=Value(i)) for i, category in enumerate(severity)),
        default=Value(len(severity)),
    )


def with_risk_columns(models: QuerySet[MLModel]) -> QuerySet[MLModel]:
    """`risk_tier` and `eu_act_category` on each model: codes, or None when not assessed."""
    tier = (
        _in_force(model=OuterRef("pk"), framework=Framework.TIERING)
        .annotate(effective=_effective_result())
        .order_by("-valid_from", "-pk")
    )
    strictest = (
        _in_force(use_case__models=OuterRef("pk"), framework=Framework.EU_AI_ACT)
        .annotate(effective=_effective_result())
        .annotate(rank=_severity())
        .order_by("rank", "pk")
    )
    return models.annotate(
        risk_tier=Subquery(tier.values("effective")[:1]),
        eu_act_category=Subquery(strictest.values("effective")[:1]),
    )
