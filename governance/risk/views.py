"""Risk UI: questionnaires, results with review and history, the obligations checklist, evidence.

Function views: resolve the subject through permissions, parse, call one service or selector,
render. A model the user may not see is a 404; an action they may not take is a 403.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST

from governance import permissions, ui
from governance.access import selectors as people
from governance.downloads import stored_file_response
from governance.errors import DomainError
from governance.forms import BootstrapForm, DecisionForm
from governance.risk import records
from governance.risk import selectors as risk_selectors
from governance.risk.forms import (
    ApproveOverrideForm,
    AsOfForm,
    AttachToManyForm,
    ClassifyAsOfForm,
    ConfirmForm,
    EvidenceForm,
    LinkRecordForm,
    OverrideForm,
    QuestionnaireForm,
    RefuseOverrideForm,
    WaiverForm,
    detail_rows,
    label_for,
    question_rows,
    reason_rows,
)
from governance.risk.models import (
    Control,
    DraftEvidence,
    Evidence,
    Framework,
    RiskAssessment,
    Waiver,
)
from governance.risk.rules import results
from governance.risk.rules.coverage import stages_due
from governance.risk.rules.results import Question
from governance.risk.services import assessments, controls, drafts
from governance.rulebooks.models import Rulebook
from registry.models import MLModel, UseCase
from reports.exports import word

MODEL, USE_CASE = "model", "usecase"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FRAMEWORK_TITLES = dict(Framework.choices)
REVIEW_STEPS = {
    "confirm": "You confirmed the result.",
    "override": "Your override is proposed; it counts once a second person approves it.",
    "approve-override": "The override is approved and in force.",
    "refuse-override": "The override is refused; the rules' result stands.",
}
# ---- What a page is about -----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A model or use case and one framework: the subject of a questionnaire or result page."""

    kind: str
    subject: MLModel | UseCase
    framework: str

    @property
    def title(self) -> str:
        return FRAMEWORK_TITLES[self.framework]

    def url(self, page: str, *args: object) -> str:
        return reverse(f"risk:{self.kind}-{page}", args=[self.subject.slug, self.framework, *args])

    @property
    def urls(self) -> dict[str, str]:
        return {page: self.url(page) for page in ("questionnaire", "answers", "classify", "result")}


def _subject(request: HttpRequest, kind: str, slug: str) -> MLModel | UseCase:
    if kind == MODEL:
        return permissions.model_for_user_or_404(request.user, slug)
    permissions.require_globally(request.user, "view_use_cases")
    return get_object_or_404(UseCase, slug=slug)


def _target(request: HttpRequest, kind: str, slug: str, framework: str) -> Target:
    subject = _subject(request, kind, slug)
    if framework not in risk_selectors.frameworks_for(subject):
        raise Http404(f"{framework} does not assess this {kind}")
    return Target(kind, subject, framework)


def _tabs(kind: str, subject: MLModel | UseCase, active: str) -> list[dict[str, object]]:
    tabs = [
        (fw, FRAMEWORK_TITLES[fw], Target(kind, subject, fw).url("result"))
        for fw in risk_selectors.frameworks_for(subject)
    ]
    if kind == MODEL:
        tabs.append(
            ("obligations", "Obligations", reverse("risk:obligations", args=[subject.slug]))
        )
    return [{"title": title, "url": url, "active": key == active} for key, title, url in tabs]


def _page_context(request: HttpRequest, target: Target) -> dict[str, object]:
    subject = target.subject
    listing = ("registry:model-list", "Inventory")
    if target.kind == USE_CASE:
        listing = ("registry:usecase-list", "Use cases")
    return {
        "target": target,
        "subject": subject,
        "listing": {"url": reverse(listing[0]), "title": listing[1]},
        "tabs": _tabs(target.kind, subject, target.framework),
        "can_assess": assessments.can_assess(permissions.actor(request), subject),
    }


# ---- Questionnaire --------------------------------------------------------------------------------


@dataclass
class Questionnaire:
    """The draft being answered, the rules it is answered under, and what went wrong."""

    target: Target
    draft: RiskAssessment | None
    rulebook: Rulebook | None
    questions: tuple[Question, ...]
    answers: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    saved: bool = False
    defaults: dict[str, Any] = field(default_factory=dict)  # from the organisation profile

    def refuse(self, exc: DomainError) -> None:
        """Put a service's refusal next to the question it names, or at the top."""
        key = exc.field.removeprefix("answers.")
        if exc.field.startswith("answers.") and key in {q.key for q in self.questions}:
            self.errors.setdefault(key, []).append(exc.error_text)
        else:
            self.problems.append(exc.error_text)


def _questionnaire(target: Target) -> Questionnaire:
    draft, answers = risk_selectors.starting_answers(target.subject, target.framework)
    try:
        rulebook = draft.rulebook if draft else _rulebook_in_force(target.framework)
    except DomainError as exc:
        return Questionnaire(target, None, None, (), answers, problems=[exc.error_text])
    questions = risk_selectors.questions_for(target.framework, rulebook)
    defaults = risk_selectors.profile_answers(target.framework)
    return Questionnaire(target, draft, rulebook, questions, answers, defaults=defaults)


def _rulebook_in_force(framework: str) -> Rulebook:
    return Rulebook.objects.in_force(risk_selectors.RULES[framework].kind)


def _save_posted(request: HttpRequest, q: Questionnaire) -> Questionnaire:
    """Save what parses; keep what does not (with its error) to show it back."""
    form = QuestionnaireForm(request.POST, questions=q.questions, stored=q.answers)
    form.is_valid()
    q.errors = {key: [str(e) for e in errors] for key, errors in form.errors.items()}
    q.raw = form.raw_values()
    try:
        q.draft = assessments.save_answers(
            actor=permissions.actor(request),
            framework=q.target.framework,
            subject=q.target.subject,
            answers=form.answers(),
        )
    except DomainError as exc:
        q.refuse(exc)
        return q
    q.answers, q.saved = dict(q.draft.answers), True
    return q


def _questionnaire_context(
    request: HttpRequest, q: Questionnaire, missing: list[Question] | None = None
) -> dict[str, object]:
    shown = results.shown(q.questions, q.answers)
    errors = {key: list(found) for key, found in q.errors.items()}
    for question in missing or []:
        errors.setdefault(question.key, []).append("Answer this question to classify.")
    hidden = set(errors) - {question.key for question in shown}
    problems = [*q.problems, *(f"{key}: {e}" for key in sorted(hidden) for e in errors[key])]
    return {
        **_page_context(request, q.target),
        "draft": q.draft,
        "rulebook": q.rulebook,
        "rows": question_rows(shown, q.answers, errors=errors, raw=q.raw, defaults=q.defaults),
        "missing": missing or [],
        "problems": problems,
        "saved": q.saved,
        "current": risk_selectors.in_force_at(q.target.subject, q.target.framework),
    }


@login_required
def questionnaire(request: HttpRequest, kind: str, slug: str, framework: str) -> HttpResponse:
    """One screen of questions; answers are saved as you go (htmx) or with the Save button."""
    q = _questionnaire(_target(request, kind, slug, framework))
    return render(request, "governance/risk/questionnaire.html", _questionnaire_context(request, q))


@login_required
@require_POST
def answers_save(request: HttpRequest, kind: str, slug: str, framework: str) -> HttpResponse:
    q = _save_posted(request, _questionnaire(_target(request, kind, slug, framework)))
    context = _questionnaire_context(request, q)
    if ui.is_fragment(request):
        return render(request, "governance/risk/_questionnaire.html", context)
    if q.saved and not q.errors:
        messages.success(request, "Your answers are saved in the draft.")
        return redirect(q.target.url("questionnaire"))
    return render(request, "governance/risk/questionnaire.html", context)


@login_required
@require_POST
def classify(request: HttpRequest, kind: str, slug: str, framework: str) -> HttpResponse:
    """Save what was posted, then run the rules; an incomplete draft shows what is missing."""
    q = _save_posted(request, _questionnaire(_target(request, kind, slug, framework)))
    missing = results.unanswered(q.questions, q.answers)
    if q.saved and q.draft is not None and not q.errors and not missing:
        try:
            done = assessments.complete(actor=permissions.actor(request), draft=q.draft)
        except DomainError as exc:
            q.refuse(exc)
        else:
            messages.success(request, f"Classified: {label_for(done.result)}.")
            return redirect(q.target.url("result"))
    context = _questionnaire_context(request, q, missing)
    return render(request, "governance/risk/questionnaire.html", context)


# ---- Result, review and history -----------------------------------------------------------------


def _review_panel(
    request: HttpRequest, target: Target, assessment: RiskAssessment, bound: Mapping[str, Any]
) -> dict[str, object] | None:
    """Forms for a validator or committee member on the assessment in force; None for others."""
    if assessment.status != RiskAssessment.Status.COMPLETED:
        return None
    if not risk_selectors.can_review(permissions.actor(request), assessment):
        return None
    results = [
        (result, label_for(result))
        for result in assessments.allowed_results(assessment.framework)
        if result != assessment.result
    ]
    proposed = assessment.review == RiskAssessment.Review.OVERRIDE_PROPOSED
    mine = proposed and assessment.reviewed_by_id == request.user.pk
    approve = bound.get("approve-override") or ApproveOverrideForm()
    refuse = bound.get("refuse-override") or RefuseOverrideForm(auto_id="refuse_%s")
    return {
        "own_work": assessment.assessed_by_id == request.user.pk,
        "awaiting_second": mine,
        "settled": assessments.settled_review(assessment),
        "confirm": bound.get("confirm") or ConfirmForm(auto_id="confirm_%s"),
        "override": bound.get("override") or OverrideForm(results=results, auto_id="override_%s"),
        "approve": approve if proposed and (not mine or approve.is_bound) else None,
        "refuse": refuse if proposed and (not mine or refuse.is_bound) else None,
        "urls": {
            "refuse": target.url("review", assessment.pk, "refuse-override"),
            "confirm": target.url("review", assessment.pk, "confirm"),
            "override": target.url("review", assessment.pk, "override"),
            "approve": target.url("review", assessment.pk, "approve-override"),
        },
    }


def _result_context(
    request: HttpRequest,
    target: Target,
    assessment: RiskAssessment | None,
    as_of: AsOfForm,
    bound: Mapping[str, Any] | None = None,
) -> dict[str, object]:
    history = risk_selectors.history_of(target.subject, target.framework)
    context: dict[str, object] = {
        **_page_context(request, target),
        "assessment": assessment,
        "as_of": as_of,
        "history": [(a, target.url("result-at", a.pk)) for a in history],
        "draft": risk_selectors.draft_of(target.subject, target.framework),
    }
    if target.framework in risk_selectors.AS_OF_RULES:
        context["classify_as_of"] = {
            "form": ClassifyAsOfForm(auto_id="classify_%s"),
            "url": target.url("as-of"),
        }
    if assessment is not None:
        outcome = risk_selectors.effective_outcome(assessment)
        # Application dates are read against the day viewed: the "as of" day, else today.
        viewed_on = as_of.cleaned_data.get("as_of") if as_of.is_valid() else None
        viewed_on = viewed_on or timezone.localdate()
        context |= {
            "outcome": outcome,
            "reasons": reason_rows(outcome, assessment),
            "details": detail_rows(results.details_on(outcome.details, viewed_on)),
            "viewed_on": viewed_on,
            "review": _review_panel(request, target, assessment, bound or {}),
        }
    return context


def _assessment_shown(target: Target, pk: int | None, as_of: AsOfForm) -> RiskAssessment | None:
    if pk is not None:
        return get_object_or_404(risk_selectors.history_of(target.subject, target.framework), pk=pk)
    day = as_of.cleaned_data.get("as_of") if as_of.is_valid() else None
    at = risk_selectors.end_of(day) if day else None
    return risk_selectors.in_force_at(target.subject, target.framework, at)


@login_required
def result(
    request: HttpRequest, kind: str, slug: str, framework: str, pk: int | None = None
) -> HttpResponse:
    """The result in force (or in force on a date, or one from history) and why."""
    target = _target(request, kind, slug, framework)
    as_of = AsOfForm(request.GET)
    assessment = _assessment_shown(target, pk, as_of)
    context = _result_context(request, target, assessment, as_of)
    return render(request, "governance/risk/result.html", context)


@login_required
def classify_as_of(request: HttpRequest, kind: str, slug: str, framework: str) -> HttpResponse:
    """The current answers under the rules in force on a chosen day, beside today's; saves nothing."""
    target = _target(request, kind, slug, framework)
    if framework not in risk_selectors.AS_OF_RULES:
        raise Http404(f"{framework} is not classified by date")
    form = ClassifyAsOfForm(request.GET, auto_id="classify_%s")
    context = {**_page_context(request, target), "form": form, "found": None, "problem": ""}
    if form.is_valid():
        try:
            context["found"] = risk_selectors.classified_as_of(
                target.subject, framework, form.cleaned_data["date"]
            )
        except DomainError as exc:
            context["problem"] = exc.error_text
    return render(request, "governance/risk/as_of.html", context)


def _review_form(step: str, request: HttpRequest, assessment: RiskAssessment) -> BootstrapForm:
    if step == "confirm":
        return ConfirmForm(request.POST, auto_id="confirm_%s")
    if step == "override":
        allowed = assessments.allowed_results(assessment.framework)
        return OverrideForm(
            request.POST, results=[(r, label_for(r)) for r in allowed], auto_id="override_%s"
        )
    if step == "refuse-override":
        return RefuseOverrideForm(request.POST, auto_id="refuse_%s")
    return ApproveOverrideForm(request.POST)


def _review_action(
    step: str, request: HttpRequest, assessment: RiskAssessment, data: Mapping[str, Any]
) -> RiskAssessment:
    actor = permissions.actor(request)
    if step == "confirm":
        return assessments.confirm(actor=actor, assessment=assessment, reason=data["review_reason"])
    if step == "override":
        return assessments.propose_override(
            actor=actor,
            assessment=assessment,
            result=data["override_result"],
            reason=data["review_reason"],
        )
    if step == "refuse-override":
        return assessments.refuse_override(
            actor=actor, assessment=assessment, reason=data["review_reason"]
        )
    return assessments.approve_override(actor=actor, assessment=assessment)


@login_required
@require_POST
def review(
    request: HttpRequest, kind: str, slug: str, framework: str, pk: int, step: str
) -> HttpResponse:
    """Confirm, propose an override, or approve someone else's override (a second person)."""
    target = _target(request, kind, slug, framework)
    assessment = get_object_or_404(risk_selectors.history_of(target.subject, framework), pk=pk)
    if step not in REVIEW_STEPS:
        raise Http404(f"no review step {step!r}")
    if not risk_selectors.can_review(permissions.actor(request), assessment):
        raise PermissionDenied(f"{request.user} may not review {assessment}")
    form = _review_form(step, request, assessment)
    done = ui.submit(form, lambda: _review_action(step, request, assessment, form.cleaned_data))
    if done is not None:
        messages.success(request, REVIEW_STEPS[step])
        return redirect(target.url("result-at", pk))
    context = _result_context(request, target, assessment, AsOfForm(), {step: form})
    return render(request, "governance/risk/result.html", context)


# ---- Obligations checklist ----------------------------------------------------------------------


@dataclass(frozen=True)
class ControlCard:
    """One obligation with its evidence and the forms this user may use on it."""

    control: Control
    status: str  # what counts: an expired waiver reads as missing
    due: bool  # due at the model's stage (and date): if missing and not due, "not due yet"
    evidence: list[Evidence]
    evidence_form: EvidenceForm | None
    waiver_form: WaiverForm | None
    can_accept: bool
    waivers: list[Waiver]  # asked for, newest first: one may wait for a decision
    can_decide: bool
    decision_form: DecisionForm
    proposals: list[records.Record] = field(default_factory=list)  # to link, for those who may


def _card(
    control: Control,
    stages: tuple[str, ...],
    rights: Mapping[str, bool],
    bound: Mapping[tuple, Any],
    proposals: Mapping[int, list[records.Record]],
) -> ControlCard:
    pk, evidence = control.pk, list(control.evidence.all())
    evidence_form = bound.get((pk, "evidence")) or EvidenceForm(auto_id=f"ev{pk}_%s")
    waiver_form = bound.get((pk, "waiver")) or WaiverForm(auto_id=f"wv{pk}_%s")
    waivers = list(control.waivers.all())
    return ControlCard(
        control=control,
        status=risk_selectors.status_of(control),
        due=risk_selectors.due_now(control, stages),
        evidence=evidence,
        evidence_form=evidence_form if rights["change"] else None,
        waiver_form=waiver_form
        if rights["ask_waiver"] and not any(w.is_pending for w in waivers)
        else None,
        can_accept=rights["validate"] and bool(evidence) and control.status != "accepted",
        waivers=waivers,
        can_decide=rights["decide"],
        decision_form=bound.get((pk, "decide")) or DecisionForm(auto_id=f"dc{pk}_%s"),
        proposals=list(proposals.get(pk, [])),
    )


MANY = (0, "attach-many")  # the key of a bound "one file, several obligations" form


def _many_choices(checklist: list[tuple[str, list[Control]]]) -> list[tuple[int, str]]:
    return [
        (c.pk, f"{label_for(framework)} {c.reference}: {c.title}")
        for framework, rows in checklist
        for c in rows
    ]


def _attach_many_form(
    checklist: list[tuple[str, list[Control]]], bound: Mapping[tuple, Any]
) -> AttachToManyForm:
    return bound.get(MANY) or AttachToManyForm(choices=_many_choices(checklist), auto_id="many_%s")


def _obligations_context(
    request: HttpRequest, model: MLModel, bound: Mapping[tuple, Any] | None = None
) -> dict[str, object]:
    user = permissions.actor(request)
    rights = {action: permissions.can(user, action, model) for action in ("change", "validate")}
    rights["ask_waiver"] = risk_selectors.may_ask_waiver(user, model)
    rights["decide"] = user in people.deciders_of(model)
    bound = bound or {}
    checklist = risk_selectors.checklist_of(model)
    everything = [control for _, rows in checklist for control in rows]
    proposals = records.proposed_records(model, everything) if rights["change"] else {}
    stages = stages_due(model.status)
    groups = [
        (
            label_for(framework),
            rows[0].catalog.title,
            [_card(control, stages, rights, bound, proposals) for control in rows],
        )
        for framework, rows in checklist
    ]
    return {
        "model": model,
        "subject": model,
        "listing": {"url": reverse("registry:model-list"), "title": "Inventory"},
        "tabs": _tabs(MODEL, model, "obligations"),
        "coverage": risk_selectors.coverage(model),
        "groups": groups,
        "can_assess": rights["change"],
        "failed": next(iter(bound.values()), None),
        "attach_many": _attach_many_form(checklist, bound)
        if rights["change"] and everything
        else None,
    }


def _control_or_404(model: MLModel, pk: int) -> Control:
    control = risk_selectors.control_of(model, pk=pk)
    if control is None:
        raise Http404("No such obligation applies to this model.")
    return control


def _back_to(model: MLModel, control: Control) -> str:
    return f"{reverse('risk:obligations', args=[model.slug])}#control-{control.pk}"


@login_required
def obligations(request: HttpRequest, slug: str) -> HttpResponse:
    """The model's checklist: coverage, what is due next, and each obligation's evidence."""
    model = permissions.model_for_user_or_404(request.user, slug)
    return render(request, "governance/risk/obligations.html", _obligations_context(request, model))


def _empty_form(
    request: HttpRequest, model: MLModel, control: Control, template: str, form: BootstrapForm
) -> HttpResponse:
    """A card's form, fetched by htmx when its details open; a page asking for it goes back to the
    card."""
    response = (
        render(request, template, {"model": model, "control": control, "form": form})
        if ui.is_fragment(request)
        else redirect(_back_to(model, control))
    )
    # One URL, two answers: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def evidence_attach(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET: the card's empty form. POST: attach the evidence."""
    model = permissions.model_for_user_or_404(request.user, slug, "change")
    control = _control_or_404(model, pk)
    if request.method == "GET":
        form = EvidenceForm(auto_id=f"ev{pk}_%s")
        return _empty_form(request, model, control, "governance/risk/_evidence_form.html", form)
    form = EvidenceForm(request.POST, request.FILES, auto_id=f"ev{pk}_%s")
    evidence = ui.submit(
        form,
        lambda: controls.attach_evidence(
            actor=permissions.actor(request), control=control, **form.service_arguments()
        ),
    )
    if evidence is not None:
        messages.success(request, f"“{evidence.title}” is attached to {control.reference}.")
        return redirect(_back_to(model, control))
    context = _obligations_context(request, model, {(control.pk, "evidence"): form})
    return render(request, "governance/risk/obligations.html", context)


@login_required
@require_POST
def record_link(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Link the Attest record proposed as an obligation's evidence."""
    model = permissions.model_for_user_or_404(request.user, slug, "change")
    control = _control_or_404(model, pk)
    form = LinkRecordForm(request.POST)
    linked = ui.submit(
        form,
        lambda: controls.link_record(
            actor=permissions.actor(request),
            control=control,
            kind=form.cleaned_data["kind"],
            record_id=form.cleaned_data["record_id"],
        ),
    )
    if linked is None:
        ui.report_errors(request, form, control.reference)
    else:
        messages.success(request, f"“{linked.title}” is linked to {control.reference}.")
    return redirect(_back_to(model, control))


@login_required
@require_POST
def evidence_attach_many(request: HttpRequest, slug: str) -> HttpResponse:
    """One file attached to each obligation ticked: stored once, one evidence row each."""
    model = permissions.model_for_user_or_404(request.user, slug, "change")
    checklist = risk_selectors.checklist_of(model)
    choices = _many_choices(checklist)
    form = AttachToManyForm(request.POST, request.FILES, choices=choices, auto_id="many_%s")

    def attach() -> list[Evidence]:
        ticked = set(form.cleaned_data["obligations"])
        chosen = [c for _, rows in checklist for c in rows if c.pk in ticked]
        return controls.attach_file_to_many(
            actor=permissions.actor(request), controls=chosen, **form.service_arguments()
        )

    attached = ui.submit(form, attach)
    if attached:
        references = ", ".join(e.control.reference for e in attached)
        messages.success(request, f"“{attached[0].title}” is attached to {references}.")
        return redirect(reverse("risk:obligations", args=[model.slug]))
    context = _obligations_context(request, model, {MANY: form})
    return render(request, "governance/risk/obligations.html", context)


@login_required
@require_POST
def control_accept(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A validator accepts the evidence as satisfying the obligation."""
    model = permissions.model_for_user_or_404(request.user, slug)
    control = _control_or_404(model, pk)
    try:
        controls.accept(actor=permissions.actor(request), control=control)
    except DomainError as exc:
        messages.error(request, f"{control.reference}: {exc.error_text}")
    else:
        messages.success(request, f"{control.reference} is accepted.")
    return redirect(_back_to(model, control))


@login_required
@require_http_methods(["GET", "POST"])
def control_waive(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Ask to waive an obligation until a date; a second person with decision rights decides.
    GET: the card's empty form."""
    user = permissions.actor(request)
    model = permissions.model_for_user_or_404(user, slug)
    control = _control_or_404(model, pk)
    if not risk_selectors.may_ask_waiver(user, model):
        raise PermissionDenied(f"{user} may not ask to waive obligations of {model}")
    if request.method == "GET":
        form = WaiverForm(auto_id=f"wv{pk}_%s")
        return _empty_form(request, model, control, "governance/risk/_waiver_form.html", form)
    form = WaiverForm(request.POST, auto_id=f"wv{pk}_%s")
    asked = ui.submit(
        form,
        lambda: controls.request_waiver(actor=user, control=control, **form.service_arguments()),
    )
    if asked is not None:
        messages.success(
            request,
            f"{asked.reference} asks to waive {control.reference} until {asked.expires_on}; "
            "it counts once a decider grants it.",
        )
        return redirect(_back_to(model, control))
    context = _obligations_context(request, model, {(control.pk, "waiver"): form})
    return render(request, "governance/risk/obligations.html", context)


@login_required
@require_POST
def waiver_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A second person with decision rights grants or refuses a waiver."""
    user = permissions.actor(request)
    model = permissions.model_for_user_or_404(user, slug)
    waiver = get_object_or_404(Waiver.objects.filter(control__model=model), pk=pk)
    form = DecisionForm(request.POST, auto_id=f"dc{waiver.control_id}_%s")
    done = ui.submit(
        form,
        lambda: controls.decide_waiver(
            actor=user, waiver=waiver, grant=form.granted, reason=form.cleaned_data["reason"]
        ),
    )
    if done is not None:
        messages.success(request, f"{done.reference} is {done.get_state_display().lower()}.")
        return redirect(_back_to(model, waiver.control))
    context = _obligations_context(request, model, {(waiver.control_id, "decide"): form})
    return render(request, "governance/risk/obligations.html", context)


@login_required
def evidence_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse | FileResponse:
    """An evidence file, only for those who may see the model (never from MEDIA_URL)."""
    model = permissions.model_for_user_or_404(request.user, slug)
    evidence = risk_selectors.evidence_file(model, pk)
    if evidence is None:
        raise Http404("No such evidence file.")
    return stored_file_response(request, evidence)


# ---- Draft work products (Art. 6(4) record, FRIA, Annex IV checklist) --------------------------


def _draft_or_404(model: MLModel, pk: int) -> DraftEvidence:
    draft = risk_selectors.draft_evidence(model, pk)
    if draft is None:
        raise Http404("No such draft.")
    return draft


@login_required
def draft_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A draft Attest prepared, as a page: each item under its citation, prefilled or not."""
    model = permissions.model_for_user_or_404(request.user, slug)
    draft = _draft_or_404(model, pk)
    context = {
        "model": model,
        "subject": model,
        "listing": {"url": reverse("registry:model-list"), "title": "Inventory"},
        "tabs": _tabs(MODEL, model, "obligations"),
        "draft": draft,
        "product": drafts.product_of(draft),
        "can_adopt": permissions.can(request.user, "change", model) and draft.adopted_as is None,
    }
    return render(request, "governance/risk/draft.html", context)


@login_required
def draft_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The draft as a Word file, to complete and upload back."""
    model = permissions.model_for_user_or_404(request.user, slug)
    draft = _draft_or_404(model, pk)
    response = HttpResponse(word.to_docx(drafts.document_of(draft)), content_type=DOCX)
    name = f"attest-{model.slug}-draft-{draft.pk}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def drafts_generate(request: HttpRequest, slug: str) -> HttpResponse:
    """Prepare (again) the drafts the EU AI Act classification calls for."""
    model = permissions.model_for_user_or_404(request.user, slug, "change")
    written = drafts.prepare_drafts(actor=permissions.actor(request), model=model)
    messages.success(request, f"Attest prepared {len(written)} draft(s); unchanged ones stay.")
    return redirect(reverse("risk:obligations", args=[model.slug]))


@login_required
@require_POST
def draft_adopt(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Adopt a draft as evidence: the completed version uploaded, or the draft once complete."""
    model = permissions.model_for_user_or_404(request.user, slug, "change")
    draft = _draft_or_404(model, pk)
    try:
        evidence = controls.adopt_draft(
            actor=permissions.actor(request), draft=draft, file=request.FILES.get("file")
        )
    except DomainError as exc:
        messages.error(request, f"{draft.control.reference}: {exc.error_text}")
    else:
        messages.success(
            request, f"“{evidence.title}” is the evidence of {draft.control.reference}."
        )
    return redirect(_back_to(model, draft.control))
