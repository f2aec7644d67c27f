"""The audit log page, the login page and the navigation each role gets."""

import pytest
from django.urls import reverse

from registry import services

AUDIT = reverse("governance:audit-log")


@pytest.mark.parametrize("persona", ["owner", "developer", "validator", "committee_member"])
def test_only_auditors_and_administrators_open_the_audit_log(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(AUDIT).status_code == 403


def test_auditor_reads_every_event_newest_first(client, auditor, credit_pd_model):
    client.force_login(auditor)
    response = client.get(AUDIT)
    verbs = [row.event.verb for row in response.context["rows"]]
    assert verbs[:3] == ["raci.assigned", "raci.assigned", "model.registered"]
    assert response.context["rows"][0].model == credit_pd_model


def test_audit_log_filters_by_verb_and_actor(client, admin_user, owner, credit_pd_model):
    services.register_model(
        actor=admin_user, slug="alm", name="ALM", business_unit="Treasury", model_type="vendor",
        owner=owner,
    )  # fmt: skip
    client.force_login(admin_user)
    rows = client.get(AUDIT, {"verb": "model.registered"}).context["rows"]
    assert sorted(r.event.target_repr for r in rows) == ["ALM", "Retail PD scorecard"]
    rows = client.get(AUDIT, {"verb": "model.registered", "actor": "olivia"}).context["rows"]
    assert [r.event.target_repr for r in rows] == ["Retail PD scorecard"]


def test_audit_log_pages_by_50(client, auditor, owner):
    for n in range(50):
        services.register_model(
            actor=owner, slug=f"m-{n}", name=f"M {n}", business_unit="Ops", model_type="vendor"
        )
    client.force_login(auditor)
    response = client.get(AUDIT)
    assert len(response.context["rows"]) == 50
    assert len(client.get(AUDIT, {"page": 2}).context["rows"]) > 0


def test_navigation_follows_the_role(client, owner, auditor, admin_user):
    register = reverse("registry:model-create")
    for user, sees_register, sees_audit, sees_admin in [
        (owner, True, False, False),
        (auditor, False, True, False),
        (admin_user, True, True, True),
    ]:
        client.force_login(user)
        body = client.get(reverse("registry:model-list")).content.decode()
        assert (register in body, AUDIT in body, reverse("admin:index") in body) == (
            sees_register,
            sees_audit,
            sees_admin,
        ), user


def test_login_page_signs_in_and_logout_is_a_post(client, owner):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'autocomplete="current-password"' in page.content.decode()
    response = client.post(
        reverse("login"), {"username": "olivia", "password": "correct-horse-battery"}
    )
    assert response["Location"] == reverse("start")  # then her own start page (My work)
    body = client.get(reverse("registry:model-list")).content.decode()
    assert f'action="{reverse("logout")}"' in body and 'method="post"' in body
    assert "Model owners" in body


def test_wrong_password_shows_an_error(client, owner):
    response = client.post(reverse("login"), {"username": "olivia", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_pages_load_assets_locally_never_from_a_cdn(client, owner):
    client.force_login(owner)
    body = client.get(reverse("registry:model-list")).content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in body
    assert "/static/vendor/htmx/htmx.min.js" in body
    assert "https://" not in body and "//cdn" not in body
