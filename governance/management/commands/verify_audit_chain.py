"""`manage.py verify_audit_chain`: print "intact" or the first broken link; exit 1 if broken."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from governance.auditlog import selectors
from governance.auditlog.models import AuditEvent


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chain and report the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        found = selectors.audit_chain_break()
        if found is not None:
            raise CommandError(f"audit chain broken at event #{found.seq}: {found.reason}")
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"intact ({count} events)"))
