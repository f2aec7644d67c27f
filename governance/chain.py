"""Hash chaining of audit events: canonical JSON in, SHA-256 out. No Django here."""

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64


def _default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"cannot hash a {type(value).__name__}")


def canonical_json(payload: Mapping[str, object]) -> str:
    """One spelling per payload: sorted keys, fixed separators, ISO datetimes, decimals as text."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_default)


def event_hash(prev_hash: str, payload: Mapping[str, object]) -> str:
    """SHA-256 over the previous event's hash and this event's canonical payload."""
    return hashlib.sha256(f"{prev_hash}\n{canonical_json(payload)}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainLink:
    """One stored event as the verifier sees it."""

    seq: int
    prev_hash: str
    hash: str
    payload: Mapping[str, object]


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain first stops matching, and why."""

    seq: int
    reason: str


def first_break(links: Iterable[ChainLink]) -> ChainBreak | None:
    """Walk the events in order; return the first that does not follow from its predecessor."""
    expected_prev = GENESIS
    for link in links:
        if link.prev_hash != expected_prev:
            return ChainBreak(link.seq, "previous hash does not match the event before it")
        if event_hash(link.prev_hash, link.payload) != link.hash:
            return ChainBreak(link.seq, "content does not match its hash (edited)")
        expected_prev = link.hash
    return None
