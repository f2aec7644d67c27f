"""Audit trail reads: whether the chain is intact, and whether it still holds what its signed
checkpoints (kept outside the database) say it held."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from governance import auditkeys, chain, checkpoint, roles
from governance.auditlog import checkpoints
from governance.auditlog.models import AuditChainHead, AuditEvent


def _links(through_seq: int | None = None) -> Iterator[chain.ChainLink]:
    events = AuditEvent.objects.order_by("seq")
    if through_seq is not None:
        events = events.filter(seq__lte=through_seq)
    for event in events.iterator(chunk_size=2000):
        yield chain.ChainLink(event.seq, event.prev_hash, event.hash, event.payload(), event.key_id)


def _last() -> tuple[int, str]:
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last is not None else (0, chain.GENESIS)


def audit_chain_break() -> chain.ChainBreak | None:
    """The first event that does not follow from the one before it under the configured keys,
    or None if intact.

    Also compares the last event with the head row, so deleting the newest events shows too
    (unless the head was rewound with them: only a checkpoint shows that).
    """
    found = chain.first_break(_links(), auditkeys.verification_keys(), whole_chain=True)
    if found is not None:
        return found
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq, last_hash = _last()
    if head is not None and (head.last_seq, head.last_hash) != (last_seq, last_hash):
        return chain.ChainBreak(head.last_seq, f"events after #{last_seq} are missing")
    return None


def chain_break_through(seq: int) -> chain.ChainBreak | None:
    """The first broken event among events #1 to #seq (a prefix: it may end unkeyed)."""
    return chain.first_break(_links(seq), auditkeys.verification_keys())


@dataclass(frozen=True)
class CheckpointCheck:
    """What the signed checkpoints say about the stored chain."""

    checked: int
    newest: checkpoint.Checkpoint | None
    contradictions: tuple[str, ...]  # a checkpoint the chain no longer holds, or a bad file
    stale: str | None = None  # none signed recently enough

    @property
    def problems(self) -> tuple[str, ...]:
        return (*self.contradictions, *([self.stale] if self.stale else []))


def _problems_of(found: checkpoints.Found, head_seq: int) -> list[str]:
    name = found.path.name
    if not found.signed_by_trusted_key:
        unsigned = "the signature does not verify against a trusted public key"
        return [f"checkpoint {name}: {unsigned} (forged, altered or signed by another key)"]
    cp = found.checkpoint
    stored = AuditEvent.objects.filter(seq=cp.seq).values_list("hash", flat=True).first()
    problem = checkpoint.chain_problem(cp, head_seq, stored)
    return [] if problem is None else [f"checkpoint {name}: {problem}"]


def _stale(newest: checkpoint.Checkpoint | None, now: datetime) -> str | None:
    """A checkpoint should have been signed within the last N days, once the chain is that old."""
    days = settings.ATTEST_CHECKPOINT_MAX_AGE_DAYS
    cutoff = now - timedelta(days=days)
    if newest is not None and newest.signed_at >= cutoff:
        return None
    if not AuditEvent.objects.filter(occurred_at__lt=cutoff).exists():
        return None
    last = (
        f"the newest was signed {newest.signed_at:%Y-%m-%d %H:%M} UTC" if newest else "none found"
    )
    return f"checkpoint missing: none signed in the last {days} days ({last})"


def _load_all(
    paths: Sequence[Path], public_key_file: Path | None
) -> tuple[list[checkpoints.Found], list[str]]:
    if not paths:  # no key needed (nor created) to read no checkpoint
        return [], []
    trusted = checkpoints.trusted_keys(public_key_file)
    loaded: list[checkpoints.Found] = []
    problems: list[str] = []
    for path in paths:
        try:
            loaded.append(checkpoints.load(path, trusted))
        except (OSError, checkpoint.CheckpointError) as error:
            problems.append(f"checkpoint {path.name}: unreadable ({error})")
    return loaded, problems


def checkpoint_check(
    paths: Sequence[Path] | None = None, *, public_key_file: Path | None = None
) -> CheckpointCheck:
    """Check the chain against the given checkpoint files, or every one in the checkpoint
    directory (then also that one was signed recently enough)."""
    loaded, problems = _load_all(paths or checkpoints.in_directory(), public_key_file)
    head_seq = _last()[0]
    for found in loaded:
        problems += _problems_of(found, head_seq)
    trusted = [f.checkpoint for f in loaded if f.signed_by_trusted_key]
    newest = max(trusted, key=lambda c: (c.signed_at, c.seq), default=None)
    stale = _stale(newest, timezone.now()) if paths is None else None
    return CheckpointCheck(len(loaded), newest, tuple(problems), stale)


def latest_checkpoint(as_of: datetime) -> checkpoints.Found | None:
    """The newest checkpoint signed by a trusted key at or before `as_of` (None if none)."""
    loaded, _ = _load_all(checkpoints.in_directory(), None)
    signed = [f for f in loaded if f.signed_by_trusted_key and f.checkpoint.signed_at <= as_of]
    return max(signed, key=lambda f: (f.checkpoint.signed_at, f.checkpoint.seq), default=None)


def checkpoint_holds(found: checkpoint.Checkpoint) -> bool:
    """Whether the stored event the checkpoint covers still has the hash it signed."""
    stored = AuditEvent.objects.filter(seq=found.seq).values_list("hash", flat=True).first()
    return stored == found.head_hash


def checkpoint_recipients() -> list[str]:
    """The e-mail addresses of the active auditors and compliance officers."""
    members = User.objects.filter(
        groups__name__in=[roles.AUDITOR, roles.COMPLIANCE], is_active=True
    ).exclude(email="")
    return sorted(set(members.values_list("email", flat=True)))
