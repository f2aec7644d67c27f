"""Matching what registries hold against the inventory's external ids (plain data both sides).

A registry model is known when any of its versions carries an external id some inventory
version holds. An unknown model with a version serving in production is a shadow model: it
makes decisions and nobody registered it.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from monitoring.discovery.found import FoundModel


@dataclass(frozen=True)
class KnownVersion:
    """An inventory version that carries an external id."""

    model: str  # the model's slug
    version: str
    external_id: str


@dataclass(frozen=True)
class Match:
    """A registry model and what the inventory knows of it."""

    found: FoundModel
    attest_model: str = ""  # the slug of the inventory model its versions belong to
    known_versions: tuple[str, ...] = ()  # external ids the inventory holds

    @property
    def is_shadow(self) -> bool:
        return self.found.in_production and not self.attest_model

    @property
    def unregistered_production(self) -> tuple[str, ...]:
        """Versions in production whose external id the inventory does not hold."""
        return tuple(
            v.version
            for v in self.found.production_versions
            if v.external_id not in self.known_versions
        )

    def as_json(self) -> dict[str, Any]:
        return {
            **self.found.as_json(),
            "attest_model": self.attest_model or None,
            "shadow": self.is_shadow,
            "unregistered_production_versions": list(self.unregistered_production),
        }


def match(found: Sequence[FoundModel], known: Iterable[KnownVersion]) -> list[Match]:
    """Each registry model with the inventory model its versions' external ids point to."""
    by_id = {k.external_id: k for k in known if k.external_id}
    matches = []
    for model in found:
        hits = [by_id[v.external_id] for v in model.versions if v.external_id in by_id]
        matches.append(
            Match(
                found=model,
                attest_model=hits[0].model if hits else "",
                known_versions=tuple(k.external_id for k in hits),
            )
        )
    return matches


def shadows(matches: Iterable[Match]) -> list[Match]:
    return [m for m in matches if m.is_shadow]
