"""The audit chain's HMAC keys, read from the environment or a key file, never from the database.

A key ring is `id:secret` entries (comma-separated in ATTEST_AUDIT_KEY, or one a line in the key
file, `#` for comments); the last entry is the current key, the ones before it stay to verify
older events. Secrets are hex (at least 32 bytes). Without any configuration a development key
file is created under var/; with ATTEST_PRODUCTION=true it never is.
"""

import functools
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")
MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class HmacKey:
    """One key of the ring: its id (stored on each event it hashes) and secret."""

    key_id: str
    secret: bytes = b""

    def __repr__(self) -> str:  # the secret never reaches a log or a traceback
        return f"HmacKey({self.key_id!r})"


def _entry(text: str, source: str) -> HmacKey:
    key_id, _, secret = text.strip().partition(":")
    if not KEY_ID.fullmatch(key_id):
        raise ImproperlyConfigured(f"{source}: key id {key_id!r} must be 1-32 of A-Z a-z 0-9 . _ -")
    try:
        raw = bytes.fromhex(secret.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"{source}: the secret of key {key_id!r} is not hex") from error
    if len(raw) < MIN_SECRET_BYTES:
        raise ImproperlyConfigured(f"{source}: key {key_id!r} is shorter than 32 bytes")
    return HmacKey(key_id, raw)


def parse_ring(text: str, source: str) -> tuple[HmacKey, ...]:
    """The keys a ring's text lists, oldest first; refuses an empty ring or a repeated id."""
    lines = [line for line in text.splitlines() if not line.strip().startswith("#")]
    ring = tuple(_entry(e, source) for line in lines for e in line.split(",") if e.strip())
    if not ring:
        raise ImproperlyConfigured(f"{source}: no audit key in it")
    ids = [k.key_id for k in ring]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured(f"{source}: a key id is listed twice")
    return ring


def create_exclusively(path: Path, content: bytes, mode: int = 0o600) -> bool:
    """Write a file that must not exist yet, whole or not at all: False if it already existed.

    Written aside, then hard-linked into place, so a concurrent reader never sees it half written
    and a concurrent writer never overwrites it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
        os.link(aside, path)
    except FileExistsError:
        return False
    finally:
        aside.unlink()
    return True


def _create_dev_ring(path: Path) -> None:
    """A random development key, created once (concurrent processes: the first one wins)."""
    comment = "# Development audit key, created by Attest: not for production."
    create_exclusively(path, f"{comment}\ndev-1:{secrets.token_hex(32)}\n".encode())


@functools.cache
def _ring(inline: str, path: Path, production: bool) -> tuple[HmacKey, ...]:
    if inline:
        return parse_ring(inline, "ATTEST_AUDIT_KEY")
    if not path.exists():
        if production:
            raise ImproperlyConfigured(f"no audit key: set ATTEST_AUDIT_KEY_FILE ({path} missing)")
        _create_dev_ring(path)
    return parse_ring(path.read_text(), str(path))


def ring() -> tuple[HmacKey, ...]:
    """Every configured key, oldest first (read once per process and configuration)."""
    return _ring(
        settings.ATTEST_AUDIT_KEY, Path(settings.ATTEST_AUDIT_KEY_FILE), settings.PRODUCTION
    )


def current_key() -> HmacKey:
    """The key new events are hashed under."""
    return ring()[-1]


def verification_keys() -> dict[str, bytes]:
    """Every configured secret by key id, to verify events old and new."""
    return {key.key_id: key.secret for key in ring()}
