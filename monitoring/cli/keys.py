"""Idempotency keys derived from what is pushed, so running a command again writes nothing new.

The key hashes the command, the model, the version, the options and the content: the same push
re-run after a network failure carries the same key and the server replays its first answer;
a changed file or option carries another key. Chunk i of n adds `:i/n` to the base key.
"""

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from monitoring.cli.errors import CliError

OVERRIDE_MAX = 160  # the server takes 200; this leaves room for a suffix like ":12345/12345"
BLOCK = 1024 * 1024


def derive(
    command: str,
    *,
    model: str,
    version: str,
    content_sha256: str,
    options: Mapping[str, str],
    override: str | None = None,
) -> str:
    """`attest-<command>-<sha256>`, the same for the same push; or the caller's own key."""
    if override is not None:
        return _checked(override)
    digest = hashlib.sha256()
    for part in (command, model, version, canonical(dict(options)), content_sha256):
        digest.update(part.encode() + b"\0")
    return f"attest-{command}-{digest.hexdigest()}"


def _checked(override: str) -> str:
    override = override.strip()
    if not override or len(override) > OVERRIDE_MAX:
        raise CliError(f"--idempotency-key must be 1 to {OVERRIDE_MAX} characters")
    return override


def for_chunk(base: str, index: int, total: int) -> str:
    """The key of chunk `index` (1-based) of `total`."""
    return f"{base}:{index}/{total}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


def data_sha256(data: Any) -> str:
    return hashlib.sha256(canonical(data).encode()).hexdigest()


def canonical(data: Any) -> str:
    """JSON with sorted keys and no spaces: equal data, equal text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
