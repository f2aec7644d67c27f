"""The risk history: use cases classified under the EU AI Act as they were registered, models
scoped once the scoping rulebook took effect (January 2026) and tiered once SR 26-2 and the
tiering scorecard did (April 2026), rulebook versions applied on the days they took effect,
and checklists evidenced, accepted and waived in the months after."""

from datetime import date, timedelta
from functools import partial

from governance import demo
from governance.demo import risk
from governance.demo.inventory import use_case_registered_on
from governance.demo.spec import at
from governance.demo.timeline import Timeline
from governance.demo.world import SPECS, World, registered_on
from governance.risk.models import RiskAssessment
from governance.risk.services import assessments, controls
from governance.rulebooks import services as rulebooks
from governance.rulebooks.models import Rulebook
from registry.models import MLModel, UseCase

SCOPING_CAMPAIGN = date(2026, 1, 12)  # the scoping rulebook took effect on 1 January 2026
TIERING_CAMPAIGN = date(2026, 4, 20)  # SR 26-2 and the tiering scorecard, 17 April 2026
# Rulebook versions taking effect: the nightly task moves assessments onto them.
RULEBOOK_CHANGES = ("2026-04-17", "2026-08-01")
# The committee publishes the shipped correction of the Omnibus rules (back-dated to July).
OMNIBUS_CORRECTED = "2026-10-07"
CHECKLISTS_FROM = date(2026, 6, 15)
OWNERS = sorted({spec.owner for spec in demo.MODELS})


def schedule(timeline: Timeline, world: World) -> None:
    for spec in demo.USE_CASES:
        classified = use_case_registered_on(spec) + timedelta(days=3)
        timeline.add(
            timeline.on(classified, 14),
            f"classify {spec.slug}",
            partial(_classify, world, spec.slug),
        )
    for slug in risk.MODELS:
        _schedule_tiering(timeline, world, slug)
    for day in RULEBOOK_CHANGES:
        timeline.add(at(day, 2), f"rulebooks in force {day}", assessments.apply_in_force)
    timeline.add(
        at(OMNIBUS_CORRECTED, 15), "correct the Omnibus rules", partial(_publish_corrections, world)
    )
    for number, slug in enumerate(risk.EVIDENCED):
        timeline.add(
            timeline.on(CHECKLISTS_FROM + timedelta(days=number), 10),
            f"evidence {slug}",
            partial(_evidence_checklist, world, slug),
        )
    for slug in risk.WAIVED:
        timeline.add(
            timeline.on(CHECKLISTS_FROM + timedelta(days=7), 11),
            f"waiver {slug}",
            partial(_waive, world, slug),
        )


def _publish_corrections(world: World) -> None:
    """The shipped corrections: the administrator asks, the committee chair publishes."""
    waiting = Rulebook.objects.filter(status=Rulebook.Status.DRAFT, corrects__isnull=False)
    for correction in waiting.filter(created_by=None):
        asked = rulebooks.request_publication(
            actor=world.admin,
            draft=correction,
            note="Shipped correction: the sources now give the entry into force and two points.",
        )
        rulebooks.decide_publication(
            actor=world.users[demo.COMMITTEE_CHAIR], publication=asked, grant=True
        )


def _campaign_day(campaign: date, slug: str, after: int) -> date:
    """An owner's day in the campaign (one owner a day), or `after` days from registration for
    a model registered later."""
    spec = SPECS[slug]
    own_day = campaign + timedelta(days=OWNERS.index(spec.owner))
    return max(own_day, registered_on(spec) + timedelta(days=after))


def _schedule_tiering(timeline: Timeline, world: World, slug: str) -> None:
    scope, tier = risk.MODELS[slug]
    scoped = _campaign_day(SCOPING_CAMPAIGN, slug, after=5)
    tiered = max(_campaign_day(TIERING_CAMPAIGN, slug, after=7), scoped + timedelta(days=1))
    timeline.add(
        timeline.on(scoped, 10),
        f"scope {slug}",
        lambda: _assess(world, "scoping", world.model(slug), risk.SCOPING[scope]),
    )
    timeline.add(
        timeline.on(tiered, 11),
        f"tier {slug}",
        lambda: _assess(world, "tiering", world.model(slug), risk.TIERS[tier]),
    )


def _assess(
    world: World, framework: str, subject: MLModel | UseCase, answers: dict
) -> RiskAssessment:
    owner = world.users[subject.owner.username]
    draft = assessments.save_answers(
        actor=owner, framework=framework, subject=subject, answers=answers
    )
    return assessments.complete(actor=owner, draft=draft)


def _classify(world: World, slug: str) -> None:
    """The use case's owner classifies it; the committee chair confirms some at once."""
    classified = _assess(world, "eu_ai_act", UseCase.objects.get(slug=slug), risk.USE_CASES[slug])
    if slug in risk.CONFIRMED_USE_CASES:
        assessments.confirm(
            actor=world.users[demo.COMMITTEE_CHAIR],
            assessment=classified,
            reason="Agreed at committee",
        )


def _evidence_checklist(world: World, slug: str) -> None:
    """The owner links documentation to part of the checklist; the validator accepts some."""
    every = risk.EVIDENCED[slug]
    model = world.model(slug)
    owner, validator = world.users[SPECS[slug].owner], world.users[SPECS[slug].validator]
    open_controls = model.controls.filter(applies=True).order_by("framework", "pk")
    for number, control in enumerate(open_controls):
        if number % every == every - 1 or "link" not in control.evidence_kinds:
            continue
        controls.attach_evidence(
            actor=owner,
            control=control,
            title=f"{control.reference}: section of the {model.name} documentation",
            url=f"https://docs.northwind.example/models/{slug}#{control.obligation_id}",
        )
        if number % 2 == 0:
            controls.accept(actor=validator, control=control)


def _waive(world: World, slug: str) -> None:
    obligation_id, reason = risk.WAIVED[slug]
    waived = world.model(slug).controls.filter(obligation_id=obligation_id).first()
    if waived is None:
        return
    asked = controls.request_waiver(
        actor=world.users[SPECS[slug].owner],
        control=waived,
        reason=reason,
        expires_on=at("2027-06-30").date(),
    )
    controls.decide_waiver(actor=world.users[demo.COMMITTEE_CHAIR], waiver=asked, grant=True)
