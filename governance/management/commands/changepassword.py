"""Django's `changepassword`, with the change recorded in the audit trail (by the system:
whoever runs it holds the server, not an Attest account)."""

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import changepassword

from governance.access.services import accounts


class Command(changepassword.Command):
    def handle(self, *args: Any, **options: Any) -> str:
        said = super().handle(*args, **options)  # a CommandError unless the password changed
        username = options["username"] or getpass.getuser()
        user = get_user_model()._default_manager.using(options["database"]).get(username=username)
        accounts.record_password_change(actor=None, user=user)
        return str(said)
