"""Telling people: a notice each, in-app at once and by e-mail once the transaction commits."""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from governance import audit, queue
from governance.notices import selectors
from governance.notices.models import Notice, NoticePreference

EMAIL_TASK = "governance.notices.tasks.email_notices"


def notify(
    *,
    people: Iterable[User],
    kind: str,
    subject: str,
    link: str = "",
    body: str = "",
    key: str = "",
) -> list[Notice]:
    """One notice per active person (service accounts read no notices), e-mailed after commit.
    A `key` marks a notice sent once per person (Notice.key)."""
    recipients = {p.pk: p for p in people if p.is_active and not _is_service_account(p)}
    notices = Notice.objects.bulk_create(
        Notice(recipient=person, kind=kind, subject=subject[:300], link=link, body=body, key=key)
        for person in recipients.values()
    )
    ids = [notice.pk for notice in notices]
    if ids:
        transaction.on_commit(lambda: queue.enqueue(EMAIL_TASK, ids))
    return notices


def _is_service_account(person: User) -> bool:
    return hasattr(person, "service_account")


def email_notices(notice_ids: Iterable[int]) -> int:
    """E-mail the notices not e-mailed yet (a retried task sends none twice); how many went.
    People who chose the daily digest get theirs in it instead (`email_digests`)."""
    sent = 0
    pending = Notice.objects.filter(pk__in=list(notice_ids), emailed_at__isnull=True).exclude(
        recipient__notice_preference__daily_digest=True
    )
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


COMING_DUE_KIND = "notice.coming_due"


def _due_words(item: selectors.DueItem, today: date) -> str:
    days = item.days_left(today)
    if days < 0:
        return f"{-days} day{'s' if days < -1 else ''} overdue"
    if days == 0:
        return "due today"
    return f"due in {days} day{'s' if days > 1 else ''}"


@transaction.atomic
def notify_coming_due(today: date | None = None) -> int:
    """Tell each person of their items due within a week or overdue: one notice per item per
    day, however often it runs (the key holds the day; rows already sent are skipped, and the
    unique constraint stops a concurrent run). How many notices went. Like every notice it is a
    message, not a control: the items themselves carry their audit trail."""
    today = today or timezone.localdate()
    due = selectors.coming_due(today)
    keys = {f"due:{d.item}:{today.isoformat()}" for d in due}
    sent = set(Notice.objects.filter(key__in=keys).values_list("recipient_id", "key"))
    people = {
        p.pk: p for p in User.objects.filter(pk__in={d.recipient_id for d in due}, is_active=True)
    }
    created = 0
    for item in due:
        key = f"due:{item.item}:{today.isoformat()}"
        person = people.get(item.recipient_id)
        if person is None or (person.pk, key) in sent:
            continue
        sent.add((person.pk, key))
        words = _due_words(item, today)
        created += len(
            notify(
                people=[person],
                kind=COMING_DUE_KIND,
                subject=f"{item.kind} {words}: {item.subject}",
                link=item.link,
                body=f"{item.kind} {item.subject}, {words} ({item.due_on:%d %b %Y}).",
                key=key,
            )
        )
    return created


@transaction.atomic
def set_daily_digest(*, actor: User, daily_digest: bool) -> NoticePreference:
    """The person chooses one e-mail a day listing their unread notices, or one per notice."""
    preference, _ = NoticePreference.objects.select_for_update().get_or_create(user=actor)
    before = audit.snapshot(preference, ["daily_digest"])
    preference.daily_digest = daily_digest
    preference.save()
    audit.record(
        actor=actor,
        verb="notices.preference_changed",
        target=preference,
        before=before,
        after=audit.snapshot(preference, ["daily_digest"]),
    )
    return preference


def email_digests() -> int:
    """Daily: one e-mail to each person on the digest listing their unread notices not e-mailed
    yet; those are then marked e-mailed, so none goes twice. How many e-mails went."""
    pending = (
        Notice.objects.filter(
            recipient__notice_preference__daily_digest=True,
            recipient__is_active=True,
            emailed_at__isnull=True,
            read_at__isnull=True,
        )
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_person: dict[int, list[Notice]] = {}
    for notice in pending:
        by_person.setdefault(notice.recipient_id, []).append(notice)
    sent = 0
    for notices in by_person.values():
        person = notices[0].recipient
        if person.email:
            sent += send_mail(
                f"[Attest] {len(notices)} unread notice{'s' if len(notices) != 1 else ''}",
                _digest_body(notices),
                None,
                [person.email],
            )
        Notice.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=timezone.now())
    return sent


def _digest_body(notices: list[Notice]) -> str:
    lines = []
    for notice in notices:
        lines.append(f"- {notice.subject}")
        if notice.link:
            lines.append(f"  {settings.ATTEST_BASE_URL}{notice.link}")
    lines.append("")
    lines.append(f"All your notices: {settings.ATTEST_BASE_URL}{reverse('notices:list')}")
    return "\n".join(lines)
