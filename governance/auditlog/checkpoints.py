"""Checkpoint files and keys on disk: the Ed25519 signing key, the trusted public keys, and the
signed checkpoints in ATTEST_CHECKPOINT_DIR. Nothing here touches the database."""

import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from governance import auditkeys, checkpoint

PATTERN = "checkpoint-*.json"


@dataclass(frozen=True)
class Found:
    """One checkpoint file: where it is, what it says, and whether a trusted key signed it."""

    path: Path
    checkpoint: checkpoint.Checkpoint
    document: dict[str, object]
    signed_by_trusted_key: bool


def _create_dev_signing_key(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    auditkeys.create_exclusively(path, pem)  # a concurrent process may have created it first


def signing_key() -> Ed25519PrivateKey:
    """The checkpoint signing key (a development one is created under var/ outside production)."""
    path = Path(settings.ATTEST_CHECKPOINT_SIGNING_KEY_FILE)
    if not path.exists():
        if settings.PRODUCTION:
            raise ImproperlyConfigured(f"no checkpoint signing key: {path} is missing")
        _create_dev_signing_key(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 private key")
    return key


def public_pem(key: Ed25519PublicKey) -> str:
    """The public half as PEM, for an auditor to verify checkpoints with."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _pem_blocks(text: str) -> list[str]:
    marker = "-----BEGIN"
    return [marker + block for block in text.split(marker)[1:]]


def trusted_keys(public_key_file: Path | None = None) -> dict[str, Ed25519PublicKey]:
    """The public keys checkpoints may be signed with, by fingerprint: those in the given or
    configured PEM file (several may follow one another), else the signing key's own."""
    path = public_key_file or (
        Path(settings.ATTEST_CHECKPOINT_PUBLIC_KEY_FILE)
        if settings.ATTEST_CHECKPOINT_PUBLIC_KEY_FILE
        else None
    )
    if path is None:
        own = signing_key().public_key()
        return {checkpoint.fingerprint(own): own}
    keys = [serialization.load_pem_public_key(b.encode()) for b in _pem_blocks(path.read_text())]
    ed25519 = [k for k in keys if isinstance(k, Ed25519PublicKey)]
    return {checkpoint.fingerprint(k): k for k in ed25519}


def file_name(found: checkpoint.Checkpoint) -> str:
    """Sorts by sequence number, then time."""
    return f"checkpoint-{found.seq:012d}-{found.signed_at:%Y%m%dT%H%M%S%f}Z.json"


def write(document: dict[str, object], directory: Path | None = None) -> Path:
    """Store a signed checkpoint as a new, read-only file in the checkpoint directory."""
    directory = directory or Path(settings.ATTEST_CHECKPOINT_DIR)
    path = directory / file_name(checkpoint.read(document))
    content = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
    if not auditkeys.create_exclusively(path, content, 0o444):
        raise FileExistsError(f"{path} exists: a checkpoint is never overwritten")
    return path


def load(path: Path, trusted: dict[str, Ed25519PublicKey]) -> Found:
    """Read one checkpoint file (raises CheckpointError or OSError when it cannot be read)."""
    try:
        document = json.loads(path.read_text())
    except ValueError as error:
        raise checkpoint.CheckpointError(f"not JSON: {error}") from error
    if not isinstance(document, dict):
        raise checkpoint.CheckpointError("not a JSON object")
    found = checkpoint.read(document)
    return Found(path, found, document, checkpoint.signature_valid(document, trusted))


def in_directory(directory: Path | None = None) -> list[Path]:
    """The checkpoint files in the directory, oldest first (none when it does not exist)."""
    directory = directory or Path(settings.ATTEST_CHECKPOINT_DIR)
    return sorted(directory.glob(PATTERN)) if directory.is_dir() else []
