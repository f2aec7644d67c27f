"""`manage.py sign_audit_checkpoint`: sign the audit chain's head now, store the checkpoint in
ATTEST_CHECKPOINT_DIR and e-mail it to the auditors (recorded as an audit event)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from governance.auditlog import services
from governance.errors import DomainError


class Command(BaseCommand):
    help = "Sign a checkpoint of the audit chain's head, store it outside the database, e-mail it."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            found = services.sign_checkpoint(actor=None)
        except DomainError as error:
            raise CommandError(f"not signed: {error.error_text}") from error
        cp = found.checkpoint
        self.stdout.write(self.style.SUCCESS(f"signed checkpoint at event #{cp.seq}: {found.path}"))
