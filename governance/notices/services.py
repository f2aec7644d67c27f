"""Telling people: a notice each, in-app at once and by e-mail once the transaction commits."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from governance import queue
from governance.notices.models import Notice

EMAIL_TASK = "governance.notices.tasks.email_notices"


def notify(
    *,
    people: Iterable[User],
    kind: str,
    subject: str,
    link: str = "",
    body: str = "",
) -> list[Notice]:
    """One notice per active person (service accounts read no notices), e-mailed after commit."""
    recipients = {p.pk: p for p in people if p.is_active and not _is_service_account(p)}
    notices = Notice.objects.bulk_create(
        Notice(recipient=person, kind=kind, subject=subject[:300], link=link, body=body)
        for person in recipients.values()
    )
    ids = [notice.pk for notice in notices]
    if ids:
        transaction.on_commit(lambda: queue.enqueue(EMAIL_TASK, ids))
    return notices


def _is_service_account(person: User) -> bool:
    return hasattr(person, "service_account")


def email_notices(notice_ids: Iterable[int]) -> int:
    """E-mail the notices not e-mailed yet (a retried task sends none twice); how many went."""
    sent = 0
    pending = Notice.objects.filter(pk__in=list(notice_ids), emailed_at__isnull=True)
    for notice in pending.select_related("recipient"):
        address = getattr(notice.recipient, "email", "")
        if address:
            link = settings.ATTEST_BASE_URL + notice.link if notice.link else ""
            body = "\n\n".join(part for part in (notice.body, link) if part)
            sent += send_mail(f"[Attest] {notice.subject}", body, None, [address])
        Notice.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())
    return sent


@transaction.atomic
def mark_read(*, actor: User, notices: Iterable[Notice] | None = None) -> int:
    """Mark the person's own notices read (all of them when none are named); how many."""
    mine = Notice.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
    if notices is not None:
        mine = mine.filter(pk__in=[n.pk for n in notices])
    return mine.update(read_at=timezone.now())
