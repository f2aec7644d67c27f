"""A trail a database administrator cannot rewrite unseen: keyed hashes, signed checkpoints kept
outside the database, key rotation and the re-anchoring of an unkeyed chain.

Tampering goes through SQL with the append-only trigger disabled, as a DBA could."""

import importlib
import json
from datetime import timedelta

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from governance import audit, auditkeys, chain, checkpoint
from governance.auditlog import checkpoints, selectors, tasks
from governance.auditlog import services as integrity
from governance.auditlog.checks import audit_keys_are_not_development_defaults
from governance.auditlog.models import AuditChainHead, AuditEvent
from registry import services
from tests.governance.test_audit_chain import _tamper

K1 = "k1:" + "11" * 32
K2 = "k2:" + "22" * 32
reanchor = importlib.import_module("governance.migrations.0018_reanchor_audit_chain").reanchor


def _register(owner, *slugs: str) -> None:
    for slug in slugs:
        services.register_model(
            actor=owner, slug=slug, name=slug.upper(), business_unit="Retail", model_type="vendor"
        )


@pytest.fixture
def signed(credit_pd_model, owner, django_capture_on_commit_callbacks) -> checkpoints.Found:
    """Five events, then a checkpoint of them (the sixth records the signing), then two more."""
    _register(owner, "lgd", "ead", "ccf", "sme")
    with django_capture_on_commit_callbacks(execute=True):
        found = integrity.sign_checkpoint(actor=None)
    _register(owner, "mort", "card")
    return found


def _verify(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit_chain", *args)
    return str(caught.value)


def _rewind_head_to(seq: int) -> None:
    last = AuditEvent.objects.get(seq=seq)
    _tamper("DELETE FROM governance_auditevent WHERE seq > %s", [seq])
    AuditChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=last.hash)


def _rehash_from(seq: int, rehash) -> None:
    """Recompute every hash from event #seq on with `rehash(prev, event) -> (key_id, hash)`."""
    prev = AuditEvent.objects.get(seq=seq - 1).hash
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        key_id, digest = rehash(prev, event)
        _tamper(
            "UPDATE governance_auditevent SET prev_hash = %s, hash = %s, key_id = %s WHERE seq = %s",
            [prev, digest, key_id, event.seq],
        )
        prev = digest
    last = AuditEvent.objects.order_by("-seq").first()
    AuditChainHead.objects.filter(pk=1).update(last_seq=last.seq, last_hash=last.hash)


def test_events_are_keyed_and_name_their_key(credit_pd_model):
    event = AuditEvent.objects.get(seq=1)
    key = auditkeys.current_key()
    assert event.key_id == key.key_id
    expected = chain.keyed_hash(key.secret, key.key_id, event.prev_hash, event.payload())
    assert event.hash == expected


def test_a_signed_checkpoint_is_written_outside_the_database_and_emailed_to_auditors(
    credit_pd_model, auditor, settings, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        found = integrity.sign_checkpoint(actor=None)
    assert found.path.parent == settings.ATTEST_CHECKPOINT_DIR
    document = json.loads(found.path.read_text())
    assert checkpoint.signature_valid(document, checkpoints.trusted_keys())
    assert document["seq"] == found.checkpoint.seq == AuditEvent.objects.count() - 1
    (mail,) = mailoutbox
    assert mail.to == [auditor.email]
    assert f"Last event: #{document['seq']}" in mail.body
    assert [name for name, _, _ in mail.attachments] == [
        found.path.name,
        "checkpoint-signing-public-key.pem",
    ]
    event = AuditEvent.objects.get(verb="audit.checkpoint_signed")
    assert (event.after["seq"], event.after["emailed_to"]) == (document["seq"], [auditor.email])


def test_the_command_signs_on_demand_and_the_verifier_accepts_it(credit_pd_model, capsys):
    call_command("sign_audit_checkpoint")
    assert "signed checkpoint at event #" in capsys.readouterr().out
    call_command("verify_audit_chain")
    assert "intact" in (out := capsys.readouterr().out)
    assert "1 checkpoints checked" in out


def test_an_edited_event_is_caught(signed):
    _tamper("UPDATE governance_auditevent SET actor_name = %s WHERE seq = %s", ["mallory", 3])
    assert "broken at event #3: content does not match its keyed hash" in _verify()


def test_a_deleted_event_in_the_middle_is_caught(signed):
    _tamper("DELETE FROM governance_auditevent WHERE seq = %s", [3])
    report = _verify()
    assert "broken at event #4: event #3 missing (deleted)" in report
    assert "event #5, covered by the checkpoint" not in report


def test_a_deleted_tail_with_the_head_rewound_is_caught_by_the_checkpoint(signed):
    _rewind_head_to(signed.checkpoint.seq - 2)
    assert selectors.audit_chain_break() is None  # the chain alone cannot tell
    report = _verify()
    assert "head rewound: the checkpoint signed" in report
    assert f"covers event #{signed.checkpoint.seq}" in report


@pytest.mark.parametrize("rehash", ["plain SHA-256", "a wrong key"])
def test_a_rewritten_chain_with_every_later_hash_recomputed_is_caught(signed, rehash):
    _tamper("UPDATE governance_auditevent SET verb = %s WHERE seq = %s", ["model.forged", 2])
    wrong = b"w" * 32

    def recompute(prev, event):
        if rehash == "plain SHA-256":
            return "", chain.event_hash(prev, event.payload())
        return event.key_id, chain.keyed_hash(wrong, event.key_id, prev, event.payload())

    _rehash_from(2, recompute)
    report = _verify()
    assert "broken at event #2" in report
    assert f"chain rewritten: event #{signed.checkpoint.seq} no longer has the hash" in report


def test_even_a_rewrite_with_the_key_is_caught_by_the_checkpoint(signed):
    _tamper("UPDATE governance_auditevent SET verb = %s WHERE seq = %s", ["model.forged", 2])
    key = auditkeys.current_key()
    _rehash_from(
        2, lambda prev, e: (e.key_id, chain.keyed_hash(key.secret, e.key_id, prev, e.payload()))
    )
    assert selectors.audit_chain_break() is None
    assert "chain rewritten" in _verify()


def test_a_checkpoint_given_on_the_command_line_is_checked(signed, tmp_path, settings):
    copy = tmp_path / signed.path.name
    copy.write_text(signed.path.read_text())
    settings.ATTEST_CHECKPOINT_DIR = tmp_path / "elsewhere"
    _rewind_head_to(2)
    assert "head rewound" in _verify("--checkpoint", str(copy))


def test_a_checkpoint_signed_by_another_key_is_refused(signed, tmp_path):
    forged = checkpoint.sign(signed.checkpoint, Ed25519PrivateKey.generate())
    path = tmp_path / "checkpoint-forged.json"
    path.write_text(json.dumps(forged))
    assert "signature does not verify against a trusted public key" in _verify(
        "--checkpoint", str(path)
    )


def test_no_checkpoint_in_the_last_days_is_reported(signed, settings):
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        report = _verify()
    assert (
        f"checkpoint missing: none signed in the last {settings.ATTEST_CHECKPOINT_MAX_AGE_DAYS} days"
        in report
    )


def test_a_young_chain_needs_no_checkpoint_yet(credit_pd_model, capsys):
    call_command("verify_audit_chain")
    assert "intact" in capsys.readouterr().out


def test_signing_over_a_broken_chain_is_refused(signed):
    _tamper("UPDATE governance_auditevent SET verb = %s WHERE seq = %s", ["model.forged", 2])
    with pytest.raises(CommandError, match="not signed: the audit chain is broken at event #2"):
        call_command("sign_audit_checkpoint")


def test_the_scheduled_check_records_checkpoint_problems(signed):
    _rewind_head_to(3)
    event = integrity.record_audit_chain_check()
    assert event.after["intact"] is False
    assert "head rewound" in event.after["checkpoint_problems"][0]


# ---- Rotation and re-anchoring ------------------------------------------------------------------


def test_rotation_records_an_event_and_old_events_verify_under_the_old_key(db, settings, request):
    _empty_chain()
    settings.ATTEST_AUDIT_KEY = K1
    owner = request.getfixturevalue("owner")
    _register(owner, "pd", "lgd")
    settings.ATTEST_AUDIT_KEY = f"{K1},{K2}"
    _register(owner, "ead")
    events = list(AuditEvent.objects.order_by("seq"))
    rotation = next(e for e in events if e.verb == chain.KEY_ROTATED)
    assert rotation.after == {"from_key_id": "k1", "to_key_id": "k2", "at_seq": rotation.seq - 1}
    assert events[rotation.seq - 2].key_id == "k1"
    assert {e.key_id for e in events if e.seq >= rotation.seq} == {"k2"}
    assert selectors.audit_chain_break() is None
    settings.ATTEST_AUDIT_KEY = K2  # the old keys dropped: their events can no longer be checked
    found = selectors.audit_chain_break()
    assert found is not None
    assert found.seq == 1
    assert found.reason.endswith("which this verifier does not hold")


def _empty_chain() -> None:
    """Start from no events (the test database holds those the shipped rulebooks recorded)."""
    _tamper("DELETE FROM governance_auditevent", [])
    AuditChainHead.objects.filter(pk=1).update(last_seq=0, last_hash=chain.GENESIS, key_id="")


def _legacy_chain(n: int) -> None:
    """A chain of events as recorded before keyed hashing only: plain SHA-256, no key id."""
    _empty_chain()
    with transaction.atomic():
        head = audit.locked_head()
        for seq in range(1, n + 1):
            event = AuditEvent(
                seq=seq,
                occurred_at=timezone.now(),
                actor_name="system",
                verb="model.registered",
                target_type="registry.mlmodel",
                target_id=str(seq),
                target_repr=f"model {seq}",
                prev_hash=head.last_hash,
            )
            event.hash = chain.event_hash(event.prev_hash, event.payload())
            event.save()
            head.last_seq, head.last_hash = seq, event.hash
        head.save()


def _write() -> None:
    """One event through the ordinary path (no persona: creating one records events)."""
    with transaction.atomic():
        audit.record(actor=None, verb="audit.verified", target=audit.locked_head(), after={})


def test_the_migration_reanchors_an_unkeyed_chain_under_the_key(db):
    _legacy_chain(3)
    assert "never re-anchored" in selectors.audit_chain_break().reason
    reanchor(apps, connection.schema_editor())
    anchor = AuditEvent.objects.get(seq=4)
    key = auditkeys.current_key()
    assert (anchor.verb, anchor.key_id, anchor.after["at_seq"]) == (chain.REANCHORED, key.key_id, 3)
    _write()
    assert selectors.audit_chain_break() is None
    assert AuditEvent.objects.filter(seq__gt=4).exclude(key_id=key.key_id).count() == 0


def test_the_first_write_reanchors_a_chain_the_migration_did_not(db):
    _legacy_chain(2)
    _write()
    assert AuditEvent.objects.get(seq=3).verb == chain.REANCHORED
    assert selectors.audit_chain_break() is None


def test_downgrading_the_anchored_chain_to_unkeyed_hashes_is_caught(db):
    _legacy_chain(2)
    _write()
    _write()
    _rehash_from(3, lambda prev, e: ("", chain.event_hash(prev, e.payload())))
    found = selectors.audit_chain_break()
    assert found is not None
    assert "never re-anchored" in found.reason


def test_deploy_check_refuses_the_development_keys(settings, tmp_path):
    # The development defaults, under the checkout (CI moves them with ATTEST_VAR_DIR).
    development = settings.BASE_DIR / "var"
    settings.ATTEST_AUDIT_KEY = ""
    settings.ATTEST_AUDIT_KEY_FILE = development / "keys" / "audit-hmac.keys"
    settings.ATTEST_CHECKPOINT_SIGNING_KEY_FILE = development / "keys" / "checkpoint-signing.pem"
    settings.ATTEST_CHECKPOINT_DIR = development / "checkpoints"
    assert {m.id for m in audit_keys_are_not_development_defaults()} == {
        "attest.E001",
        "attest.E002",
        "attest.E003",
    }
    settings.ATTEST_AUDIT_KEY_FILE = tmp_path / "hmac.keys"
    settings.ATTEST_CHECKPOINT_SIGNING_KEY_FILE = tmp_path / "signing.pem"
    settings.ATTEST_CHECKPOINT_DIR = tmp_path / "checkpoints"
    assert audit_keys_are_not_development_defaults() == []


def test_a_fresh_checkout_creates_a_private_development_key_once(settings, tmp_path):
    settings.ATTEST_AUDIT_KEY_FILE = tmp_path / "keys" / "audit-hmac.keys"
    first = auditkeys.current_key()
    assert first.key_id == "dev-1"
    assert settings.ATTEST_AUDIT_KEY_FILE.stat().st_mode & 0o777 == 0o600
    assert auditkeys.parse_ring(settings.ATTEST_AUDIT_KEY_FILE.read_text(), "file") == (first,)
    assert first.secret.hex() not in repr(first)


def test_production_never_creates_a_key(settings, tmp_path):
    settings.PRODUCTION = True
    settings.ATTEST_AUDIT_KEY_FILE = tmp_path / "missing.keys"
    with pytest.raises(ImproperlyConfigured, match="no audit key"):
        auditkeys.current_key()
    assert not settings.ATTEST_AUDIT_KEY_FILE.exists()


@pytest.mark.parametrize(
    ("ring", "message"),
    [
        ("", "no audit key"),
        ("k1:abcd", "shorter than 32 bytes"),
        ("k 1:" + "11" * 32, "key id"),
        ("k1:" + "zz" * 32, "not hex"),
        (f"{K1},{K1}", "listed twice"),
    ],
)
def test_a_malformed_key_ring_is_refused_naming_the_problem(ring, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        auditkeys.parse_ring(ring, "ATTEST_AUDIT_KEY")


def test_beat_signs_a_checkpoint_daily(credit_pd_model, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sign-audit-checkpoint"]
    assert entry["task"] == tasks.sign_audit_checkpoint.name
    assert entry["schedule"].hour == {0}
    written = tasks.sign_audit_checkpoint.delay().get()
    assert written.startswith(str(settings.ATTEST_CHECKPOINT_DIR))
    assert AuditEvent.objects.filter(verb="audit.checkpoint_signed").count() == 1
