"""Each role lands on its own start page after signing in: work, the audit log, the dashboard."""

import pytest
from django.urls import reverse

from governance import roles
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "lands_on"),
    [
        (roles.OWNER, "approvals:my-work"),
        (roles.VALIDATOR, "approvals:my-work"),
        (roles.COMMITTEE, "approvals:my-work"),
        (roles.COMPLIANCE, "approvals:my-work"),
        (roles.LEGAL, "approvals:my-work"),
        (roles.AUDITOR, "governance:audit-log"),
        (roles.EXECUTIVE, "reports-dashboard:dashboard"),
        (roles.ADMINISTRATOR, "registry:model-list"),
    ],
)
def test_signing_in_lands_each_role_on_its_start_page(client, role, lands_on):
    person = UserFactory(username="someone", roles=[role])
    person.set_password("pw-for-the-test")
    person.save()
    signed_in = client.post(
        reverse("login"), {"username": "someone", "password": "pw-for-the-test"}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == reverse(lands_on)
    assert signed_in.status_code == 200


def test_the_start_page_asks_a_visitor_to_sign_in(client):
    response = client.get(reverse("start"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
