"""Checking the audit trail's integrity, signing checkpoints of it, and recording both."""

import json
import logging
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from governance import audit, checkpoint
from governance.auditlog import checkpoints, selectors
from governance.auditlog.models import AuditEvent
from governance.errors import DomainError

logger = logging.getLogger(__name__)


def record_audit_chain_check() -> AuditEvent:
    """Verify the whole chain, and against its signed checkpoints, and append the verdict to it,
    as evidence the control operates.

    The check reads outside the transaction so writers are not held up while it runs.
    """
    found = selectors.audit_chain_break()
    held = selectors.checkpoint_check()
    checked = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    verdict: dict[str, object] = {
        "intact": found is None and not held.problems,
        "checked_through_seq": checked,
        "checkpoints_checked": held.checked,
    }
    if found is not None:
        verdict |= {"broken_at_seq": found.seq, "reason": found.reason}
        logger.error("audit chain broken at #%s: %s", found.seq, found.reason)
    if held.problems:
        verdict["checkpoint_problems"] = list(held.problems)
        logger.error("audit chain contradicts its checkpoints: %s", "; ".join(held.problems))
    with transaction.atomic():
        return audit.record(
            actor=None, verb="audit.verified", target=audit.locked_head(), after=verdict
        )


def _refuse_if_broken() -> None:
    """A checkpoint vouches for the chain: never sign one over a chain that is already broken."""
    found = selectors.audit_chain_break()
    if found is not None:
        message = f"the audit chain is broken at event #{found.seq}: {found.reason}"
        raise DomainError(field="chain", message=message)
    held = selectors.checkpoint_check()  # a stale one is what signing puts right
    if held.contradictions:
        message = f"the audit chain contradicts a checkpoint: {held.contradictions[0]}"
        raise DomainError(field="chain", message=message)


def sign_checkpoint(*, actor: User | None = None) -> checkpoints.Found:
    """Sign the chain's head with the checkpoint key, store it outside the database, record it,
    and e-mail it to the auditors once committed."""
    _refuse_if_broken()
    key = checkpoints.signing_key()
    to = selectors.checkpoint_recipients()
    with transaction.atomic():
        head = audit.locked_head()
        signed = checkpoint.Checkpoint(
            seq=head.last_seq,
            head_hash=head.last_hash,
            key_id=head.key_id,
            signed_at=timezone.now(),
            signer=checkpoint.fingerprint(key.public_key()),
        )
        document = checkpoint.sign(signed, key)
        path = checkpoints.write(document)
        audit.record(
            actor=actor,
            verb="audit.checkpoint_signed",
            target=head,
            after={**signed.body(), "file": path.name, "emailed_to": to},
        )
        pem = checkpoints.public_pem(key.public_key())
        transaction.on_commit(lambda: email_checkpoint(document, path, pem, to))
    return checkpoints.Found(path, signed, document, signed_by_trusted_key=True)


def email_checkpoint(document: dict[str, object], path: Path, pem: str, to: list[str]) -> int:
    """Send a signed checkpoint, and the public key that verifies it, to the auditors."""
    if not to:
        return 0
    signed = checkpoint.read(document)
    message = EmailMessage(
        subject=f"Audit trail checkpoint: event #{signed.seq}",
        body=(
            f"Attest signed a checkpoint of its audit trail on {signed.signed_at:%d %B %Y at %H:%M} "
            f"UTC. Keep this e-mail: it lets you show later that the trail was not rewritten.\n\n"
            f"Last event: #{signed.seq}\nIts hash: {signed.head_hash}\n"
            f"Signing key fingerprint (SHA-256): {signed.signer}\n\n"
            "To check the trail against it: manage.py verify_audit_chain --checkpoint <this file> "
            "--public-key <the attached key>\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach(path.name, json.dumps(document, indent=2, sort_keys=True), "application/json")
    message.attach("checkpoint-signing-public-key.pem", pem, "application/x-pem-file")
    return message.send()
