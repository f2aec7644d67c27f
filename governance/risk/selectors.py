"""Reads behind the risk pages and API: drafts, history, a model's risk at a glance, approvers.

Questionnaire state (which questions are shown, which are unanswered) is computed here from the
rules modules' `Question`s, so the UI and the API agree on it.
"""

import dataclasses
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from itertools import groupby
from typing import Any

from django.contrib.auth.models import User
from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone

from governance import permissions
from governance.errors import DomainError
from governance.risk.models import (
    Control,
    DraftEvidence,
    Evidence,
    Framework,
    ReassessmentFlag,
    RiskAssessment,
    Waiver,
)
from governance.risk.rules import eu_ai_act, results, scoping, tiering
from governance.risk.rules.coverage import (
    Coverage,
    Item,
    effective_status,
    is_due,
    stages_due,
    summarise,
)
from governance.risk.rules.results import Outcome, Question, Reason
from governance.rulebooks.content import as_rules
from governance.rulebooks.models import Rulebook
from registry.models import MLModel, OrganisationProfile, UseCase

Subject = MLModel | UseCase
# Which frameworks assess which kind of subject: the EU AI Act classifies the use case (the AI
# system); scoping and the model risk tier attach to the model.
MODEL_FRAMEWORKS = (Framework.SCOPING, Framework.TIERING)
USE_CASE_FRAMEWORKS = (Framework.EU_AI_ACT,)


def frameworks_for(subject: Subject) -> tuple[str, ...]:
    return MODEL_FRAMEWORKS if isinstance(subject, MLModel) else USE_CASE_FRAMEWORKS


def _subject_filter(subject: Subject) -> dict[str, Subject]:
    return {"model": subject} if isinstance(subject, MLModel) else {"use_case": subject}


@dataclass(frozen=True)
class Rules:
    kind: str
    questions: Callable[[dict], tuple[Question, ...]]


RULES: dict[str, Rules] = {
    Framework.SCOPING: Rules(Rulebook.Kind.SCOPING, scoping.questions),
    Framework.EU_AI_ACT: Rules(Rulebook.Kind.EU_AI_ACT, eu_ai_act.questions),
    Framework.TIERING: Rules(Rulebook.Kind.TIERING, tiering.questions),
}


# ---- Outcomes in force -----------------------------------------------------------------------


def to_outcome(data: dict[str, Any]) -> Outcome:
    reasons = tuple(
        Reason(**{**r, "answers": tuple(r.get("answers", ()))}) for r in data["reasons"]
    )
    return Outcome(
        framework=data["framework"],
        result=data["result"],
        legal_basis=tuple(data["legal_basis"]),
        reasons=reasons,
        labels=tuple(data.get("labels", ())),
        details=data.get("details", {}),
    )


def effective_outcome(assessment: RiskAssessment) -> Outcome:
    """The stored outcome, with an approved override replacing its headline result."""
    outcome = to_outcome(assessment.outcome)
    if assessment.review != RiskAssessment.Review.OVERRIDDEN:
        return outcome
    labels = (assessment.override_result, *(x for x in outcome.labels if x != outcome.result))
    return dataclasses.replace(outcome, result=assessment.override_result, labels=labels)


def in_force_at(
    subject: MLModel | UseCase, framework: str, at: Any = None
) -> RiskAssessment | None:
    """The completed assessment in force at an instant (now by default), whatever came later."""
    at = at or timezone.now()
    field = "model" if isinstance(subject, MLModel) else "use_case"
    found = RiskAssessment.objects.filter(
        **{field: subject}, framework=framework, valid_from__lte=at
    ).exclude(status=RiskAssessment.Status.DRAFT)
    found = found.exclude(valid_to__lte=at)
    return found.order_by("-valid_from", "-pk").first()


def eu_category_of(model: MLModel, at: Any = None) -> Outcome | None:
    """The strictest EU AI Act outcome in force among the use cases the model serves."""
    eu = [
        effective_outcome(a)
        for use_case in model.use_cases.all()
        if (a := in_force_at(use_case, Framework.EU_AI_ACT, at)) is not None
    ]
    return eu_ai_act.strictest(eu)


@dataclass(frozen=True)
class OutsideEuAiAct:
    """Why the EU AI Act does not reach a use case: every model it uses was scoped out of it."""

    no_eu_nexus: bool  # each model's scoping answered that it has no EU nexus
    reasons: tuple[str, ...]  # the scoping's own words, each once


def outside_eu_ai_act(use_case: UseCase) -> OutsideEuAiAct | None:
    """None while the Act may apply: no model linked, one not scoped yet, or one scoped into it."""
    scopings = [in_force_at(model, Framework.SCOPING) for model in use_case.models.all()]
    if not scopings or any(s is None for s in scopings):
        return None
    assessed = [(s, effective_outcome(s)) for s in scopings if s is not None]
    if any(Framework.EU_AI_ACT in outcome.labels for _, outcome in assessed):
        return None
    reasons = (
        reason.because
        for _, outcome in assessed
        for reason in outcome.reasons
        if reason.rule == "scope.eu_ai_act"
    )
    return OutsideEuAiAct(
        no_eu_nexus=all(s.answers.get("eu_nexus") is False for s, _ in assessed),
        reasons=tuple(dict.fromkeys(reasons)),
    )


def outcomes_for(model: MLModel, at: Any = None) -> dict[str, Outcome]:
    """The model's outcomes keyed by framework, as the obligation catalogs read them.

    The EU AI Act category is the strictest of the use cases the model serves; one tier
    serves every model-risk framework that scoping put in scope.
    """
    found: dict[str, Outcome] = {}
    if (strictest := eu_category_of(model, at)) is not None:
        found["eu_ai_act"] = strictest
    tier = in_force_at(model, Framework.TIERING, at)
    if tier is not None:
        outcome = effective_outcome(tier)
        for framework in outcome.details.get("frameworks", []):
            found[framework] = dataclasses.replace(outcome, framework=framework)
    return found


def questions_for(framework: str, rulebook: Rulebook) -> tuple[Question, ...]:
    return RULES[framework].questions(as_rules(rulebook.content))


# ---- Questionnaire state ----------------------------------------------------------------------


def questions_of(assessment: RiskAssessment) -> tuple[Question, ...]:
    return questions_for(assessment.framework, assessment.rulebook)


# ---- Assessments ------------------------------------------------------------------------------


def assessments_of(subject: Subject) -> QuerySet[RiskAssessment]:
    """Every assessment of the subject: the draft first, then newest in force first."""
    return (
        RiskAssessment.objects.filter(**_subject_filter(subject))
        .select_related(
            "model",
            "use_case",
            "rulebook",
            "assessed_by",
            "reviewed_by",
            "override_approved_by",
        )
        .order_by(F("valid_from").desc(nulls_first=True), "-pk")
    )


def draft_of(subject: Subject, framework: str) -> RiskAssessment | None:
    drafts = assessments_of(subject).filter(framework=framework, status=RiskAssessment.Status.DRAFT)
    return drafts.first()


def history_of(subject: Subject, framework: str) -> QuerySet[RiskAssessment]:
    """Every completed assessment of the subject under the framework, newest first."""
    return (
        assessments_of(subject)
        .filter(framework=framework)
        .exclude(status=RiskAssessment.Status.DRAFT)
    )


def profile_answers(framework: str) -> dict[str, Any]:
    """The organisation profile's default answers to a framework's questionnaire (scoping, and
    whether the EU AI Act deployer is a public body or provides public services)."""
    if framework not in (Framework.SCOPING, Framework.EU_AI_ACT):
        return {}
    profile = OrganisationProfile.objects.filter(pk=1).first()
    if profile is None:
        return {}
    if framework == Framework.EU_AI_ACT:
        return eu_ai_act.organisation_answers(public_body=profile.public_body)
    return profile.scoping_answers()


def starting_answers(subject: Subject, framework: str) -> tuple[RiskAssessment | None, dict]:
    """The draft and the answers a questionnaire opens with: the draft's, else those in force,
    over the organisation profile's defaults (the subject's own answer wins)."""
    defaults = profile_answers(framework)
    draft = draft_of(subject, framework)
    if draft is not None:
        return draft, {**defaults, **draft.answers}
    current = in_force_at(subject, framework)
    return None, {**defaults, **(current.answers if current else {})}


# ---- A model's risk at a glance ---------------------------------------------------------------


@dataclass(frozen=True)
class ModelRisk:
    """What the model page's Risk card shows."""

    coverage: Coverage
    eu: Outcome | None
    scoping: RiskAssessment | None
    tier: RiskAssessment | None
    flags: list[ReassessmentFlag] = field(default_factory=list)


def model_risk(model: MLModel) -> ModelRisk:
    outcomes = outcomes_for(model)
    return ModelRisk(
        coverage=coverage(model),
        eu=outcomes.get(Framework.EU_AI_ACT),
        scoping=in_force_at(model, Framework.SCOPING),
        tier=in_force_at(model, Framework.TIERING),
        flags=list(model.reassessment_flags.filter(cleared_at__isnull=True)),
    )


# ---- The portfolio by category and tier --------------------------------------------------------


def _effective_result() -> Case:
    """In SQL, what RiskAssessment.effective_result says: an approved override replaces it."""
    overridden = When(review=RiskAssessment.Review.OVERRIDDEN, then=F("override_result"))
    return Case(overridden, default=F("result"))


def with_tier(
    models: QuerySet[MLModel], tiers: Iterable[str], at: datetime | None = None
) -> QuerySet[MLModel]:
    """Models whose model risk tier in force (now, or at instant `at` as `in_force_at` reads
    it) is one of `tiers` (one indexed subquery)."""
    tiering = RiskAssessment.objects.filter(model=OuterRef("pk"), framework=Framework.TIERING)
    if at is None:
        in_force = tiering.filter(status=RiskAssessment.Status.COMPLETED)
    else:
        in_force = (
            tiering.filter(valid_from__lte=at)
            .exclude(status=RiskAssessment.Status.DRAFT)
            .exclude(valid_to__lte=at)
        )
    in_force = in_force.annotate(effective=_effective_result())
    return models.filter(Exists(in_force.filter(effective__in=list(tiers))))


def with_eu_category(models: QuerySet[MLModel], categories: Iterable[str]) -> QuerySet[MLModel]:
    """Models whose EU AI Act category, the strictest of their use cases' in force, is one of
    `categories` (as `outcomes_for` decides it, in one subquery)."""
    severity = eu_ai_act.SEVERITY
    rank = Case(
        *(When(effective=category, then=Value(i)) for i, category in enumerate(severity)),
        default=Value(len(severity)),
    )
    strictest = (
        RiskAssessment.objects.filter(
            use_case__models=OuterRef("pk"),
            framework=Framework.EU_AI_ACT,
            status=RiskAssessment.Status.COMPLETED,
        )
        .annotate(effective=_effective_result())
        .annotate(rank=rank)
        .order_by("rank", "pk")
        .values("effective")[:1]
    )
    annotated = models.annotate(eu_category=Subquery(strictest))
    return annotated.filter(eu_category__in=list(categories))


# ---- The checklist ----------------------------------------------------------------------------


def checklist_of(model: MLModel) -> list[tuple[str, list[Control]]]:
    """The obligations that apply, grouped by framework, each with its evidence."""
    evidence = Prefetch("evidence", queryset=Evidence.objects.select_related("added_by"))
    waivers = Prefetch(
        "waivers", queryset=Waiver.objects.select_related("requested_by", "decided_by")
    )
    # Drafts Attest prepared are not evidence: shown apart, for a person to adopt.
    drafts = Prefetch(
        "drafts",
        queryset=DraftEvidence.objects.filter(adopted_as__isnull=True),
        to_attr="open_drafts",
    )
    controls = (
        Control.objects.filter(model=model, applies=True)
        .select_related("catalog", "reviewed_by", "waiver_approved_by")
        .prefetch_related(evidence, waivers, drafts)
        .order_by("framework", "pk")
    )
    return [(framework, list(rows)) for framework, rows in groupby(controls, lambda c: c.framework)]


def status_of(control: Control, today: date | None = None) -> str:
    """What counts, as the coverage counts it: an expired waiver is missing again."""
    item = Item(control.reference, control.title, control.status, None, control.waiver_expires_on)
    return effective_status(item, today or timezone.localdate())


def control_of(model: MLModel, **lookup: Any) -> Control | None:
    """One applicable obligation of the model (by pk or obligation_id)."""
    return Control.objects.filter(model=model, applies=True, **lookup).first()


def evidence_file(model: MLModel, pk: int) -> Evidence | None:
    """A stored evidence file of one of the model's obligations (retired ones included)."""
    found = Evidence.objects.filter(pk=pk, control__model=model, kind=Evidence.Kind.FILE)
    return found.exclude(file="").first()


def draft_evidence(model: MLModel, pk: int) -> DraftEvidence | None:
    """A draft Attest prepared for one of the model's obligations (adopted ones included)."""
    found = DraftEvidence.objects.filter(pk=pk, control__model=model)
    return found.select_related("control", "adopted_as", "assessment__use_case").first()


def end_of(day: date) -> datetime:
    """The last instant of a UTC day: what was in force "on" that day, including later that day."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def coverage(model: MLModel, today: date | None = None) -> Coverage:
    """The model's checklist in one sentence: evidenced, waived, missing, not due yet (by the
    stages due at the model's status), and what is due next."""
    rows = Control.objects.filter(model=model, applies=True).values_list(
        "reference", "title", "status", "due_on", "waiver_expires_on", "stage"
    )
    items = (Item(*row) for row in rows)
    return summarise(items, today or timezone.localdate(), stages=stages_due(model.status))


def due_now(control: Control, stages: Collection[str], today: date | None = None) -> bool:
    """Whether the obligation is due for a model at the stages given (`stages_due`)."""
    item = Item(
        control.reference, control.title, control.status, control.due_on, stage=control.stage
    )
    return is_due(item, today or timezone.localdate(), stages)


def may_ask_waiver(user: User, model: MLModel) -> bool:
    """Who may ask to waive an obligation: those who change the model or validate it."""
    return permissions.can(user, "change", model) or permissions.can(user, "validate", model)


def can_review(user: User, assessment: RiskAssessment) -> bool:
    """Validators and committee members with rights on every model the assessment covers."""
    models = models_of(assessment)
    return bool(models) and all(
        permissions.can(user, "validate", m) or permissions.can(user, "decide", m) for m in models
    )


def result_link(assessment: RiskAssessment) -> str:
    if assessment.model is not None:
        return reverse("risk:model-result", args=[assessment.model.slug, assessment.framework])
    if assessment.use_case is not None:
        return reverse("risk:usecase-result", args=[assessment.use_case.slug, assessment.framework])
    return ""


def models_of(assessment: RiskAssessment) -> list[MLModel]:
    """The models an assessment decides for: its model, or every model its use case uses."""
    subject = assessment.subject
    if isinstance(subject, MLModel):
        return [subject]
    return list(subject.models.all())


# ---- The law at any date ----------------------------------------------------------------------

# The frameworks whose rules are run for a day. Tiering is left out: its result follows the
# scoping in force and the method's own version, not a date the law applies from.
AS_OF_RULES: dict[str, Callable[..., Outcome]] = {
    Framework.EU_AI_ACT: eu_ai_act.classify,
    Framework.SCOPING: scoping.scope,
}


def _day(on: date) -> str:
    return f"{on.day} {on:%B %Y}"


@dataclass(frozen=True)
class Classified:
    """Answers classified under the rulebook in force on a day, read on that day."""

    on: date
    rulebook: Rulebook
    outcome: Outcome

    @property
    def details(self) -> dict[str, Any]:
        return results.details_on(self.outcome.details, self.on)

    @property
    def applications(self) -> list[tuple[str, date, bool]]:
        """Each label with the date its obligations apply from and whether they did that day."""
        applies = self.outcome.details.get("applies_from", {})
        forced = results.in_force(applies, self.on)
        return [(label, date.fromisoformat(day), forced[label]) for label, day in applies.items()]


@dataclass(frozen=True)
class AsOf:
    """The answers in force today classified under the law of another day, beside what the same
    answers give under today's law."""

    assessment: RiskAssessment  # whose answers were classified
    then: Classified
    today: Classified | None  # None when today's rules cannot classify them (`today_problem`)
    today_problem: str = ""
    changes: results.Changes | None = None


def classified_as_of(subject: Subject, framework: str, on: date, today: date | None = None) -> AsOf:
    """The subject's current answers under the rulebook in force on `on`, as of that day.

    A read: nothing is stored. Raises DomainError naming `framework` (not run for a date),
    `answers` (nothing classified yet), `date` (no rules in force that day) or the answer the
    rules of that day need.
    """
    if framework not in AS_OF_RULES:
        raise DomainError(
            field="framework", message=f"{Framework(framework).label} is not classified by date"
        )
    current = in_force_at(subject, framework)
    if current is None:
        raise DomainError(field="answers", message="not classified yet: there are no answers")
    then = _classified(framework, current.answers, on)
    today = today or timezone.localdate()
    try:
        now = _classified(framework, current.answers, today)
    except DomainError as exc:
        return AsOf(current, then, None, today_problem=exc.error_text)
    return AsOf(current, then, now, changes=results.changes(then.outcome, on, now.outcome, today))


def _rulebook_on(framework: str, on: date) -> Rulebook:
    kind = RULES[framework].kind
    try:
        return Rulebook.objects.in_force(kind, on=on)
    except DomainError:
        first = Rulebook.objects.filter(kind=kind, status=Rulebook.Status.PUBLISHED)
        first_book = first.order_by("effective_from").first()
        since = (
            f"; the first took effect on {_day(first_book.effective_from)}" if first_book else ""
        )
        message = f"no {Framework(framework).label} rules were in force on {_day(on)}{since}"
        raise DomainError(field="date", message=message) from None


def _classified(framework: str, answers: dict[str, Any], on: date) -> Classified:
    rulebook = _rulebook_on(framework, on)
    texts = {q.key: q.text for q in questions_for(framework, rulebook)}
    try:
        outcome = AS_OF_RULES[framework](answers, as_rules(rulebook.content), as_of=on)
    except results.AnswersIncomplete as exc:
        named = "; ".join(f"“{texts.get(key, key)}”" for key in exc.missing)
        message = f"{rulebook}, in force on {_day(on)}, asks what these answers do not say: {named}"
        raise DomainError(field=f"answers.{exc.missing[0]}", message=message) from exc
    except results.AnswersContradict as exc:
        message = f"under {rulebook}, “{texts.get(exc.field, exc.field)}”: {exc.message}"
        raise DomainError(field=f"answers.{exc.field}", message=message) from exc
    return Classified(on, rulebook, outcome)
