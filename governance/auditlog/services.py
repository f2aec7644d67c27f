"""Checking the audit trail's integrity and recording that the check ran."""

import logging

from django.db import transaction

from governance import audit
from governance.auditlog import selectors
from governance.auditlog.models import AuditEvent

logger = logging.getLogger(__name__)


def record_audit_chain_check() -> AuditEvent:
    """Verify the whole chain and append the verdict to it, as evidence the control operates.

    The check reads outside the transaction so writers are not held up while it runs.
    """
    found = selectors.audit_chain_break()
    checked = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    verdict: dict[str, object] = {"intact": found is None, "checked_through_seq": checked}
    if found is not None:
        verdict |= {"broken_at_seq": found.seq, "reason": found.reason}
        logger.error("audit chain broken at #%s: %s", found.seq, found.reason)
    with transaction.atomic():
        return audit.record(
            actor=None, verb="audit.verified", target=audit.locked_head(), after=verdict
        )
