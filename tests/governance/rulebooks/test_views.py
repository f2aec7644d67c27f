"""Rulebook pages: versions by kind, a draft's impact, drafting from YAML and publishing it."""

import re
from datetime import date

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from governance.auditlog.models import AuditEvent
from governance.risk import selectors as risk_selectors
from governance.risk.models import Control, RiskAssessment
from governance.rulebooks import services as rulebooks
from governance.rulebooks.content import as_json
from governance.rulebooks.models import Rulebook
from tests.governance.conftest import published
from tests.risk_answers import TIER_3, US_BANK_SCORECARD, assess

pytestmark = pytest.mark.usefixtures("shipped_rulebooks")
LOWER_THRESHOLDS = {"thresholds": {"tier_1": 1.1, "tier_2": 1.05}}


def url(name: str, *args: object) -> str:
    return reverse(f"rulebooks:{name}", args=args)


def scorecard(version: int = 1) -> Rulebook:
    return Rulebook.objects.get(kind="tiering", name="scorecard", version=version)


@pytest.fixture
def tier_3_model(owner, credit_pd_model):
    """The retail PD model scoped, then tiered Tier 3 under the shipped scorecard."""
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assess(owner, credit_pd_model, "tiering", TIER_3)
    return credit_pd_model


def in_force_flags(page) -> dict[tuple[str, str, int], bool]:
    return {
        (book.kind, book.name, book.version): in_force
        for group in page.context["groups"]
        for book, in_force, _ in group["rows"]
    }


# ---- Drafting, previewing, publishing ------------------------------------------------------------


def test_an_administrator_drafts_lower_thresholds_and_the_committee_publishes_after_the_impact(
    client, admin_user, committee_member, tier_3_model
):
    old = risk_selectors.in_force_at(tier_3_model, "tiering")
    assert old.result == "tier_3"
    client.force_login(admin_user)

    form = client.get(url("draft", scorecard().pk))
    assert form.status_code == 200
    prefilled = form.context["form"]["content"].value()
    assert "effective_from: 2026-04-17\n" in prefilled
    assert as_json(yaml.safe_load(prefilled)) == scorecard().content

    content = {**scorecard().content, **LOWER_THRESHOLDS}
    response = client.post(url("draft", scorecard().pk), {"content": yaml.safe_dump(content)})
    draft = scorecard(2)
    assert response.status_code == 302 and response["Location"] == url("detail", draft.pk)
    assert draft.status == "draft" and draft.content["thresholds"] == LOWER_THRESHOLDS["thresholds"]

    page = client.get(url("detail", draft.pk))
    rows = page.context["preview"]
    assert [(r["subject"], r["framework"], r["before"], r["after"]) for r in rows] == [
        (str(tier_3_model), "tiering", "tier_3", "tier_1")
    ]
    assert b"Ask to publish v2" in page.content and b'id="impact"' in page.content
    assert draft.content_sha256.encode() in page.content

    asked = client.post(url("publish", draft.pk), {"note": "Lower thresholds"}, follow=True)
    assert b"a second person holding the publish right decides" in asked.content
    publication = draft.publications.get()
    decide = url("publication-decide", publication.pk)
    refused = client.post(decide, {"decision": "grant"})
    assert refused.status_code == 400 and "a second person must decide" in refused.content.decode()
    assert not scorecard(2).is_published

    client.force_login(committee_member)
    response = client.post(decide, {"decision": "grant"}, follow=True)
    assert b"1 assessment re-derived" in response.content
    draft.refresh_from_db()
    assert draft.is_published and draft.published_by == committee_member
    current = risk_selectors.in_force_at(tier_3_model, "tiering")
    assert current.result == "tier_1" and current.rulebook == draft
    old.refresh_from_db()
    assert old.status == RiskAssessment.Status.SUPERSEDED and old.valid_to is not None
    assert AuditEvent.objects.filter(verb="rulebook.published").count() > 0


def test_the_list_groups_versions_by_kind_and_marks_the_one_in_force(
    client, admin_user, committee_member
):
    client.force_login(admin_user)
    page = client.get(url("list"))
    assert page.status_code == 200
    assert [g["kind"] for g in page.context["groups"]] == list(Rulebook.Kind.values)
    flags = in_force_flags(page)
    assert flags[("tiering", "scorecard", 1)] and not flags[("tiering", "matrix", 1)]
    # Version 3 (Art. 2 scope, exact citations) took effect after version 2 (the Omnibus),
    # version 4 (Art. 25) takes effect on 8 December 2026 and version 5 (open answers, other
    # operators, Art. 111) on 9 December, with the EU catalog's version 4 (the other operators).
    today = timezone.localdate()
    newest = 5 if today >= date(2026, 12, 9) else 4 if today >= date(2026, 12, 8) else 3
    assert [v for v in (1, 2, 3, 4, 5) if flags[("eu_ai_act", "eu_ai_act", v)]] == [newest]
    catalog = 4 if today >= date(2026, 12, 9) else 3
    # Version 2 of each catalog (the stages) takes effect on version 1's date and replaces it;
    # the EU catalog's version 3 (a corrected reference) likewise replaces version 2.
    assert flags[("obligations", "sr_26_2", 2)] and flags[("obligations", "eu_ai_act", catalog)]
    assert not flags[("obligations", "sr_26_2", 1)] and not flags[("obligations", "eu_ai_act", 2)]
    text = re.sub(r"<[^>]+>", "|", page.content.decode())  # names read as words, not ids
    assert "|SR 26-2|" in text and "|EU AI Act|" in text and "|sr_26_2|" not in text

    draft = rulebooks.draft_version(actor=admin_user, base=scorecard(), changes=LOWER_THRESHOLDS)
    assert not in_force_flags(client.get(url("list")))[("tiering", "scorecard", 2)]
    published(draft, admin_user, committee_member)
    flags = in_force_flags(client.get(url("list")))
    assert flags[("tiering", "scorecard", 2)] and not flags[("tiering", "scorecard", 1)]


def test_a_catalog_draft_previews_obligations_per_model(client, admin_user, owner, credit_pd_model):
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assess(owner, credit_pd_model, "tiering", TIER_3)
    catalog = Rulebook.objects.get(kind="obligations", name="sr_26_2", version=1)
    control = Control.objects.filter(model=credit_pd_model, framework="sr_26_2").first()
    entries = [e for e in catalog.content["entries"] if e["id"] != control.obligation_id]
    draft = rulebooks.draft_version(actor=admin_user, base=catalog, changes={"entries": entries})
    client.force_login(admin_user)
    page = client.get(url("detail", draft.pk))
    assert page.status_code == 200 and page.context["is_catalog"]
    assert page.context["preview"] == [
        {
            "subject": str(credit_pd_model),
            "framework": "sr_26_2",
            "added": [],
            "dropped": [control.obligation_id],
        }
    ]
    assert control.obligation_id.encode() in page.content


def test_asking_twice_or_deciding_twice_is_refused(client, admin_user, committee_member):
    draft = rulebooks.draft_version(actor=admin_user, base=scorecard(), changes=LOWER_THRESHOLDS)
    client.force_login(admin_user)
    client.post(url("publish", draft.pk))
    again = client.post(url("publish", draft.pk))
    assert again.status_code == 400
    assert "waits already" in again.context["publish_error"]
    decide = url("publication-decide", draft.publications.get().pk)
    client.force_login(committee_member)
    client.post(decide, {"decision": "grant"})
    published_at = scorecard(2).published_at
    twice = client.post(decide, {"decision": "grant"}, follow=True)
    assert (
        "Nothing changed: " in twice.content.decode()
        and "is already published" in twice.content.decode()
    )
    assert scorecard(2).published_at == published_at


# ---- Refused drafts ------------------------------------------------------------------------------


def test_a_yaml_syntax_error_names_its_line_and_drafts_nothing(client, admin_user):
    client.force_login(admin_user)
    before = Rulebook.objects.count()
    typed = "title: Fine\nthresholds: [1.1, 1.05\nnotes: x\n"
    page = client.post(url("draft", scorecard().pk), {"content": typed})
    assert page.status_code == 200
    (error,) = page.context["form"].errors["content"]
    assert error.startswith("Not valid YAML: line 3")
    assert page.context["form"]["content"].value() == typed
    assert Rulebook.objects.count() == before


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("- just\n- a list\n", "must be a YAML mapping"),
        ("name: matrix\n", "name: stays 'scorecard'"),
    ],
)
def test_content_that_is_not_a_mapping_of_the_same_rulebook_is_refused(
    client, admin_user, typed, expected
):
    client.force_login(admin_user)
    before = Rulebook.objects.count()
    page = client.post(url("draft", scorecard().pk), {"content": typed})
    assert expected in page.context["form"].errors["content"][0]
    assert Rulebook.objects.count() == before


def test_a_method_that_fails_its_checks_is_shown_and_drafts_nothing(client, admin_user):
    client.force_login(admin_user)
    before = (Rulebook.objects.count(), AuditEvent.objects.count())
    typed = "thresholds:\n  tier_1: 0.5\n  tier_2: 0.4\n"
    page = client.post(url("draft", scorecard().pk), {"content": typed})
    assert page.status_code == 200
    (error,) = page.context["form"].errors["content"]
    assert "thresholds.tier_1: must be above 1" in error
    assert b'id="content-errors"' in page.content
    assert (Rulebook.objects.count(), AuditEvent.objects.count()) == before


# ---- Who may do what -----------------------------------------------------------------------------


def test_an_owner_may_neither_read_draft_nor_publish(client, owner, admin_user):
    draft = rulebooks.draft_version(actor=admin_user, base=scorecard(), changes=LOWER_THRESHOLDS)
    client.force_login(owner)
    assert client.get(url("list")).status_code == 403
    assert client.get(url("draft", scorecard().pk)).status_code == 403
    posted = {"content": yaml.safe_dump(LOWER_THRESHOLDS)}
    assert client.post(url("draft", scorecard().pk), posted).status_code == 403
    assert client.post(url("publish", draft.pk)).status_code == 403
    assert not scorecard(2).is_published
    assert not Rulebook.objects.filter(kind="tiering", version=3).exists()


def test_an_auditor_reads_but_may_not_change(client, auditor, admin_user):
    draft = rulebooks.draft_version(actor=admin_user, base=scorecard(), changes=LOWER_THRESHOLDS)
    client.force_login(auditor)
    assert client.get(url("list")).status_code == 200
    page = client.get(url("detail", draft.pk))
    assert page.status_code == 200 and b"Publish v2" not in page.content
    assert b"Rulebooks</a>" in page.content  # the navigation entry
    assert client.post(url("publish", draft.pk)).status_code == 403
    assert client.get(url("draft", draft.pk)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(url("list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
