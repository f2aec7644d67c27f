"""Django's `createsuperuser`, with the account it creates recorded in the audit trail (by the
system: whoever runs it holds the server, not an Attest account)."""

from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.models import User
from django.db.models.signals import post_save

from governance.access.services import accounts


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        made: list[User] = []

        def note(sender: type[User], instance: User, created: bool, **_: Any) -> None:
            if created:
                made.append(instance)

        post_save.connect(note, sender=User, weak=False)
        try:
            super().handle(*args, **options)
        finally:
            post_save.disconnect(note, sender=User)
        for user in made:
            accounts.record_access_change(actor=None, user=user, before=None)
