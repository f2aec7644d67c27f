"""The rulebooks API: versions to those who read rulebooks; publication asked, then decided by
a second person holding the publish right."""

import pytest

from governance.auditlog.models import AuditEvent
from governance.risk import selectors as risk_selectors
from governance.rulebooks import services as rulebooks
from governance.rulebooks.models import Publication, Rulebook
from tests.api_errors import error_fields
from tests.risk_answers import TIER_3, US_BANK_SCORECARD, assess

pytestmark = pytest.mark.usefixtures("shipped_rulebooks")
BOOKS, PUBLICATIONS = "/api/v1/rulebooks", "/api/v1/rulebook-publications"
LOWER_THRESHOLDS = {"thresholds": {"tier_1": 1.1, "tier_2": 1.05}}
LISTED = {
    "id",
    "kind",
    "name",
    "version",
    "title",
    "status",
    "effective_from",
    "published_at",
    "published_by",
    "content_sha256",
    "corrects",
    "correction_reason",
    "corrected_by",
}


def scorecard(version: int = 1) -> Rulebook:
    return Rulebook.objects.get(kind="tiering", name="scorecard", version=version)


@pytest.fixture
def draft(admin_user) -> Rulebook:
    """Ada's draft of the scorecard with lower thresholds (version 2)."""
    return rulebooks.draft_version(actor=admin_user, base=scorecard(), changes=LOWER_THRESHOLDS)


@pytest.fixture
def asked(admin_user, draft) -> Publication:
    """Ada asks for her draft to be published."""
    return rulebooks.request_publication(actor=admin_user, draft=draft, note="Lower thresholds")


def post(client, path: str, data: dict | None = None):
    return client.post(path, data or {}, format="json")


def written() -> tuple[int, int, int]:
    published = Rulebook.objects.filter(status=Rulebook.Status.PUBLISHED).count()
    return Publication.objects.count(), published, AuditEvent.objects.count()


# ---- Reading ------------------------------------------------------------------------------------


def test_readers_list_versions_without_content_and_read_one_with_it(api_client, auditor, draft):
    client = api_client(auditor)
    listed = client.get(f"{BOOKS}/", {"kind": "tiering", "name": "scorecard"})
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [(r["version"], r["status"]) for r in rows] == [(2, "draft"), (1, "published")]
    assert set(rows[0]) == LISTED
    one = client.get(f"{BOOKS}/{draft.pk}/").json()
    assert one["content"]["thresholds"] == LOWER_THRESHOLDS["thresholds"]
    assert one["content_sha256"] == draft.content_sha256
    assert client.get(f"{BOOKS}/", {"status": "draft"}).json()["count"] >= 1


@pytest.mark.parametrize("persona", ["owner", "validator", "outsider"])
def test_those_who_may_not_read_rulebooks_get_403(api_client, request, persona, asked):
    client = api_client(request.getfixturevalue(persona))
    for path in (f"{BOOKS}/", f"{BOOKS}/{scorecard().pk}/", f"{PUBLICATIONS}/"):
        assert client.get(path).status_code == 403


# ---- Publishing ---------------------------------------------------------------------------------


def test_an_administrator_asks_and_a_committee_member_publishes(
    api_client, owner, admin_user, committee_member, credit_pd_model, draft
):
    assess(owner, credit_pd_model, "scoping", US_BANK_SCORECARD)
    assess(owner, credit_pd_model, "tiering", TIER_3)
    ada, carl = api_client(admin_user), api_client(committee_member)

    response = post(ada, f"{BOOKS}/{draft.pk}/publication/", {"note": "Lower thresholds"})
    assert response.status_code == 201, response.json()
    publication = response.json()
    assert (publication["state"], publication["requested_by"], publication["note"]) == (
        "requested",
        "ada",
        "Lower thresholds",
    )
    assert (publication["rulebook"]["id"], publication["rulebook"]["status"]) == (draft.pk, "draft")
    decide = f"{PUBLICATIONS}/{publication['id']}/decide/"

    own = post(ada, decide, {"decision": "grant"})
    assert (own.status_code, error_fields(own)) == (400, ["decided_by"])
    assert not scorecard(2).is_published

    granted = post(carl, decide, {"decision": "grant"})
    assert granted.status_code == 200, granted.json()
    body = granted.json()
    assert (body["state"], body["decided_by"]) == ("granted", "carl")
    assert (body["rulebook"]["status"], body["rulebook"]["published_by"]) == ("published", "carl")
    assert risk_selectors.in_force_at(credit_pd_model, "tiering").result == "tier_1"


def test_a_refusal_needs_a_reason_and_publishes_nothing(api_client, committee_member, draft, asked):
    carl, decide = api_client(committee_member), f"{PUBLICATIONS}/{asked.pk}/decide/"
    silent = post(carl, decide, {"decision": "refuse"})
    assert (silent.status_code, error_fields(silent)) == (400, ["reason"])
    refused = post(carl, decide, {"decision": "refuse", "reason": "Wait for the backtest"})
    assert refused.status_code == 200, refused.json()
    assert (refused.json()["state"], refused.json()["decision_reason"]) == (
        "refused",
        "Wait for the backtest",
    )
    assert not scorecard(2).is_published


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"decision": "grant"}, {"decision": "grant"}),
        ({"decision": "grant"}, {"decision": "refuse", "reason": "Too late"}),
        ({"decision": "refuse", "reason": "Not yet"}, {"decision": "grant"}),
    ],
)
def test_deciding_twice_is_409_and_changes_nothing(
    api_client, committee_member, asked, first, second
):
    carl, decide = api_client(committee_member), f"{PUBLICATIONS}/{asked.pk}/decide/"
    assert post(carl, decide, first).status_code == 200
    before, published_at = written(), scorecard(2).published_at
    again = post(carl, decide, second)
    assert (again.status_code, error_fields(again)) == (409, ["state"])
    assert (written(), scorecard(2).published_at) == (before, published_at)


def test_asking_twice_is_400_naming_the_status(api_client, admin_user, draft, asked):
    again = post(api_client(admin_user), f"{BOOKS}/{draft.pk}/publication/")
    assert (again.status_code, error_fields(again)) == (400, ["status"])
    assert Publication.objects.filter(rulebook=draft).count() == 1


def test_an_owner_cannot_ask_and_nothing_is_written(api_client, owner, draft):
    before = written()
    response = post(api_client(owner), f"{BOOKS}/{draft.pk}/publication/", {"note": "Please"})
    assert response.status_code == 403
    assert written() == before


def test_an_auditor_reads_requests_but_may_neither_ask_nor_decide(api_client, auditor, asked):
    client, before = api_client(auditor), written()
    listed = client.get(f"{PUBLICATIONS}/", {"state": "requested"}).json()["results"]
    assert [(p["id"], p["requested_by"]) for p in listed] == [(asked.pk, "ada")]
    assert post(client, f"{BOOKS}/{asked.rulebook_id}/publication/").status_code == 403
    decided = post(client, f"{PUBLICATIONS}/{asked.pk}/decide/", {"decision": "grant"})
    assert decided.status_code == 403
    assert written() == before
