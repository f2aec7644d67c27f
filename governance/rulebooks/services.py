"""Rulebook versions: loading the shipped files, drafting a change, previewing and publishing it."""

import functools
import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from governance import audit, permissions
from governance.access import selectors as people
from governance.access.models import RequestState
from governance.access.services import decisions
from governance.approvals.rules import policy
from governance.errors import DomainError
from governance.risk.rules import obligations, tiering
from governance.risk.services import assessments
from governance.rulebooks.content import as_json, as_rules, content_sha256
from governance.rulebooks.models import Publication, Rulebook
from monitoring.stats import thresholds

RULEBOOK_DIR = Path(__file__).resolve().parent / "data"
# libyaml's loader when PyYAML was built with it: the same objects, ten times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def problems(kind: str, content: dict[str, Any]) -> list[str]:
    """What stops this content from being published (each problem names its field)."""
    found = [
        f"{key}: required"
        for key in ("name", "version", "effective_from", "title")
        if not content.get(key)
    ]
    if kind == Rulebook.Kind.TIERING:
        found += tiering.check_method(as_rules(content))
    if kind == Rulebook.Kind.OBLIGATIONS:
        found += obligations.check_catalog(as_rules(content))
    if kind == Rulebook.Kind.GATE_POLICY:
        found += policy.check_policy(as_rules(content), tiering.TIERS)
    if kind == Rulebook.Kind.MONITORING:
        found += thresholds.check_defaults(content, tiering.TIERS)
    return found


def _new(actor: User | None, kind: str, content: dict[str, Any]) -> Rulebook:
    content = as_json(content)
    book = Rulebook.objects.create(
        kind=kind,
        name=content["name"],
        version=content["version"],
        title=content["title"],
        effective_from=date.fromisoformat(content["effective_from"]),
        content=content,
        content_sha256=content_sha256(content),
        created_by=actor,
        corrects=_corrected(kind, content),
        correction_reason=str(content.get("correction_reason", "")).strip(),
    )
    audit.record(actor=actor, verb="rulebook.drafted", target=book, after=_summary(book))
    return book


def _corrected(kind: str, content: dict[str, Any]) -> Rulebook | None:
    """The published version a correction's content names (`corrects: <version>`), checked."""
    version = content.get("corrects")
    if version in (None, ""):
        return None
    base = Rulebook.objects.filter(kind=kind, name=content["name"], version=version).first()
    if base is None or not base.is_published:
        raise DomainError(
            field="corrects", message=f"no published version {version} of {content['name']}"
        )
    if not str(content.get("correction_reason", "")).strip():
        raise DomainError(field="correction_reason", message="say what the correction corrects")
    return base


def _summary(book: Rulebook) -> dict[str, Any]:
    fields = ["kind", "name", "version", "effective_from", "content_sha256"]
    if book.corrects_id is not None:
        fields += ["corrects_id", "correction_reason"]
    return audit.snapshot(book, fields)


def publish_version(actor: User | None, book: Rulebook) -> Rulebook:
    """Freeze a draft as published (`decide_publication` also re-derives what it changes)."""
    found = problems(book.kind, book.content)
    if found:
        raise DomainError(field="content", message="; ".join(found))
    book.status = Rulebook.Status.PUBLISHED
    book.published_by = actor
    book.published_at = timezone.now()
    book.save()
    audit.record(actor=actor, verb="rulebook.published", target=book, after=_summary(book))
    return book


@transaction.atomic
def load_shipped(directory: Path = RULEBOOK_DIR) -> list[Rulebook]:
    """Load the rulebook files shipped with Attest that the database does not hold yet.

    A shipped version already loaded must be unchanged: a change on disk needs a new version
    number, because assessments made under the old one must keep meaning what they meant.
    """
    loaded = []
    # What the database holds, read once (after a flush it is nothing, and every file loads).
    held = {
        (kind, name, version): sha
        for kind, name, version, sha in Rulebook.objects.values_list(
            "kind", "name", "version", "content_sha256"
        )
    }
    shipped = [
        (path, json.loads(_shipped_json(path, path.stat().st_mtime_ns)))
        for path in directory.glob("*/*.yaml")
    ]
    # In version order, so that a correction finds the version it corrects already loaded.
    shipped.sort(key=lambda one: (str(one[0].parent), _version_number(one[1]), one[0].name))
    for path, content in shipped:
        kind = content.get("kind", "")
        if kind not in Rulebook.Kind.values:
            raise DomainError(field=str(path.name), message=f"unknown rulebook kind {kind!r}")
        # The version as the database compares it (the field's own conversion, as a filter's).
        version = Rulebook._meta.get_field("version").get_prep_value(content["version"])
        identity = (kind, content["name"], version)
        if identity not in held:
            book = _new(None, kind, content)
            held[identity] = book.content_sha256
            # A shipped alternative (e.g. the matrix tiering method) waits as a draft until an
            # administrator chooses it; two published methods in force would be ambiguous. A
            # shipped correction waits too: it re-derives assessments and may be back-dated, so
            # an administrator asks for it and a second person publishes it, as for any other.
            waits = content.get("ship_as_draft") or book.corrects_id is not None
            loaded.append(book if waits else publish_version(None, book))
        elif held[identity] != content_sha256(content):
            existing = Rulebook.objects.get(kind=kind, name=content["name"], version=version)
            raise DomainError(
                field=path.name,
                message=f"differs from published {existing}; give the change a new version",
            )
    return loaded


def _version_number(content: dict[str, Any]) -> int:
    version = content.get("version")
    return version if isinstance(version, int) else 0


@functools.cache
def _shipped_json(path: Path, mtime_ns: int) -> str:
    """A shipped file's content as JSON text, parsed once per process while the file is unchanged
    (every worker and test loads the same files; each caller gets its own copy back)."""
    text = path.read_text(encoding="utf-8")
    return json.dumps(as_json(yaml.load(text, Loader=YAML_LOADER)))  # noqa: S506 - a safe loader


@transaction.atomic
def draft_version(*, actor: User, base: Rulebook, changes: dict[str, Any]) -> Rulebook:
    """A new draft version of a rulebook: the base's content with an administrator's changes."""
    permissions.require_globally(actor, "edit_rulebooks")
    for key in ("kind", "name"):  # what identifies the rulebook; anything else may change
        if key in changes and changes[key] != base.content.get(key):
            raise DomainError(
                field="content", message=f"{key}: stays {base.content.get(key)!r} in a new version"
            )
    latest = Rulebook.objects.filter(kind=base.kind, name=base.name).aggregate(v=Max("version"))
    content = {**base.content, **as_json(changes), "version": latest["v"] + 1}
    content.pop("ship_as_draft", None)
    if "corrects" not in changes:  # a version drafted from a correction is not one itself
        content.pop("corrects", None)
        content.pop("correction_reason", None)
    found = problems(base.kind, content)
    if found:
        raise DomainError(field="content", message="; ".join(found))
    return _new(actor, base.kind, content)


@transaction.atomic
def draft_correction(
    *, actor: User, base: Rulebook, changes: dict[str, Any], reason: str
) -> Rulebook:
    """A draft correction of a published version: its content with the changes, possibly dated
    earlier, that replaces it for every day it was in force once a second person publishes it."""
    permissions.require_globally(actor, "edit_rulebooks")
    if not base.is_published:
        raise DomainError(field="corrects", message=f"{base} is a draft: change it, not correct it")
    correction = base.correction
    if correction is not None:
        raise DomainError(
            field="corrects", message=f"{base} is corrected by {correction}: correct that"
        )
    changes = {**as_json(changes), "corrects": base.version, "correction_reason": reason.strip()}
    draft = draft_version(actor=actor, base=base, changes=changes)
    _require_in_place(draft)
    audit.record(
        actor=actor,
        verb="rulebook.correction_drafted",
        target=draft,
        after={"corrects": str(base), "reason": draft.correction_reason},
    )
    return draft


@transaction.atomic
def request_publication(*, actor: User, draft: Rulebook, note: str = "") -> Publication:
    """Ask for a draft to be published; a second person holding the publish right decides,
    because publishing re-tiers and re-derives what the version changes."""
    permissions.require_globally(actor, "edit_rulebooks")
    draft = Rulebook.objects.select_for_update().get(pk=draft.pk)
    if draft.is_published:
        raise DomainError(field="status", message=f"{draft} is already published")
    if draft.publications.filter(state=RequestState.REQUESTED).exists():
        raise DomainError(field="status", message=f"the publication of {draft} waits already")
    found = problems(draft.kind, draft.content)
    if found:
        raise DomainError(field="content", message="; ".join(found))
    _require_in_place(draft)
    publication = Publication.objects.create(rulebook=draft, note=note.strip(), requested_by=actor)
    audit.record(
        actor=actor,
        verb="rulebook.publication_requested",
        target=publication,
        after={**_summary(draft), "note": publication.note},
    )
    decisions.announce(
        request=publication,
        deciders=people.holders_of("publish_rulebooks"),
        kind="rulebook.publication_requested",
        subject=f"{actor.get_username()} asks to publish {draft}",
        link=reverse("rulebooks:detail", args=[draft.pk]),
    )
    return publication


@transaction.atomic
def decide_publication(
    *, actor: User, publication: Publication, grant: bool, reason: str = ""
) -> Publication:
    """A second person holding the publish right publishes the version (re-deriving what it
    changes, on its effective date if that is later) or refuses it."""
    permissions.require_globally(actor, "publish_rulebooks")
    publication = decisions.locked(publication)
    draft = Rulebook.objects.select_for_update().get(pk=publication.rulebook_id)
    if grant:
        if draft.is_published:
            raise DomainError(field="state", message=f"{draft} is already published")
        _require_in_place(draft)
        if draft.created_by is not None and people.same_person(actor, draft.created_by):
            raise DomainError(
                field="decided_by", message=f"a second person must decide: you drafted {draft}"
            )
    decisions.decide(
        actor=actor,
        request=publication,
        grant=grant,
        reason=reason,
        verb="rulebook.publication",
        link=reverse("rulebooks:detail", args=[draft.pk]),
    )
    if grant:
        publish_version(actor, draft)
        if draft.corrects is not None:
            _corrected_by(actor, draft)
        elif draft.effective_from <= timezone.localdate():
            assessments.rederive(actor=actor, rulebook=draft)
        # otherwise it takes effect later: apply_in_force re-derives on the day
    return publication


def _corrected_by(actor: User, correction: Rulebook) -> None:
    """The corrected version leaves the timeline; what was assessed under it is assessed again
    under the version now in force (with history), and both are audited."""
    corrected = correction.corrects
    assert corrected is not None  # noqa: S101 - the caller checked
    audit.record(
        actor=actor,
        verb="rulebook.corrected",
        target=corrected,
        after={"corrected_by": str(correction), "reason": correction.correction_reason},
    )
    assessments.rederive_corrected(actor=actor, corrected=corrected, correction=correction)


def _require_in_place(draft: Rulebook) -> None:
    """A new version takes effect on or after every version in force; a correction stays
    between the neighbours of the version it corrects, so that it replaces that version and
    nothing else. Otherwise a version would never be in force, or would hide another."""
    timeline = Rulebook.objects.live(draft.kind)
    if draft.kind == Rulebook.Kind.OBLIGATIONS:
        timeline = timeline.filter(name=draft.name)
    corrected = draft.corrects
    if corrected is None:
        _require_after(timeline.filter(effective_from__gt=draft.effective_from), "on or after")
        return
    if corrected.correction is not None:
        raise DomainError(field="corrects", message=f"{corrected} is corrected already")
    others = timeline.exclude(pk=corrected.pk)
    before = others.filter(effective_from__lt=corrected.effective_from)
    _require_after(before.filter(effective_from__gte=draft.effective_from), "after")
    after = others.filter(effective_from__gt=corrected.effective_from).order_by("effective_from")
    following = after.first()
    if following is not None and draft.effective_from >= following.effective_from:
        raise DomainError(
            field="effective_from",
            message=f"must be before {following.effective_from}, when {following} took effect: "
            f"a correction of {corrected} replaces it, not {following}",
        )


def _require_after(overtaking: "QuerySet[Rulebook]", words: str) -> None:
    latest = overtaking.order_by("-effective_from").first()
    if latest is not None:
        raise DomainError(
            field="effective_from",
            message=f"must be {words} {latest.effective_from}, when {latest} took effect",
        )
