"""Governance reads: the audit trail and its integrity, and a model's checklist coverage."""

from collections.abc import Iterator
from datetime import date

from django.utils import timezone

from governance import chain
from governance.models import AuditChainHead, AuditEvent, Control
from governance.risk.coverage import Coverage, Item, summarise
from registry.models import MLModel


def _links() -> Iterator[chain.ChainLink]:
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        yield chain.ChainLink(event.seq, event.prev_hash, event.hash, event.payload())


def audit_chain_break() -> chain.ChainBreak | None:
    """The first event that does not follow from the one before it, or None if intact.

    Also compares the last event with the head row, so deleting the newest events shows too.
    """
    found = chain.first_break(_links())
    if found is not None:
        return found
    head = AuditChainHead.objects.filter(pk=1).first()
    last = AuditEvent.objects.order_by("-seq").first()
    last_seq, last_hash = (last.seq, last.hash) if last else (0, chain.GENESIS)
    if head is not None and (head.last_seq, head.last_hash) != (last_seq, last_hash):
        return chain.ChainBreak(head.last_seq, f"events after #{last_seq} are missing")
    return None


def coverage(model: MLModel, today: date | None = None) -> Coverage:
    """The model's checklist in one sentence: evidenced, waived, missing, and what is due next."""
    rows = Control.objects.filter(model=model, applies=True).values_list(
        "reference", "title", "status", "due_on", "waiver_expires_on"
    )
    return summarise((Item(*row) for row in rows), today or timezone.localdate())
