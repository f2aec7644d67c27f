"""`manage.py verify_evidence_pack FILE.pdf`: print "intact" or what differs; exit 1 if changed."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.packs.verify import verify_pack


class Command(BaseCommand):
    help = "Check an evidence pack's attachments against its manifest and Attest's record."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        verdict = verify_pack(path.read_bytes())
        if not verdict.intact:
            raise CommandError(
                f"{path}: changed\n" + "\n".join(f"- {d}" for d in verdict.differences)
            )
        self.stdout.write(self.style.SUCCESS(f"intact (pack {verdict.pack_id})"))
