"""Pure hash chaining and checkpoint signing: no database."""

import datetime as dt
import decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from governance.chain import (
    GENESIS,
    KEY_ROTATED,
    REANCHORED,
    ChainLink,
    canonical_json,
    event_hash,
    first_break,
    keyed_hash,
)
from governance.checkpoint import (
    Checkpoint,
    chain_problem,
    fingerprint,
    read,
    sign,
    signature_valid,
)


def _chain(payloads: list[dict]) -> list[ChainLink]:
    links, prev = [], GENESIS
    for seq, payload in enumerate(payloads, start=1):
        digest = event_hash(prev, payload)
        links.append(ChainLink(seq, prev, digest, payload))
        prev = digest
    return links


def test_canonical_json_ignores_key_order_and_spells_values_one_way():
    when = dt.datetime(2026, 4, 17, 9, 30, tzinfo=dt.UTC)
    a = canonical_json({"b": decimal.Decimal("1.50"), "a": when})
    b = canonical_json({"a": when, "b": decimal.Decimal("1.50")})
    assert a == b == '{"a":"2026-04-17T09:30:00+00:00","b":"1.50"}'


def test_hash_depends_on_previous_hash_and_payload():
    base = event_hash(GENESIS, {"verb": "model.registered"})
    assert base != event_hash("1" * 64, {"verb": "model.registered"})
    assert base != event_hash(GENESIS, {"verb": "model.updated"})
    assert len(base) == 64


def test_intact_chain_has_no_break():
    assert first_break(_chain([{"n": 1}, {"n": 2}, {"n": 3}])) is None


def test_edited_payload_is_reported_at_its_sequence_number():
    links = _chain([{"n": 1}, {"n": 2}, {"n": 3}])
    links[1] = ChainLink(2, links[1].prev_hash, links[1].hash, {"n": 999})
    found = first_break(links)
    assert found is not None
    assert (found.seq, found.reason) == (2, "content does not match its hash (edited)")


@pytest.mark.parametrize("removed", [0, 1])
def test_removed_event_breaks_the_link_of_its_successor(removed):
    links = _chain([{"n": 1}, {"n": 2}, {"n": 3}])
    del links[removed]
    found = first_break(links)
    assert found is not None
    assert found.seq == removed + 2
    assert "previous hash" in found.reason


# ---- Keyed chaining ---------------------------------------------------------------------------

KEY, OTHER = b"k" * 32, b"o" * 32


def _keyed(payloads: list[dict], key_id: str = "k1", start: int = 1, prev: str = GENESIS):
    links = []
    for seq, payload in enumerate(payloads, start=start):
        digest = keyed_hash(KEY, key_id, prev, payload)
        links.append(ChainLink(seq, prev, digest, payload, key_id))
        prev = digest
    return links


def test_keyed_chain_verifies_only_with_its_key():
    links = _keyed([{"n": 1}, {"n": 2}])
    assert first_break(links, {"k1": KEY}, whole_chain=True) is None
    found = first_break(links, {"k1": OTHER})
    assert found is not None
    assert found.seq == 1
    assert "rehashed without the key" in found.reason
    found = first_break(links, {})
    assert found is not None
    assert "does not hold" in found.reason


@pytest.mark.parametrize("rehash", ["plain", "wrong key"])
def test_rewriting_and_recomputing_without_the_key_is_caught(rehash):
    links = _keyed([{"n": 1}, {"n": 2}, {"n": 3}])
    prev, forged = links[0].hash, links[:1]
    for seq, payload in ((2, {"n": 999}), (3, {"n": 3})):
        if rehash == "plain":
            digest = event_hash(prev, payload)
        else:
            digest = keyed_hash(OTHER, "k1", prev, payload)
        key_id = "" if rehash == "plain" else "k1"
        forged.append(ChainLink(seq, prev, digest, payload, key_id))
        prev = digest
    found = first_break(forged, {"k1": KEY})
    assert found is not None
    assert found.seq == 2


def test_legacy_events_verify_up_to_the_reanchoring_event_and_not_after_it():
    legacy = _chain([{"n": 1}, {"n": 2}])
    anchor = _keyed([{"verb": REANCHORED}], start=3, prev=legacy[-1].hash)
    later = _keyed([{"n": 4}], start=4, prev=anchor[-1].hash)
    assert first_break([*legacy, *anchor, *later], {"k1": KEY}, whole_chain=True) is None
    unkeyed = ChainLink(4, anchor[-1].hash, event_hash(anchor[-1].hash, {"n": 4}), {"n": 4})
    found = first_break([*legacy, *anchor, unkeyed], {"k1": KEY})
    assert found is not None
    assert found.seq == 4
    assert found.reason.startswith("unkeyed event after the chain was anchored")


def test_a_chain_of_unkeyed_events_only_was_never_reanchored():
    found = first_break(_chain([{"n": 1}, {"n": 2}]), {"k1": KEY}, whole_chain=True)
    assert found is not None
    assert "never re-anchored" in found.reason


def test_the_key_changes_only_at_a_rotation_event():
    first = _keyed([{"n": 1}])
    prev = first[0].hash

    def under_k2(payload: dict) -> ChainLink:
        return ChainLink(2, prev, keyed_hash(OTHER, "k2", prev, payload), payload, "k2")

    rotated, sneaked = under_k2({"verb": KEY_ROTATED}), under_k2({"n": 2})
    keys = {"k1": KEY, "k2": OTHER}
    assert first_break([*first, rotated], keys) is None
    found = first_break([*first, sneaked], keys)
    assert found is not None
    assert "without a rotation event" in found.reason


def test_a_deleted_event_in_the_middle_is_named():
    links = _keyed([{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}])
    found = first_break([links[0], links[3]], {"k1": KEY})
    assert found is not None
    assert (found.seq, found.reason.split(" missing")[0]) == (4, "events #2 to #3")


# ---- Signed checkpoints ------------------------------------------------------------------------

SIGNED_AT = dt.datetime(2026, 12, 1, 0, 15, tzinfo=dt.UTC)


def _signed(private_key: Ed25519PrivateKey, seq: int = 7) -> dict[str, object]:
    found = Checkpoint(seq, "a" * 64, "k1", SIGNED_AT, fingerprint(private_key.public_key()))
    return sign(found, private_key)


def test_a_checkpoint_verifies_under_its_key_and_not_once_altered():
    key = Ed25519PrivateKey.generate()
    trusted = {fingerprint(key.public_key()): key.public_key()}
    document = _signed(key)
    assert signature_valid(document, trusted)
    assert read(document).seq == 7
    assert not signature_valid({**document, "seq": 8}, trusted)
    assert not signature_valid(_signed(Ed25519PrivateKey.generate()), trusted)


@pytest.mark.parametrize(
    ("head_seq", "stored", "expected"),
    [
        (9, "a" * 64, None),
        (5, None, "head rewound"),
        (9, "b" * 64, "chain rewritten"),
        (9, None, "is missing (deleted)"),
    ],
)
def test_the_stored_chain_is_compared_with_a_checkpoint(head_seq, stored, expected):
    found = Checkpoint(7, "a" * 64, "k1", SIGNED_AT, "f" * 64)
    problem = chain_problem(found, head_seq, stored)
    assert problem is None if expected is None else expected in problem
