"""Two people asking for the same pack at the same moment (PostgreSQL: the unique index waits)."""

import pytest

from governance.auditlog.models import AuditEvent
from reports.models import EvidencePack, pack_id_for
from reports.packs import services
from tests.concurrency import in_threads
from tests.reports.packs.conftest import AFTER

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("pack_media", "pack_clock"),
]


def ask_twice_at_once(version, people) -> set[int]:
    packs = []

    def ask(index: int) -> None:
        packs.append(services.request_pack(actor=people[index], version=version, as_of=AFTER))

    assert in_threads(2, ask) == []
    return {pack.pk for pack in packs}


def pack_events() -> list[tuple[str, bool | None]]:
    found = AuditEvent.objects.filter(verb__startswith="evidence_pack.")
    return sorted((verb, after.get("reused")) for verb, after in found.values_list("verb", "after"))


def test_two_first_requests_for_one_pack_at_once_make_it_once(scorecard, owner, auditor) -> None:
    assert len(ask_twice_at_once(scorecard, [owner, auditor])) == 1
    [pack] = EvidencePack.objects.all()
    assert pack.status == EvidencePack.Status.READY
    assert pack_events() == [
        ("evidence_pack.generated", None),
        ("evidence_pack.requested", False),
        ("evidence_pack.requested", True),
    ]


def test_two_requests_for_a_failed_pack_at_once_queue_it_once(scorecard, owner, auditor) -> None:
    EvidencePack.objects.create(
        pack_id=pack_id_for(scorecard.pk, AFTER),
        version=scorecard,
        as_of=AFTER,
        requested_by=owner,
        status=EvidencePack.Status.FAILED,
        error="the worker was stopped",
    )
    assert len(ask_twice_at_once(scorecard, [owner, auditor])) == 1
    assert EvidencePack.objects.get().status == EvidencePack.Status.READY
    assert pack_events() == [
        ("evidence_pack.generated", None),
        ("evidence_pack.requested", False),
        ("evidence_pack.requested", True),
    ]
