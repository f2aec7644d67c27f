"""Reads of a person's notices."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from governance.notices.models import Notice


def notices_for(user: User) -> QuerySet[Notice]:
    """The person's notices, newest first."""
    return Notice.objects.filter(recipient_id=user.pk)


def unread_count(user: User) -> int:
    return Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
