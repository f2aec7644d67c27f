"""Risk assessments: answering, completing, reviewing and re-deriving them.

The rules themselves live in governance.risk (pure Python); this module finds the rulebook in
force, stores what the rules return, keeps history, and refreshes the model's checklist.
"""

import dataclasses
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from governance import audit, permissions
from governance.access import selectors as people
from governance.errors import DomainError
from governance.notices import services as notices
from governance.risk import selectors as risk_selectors
from governance.risk.models import Framework, ReassessmentFlag, RiskAssessment
from governance.risk.rules import eu_ai_act, scoping, tiering
from governance.risk.rules.results import (
    AnswersContradict,
    AnswersIncomplete,
    Outcome,
)
from governance.risk.services import controls, drafts
from governance.rulebooks.content import as_json, as_rules
from governance.rulebooks.models import IN_FORCE_FIRST, Rulebook
from registry.models import MLModel, UseCase

# The model-risk frameworks a tier serves, in the order their legal basis is cited.
TIERED_FRAMEWORKS = ("sr_26_2", "pra_ss1_23", "sr_11_7")
TRIGGER_LENGTH = RiskAssessment._meta.get_field("trigger").max_length or 200


# ---- Answering and completing ----------------------------------------------------------------


def _subject_field(framework: str) -> str:
    return "use_case" if framework == Framework.EU_AI_ACT else "model"


def can_assess(user: User, subject: MLModel | UseCase) -> bool:
    """Whoever may change the model (or use cases) answers its questionnaires."""
    if isinstance(subject, MLModel):
        return permissions.can(user, "change", subject)
    return permissions.can_change_use_case(user, subject)


def _require_assess(actor: User, subject: MLModel | UseCase) -> None:
    if not can_assess(actor, subject):
        raise PermissionDenied(f"{actor} may not assess {subject}")


def _rulebook(framework: str, on: date | None = None) -> Rulebook:
    return Rulebook.objects.in_force(risk_selectors.RULES[framework].kind, on=on)


@transaction.atomic
def save_answers(
    *,
    actor: User,
    framework: str,
    subject: MLModel | UseCase,
    answers: dict[str, Any],
) -> RiskAssessment:
    """Save answers to the subject's draft (made on first save); drafts never yield a result."""
    if framework not in risk_selectors.RULES:
        raise DomainError(field="framework", message=f"unknown framework {framework!r}")
    field = _subject_field(framework)
    if not isinstance(subject, MLModel if field == "model" else UseCase):
        raise DomainError(field="framework", message=f"{framework} assesses a {field}")
    _require_assess(actor, subject)
    draft = (
        RiskAssessment.objects.select_for_update()
        .filter(**{field: subject}, framework=framework, status=RiskAssessment.Status.DRAFT)
        .first()
    )
    if draft is None:
        current = risk_selectors.in_force_at(subject, framework)
        draft = RiskAssessment(
            **{field: subject},
            framework=framework,
            rulebook=_rulebook(framework),
            answers=dict(current.answers) if current else {},
            assessed_by=actor,
        )
    known = {q.key for q in risk_selectors.questions_for(framework, draft.rulebook)}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise DomainError(field=f"answers.{unknown[0]}", message="is not a question here")
    before = dict(draft.answers)
    draft.answers = {**draft.answers, **answers}
    draft.assessed_by = actor
    draft.save()
    old, new = audit.changed({"answers": before}, {"answers": draft.answers})
    if new:
        audit.record(
            actor=actor,
            verb="assessment.answered",
            target=draft,
            before=old,
            after=new,
            mlmodel_id=draft.model_id,
        )
    return draft


def _evaluate(assessment: RiskAssessment, as_of: date) -> Outcome:
    rules = as_rules(assessment.rulebook.content)
    answers = assessment.answers
    try:
        if assessment.framework == Framework.SCOPING:
            return scoping.scope(answers, rules, as_of=as_of)
        if assessment.framework == Framework.EU_AI_ACT:
            return eu_ai_act.classify(answers, rules, as_of=as_of)
        return _tier(assessment, rules)
    except AnswersIncomplete as exc:
        raise DomainError(
            field=f"answers.{exc.missing[0]}", message=f"unanswered: {', '.join(exc.missing)}"
        ) from exc
    except AnswersContradict as exc:
        raise DomainError(field=f"answers.{exc.field}", message=exc.message) from exc


def _tier(assessment: RiskAssessment, method: dict[str, Any]) -> Outcome:
    """One tier for every model-risk framework in scope; their legal bases are all cited."""
    scope = risk_selectors.in_force_at(assessment.subject, Framework.SCOPING)
    if scope is None:
        raise DomainError(field="framework", message="complete the scoping questions first")
    frameworks = [
        f for f in TIERED_FRAMEWORKS if f in risk_selectors.to_outcome(scope.outcome).labels
    ]
    outcomes = [tiering.tier(assessment.answers, method, framework=f) for f in frameworks]
    if not outcomes:
        # Tiering is still useful out of regulatory scope (internal policy): cite the method.
        outcomes = [tiering.tier(assessment.answers, method, framework="sr_26_2")]
    first = outcomes[0]
    legal_basis = tuple(dict.fromkeys(b for o in outcomes for b in o.legal_basis))
    details = {**first.details, "frameworks": frameworks}
    return dataclasses.replace(first, legal_basis=legal_basis, details=details)


def _make_current(
    actor: User | None, assessment: RiskAssessment, outcome: Outcome, trigger: str
) -> RiskAssessment:
    """Supersede whatever was in force and put this one in force from now."""
    now = timezone.now()
    field = _subject_field(assessment.framework)
    previous = RiskAssessment.objects.select_for_update().filter(
        **{field: assessment.subject},
        framework=assessment.framework,
        status=RiskAssessment.Status.COMPLETED,
    )
    for old in previous:
        old.status, old.valid_to = RiskAssessment.Status.SUPERSEDED, now
        old.save(update_fields=["status", "valid_to", "updated_at"])
    assessment.status = RiskAssessment.Status.COMPLETED
    assessment.result = outcome.result
    assessment.outcome = as_json(dataclasses.asdict(outcome))
    assessment.valid_from = now
    assessment.trigger = Truncator(trigger).chars(TRIGGER_LENGTH)  # a rulebook's title is long
    assessment.save()
    audit.record(
        actor=actor,
        verb="assessment.completed",
        target=assessment,
        after={
            "framework": assessment.framework,
            "result": outcome.result,
            "labels": list(outcome.labels),
            "rulebook": str(assessment.rulebook),
            "trigger": trigger,
            "superseded": [old.pk for old in previous],
        },
        mlmodel_id=assessment.model_id,
    )
    for model in risk_selectors.models_of(assessment):
        if assessment.framework == Framework.SCOPING:
            _retier(actor, model, trigger="scoping changed")
        controls.sync_controls(
            actor=actor, model=model, outcomes=risk_selectors.outcomes_for(model)
        )
        if assessment.framework == Framework.EU_AI_ACT:
            drafts.prepare_drafts(actor=actor, model=model, after=assessment)
    return assessment


@transaction.atomic
def complete(*, actor: User, draft: RiskAssessment, as_of: date | None = None) -> RiskAssessment:
    """Run the rules on a complete draft; the result is in force from now."""
    draft = RiskAssessment.objects.select_for_update().get(pk=draft.pk)
    _require_assess(actor, draft.subject)
    if draft.status != RiskAssessment.Status.DRAFT:
        raise DomainError(field="status", message="only a draft can be completed")
    outcome = _evaluate(draft, as_of or timezone.localdate())
    trigger = (
        "first assessment"
        if risk_selectors.in_force_at(draft.subject, draft.framework) is None
        else ("reassessed")
    )
    draft.assessed_by = actor
    assessment = _make_current(actor, draft, outcome, trigger)
    if draft.model is not None:
        _clear_reassessment_flags(actor, draft.model, assessment)
    return assessment


def _clear_reassessment_flags(actor: User, model: MLModel, assessment: RiskAssessment) -> None:
    """The model was assessed again: each open flag asking for it is answered, and says so."""
    for flag in ReassessmentFlag.objects.filter(model=model, cleared_at__isnull=True):
        flag.cleared_at = timezone.now()
        flag.save(update_fields=["cleared_at"])
        audit.record(
            actor=actor,
            verb="model.reassessment_cleared",
            target=flag,
            before={"cleared_at": None},
            after={
                "cleared_at": audit.snapshot(flag, ["cleared_at"])["cleared_at"],
                "by": assessment.pk,
            },
            mlmodel_id=model.pk,
        )


def _retier(actor: User | None, model: MLModel, trigger: str) -> None:
    """Scoping moved: the tier must serve the frameworks now in scope."""
    current = risk_selectors.in_force_at(model, Framework.TIERING)
    if current is not None:
        _rederive_one(actor, current, current.rulebook, trigger)


def _same_answers(current: RiskAssessment, rulebook: Rulebook) -> RiskAssessment:
    """An unsaved assessment of the same subject with the same answers under other rules."""
    return RiskAssessment(
        model=current.model,
        use_case=current.use_case,
        framework=current.framework,
        rulebook=rulebook,
        answers=current.answers,
        assessed_by=current.assessed_by,
    )


def _rederive_one(
    actor: User | None, current: RiskAssessment, rulebook: Rulebook, trigger: str
) -> RiskAssessment | None:
    again = _same_answers(current, rulebook)
    try:
        outcome = _evaluate(again, timezone.localdate())
    except DomainError:
        return None  # answers the new rules do not accept: the old result stays, flagged
    return _make_current(actor, again, outcome, trigger)


# ---- Review: confirmation and overrides (a second person) ------------------------------------


def _require_review(actor: User, assessment: RiskAssessment) -> None:
    """Reviewers challenge the assessment: never its assessor, nor anyone developing a model it
    covers (checked on people, through groups and service accounts)."""
    if not risk_selectors.can_review(actor, assessment):
        raise PermissionDenied(f"{actor} may not review {assessment}")
    if assessment.assessed_by is not None and people.same_person(actor, assessment.assessed_by):
        raise DomainError(field="reviewed_by", message="the assessor cannot review their own work")
    for model in risk_selectors.models_of(assessment):
        developers = people.developers_of(model)
        shared = sorted(people.people_behind(actor).keys() & developers.keys())
        if shared:
            raise DomainError(
                field="reviewed_by", message=f"{developers[shared[0]]}: cannot review its risk"
            )


def _reviewed(actor: User, assessment: RiskAssessment, verb: str, **after: Any) -> None:
    audit.record(
        actor=actor,
        verb=verb,
        target=assessment,
        after={"review": assessment.review, **after},
        mlmodel_id=assessment.model_id,
    )


def _current(assessment: RiskAssessment) -> RiskAssessment:
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != RiskAssessment.Status.COMPLETED:
        raise DomainError(field="status", message="only the assessment in force can be reviewed")
    return assessment


# An override waiting for its second person, or one a second person granted, stands until it is
# decided or a new assessment replaces it: one reviewer may not set either aside alone.
_SETTLED = {
    RiskAssessment.Review.OVERRIDE_PROPOSED: "an override waits for a second person's decision",
    RiskAssessment.Review.OVERRIDDEN: "a granted override is in force: a new assessment replaces it",
}


def settled_review(assessment: RiskAssessment) -> str:
    """Why the assessment takes no new confirmation or override now; empty when it does."""
    return _SETTLED.get(RiskAssessment.Review(assessment.review), "")


def _require_open_review(assessment: RiskAssessment) -> None:
    settled = settled_review(assessment)
    if settled:
        raise DomainError(field="review", message=settled)


@transaction.atomic
def confirm(*, actor: User, assessment: RiskAssessment, reason: str = "") -> RiskAssessment:
    """A validator or committee member agrees with the rules' result."""
    assessment = _current(assessment)
    _require_review(actor, assessment)
    _require_open_review(assessment)
    assessment.review = RiskAssessment.Review.CONFIRMED
    assessment.reviewed_by, assessment.reviewed_at = actor, timezone.now()
    assessment.review_reason = reason
    assessment.save()
    _reviewed(actor, assessment, "assessment.confirmed", reason=reason)
    return assessment


def allowed_results(framework: str) -> tuple[str, ...]:
    """The results an override may choose from."""
    if framework == Framework.EU_AI_ACT:
        return tuple(eu_ai_act.SEVERITY)
    if framework == Framework.TIERING:
        return tuple(tiering.TIERS)
    return ("in_scope", "out_of_scope")


@transaction.atomic
def propose_override(
    *, actor: User, assessment: RiskAssessment, result: str, reason: str
) -> RiskAssessment:
    """Propose a different result; it counts only once a second person approves it."""
    assessment = _current(assessment)
    _require_review(actor, assessment)
    _require_open_review(assessment)
    if result not in allowed_results(assessment.framework):
        raise DomainError(field="override_result", message=f"{result!r} is not a valid result")
    if result == assessment.result:
        raise DomainError(field="override_result", message="is the rules' result already")
    if not reason.strip():
        raise DomainError(field="review_reason", message="an override needs a justification")
    assessment.review = RiskAssessment.Review.OVERRIDE_PROPOSED
    assessment.override_result, assessment.review_reason = result, reason
    assessment.reviewed_by, assessment.reviewed_at = actor, timezone.now()
    assessment.save()
    _reviewed(actor, assessment, "assessment.override_proposed", result=result, reason=reason)
    notices.notify(
        people=[
            p
            for p in _reviewers(assessment)
            if not people.same_person(p, actor) and p.pk != assessment.assessed_by_id
        ],
        kind="assessment.override_proposed",
        subject=f"{actor.get_username()} proposes {result} instead of {assessment.result} for {assessment.subject}",
        link=risk_selectors.result_link(assessment),
        body=reason,
    )
    return assessment


def _reviewers(assessment: RiskAssessment) -> list[User]:
    """Who may decide a proposed override: validators and deciders on every model it covers."""
    candidates = {u.pk: u for u in [*people.holders_of("view_portfolio")]}
    return [u for u in candidates.values() if risk_selectors.can_review(u, assessment)]


@transaction.atomic
def approve_override(
    *, actor: User, assessment: RiskAssessment, reason: str = ""
) -> RiskAssessment:
    """The second person: the override takes effect and the checklist follows it. A reason, if
    given, is kept in the audit trail and told to the proposer."""
    assessment = _decided_override(actor, assessment)
    assessment.review = RiskAssessment.Review.OVERRIDDEN
    assessment.override_approved_by, assessment.override_approved_at = actor, timezone.now()
    assessment.save()
    _reviewed(
        actor,
        assessment,
        "assessment.overridden",
        result=assessment.override_result,
        **({"reason": reason.strip()} if reason.strip() else {}),
    )
    for model in risk_selectors.models_of(assessment):
        controls.sync_controls(
            actor=actor, model=model, outcomes=risk_selectors.outcomes_for(model)
        )
    _tell_proposer(actor, assessment, "approved", reason.strip())
    return assessment


@transaction.atomic
def refuse_override(*, actor: User, assessment: RiskAssessment, reason: str) -> RiskAssessment:
    """The second person refuses the proposed override: the rules' result stays in force."""
    assessment = _decided_override(actor, assessment)
    if not reason.strip():
        raise DomainError(field="review_reason", message="say why the override is refused")
    assessment.review = RiskAssessment.Review.OVERRIDE_REFUSED
    assessment.override_approved_by, assessment.override_approved_at = actor, timezone.now()
    assessment.save()
    _reviewed(actor, assessment, "assessment.override_refused", reason=reason.strip())
    _tell_proposer(actor, assessment, "refused", reason.strip())
    return assessment


def _decided_override(actor: User, assessment: RiskAssessment) -> RiskAssessment:
    """A proposed override, decided by an entitled reviewer who did not propose it."""
    assessment = _current(assessment)
    _require_review(actor, assessment)
    if assessment.review != RiskAssessment.Review.OVERRIDE_PROPOSED:
        raise DomainError(field="review", message="no override is waiting for a decision")
    proposer = assessment.reviewed_by
    if proposer is not None and people.same_person(actor, proposer):
        raise DomainError(
            field="override_approved_by", message="a second person must decide the override"
        )
    return assessment


def _tell_proposer(actor: User, assessment: RiskAssessment, outcome: str, reason: str) -> None:
    if assessment.reviewed_by is not None:
        notices.notify(
            people=[assessment.reviewed_by],
            kind=f"assessment.override_{outcome}",
            subject=f"Your override of {assessment} was {outcome} by {actor.get_username()}",
            link=risk_selectors.result_link(assessment),
            body=reason,
        )


# ---- Rule changes and material changes ---------------------------------------------------------


def _affected(rulebook: Rulebook) -> list[RiskAssessment]:
    framework = {v.kind: k for k, v in risk_selectors.RULES.items()}.get(rulebook.kind)
    if framework is None:
        return []
    current = RiskAssessment.objects.filter(
        framework=framework, status=RiskAssessment.Status.COMPLETED
    )
    return list(current.select_related("rulebook", "model", "use_case"))


def preview(rulebook: Rulebook) -> list[dict[str, Any]]:
    """What publishing this version would change: per assessment, old and new result.

    Obligation catalogs change checklists, not results: those rows list obligations added and
    dropped per model instead.
    """
    if rulebook.kind == Rulebook.Kind.OBLIGATIONS:
        return controls.preview_catalog(rulebook, risk_selectors.outcomes_for)
    subjects, rules = _affected(rulebook), rulebook
    if rulebook.corrects is not None:  # a correction moves only what stands on the corrected
        subjects = [one for one in subjects if one.rulebook_id == rulebook.corrects_id]
        rules = _in_force_once_published(rulebook)
    rows = []
    for current in subjects:
        trial = _same_answers(current, rules)
        try:
            new = _evaluate(trial, max(rulebook.effective_from, timezone.localdate()))
            new_result, problem = new.result, ""
        except DomainError as exc:
            new_result, problem = "", str(exc)
        old = risk_selectors.to_outcome(current.outcome)
        if new_result != old.result or problem:
            rows.append(
                {
                    "subject": str(current.subject),
                    "framework": current.framework,
                    "before": old.result,
                    "after": new_result,
                    "problem": problem,
                    "applies_from_before": old.details.get("applies_from", {}),
                    "applies_from_after": new.details.get("applies_from", {})
                    if not problem
                    else {},
                }
            )
    return rows


def _in_force_once_published(correction: Rulebook) -> Rulebook:
    """The version in force today once this draft correction replaces the one it corrects."""
    today = timezone.localdate()
    others = Rulebook.objects.live(correction.kind).exclude(corrections=correction)
    standing = others.filter(effective_from__lte=today).order_by(*IN_FORCE_FIRST).first()
    if correction.effective_from <= today and (
        standing is None or standing.effective_from < correction.effective_from
    ):
        return correction
    return standing or correction


def rederive(*, actor: User | None, rulebook: Rulebook) -> None:
    """Re-derive the assessments (or, for a catalog, the checklists) a published version changes."""
    trigger = f"{rulebook} published"
    if rulebook.kind == Rulebook.Kind.OBLIGATIONS:
        for model in MLModel.objects.filter(controls__isnull=False).distinct():
            controls.sync_controls(
                actor=actor, model=model, outcomes=risk_selectors.outcomes_for(model)
            )
        return
    for current in _affected(rulebook):
        if current.rulebook_id != rulebook.pk:
            _rederive_one(actor, current, rulebook, trigger)


def rederive_corrected(*, actor: User | None, corrected: Rulebook, correction: Rulebook) -> int:
    """Assess again, under the version now in force, what was assessed under a version a
    correction replaced (a catalog's checklists follow the catalogs in force); how many moved."""
    if corrected.kind == Rulebook.Kind.OBLIGATIONS:
        rederive(actor=actor, rulebook=correction)
        return 0
    trigger = f"{correction} corrects v{corrected.version}: {correction.correction_reason}"
    book = Rulebook.objects.in_force(corrected.kind)
    moved = 0
    for current in _affected(corrected):
        if current.rulebook_id == corrected.pk:
            moved += _rederive_one(actor, current, book, trigger) is not None
    return moved


@transaction.atomic
def flag_material_change(*, model: MLModel, reason: str) -> ReassessmentFlag | None:
    """A new major version, a new intended purpose or new data sources: assess again."""
    if not RiskAssessment.objects.filter(model=model).exclude(status="draft").exists():
        return None  # never assessed: the first assessment is already due
    flag = ReassessmentFlag.objects.create(model=model, reason=reason)
    audit.record(
        actor=None,
        verb="model.reassessment_flagged",
        target=flag,
        after={"reason": reason},
        mlmodel_id=model.pk,
    )
    return flag


@transaction.atomic
def apply_in_force() -> int:
    """Move current assessments onto the rulebook version in force today; how many moved.

    Checklists follow the obligation catalogs in force too (they are not counted)."""
    moved = 0
    controls.resync_stale_checklists()
    # A corrected version is never in force: what stands on it moves whatever its date.
    replaced = set(
        Rulebook.objects.filter(corrections__status=Rulebook.Status.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    for framework, rules in risk_selectors.RULES.items():
        try:
            book = Rulebook.objects.in_force(rules.kind)
        except DomainError:
            continue
        stale = RiskAssessment.objects.filter(
            framework=framework, status=RiskAssessment.Status.COMPLETED
        ).exclude(rulebook=book)
        for current in stale.select_related("rulebook", "model", "use_case"):
            if (
                current.rulebook.effective_from < book.effective_from
                or current.rulebook_id in replaced
            ):
                moved += _rederive_one(None, current, book, f"{book} took effect") is not None
    return moved
