"""Corrective rulebook versions: drafted with a reason, published by a second person, possibly
back-dated; the corrected version leaves the timeline for every day it was in force, and what
stood on it is assessed again under the version now in force, with history, audited."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from governance import roles
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError
from governance.risk import selectors as risk_selectors
from governance.risk.models import RiskAssessment
from governance.risk.services import assessments
from governance.rulebooks import services as rulebooks
from governance.rulebooks.models import Rulebook
from reports.packs import assembly
from tests.api_errors import error_fields
from tests.factories.accounts import UserFactory
from tests.governance.conftest import published
from tests.risk_answers import EU_MINIMAL, TIER_3, assess

pytestmark = pytest.mark.usefixtures("shipped_rulebooks")
OMNIBUS_BAN = {**EU_MINIMAL, "prohibited_practices": ["intimate_imagery_csam"]}
CSAM_BAN = {**EU_MINIMAL, "prohibited_practices": ["csam_generation"]}


def eu_ai_act(version: int) -> Rulebook:
    return Rulebook.objects.get(kind="eu_ai_act", version=version)


def tiering() -> Rulebook:
    return Rulebook.objects.in_force(Rulebook.Kind.TIERING)


def stricter(admin_user, **changes) -> Rulebook:
    return rulebooks.draft_correction(
        actor=admin_user,
        base=tiering(),
        changes={"thresholds": {"tier_1": 1.1, "tier_2": 1.05}, **changes},
        reason="The thresholds were transcribed from the wrong table",
    )


def test_the_shipped_correction_of_the_omnibus_version_waits_for_two_people():
    shipped = eu_ai_act(6)
    assert (shipped.status, shipped.corrects, shipped.created_by) == ("draft", eu_ai_act(2), None)
    assert "late July 2026" in shipped.correction_reason
    assert shipped.effective_from == date(2026, 7, 24)
    facts = {fact["fact"]: fact for fact in shipped.content["facts"]}
    assert all(fact["sources"] and fact["confidence"] for fact in facts.values())
    ids = [practice["id"] for practice in shipped.content["practices"]]
    assert ids[-2:] == ["Art. 5(1)(ba)", "Art. 5(1)(bb)"]
    # Until it is published, version 2 stays in force for the days it covers.
    assert Rulebook.objects.in_force("eu_ai_act", on=date(2026, 9, 1)) == eu_ai_act(2)


def test_a_published_correction_replaces_the_version_for_every_day_it_was_in_force(
    admin_user, committee_member
):
    published(eu_ai_act(6), admin_user, committee_member)
    in_force = Rulebook.objects.in_force
    assert in_force("eu_ai_act", on=date(2026, 7, 23)) == eu_ai_act(1)
    assert in_force("eu_ai_act", on=date(2026, 7, 24)) == eu_ai_act(6)  # back-dated
    assert in_force("eu_ai_act", on=date(2026, 9, 1)) == eu_ai_act(6)  # version 2 is gone
    assert in_force("eu_ai_act", on=date(2026, 12, 7)) == eu_ai_act(3)  # the later ones stay
    assert eu_ai_act(2).correction == eu_ai_act(6)
    event = AuditEvent.objects.get(verb="rulebook.corrected")
    assert (event.actor, event.target_id) == (committee_member, str(eu_ai_act(2).pk))
    assert "late July 2026" in event.after["reason"]


def test_classified_as_of_a_corrected_day_cites_the_corrected_points(
    owner, admin_user, committee_member, lending
):
    assess(owner, lending, "eu_ai_act", CSAM_BAN)  # a key version 2 did not know
    day, today = date(2026, 12, 3), date(2026, 12, 7)
    with pytest.raises(DomainError):  # version 2 was in force that day and knows no (bb)
        risk_selectors.classified_as_of(lending, "eu_ai_act", day, today=today)
    published(eu_ai_act(6), admin_user, committee_member)
    then = risk_selectors.classified_as_of(lending, "eu_ai_act", day, today=today).then
    assert (then.rulebook, then.outcome.result) == (eu_ai_act(6), "prohibited")
    assert any("Art. 5(1)(bb)" in basis for basis in then.outcome.legal_basis)


@time_machine.travel("2026-09-01 12:00Z", tick=False)
def test_assessments_made_under_the_corrected_version_are_made_again_with_history(
    owner, admin_user, committee_member, lending
):
    before = assess(owner, lending, "eu_ai_act", OMNIBUS_BAN)
    assert before.rulebook == eu_ai_act(2)
    # The same result under the correction: nothing to preview, but the assessment moves.
    assert assessments.preview(eu_ai_act(6)) == []
    published(eu_ai_act(6), admin_user, committee_member)
    now = risk_selectors.in_force_at(lending, "eu_ai_act")
    assert (now.rulebook, now.answers, now.result) == (eu_ai_act(6), OMNIBUS_BAN, "prohibited")
    assert now.trigger.startswith(f"{eu_ai_act(6)} corrects v2: Version 2 took")
    assert len(now.trigger) <= 200  # the reason is cut, on every database
    superseded = RiskAssessment.objects.get(pk=before.pk)
    assert superseded.status == "superseded"
    # The evidence pack's history says the rules it ran under were corrected, and why.
    corrected = assembly.assessment_record(superseded, timezone.now())["rulebook_correction"]
    assert corrected.startswith("Corrected by v6 (in force from 24 July 2026), published 1 Sep")
    earlier = superseded.valid_from - timedelta(seconds=1)
    assert assembly.assessment_record(superseded, earlier)["rulebook_correction"] == ""


def test_a_correction_needs_a_reason_and_a_published_version_to_correct(admin_user):
    with pytest.raises(DomainError) as refused:
        rulebooks.draft_correction(actor=admin_user, base=tiering(), changes={}, reason=" ")
    assert refused.value.field == "correction_reason"
    draft = rulebooks.draft_version(actor=admin_user, base=tiering(), changes={})
    with pytest.raises(DomainError) as refused:
        rulebooks.draft_correction(actor=admin_user, base=draft, changes={}, reason="Typo")
    assert refused.value.field == "corrects"


def test_only_administrators_draft_a_correction(owner):
    with pytest.raises(PermissionDenied):
        rulebooks.draft_correction(actor=owner, base=tiering(), changes={}, reason="Typo")


def test_a_correction_stays_between_the_neighbours_of_the_version_it_corrects(
    admin_user, committee_member
):
    base = eu_ai_act(2)
    for day, words in (("2024-08-01", "after 2024-08-01"), ("2026-12-07", "before 2026-12-07")):
        with pytest.raises(DomainError) as refused:
            rulebooks.draft_correction(
                actor=admin_user, base=base, changes={"effective_from": day}, reason="Dates"
            )
        assert (refused.value.field, words in str(refused.value)) == ("effective_from", True)
    # A version that is already corrected is not corrected twice; its correction may be.
    published(eu_ai_act(6), admin_user, committee_member)
    with pytest.raises(DomainError, match="corrected by"):
        rulebooks.draft_correction(actor=admin_user, base=base, changes={}, reason="Again")
    again = rulebooks.draft_correction(
        actor=admin_user, base=eu_ai_act(6), changes={}, reason="One more fix"
    )
    assert again.corrects == eu_ai_act(6)


def test_the_person_who_drafted_a_correction_cannot_publish_it(admin_user, committee_member):
    both = UserFactory(username="bea", roles=[roles.ADMINISTRATOR, roles.COMMITTEE])
    draft = stricter(both)
    asked = rulebooks.request_publication(actor=admin_user, draft=draft)
    with pytest.raises(DomainError) as refused:
        rulebooks.decide_publication(actor=both, publication=asked, grant=True)
    assert refused.value.field == "decided_by"
    assert not Rulebook.objects.get(pk=draft.pk).is_published
    rulebooks.decide_publication(actor=committee_member, publication=asked, grant=True)
    assert Rulebook.objects.in_force(Rulebook.Kind.TIERING) == draft


def test_a_corrected_tiering_method_moves_its_assessments_and_the_beat_task_agrees(
    owner, admin_user, committee_member, credit_pd_model, scoped_pd_model
):
    current = assess(owner, credit_pd_model, "tiering", TIER_3)
    original = current.rulebook
    draft = stricter(admin_user)
    assert [(row["before"], row["after"]) for row in assessments.preview(draft)] == [
        ("tier_3", "tier_1")
    ]
    published(draft, admin_user, committee_member)
    now = risk_selectors.in_force_at(credit_pd_model, "tiering")
    assert (now.result, now.rulebook) == ("tier_1", draft)
    assert original.correction == draft
    assert assessments.apply_in_force() == 0


# ---- The pages and the API ----------------------------------------------------------------------


def test_an_administrator_drafts_a_correction_on_its_page_and_the_versions_show_it(
    client, admin_user, committee_member
):
    client.force_login(admin_user)
    base = tiering()
    form = client.get(reverse("rulebooks:correct", args=[base.pk]))
    assert form.status_code == 200 and b"Draft a correction of v" in form.content
    content = form.context["form"]["content"].value()
    refused = client.post(reverse("rulebooks:correct", args=[base.pk]), {"content": content})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    response = client.post(
        reverse("rulebooks:correct", args=[base.pk]),
        {"content": content, "reason": "Thresholds mistyped"},
    )
    draft = Rulebook.objects.get(corrects=base)
    assert response.status_code == 302 and draft.correction_reason == "Thresholds mistyped"
    page = client.get(reverse("rulebooks:detail", args=[draft.pk]))
    assert f"Corrects v{base.version}" in page.content.decode()
    published(draft, admin_user, committee_member)
    corrected = client.get(reverse("rulebooks:detail", args=[base.pk])).content.decode()
    assert f"Corrected by v{draft.version}" in corrected and "Thresholds mistyped" in corrected
    assert "Draft a correction" not in corrected  # correct the correction instead
    listed = client.get(reverse("rulebooks:list")).content.decode()
    assert "Corrected</span>" in listed


def test_the_shipped_correction_shows_each_fact_with_its_source_and_confidence(client, auditor):
    client.force_login(auditor)
    page = client.get(reverse("rulebooks:detail", args=[eu_ai_act(6).pk])).content.decode()
    assert "Facts, their sources and how sure we are" in page
    assert "taken as 24 July 2026" in page and "Estimated" in page


def test_the_api_drafts_a_correction_and_shows_what_corrects_what(
    api_client, admin_user, committee_member, owner
):
    base = eu_ai_act(2)
    path = f"/api/v1/rulebooks/{base.pk}/correction/"
    assert api_client(owner).post(path, {"reason": "x"}, format="json").status_code == 403
    missing = api_client(admin_user).post(path, {"changes": {}}, format="json")
    assert missing.status_code == 400 and "reason" in error_fields(missing)
    early = {"reason": "Dates", "changes": {"effective_from": "2024-01-01"}}
    refused = api_client(admin_user).post(path, early, format="json")
    assert refused.status_code == 400 and "effective_from" in error_fields(refused)
    given = {"reason": "In force from 20 July", "changes": {"effective_from": "2026-07-20"}}
    made = api_client(admin_user).post(path, given, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["corrects"], body["status"], body["effective_from"]) == (
        base.pk,
        "draft",
        "2026-07-20",
    )
    published(Rulebook.objects.get(pk=body["id"]), admin_user, committee_member)
    shown = api_client(committee_member).get(f"/api/v1/rulebooks/{base.pk}/").json()
    assert shown["corrected_by"] == body["id"]
