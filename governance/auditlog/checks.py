"""`manage.py check --deploy`: the audit trail's keys must not be the development defaults."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

ADVICE = "keep it outside the application directory, readable by the app only (docs/security.md)"


def _inside_app(path: Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(settings.BASE_DIR).resolve())


# (setting, check id, what is wrong, what to do): each a file or folder that must live outside
# the application directory in production.
KEPT_OUTSIDE = (
    (
        "ATTEST_AUDIT_KEY_FILE",
        "attest.E001",
        "The audit HMAC key is the development key file under the application directory.",
        f"Set ATTEST_AUDIT_KEY_FILE (or ATTEST_AUDIT_KEY); {ADVICE}.",
    ),
    (
        "ATTEST_CHECKPOINT_SIGNING_KEY_FILE",
        "attest.E002",
        "The checkpoint signing key is the development key under the application directory.",
        f"Set ATTEST_CHECKPOINT_SIGNING_KEY_FILE; {ADVICE}.",
    ),
    (
        "ATTEST_CHECKPOINT_DIR",
        "attest.E003",
        "Audit checkpoints are written under the application directory.",
        "Set ATTEST_CHECKPOINT_DIR to storage the database administrators cannot write.",
    ),
)


@register(Tags.security, deploy=True)
def audit_keys_are_not_development_defaults(**kwargs: Any) -> list[CheckMessage]:
    """The HMAC key, the checkpoint signing key and the checkpoints live outside the app's tree
    (an inline ATTEST_AUDIT_KEY needs no file)."""
    return [
        Error(message, hint=hint, id=check_id)
        for setting, check_id, message, hint in KEPT_OUTSIDE
        if not (setting == "ATTEST_AUDIT_KEY_FILE" and settings.ATTEST_AUDIT_KEY)
        and _inside_app(getattr(settings, setting))
    ]
