"""`manage.py check --deploy`: the audit trail's keys must not be the development defaults."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

ADVICE = "keep it outside the application directory, readable by the app only (docs/security.md)"


def _inside_app(path: Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(settings.BASE_DIR).resolve())


@register(Tags.security, deploy=True)
def audit_keys_are_not_development_defaults(**kwargs: Any) -> list[CheckMessage]:
    """The HMAC key, the checkpoint signing key and the checkpoints live outside the app's tree."""
    found: list[CheckMessage] = []
    if not settings.ATTEST_AUDIT_KEY and _inside_app(settings.ATTEST_AUDIT_KEY_FILE):
        found.append(
            Error(
                "The audit HMAC key is the development key file under the application directory.",
                hint=f"Set ATTEST_AUDIT_KEY_FILE (or ATTEST_AUDIT_KEY); {ADVICE}.",
                id="attest.E001",
            )
        )
    if _inside_app(settings.ATTEST_CHECKPOINT_SIGNING_KEY_FILE):
        found.append(
            Error(
                "The checkpoint signing key is the development key under the application directory.",
                hint=f"Set ATTEST_CHECKPOINT_SIGNING_KEY_FILE; {ADVICE}.",
                id="attest.E002",
            )
        )
    if _inside_app(settings.ATTEST_CHECKPOINT_DIR):
        found.append(
            Error(
                "Audit checkpoints are written under the application directory.",
                hint="Set ATTEST_CHECKPOINT_DIR to storage the database administrators cannot write.",
                id="attest.E003",
            )
        )
    return found
