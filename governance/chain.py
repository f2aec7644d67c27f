"""Hash chaining of audit events: canonical JSON in, a keyed hash out. No Django here.

Events are chained with HMAC-SHA256 under a key kept outside the database, named by a key id
stored on each event, so whoever can rewrite the table cannot recompute the chain. Events
recorded before keyed hashing (key id "") keep their plain SHA-256 up to the re-anchoring event
that first chains onto them under a key; no unkeyed event may follow it.
"""

import datetime as dt
import decimal
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64
LEGACY_KEY_ID = ""
# The only events at which the key id may change from the event before them.
REANCHORED = "audit.reanchored"
KEY_ROTATED = "audit.key_rotated"


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
    """The legacy, unkeyed rule: SHA-256 over the previous event's hash and this event's payload."""
    return hashlib.sha256(f"{prev_hash}\n{canonical_json(payload)}".encode()).hexdigest()


def keyed_hash(key: bytes, key_id: str, prev_hash: str, payload: Mapping[str, object]) -> str:
    """HMAC-SHA256 under `key` over the key id, the previous event's hash and this payload."""
    message = f"{key_id}\n{prev_hash}\n{canonical_json(payload)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainLink:
    """One stored event as the verifier sees it."""

    seq: int
    prev_hash: str
    hash: str
    payload: Mapping[str, object]
    key_id: str = LEGACY_KEY_ID


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain first stops matching, and why."""

    seq: int
    reason: str


def _missing(expected_seq: int, seq: int) -> str:
    gone = (
        f"event #{expected_seq}"
        if seq == expected_seq + 1
        else f"events #{expected_seq} to #{seq - 1}"
    )
    return f"{gone} missing (deleted): the previous hash does not match the event before it"


def _content_break(link: ChainLink, keys: Mapping[str, bytes]) -> str | None:
    """Why this event's hash does not follow from its content and key, or None if it does."""
    if link.key_id == LEGACY_KEY_ID:
        ok = hmac.compare_digest(event_hash(link.prev_hash, link.payload), link.hash)
        return None if ok else "content does not match its hash (edited)"
    key = keys.get(link.key_id)
    if key is None:
        return f"hashed under key {link.key_id!r}, which this verifier does not hold"
    ok = hmac.compare_digest(keyed_hash(key, link.key_id, link.prev_hash, link.payload), link.hash)
    return (
        None if ok else "content does not match its keyed hash (edited or rehashed without the key)"
    )


def _key_change_break(link: ChainLink, previous_key_id: str | None) -> str | None:
    """A key id changes only at a re-anchoring or rotation event, and never back to unkeyed."""
    if previous_key_id is None or link.key_id == previous_key_id:
        return None
    if link.key_id == LEGACY_KEY_ID:
        return "unkeyed event after the chain was anchored under a key (rewritten)"
    if link.payload.get("verb") not in (REANCHORED, KEY_ROTATED):
        return f"key changes from {previous_key_id!r} to {link.key_id!r} without a rotation event"
    return None


def _link_break(
    link: ChainLink,
    expected_prev: str,
    expected_seq: int,
    previous_key_id: str | None,
    keys: Mapping[str, bytes],
) -> str | None:
    """Why one event does not follow from the one verified before it, or None if it does."""
    if link.prev_hash != expected_prev:
        if link.seq > expected_seq:
            return _missing(expected_seq, link.seq)
        return "previous hash does not match the event before it"
    return _key_change_break(link, previous_key_id) or _content_break(link, keys)


def first_break(
    links: Iterable[ChainLink],
    keys: Mapping[str, bytes] | None = None,
    *,
    whole_chain: bool = False,
) -> ChainBreak | None:
    """Walk the events in order; return the first that does not follow from its predecessor.

    Args:
        keys: the HMAC keys by key id.
        whole_chain: the links run to the head, so a chain of unkeyed events only is broken
            too (the re-anchoring event that must follow them is missing); a prefix may end
            before its re-anchoring.
    """
    keys = keys or {}
    expected_prev, expected_seq, key_id, last_seq = GENESIS, 1, None, 0
    for link in links:
        reason = _link_break(link, expected_prev, expected_seq, key_id, keys)
        if reason is not None:
            return ChainBreak(link.seq, reason)
        expected_prev, expected_seq, key_id, last_seq = (
            link.hash,
            link.seq + 1,
            link.key_id,
            link.seq,
        )
    if whole_chain and key_id == LEGACY_KEY_ID:
        return ChainBreak(
            last_seq, "only unkeyed events: the chain was never re-anchored under a key"
        )
    return None
