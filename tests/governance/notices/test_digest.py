"""The daily digest: a person may take one e-mail a day listing unread notices instead of one
e-mail per notice."""

import pytest
from django.urls import reverse

from governance.auditlog.models import AuditEvent
from governance.notices import selectors, services
from governance.notices.models import Notice
from governance.queue import registered

pytestmark = pytest.mark.django_db


def test_a_person_on_the_digest_gets_one_email_a_day_listing_unread_notices(
    owner, developer, mailoutbox
):
    services.set_daily_digest(actor=owner, daily_digest=True)
    first, second, read = (
        services.notify(people=[owner, developer], kind="test", subject=s, link="/x/")
        for s in ("First", "Second", "Read already")
    )
    services.mark_read(actor=owner, notices=[n for n in read if n.recipient == owner])
    ids = [n.pk for n in [*first, *second, *read]]

    assert services.email_notices(ids) == 3  # Dev's three; Olivia's wait for her digest
    assert {m.to[0] for m in mailoutbox} == {developer.email}

    mailoutbox.clear()
    assert registered("governance.notices.tasks.email_digests").delay().get() == 1
    [digest] = mailoutbox
    assert digest.to == [owner.email] and digest.subject == "[Attest] 2 unread notices"
    assert "- First" in digest.body and "- Second" in digest.body
    assert "Read already" not in digest.body
    assert services.email_digests() == 0  # nothing twice
    assert not Notice.objects.filter(recipient=owner, read_at__isnull=True, emailed_at=None)


def test_the_notices_page_switches_the_digest_on_and_off(client, owner):
    client.force_login(owner)
    page = client.get(reverse("notices:list")).content.decode()
    assert "E-mail me a daily digest instead" in page
    client.post(reverse("notices:digest"), {"daily_digest": "1"})
    assert selectors.daily_digest(owner)
    page = client.get(reverse("notices:list")).content.decode()
    assert "once a day, in one digest" in page and "E-mail each notice at once" in page
    client.post(reverse("notices:digest"), {"daily_digest": "0"})
    assert not selectors.daily_digest(owner)
    assert AuditEvent.objects.filter(verb="notices.preference_changed").count() == 2
