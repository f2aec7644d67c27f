"""An evidence pack shows the audit trail's latest signed checkpoint taken by its as-of date."""

import json
from datetime import UTC, datetime

import pytest
import time_machine

from governance.auditlog import services as integrity
from reports.packs import verify
from tests.reports.packs.conftest import AFTER, pdf_of, requested
from tests.reports.packs.test_packs import embedded, text_of

pytestmark = pytest.mark.usefixtures("pack_media", "pack_clock")

SIGNED = datetime(2026, 10, 15, 0, 15, tzinfo=UTC)


@pytest.fixture
def checkpoint(scorecard, django_capture_on_commit_callbacks):
    with time_machine.travel(SIGNED, tick=False), django_capture_on_commit_callbacks(execute=True):
        return integrity.sign_checkpoint(actor=None)


def test_pack_shows_the_latest_checkpoint_in_words_and_in_its_data(
    checkpoint, scorecard, owner, django_capture_on_commit_callbacks
) -> None:
    pack = requested(owner, scorecard, AFTER, django_capture_on_commit_callbacks)
    pdf = pdf_of(pack)
    text = " ".join(text_of(pdf).split())
    assert "Signed checkpoint" in text
    assert f"covers events up to #{checkpoint.checkpoint.seq}" in text
    assert "The trail as recorded still matches it." in text
    assert "Signed 2026-10-15 00:15:00 UTC" in text
    record = json.loads(embedded(pdf)["evidence.json"])
    assert record["audit"]["checkpoint"] == {
        "seq": checkpoint.checkpoint.seq,
        "head_hash": checkpoint.checkpoint.head_hash,
        "signed_at": SIGNED.isoformat(),
        "signer": checkpoint.checkpoint.signer,
        "signature": checkpoint.document["signature"],
        "holds": True,
    }
    assert verify.verify_pack(pdf).intact


def test_pack_says_when_no_checkpoint_had_been_taken(
    checkpoint, scorecard, owner, django_capture_on_commit_callbacks
) -> None:
    before = datetime(2026, 10, 14, tzinfo=UTC)
    pack = requested(owner, scorecard, before, django_capture_on_commit_callbacks)
    text = " ".join(text_of(pdf_of(pack)).split())
    assert "No signed checkpoint of the audit trail had been taken by this date." in text
