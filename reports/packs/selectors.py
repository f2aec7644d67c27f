"""Evidence-pack reads: a pack its reader may see, a version's packs, and the versions a
portfolio pack covers."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from governance import permissions
from governance.risk import selectors as risk_selectors
from registry import selectors as registry_selectors
from registry.models import ModelVersion
from reports.models import EvidencePack, PortfolioPack


def pack_for_user_or_404(user: User, pack_id: str) -> EvidencePack:
    """The pack `pack_id` if `user` may see its model; a 404 either way otherwise, as for models."""
    pack = EvidencePack.objects.select_related("version__model").filter(pack_id=pack_id).first()
    if pack is None or not permissions.can(user, "view", pack.version.model):
        raise Http404("No such evidence pack.")
    return pack


def packs_of(version: ModelVersion) -> QuerySet[EvidencePack]:
    """Every pack asked for on `version`, latest as-of instant first, with who asked."""
    return version.evidence_packs.select_related("requested_by").order_by("-as_of")


def previous_pack(pack: EvidencePack) -> EvidencePack | None:
    """The pack of the same version this one follows: the latest earlier as-of instant among the
    packs ready before this one was asked for, so a rebuild finds the same one."""
    ready = EvidencePack.objects.filter(
        version_id=pack.version_id, status=EvidencePack.Status.READY, as_of__lt=pack.as_of
    ).exclude(pk=pack.pk)
    if pack.requested_at is not None:
        ready = ready.filter(finished_at__lt=pack.requested_at)
    return ready.order_by("-as_of", "-pk").first()


@dataclass(frozen=True)
class Selection:
    """Which models a portfolio pack covers, and which version of each.

    `environment` names where the version must be live at the as-of instant (production, say);
    empty means each model's newest version registered by then.
    """

    tiers: tuple[str, ...] = ()
    environment: str = "production"
    business_unit: str = ""

    def as_record(self) -> dict[str, Any]:
        return {
            "tiers": list(self.tiers),
            "environment": self.environment,
            "business_unit": self.business_unit,
        }


def portfolio_versions(user: User, selection: Selection, as_of: datetime) -> list[ModelVersion]:
    """One version per model `user` may see that matches `selection` at `as_of`, by model."""
    models = permissions.models_for(user).filter(created_at__lte=as_of)
    if selection.business_unit:
        models = models.filter(business_unit=selection.business_unit)
    if selection.tiers:
        models = risk_selectors.with_tier(models, selection.tiers, at=as_of)
    if selection.environment:
        live = registry_selectors.serving_at(
            models=models, environment=selection.environment, at=as_of
        )
        # Newest deployment of each model first: the one live at `as_of`.
        return _first_of_each_model(d.version for d in live)
    newest = (
        ModelVersion.objects.select_related("model")
        .filter(model__in=models, created_at__lte=as_of)
        .order_by("-created_at", "-pk")
    )
    return _first_of_each_model(newest)


def _first_of_each_model(versions: Iterable[ModelVersion]) -> list[ModelVersion]:
    chosen: dict[int, ModelVersion] = {}
    for version in versions:
        chosen.setdefault(version.model_id, version)
    return sorted(chosen.values(), key=lambda v: (v.model.slug, v.version))


def portfolio_for_user_or_404(user: User, portfolio_id: str) -> PortfolioPack:
    """A portfolio pack, for those who may read the whole portfolio; a 404 otherwise."""
    found = PortfolioPack.objects.filter(portfolio_id=portfolio_id).first()
    if found is None or not permissions.can_globally(user, "view_portfolio"):
        raise Http404("No such portfolio pack.")
    return found


def portfolio_packs(portfolio: PortfolioPack) -> QuerySet[EvidencePack]:
    """The packs of a portfolio pack, by model and version, as its manifest lists them."""
    return portfolio.packs.select_related("version__model").order_by(
        "version__model__slug", "version__version"
    )


def portfolios_asked() -> QuerySet[PortfolioPack]:
    """Every portfolio pack asked for, newest first, with who asked."""
    return PortfolioPack.objects.select_related("requested_by").order_by("-requested_at")
