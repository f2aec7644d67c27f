"""`manage.py verify_audit_chain`: check the chain under its HMAC keys and against its signed
checkpoints; print "intact" or every problem found, and exit 1 on any."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from governance.auditlog import selectors
from governance.auditlog.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's keyed hash chain and compare it with its signed checkpoints "
        "(those given, or every one in ATTEST_CHECKPOINT_DIR). Exits 1 on any problem."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--checkpoint",
            action="append",
            type=Path,
            default=None,
            help="a checkpoint file to check against (repeatable); default: the checkpoint dir",
        )
        parser.add_argument(
            "--public-key",
            type=Path,
            default=None,
            help="PEM public key(s) trusted to sign checkpoints; default: the configured ones",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = []
        found = selectors.audit_chain_break()
        if found is not None:
            problems.append(f"audit chain broken at event #{found.seq}: {found.reason}")
        held = selectors.checkpoint_check(
            options["checkpoint"], public_key_file=options["public_key"]
        )
        problems += held.problems
        if problems:
            raise CommandError("\n".join(problems))
        count = AuditEvent.objects.count()
        self.stdout.write(
            self.style.SUCCESS(f"intact ({count} events, {held.checked} checkpoints checked)")
        )
