"""Signed checkpoints of the audit chain: the head's sequence number and hash at a moment, signed
with Ed25519 and kept outside the database. No Django here.

A checkpoint is a small JSON document; the signature covers its canonical JSON without the
signature itself, so any edit of a field shows.
"""

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from governance.chain import canonical_json

FORMAT = "attest-audit-checkpoint/1"


class CheckpointError(ValueError):
    """A checkpoint document that cannot be read."""


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head as it stood when signed."""

    seq: int
    head_hash: str
    key_id: str
    signed_at: dt.datetime
    signer: str  # the fingerprint of the Ed25519 key that signed it

    def body(self) -> dict[str, object]:
        """The signed fields, as plain data."""
        return {
            "format": FORMAT,
            "seq": self.seq,
            "head_hash": self.head_hash,
            "key_id": self.key_id,
            "signed_at": self.signed_at.astimezone(dt.UTC).isoformat(),
            "signer": self.signer,
        }


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hex: names a signing key without revealing anything."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign(checkpoint: Checkpoint, private_key: Ed25519PrivateKey) -> dict[str, object]:
    """The checkpoint as a JSON-ready document with its base64 signature."""
    body = checkpoint.body()
    signature = private_key.sign(canonical_json(body).encode())
    return {**body, "signature": base64.b64encode(signature).decode()}


def read(document: Mapping[str, object]) -> Checkpoint:
    """The checkpoint a document states (its signature not yet checked)."""
    if document.get("format") != FORMAT:
        raise CheckpointError(f"not an Attest audit checkpoint (format {document.get('format')!r})")
    try:
        return Checkpoint(
            seq=int(str(document["seq"])),
            head_hash=str(document["head_hash"]),
            key_id=str(document["key_id"]),
            signed_at=dt.datetime.fromisoformat(str(document["signed_at"])),
            signer=str(document["signer"]),
        )
    except (KeyError, ValueError) as error:
        raise CheckpointError(f"unreadable checkpoint: {error}") from error


def signature_valid(
    document: Mapping[str, object], trusted: Mapping[str, Ed25519PublicKey]
) -> bool:
    """Whether a trusted key (by fingerprint) signed exactly this document's fields."""
    checkpoint = read(document)
    public_key = trusted.get(checkpoint.signer)
    if public_key is None:
        return False
    try:
        signature = base64.b64decode(str(document.get("signature", "")), validate=True)
        public_key.verify(signature, canonical_json(checkpoint.body()).encode())
    except (InvalidSignature, binascii.Error):
        return False
    return True


def chain_problem(checkpoint: Checkpoint, head_seq: int, hash_at_seq: str | None) -> str | None:
    """How the stored chain contradicts a checkpoint, or None if it still holds what was signed.

    Args:
        head_seq: the last event's sequence number in the stored chain.
        hash_at_seq: the stored hash of event #checkpoint.seq (None when there is no such event).
    """
    signed = f"the checkpoint signed {checkpoint.signed_at:%Y-%m-%d %H:%M} UTC"
    if checkpoint.seq > head_seq:
        return (
            f"head rewound: {signed} covers event #{checkpoint.seq}, but the chain ends at "
            f"#{head_seq} (newest events deleted)"
        )
    if hash_at_seq is None:
        return f"event #{checkpoint.seq}, covered by {signed}, is missing (deleted)"
    if hash_at_seq != checkpoint.head_hash:
        return (
            f"chain rewritten: event #{checkpoint.seq} no longer has the hash {signed} "
            f"holds ({checkpoint.head_hash[:16]}…)"
        )
    return None
