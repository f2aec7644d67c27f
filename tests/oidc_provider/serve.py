"""Run the directory stand-in on loopback, or change one of its people.

    .venv/bin/python tests/oidc_provider/serve.py [--port 9000] [--redirect-uri URL ...]
    .venv/bin/python tests/oidc_provider/serve.py user NAME [--password P] [--group G ...]

Serving creates (once) the RSA signing key and the database under --state, the client `attest`
with secret `attest-local-secret` redirecting to each --redirect-uri, and three directory people
(password `directory-password`): nina in cn=mrm-validators, mara in cn=mrm-committee, omar in
cn=model-owners. `user` sets a person's password and exactly the groups given (none: no groups).
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "attest"
CLIENT_SECRET = "attest-local-secret"
PASSWORD = "directory-password"
GROUPS = "ou=groups,dc=northwind,dc=example"
PEOPLE = {
    "nina": ("Nina", "Nakamura", f"cn=mrm-validators,{GROUPS}"),
    "mara": ("Mara", "Moreau", f"cn=mrm-committee,{GROUPS}"),
    "omar": ("Omar", "Okafor", f"cn=model-owners,{GROUPS}"),
}
DEFAULT_REDIRECT = "http://127.0.0.1:8000/accounts/sso/callback/"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", type=Path, default=Path("/tmp/attest-oidc-provider"))  # noqa: S108
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--redirect-uri", action="append", default=[])
    sub = parser.add_subparsers(dest="command")
    user = sub.add_parser("user", help="set a directory person's password and groups")
    user.add_argument("username")
    user.add_argument("--password", default=PASSWORD)
    user.add_argument("--group", action="append", default=[])
    return parser.parse_args()


def set_up_django(state: Path) -> None:
    """The signing key first: the settings read it."""
    state.mkdir(parents=True, exist_ok=True)
    key = state / "key.pem"
    if not key.exists():
        from jwcrypto import jwk

        key.write_bytes(jwk.JWK.generate(kty="RSA", size=2048).export_to_pem(True, None))
    sys.path.insert(0, str(ROOT))
    os.environ["OIDC_PROVIDER_STATE"] = str(state)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def set_person(username: str, *, password: str, groups: list[str], names: tuple[str, str]) -> None:
    from django.contrib.auth.models import Group, User

    person, _ = User.objects.get_or_create(username=username)
    person.first_name, person.last_name = names
    person.email = f"{username}@northwind.example"
    person.set_password(password)
    person.save()
    person.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])


def set_client(redirect_uris: list[str]) -> None:
    from oauth2_provider.models import Application

    Application.objects.update_or_create(
        client_id=CLIENT_ID,
        defaults={
            "name": "Attest",
            "client_secret": CLIENT_SECRET,
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": " ".join(redirect_uris or [DEFAULT_REDIRECT]),
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
        },
    )


def serve(args: argparse.Namespace) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command

    set_client(args.redirect_uri)
    for username, (first, last, group) in PEOPLE.items():
        if not User.objects.filter(username=username).exists():
            set_person(username, password=PASSWORD, groups=[group], names=(first, last))
    sys.stdout.write(f"issuer: http://127.0.0.1:{args.port}/o\n")
    call_command("runserver", f"127.0.0.1:{args.port}", use_reloader=False, skip_checks=True)


def main() -> None:
    args = arguments()
    set_up_django(args.state)
    if args.command == "user":
        first, last, _ = PEOPLE.get(args.username, (args.username.title(), "Directory", ""))
        set_person(args.username, password=args.password, groups=args.group, names=(first, last))
    else:
        serve(args)


if __name__ == "__main__":
    main()
