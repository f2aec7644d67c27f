"""Discovery on a schedule: read each configured registry and raise an alert, once, for every
model it serves in production that the inventory does not hold (a shadow model).

An alert stays open while later runs find the model again (they count it, without a new
event or notice); it is resolved when the model turns up in the inventory or stops serving.
"""

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from governance import audit, roles
from governance.notices import services as notices
from monitoring.discovery.match import KnownVersion, Match, match
from monitoring.discovery.readers import discover, location, registry_errors
from monitoring.models import ShadowModel
from registry import selectors as inventory

logger = logging.getLogger(__name__)
FIELDS = ["registry", "found_in", "name", "versions", "state", "occurrences", "resolution"]


def discover_shadow_models(configs: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Run each discovery (`ATTEST_DISCOVERY` entries); counts of alerts raised, seen again and
    resolved, and of registries that could not be read. Registries are read outside any
    transaction: they may be slow."""
    counts = {"raised": 0, "seen_again": 0, "resolved": 0, "unreadable": 0}
    known = [
        KnownVersion(model=k["model"], version=k["version"], external_id=k["external_id"])
        for k in inventory.external_ids()
    ]
    for config in configs:
        where = location(config)
        try:
            found = discover(config)
        except registry_errors(str(config.get("registry"))) as exc:
            # One registry down must not silence the others; its alerts stay as they were.
            logger.warning("discovery: %s could not be read: %s", where, exc)
            counts["unreadable"] += 1
            continue
        outcomes = record(str(config["registry"]), where, match(found, known))
        for outcome, n in outcomes.items():
            counts[outcome] += n
    return counts


@transaction.atomic
def record(registry: str, found_in: str, matches: Sequence[Match]) -> dict[str, int]:
    """Raise, count again or resolve the shadow-model alerts of one registry location."""
    at = timezone.now()
    open_alerts = {
        a.name: a
        for a in ShadowModel.objects.select_for_update().filter(
            found_in=found_in, state=ShadowModel.State.OPEN
        )
    }
    shadows = {m.found.name: m for m in matches if m.is_shadow}
    counts = {"raised": 0, "seen_again": 0, "resolved": 0}
    for name, shadow in shadows.items():
        versions = [v.as_json() for v in shadow.found.production_versions]
        if name in open_alerts:
            _seen_again(open_alerts[name], versions, at)
            counts["seen_again"] += 1
        else:
            _raise(registry, found_in, name, versions, at)
            counts["raised"] += 1
    known = {m.found.name: m.attest_model for m in matches if m.attest_model}
    for name, alert in open_alerts.items():
        if name not in shadows:
            why = f"registered as {known[name]}" if name in known else "no longer serving"
            _resolve(alert, why, at)
            counts["resolved"] += 1
    return counts


def _raise(registry: str, found_in: str, name: str, versions: list[Any], at: datetime) -> None:
    alert = ShadowModel.objects.create(
        registry=registry,
        found_in=found_in,
        name=name,
        versions=versions,
        opened_at=at,
        last_seen_at=at,
    )
    audit.record(
        actor=None, verb="shadow_model.raised", target=alert, after=audit.snapshot(alert, FIELDS)
    )
    labels = ", ".join(str(v["version"]) for v in versions)
    notices.notify(
        people=User.objects.filter(groups__name=roles.ADMINISTRATOR, is_active=True),
        kind="shadow_model.raised",
        subject=f"{name} serves in production ({found_in}) and is not in the inventory",
        body=f"Version(s) {labels} of {name} serve in production. Register it: "
        "attest discover ... --register --owner <person>.",
        key=f"shadow-model:{alert.pk}",
    )


def _seen_again(alert: ShadowModel, versions: list[Any], at: datetime) -> None:
    # Found again on each run: counted, not re-announced (the alert is still open).
    alert.occurrences += 1
    alert.last_seen_at, alert.versions = at, versions
    alert.save(update_fields=["occurrences", "last_seen_at", "versions"])


def _resolve(alert: ShadowModel, why: str, at: datetime) -> None:
    before = audit.snapshot(alert, FIELDS)
    alert.state, alert.resolved_at, alert.resolution = ShadowModel.State.RESOLVED, at, why
    alert.save(update_fields=["state", "resolved_at", "resolution"])
    audit.record(
        actor=None,
        verb="shadow_model.resolved",
        target=alert,
        before=before,
        after=audit.snapshot(alert, FIELDS),
    )
