"""`manage.py seed_demo`: load the Northwind Bank demo portfolio through the services."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from governance import demo
from governance.demo import loader
from registry.models import MLModel


class Command(BaseCommand):
    help = (
        "Load the Northwind Bank demo portfolio (users for every role, models, versions, data, "
        "deployments, RACI, use cases) through the services. Running it again changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the inventory already holds any model (what `make run` uses).",
        )

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "refusing to create demo accounts with a published password: "
                "ATTEST_PRODUCTION is true"
            )
        if loader.is_seeded():
            self.stdout.write(f"The {demo.BANK} demo data already exists: nothing changed.")
        elif if_empty and MLModel.objects.exists():
            self.stdout.write("The inventory already holds models: demo data not loaded.")
        else:
            self._seed()
        self._print_logins()

    def _seed(self) -> None:
        clashing = loader.existing_demo_usernames()
        if clashing:
            raise CommandError(
                f"users {', '.join(clashing)} exist but the demo portfolio does not: "
                "seed_demo loads into a database without them"
            )
        self.stdout.write(f"Loading the {demo.BANK} demo portfolio through the services...")
        counts = loader.seed()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}."))

    def _print_logins(self) -> None:
        present = set(loader.existing_demo_usernames())
        people = [person for person in demo.USERS if person.username in present]
        if not people:
            self.stdout.write("No demo logins: this database was not seeded by seed_demo.")
            return
        self.stdout.write(f"\nDemo logins (password for all: {demo.PASSWORD})")
        self.stdout.write(f"  {'user':<8} {'role':<19} {'name':<16} title")
        for person in people:
            name = f"{person.first_name} {person.last_name}"
            self.stdout.write(f"  {person.username:<8} {person.role:<19} {name:<16} {person.title}")
        self.stdout.write(f"  ({demo.ADMIN} is also a Django superuser: /admin/)\n")
