"""Who reaches the queue and who may decide, persona by persona, in the UI and the API."""

import pytest
from django.urls import reverse

from governance.approvals.models import SignOff
from tests.governance.approvals.conftest import submitted

pytestmark = pytest.mark.django_db

PERSONAS = ["owner", "developer", "validator", "committee_member", "auditor", "outsider"]


@pytest.fixture
def validation_request(tier3_ready, pd_v1, owner):
    """A Tier 3 validation request: one validator signs it off."""
    return submitted(owner, pd_v1, "validation")


@pytest.mark.parametrize(
    ("persona", "queue_lists_it", "detail_status"),
    [
        ("owner", True, 200),
        ("developer", True, 200),
        ("validator", True, 200),
        ("committee_member", True, 200),
        ("auditor", True, 200),
        ("outsider", False, 404),
    ],
)
def test_the_queue_and_the_request_page(
    client, request, validation_request, persona, queue_lists_it, detail_status
):
    client.force_login(request.getfixturevalue(persona))
    queue = client.get(reverse("approvals:queue"))
    assert queue.status_code == 200
    assert (validation_request.reference in queue.content.decode()) is queue_lists_it
    detail = client.get(validation_request.get_absolute_url())
    assert detail.status_code == detail_status


@pytest.mark.parametrize(
    ("persona", "api_status", "signed"),
    [
        ("owner", 403, False),  # holds no sign-off role on her own model
        ("developer", 403, False),
        ("validator", 201, True),  # the one role this request needs
        ("committee_member", 400, False),  # a role it does not need: named on field "role"
        ("auditor", 403, False),
        ("outsider", 404, False),
    ],
)
def test_who_may_sign_off_through_the_api(
    api_client, request, validation_request, persona, api_status, signed
):
    person = request.getfixturevalue(persona)
    role = "committee" if persona == "committee_member" else "validator"
    url = f"/api/v1/approval-requests/{validation_request.pk}/sign-offs/"
    answer = api_client(person).post(url, {"role": role, "decision": "approve"}, format="json")
    assert answer.status_code == api_status, answer.content
    signed = SignOff.objects.filter(request=validation_request, signer=person).exists()
    assert signed is signed
