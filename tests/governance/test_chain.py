"""Pure hash chaining: no database."""

import datetime as dt
import decimal

import pytest

from governance.chain import GENESIS, ChainLink, canonical_json, event_hash, first_break


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
