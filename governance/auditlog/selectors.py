"""Audit trail reads: whether the chain is intact."""

from collections.abc import Iterator

from governance import chain
from governance.auditlog.models import AuditChainHead, AuditEvent


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
