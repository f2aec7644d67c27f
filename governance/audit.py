"""Recording audit events. Only services call `record`; it must run inside their transaction."""

import datetime as dt
import decimal
import functools
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db import connections, models, transaction
from django.utils import timezone

from governance import auditkeys, chain, context
from governance.approvals.models import GateInputs
from governance.auditlog.models import AuditChainHead, AuditEvent
from governance.errors import DomainError, clean_or_raise

Row = TypeVar("Row", bound=models.Model)
HEAD_ID = 1  # the chain has one head row


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON-ready dict of an object's concrete field values (foreign keys as ids)."""
    wanted = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if wanted is not None and field.name not in wanted:
            continue
        data[field.name] = _plain(getattr(obj, field.attname))
    for field in obj._meta.many_to_many:
        if (wanted is None or field.name in wanted) and obj.pk is not None:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Only the keys whose values differ, so an update's event shows what actually changed.

    `updated_at` is left out: the event's own time says when, and it would always differ.
    """
    keys = [k for k in after if k != "updated_at" and before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _actor_fields(actor: User | AnonymousUser | None) -> tuple[int | None, str]:
    if actor is None or not actor.is_authenticated:
        return None, "system"
    return actor.pk, actor.get_username()


@dataclass(frozen=True)
class _Statements:
    """The SQL of an append, for one database: lock the head, insert the event, move the head."""

    lock_head: str
    insert_event: str
    move_head: str


# The event's columns in insertion order (the primary key is the database's to give).
_EVENT_FIELDS = tuple(f for f in AuditEvent._meta.concrete_fields if not f.primary_key)
_HEAD_FIELDS = tuple(AuditChainHead._meta.concrete_fields)


@functools.cache
def _statements(alias: str) -> _Statements:
    """Every audited write appends, so its three statements are written once per process rather
    than built by the ORM each time (the ORM's query building costs about ten times what the
    database does for them). They are the statements the ORM runs: the same columns, values
    (prepared by each field, as the ORM prepares them) and row lock (FOR UPDATE where the
    database has it; SQLite serialises writers with its database lock instead)."""
    connection = connections[alias]

    def quote(name: str | None) -> str:
        return connection.ops.quote_name(str(name))

    head, table = quote(AuditChainHead._meta.db_table), quote(AuditEvent._meta.db_table)
    key = quote(AuditChainHead._meta.pk.column)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    columns = ", ".join(quote(f.column) for f in _EVENT_FIELDS)
    values = ", ".join(["%s"] * len(_EVENT_FIELDS))
    returning = (
        f" RETURNING {quote(AuditEvent._meta.pk.column)}"
        if connection.features.can_return_columns_from_insert
        else ""
    )
    # Names from the models, quoted; every value a parameter.
    select = f"SELECT {', '.join(quote(f.column) for f in _HEAD_FIELDS)} FROM {head}"  # noqa: S608
    insert = f"INSERT INTO {table} ({columns}) VALUES ({values}){returning}"  # noqa: S608
    update = (
        f"UPDATE {head} SET {quote('last_seq')} = %s, {quote('last_hash')} = %s, "  # noqa: S608
        f"{quote('key_id')} = %s WHERE {key} = %s"
    )
    return _Statements(f"{select} WHERE {key} = %s{lock}", insert, update)


def _read_locked_head() -> AuditChainHead | None:
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(_statements(connection.alias).lock_head, [HEAD_ID])
        row = cursor.fetchone()
    if row is None:
        return None
    return AuditChainHead.from_db(connection.alias, [f.attname for f in _HEAD_FIELDS], row)


def locked_head() -> AuditChainHead:
    """The chain's head row, locked until the transaction ends (created if a flush removed it)."""
    head = _read_locked_head()
    if head is None:
        # Concurrent first writers may both get here: the conflict-ignoring insert lets one win.
        genesis = AuditChainHead(pk=HEAD_ID, last_seq=0, last_hash=chain.GENESIS)
        AuditChainHead.objects.bulk_create([genesis], ignore_conflicts=True)
        head = _read_locked_head()
        if head is None:  # pragma: no cover - the row was just inserted in this transaction
            raise RuntimeError("the audit chain's head row could not be created")
    return head


def seal(event: AuditEvent, key: auditkeys.HmacKey) -> None:
    """Key the event's hash: HMAC over its payload and predecessor, naming the key by id."""
    event.key_id = key.key_id
    event.hash = chain.keyed_hash(key.secret, key.key_id, event.prev_hash, event.payload())


def _insert(event: AuditEvent) -> None:
    """Insert a new event as `event.save()` would (events are append-only: never an update).

    Fields' `pre_save` hooks do not run: AuditEvent has no `auto_now` field and no database
    default, and `_append` sets every value. A field that needs either must be set there."""
    if event.pk is not None:
        raise PermissionError("audit events are append-only")
    connection = transaction.get_connection()
    values = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in _EVENT_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_statements(connection.alias).insert_event, values)
        if connection.features.can_return_columns_from_insert:
            event.pk = cursor.fetchone()[0]
        else:
            event.pk = connection.ops.last_insert_id(cursor, AuditEvent._meta.db_table, "id")
    event._state.adding, event._state.db = False, connection.alias


def _append(head: AuditChainHead, event: AuditEvent, key: auditkeys.HmacKey) -> AuditEvent:
    """Chain `event` onto the locked head under `key`, save it and move the head."""
    event.seq, event.prev_hash = head.last_seq + 1, head.last_hash
    event.occurred_at = timezone.now()
    event.request_id = context.request_id.get()
    seal(event, key)
    _insert(event)
    head.last_seq, head.last_hash, head.key_id = event.seq, event.hash, event.key_id
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        moved = [head.last_seq, head.last_hash, head.key_id, head.pk]
        cursor.execute(_statements(connection.alias).move_head, moved)
    return event


def _key_change(head: AuditChainHead, key: auditkeys.HmacKey) -> AuditEvent:
    """The event that moves the chain onto a new key: re-anchoring unkeyed events, or rotation."""
    verb = chain.REANCHORED if head.key_id == chain.LEGACY_KEY_ID else chain.KEY_ROTATED
    return AuditEvent(
        actor_name="system",
        verb=verb,
        target_type=head._meta.label_lower,
        target_id=str(head.pk),
        target_repr=str(head)[:300],
        after={"from_key_id": head.key_id, "to_key_id": key.key_id, "at_seq": head.last_seq},
    )


def record(
    *,
    actor: User | AnonymousUser | None,
    verb: str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    mlmodel_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain; the head row's lock serialises concurrent writers.

    A new current key (rotation) is first recorded as an event of its own, hashed under it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the service's transaction")
    head = locked_head()
    key = auditkeys.current_key()
    if head.last_seq and head.key_id != key.key_id:
        _append(head, _key_change(head, key), key)
    actor_id, actor_name = _actor_fields(actor)
    event = AuditEvent(
        actor_id=actor_id,
        actor_name=actor_name,
        verb=verb,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        mlmodel_id=mlmodel_id,
        before=before,
        after=after,
    )
    # Every audited write counts as a change to what the gate read for the models it touches, in
    # this transaction: a kept gate answer from before it is not served again.
    GateInputs.objects.bump(GateInputs.objects.scopes_of(verb, target, mlmodel_id))
    return _append(head, event, key)


def audited_update(
    *,
    actor: User,
    row: Row,
    changes: Mapping[str, Any],
    editable: Collection[str],
    verb: str,
    mlmodel_id: int | None = None,
    check: Callable[[Row], None] | None = None,
    clean_exclude: Collection[str] = (),
    view: Callable[[Row], dict[str, Any]] = snapshot,
    after_save: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """The one way a service changes a row: only the fields it allows, checked, cleaned, saved and
    recorded with the values that changed; nothing is written when nothing would change.

    Args:
        check: the service's own rules on the changed row (raise DomainError), before cleaning.
        view: what the audit record shows of the row (default: every concrete field).
        after_save: writes that need the saved row (many-to-many links), shown in the record.

    Returns the new values of the fields that changed ({} when none did).
    """
    unknown = sorted(set(changes) - set(editable))
    if unknown:
        raise DomainError(field=unknown[0], message="cannot be changed here")
    creating = row._state.adding
    before = {} if creating else view(row)
    for name, value in changes.items():
        setattr(row, name, value)
    if check is not None:
        check(row)
    clean_or_raise(row, exclude=list(clean_exclude))
    if not creating and after_save is None and not changed(before, view(row))[1]:
        return {}
    row.save()
    if after_save is not None:
        after_save()
    old, new = changed(before, view(row))
    if new:
        # A creation has no `before`: that is how the trail reads back that the row was new.
        shown = None if creating else old
        record(actor=actor, verb=verb, target=row, before=shown, after=new, mlmodel_id=mlmodel_id)
    return new
