"""Evidence-pack pages: ask for one, watch it being made, download it, verify an upload."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from governance import permissions, ui
from reports.models import EvidencePack
from reports.packs import selectors, services, verify
from reports.packs.forms import PackRequestForm, PackUploadForm

# An upload is read whole to recompute its hashes; a pack is a few megabytes.
MAX_UPLOAD_BYTES = 64 * 2**20


@login_required
def pack_list(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    obj = permissions.version_for_user_or_404(request.user, slug, version)
    form = PackRequestForm(request.POST or None)
    pack = ui.submit(
        form,
        lambda: services.request_pack(
            actor=permissions.actor(request), version=obj, as_of=form.cleaned_data["as_of"]
        ),
    )
    if pack is not None:
        return redirect("packs:pack-detail", pack_id=pack.pack_id)
    context = {
        "version": obj,
        "model": obj.model,
        "form": form,
        "packs": selectors.packs_of(obj),
    }
    return render(request, "reports/packs/list.html", context, status=400 if form.errors else 200)


@login_required
def pack_detail(request: HttpRequest, pack_id: str) -> HttpResponse:
    pack = selectors.pack_for_user_or_404(permissions.actor(request), pack_id)
    template = (
        "reports/packs/_status.html" if ui.is_fragment(request) else "reports/packs/detail.html"
    )
    return render(request, template, {"pack": pack, "model": pack.version.model})


@login_required
def pack_download(request: HttpRequest, pack_id: str) -> FileResponse:
    user = permissions.actor(request)
    pack = selectors.pack_for_user_or_404(user, pack_id)
    if pack.status != EvidencePack.Status.READY:
        raise Http404("The pack is not ready.")
    services.record_download(actor=user, pack=pack)
    name = f"evidence-pack-{pack.version.model.slug}-{pack.version.version}-{pack.pack_id}.pdf"
    return FileResponse(pack.file.open("rb"), as_attachment=True, filename=name)


@login_required
def pack_verify(request: HttpRequest) -> HttpResponse:
    """Any signed-in user may check a file: the verdict tells nothing the file does not hold."""
    form = PackUploadForm(request.POST or None, request.FILES or None)
    verdict = None
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", f"is larger than {MAX_UPLOAD_BYTES // 2**20} MiB")
        else:
            verdict = verify.verify_pack(upload.read())
    return render(request, "reports/packs/verify.html", {"form": form, "verdict": verdict})
