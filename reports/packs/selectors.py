"""Evidence-pack reads: a pack its reader may see, and a version's packs."""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from governance import permissions
from registry.models import ModelVersion
from reports.models import EvidencePack


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
