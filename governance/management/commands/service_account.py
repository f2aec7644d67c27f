"""Service accounts and their API tokens from the command line (set-up scripts, CI bootstrap).

manage.py service_account create ci-credit --description "Retail PD pipeline" --by ada
manage.py service_account token ci-credit --name "github actions" --by ada   # prints the key
manage.py service_account revoke 42 --by ada              # by the id `list` shows
manage.py service_account revoke att_AbCdEf...full-key --by ada  # or by the whole key
manage.py service_account list
"""

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from governance.access.models import ApiToken, ServiceAccount
from governance.access.models.tokens import key_digest
from governance.access.services import tokens
from governance.errors import DomainError


class Command(BaseCommand):
    help = "Create service accounts, issue and revoke their API tokens, list them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="a new service account")
        create.add_argument("username")
        create.add_argument("--description", default="")
        token = actions.add_parser("token", help="issue a token; the key is printed once")
        token.add_argument("username")
        token.add_argument("--name", required=True, help="where the token will be used")
        revoke = actions.add_parser("revoke", help="revoke a token by its id or its whole key")
        revoke.add_argument("token", help="the id `list` shows, or the whole key")
        actions.add_parser("list", help="service accounts and their tokens")
        for sub in (create, token, revoke):
            sub.add_argument("--by", required=True, help="the administrator doing it (audited)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except (DomainError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc

    def _user(self, username: str) -> Any:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        return user

    def _create(self, username: str, description: str, by: str, **_: Any) -> None:
        tokens.create_service_account(
            actor=self._user(by), username=username, description=description
        )
        self.stdout.write(
            f"created service account {username}; name it in a model's RACI to give it access"
        )

    def _token(self, username: str, name: str, by: str, **_: Any) -> None:
        _token, key = tokens.issue_token(actor=self._user(by), user=self._user(username), name=name)
        self.stdout.write(key)

    def _revoke(self, token: str, by: str, **_: Any) -> None:
        # A prefix is shared by a ten-character start of many possible keys: never enough.
        match = {"pk": int(token)} if token.isdigit() else {"digest": key_digest(token)}
        found = ApiToken.objects.filter(**match, revoked_at__isnull=True).first()
        if found is None:
            raise CommandError("no active token has that id or key")
        tokens.revoke_token(actor=self._user(by), token=found)
        self.stdout.write(f"revoked token {found.pk} ({found.prefix}…) of {found.user}")

    def _list(self, **_: Any) -> None:
        for account in ServiceAccount.objects.select_related("user"):
            self.stdout.write(f"{account.user.username}: {account.description}")
            for token in account.user.api_tokens.all():
                state = (
                    "revoked" if token.revoked_at else f"last used {token.last_used_at or 'never'}"
                )
                self.stdout.write(f"  {token.pk}  {token.prefix}…  {token.name}  ({state})")
