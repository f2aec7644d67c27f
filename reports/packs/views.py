"""Evidence-pack pages: ask for one, watch it being made, download it, verify an upload."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from governance import permissions, ui
from reports.models import EvidencePack, PortfolioPack
from reports.packs import selectors, services, verify
from reports.packs.forms import PackRequestForm, PackUploadForm, PortfolioRequestForm

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


@login_required
def portfolio_list(request: HttpRequest) -> HttpResponse:
    """Ask for the packs of many models at once; the portfolio packs asked for before."""
    user = permissions.actor(request)
    if not permissions.can_globally(user, "view_portfolio"):
        raise Http404("No portfolio packs here.")
    form = PortfolioRequestForm(request.POST or None)
    portfolio = ui.submit(
        form,
        lambda: services.request_portfolio(
            actor=user,
            selection=selectors.Selection(
                tiers=tuple(form.cleaned_data["tiers"]),
                environment=form.cleaned_data["environment"],
                business_unit=form.cleaned_data["business_unit"],
            ),
            as_of=form.cleaned_data["as_of"],
        ),
    )
    if portfolio is not None:
        return redirect("packs:portfolio-detail", portfolio_id=portfolio.portfolio_id)
    context = {"form": form, "portfolios": selectors.portfolios_asked()[:50]}
    status = 400 if form.errors else 200
    return render(request, "reports/packs/portfolio_list.html", context, status=status)


@login_required
def portfolio_detail(request: HttpRequest, portfolio_id: str) -> HttpResponse:
    portfolio = selectors.portfolio_for_user_or_404(permissions.actor(request), portfolio_id)
    packs = list(selectors.portfolio_packs(portfolio))
    context = {
        "portfolio": portfolio,
        "packs": packs,
        "drawn": sum(p.status == EvidencePack.Status.READY for p in packs),
    }
    template = (
        "reports/packs/_portfolio_status.html"
        if ui.is_fragment(request)
        else "reports/packs/portfolio_detail.html"
    )
    return render(request, template, context)


@login_required
def portfolio_download(request: HttpRequest, portfolio_id: str) -> FileResponse:
    user = permissions.actor(request)
    portfolio = selectors.portfolio_for_user_or_404(user, portfolio_id)
    if portfolio.status != PortfolioPack.Status.READY:
        raise Http404("The portfolio pack is not ready.")
    services.record_portfolio_download(actor=user, portfolio=portfolio)
    name = f"evidence-packs-{portfolio.as_of:%Y%m%d-%H%M%S}-{portfolio.portfolio_id}.zip"
    return FileResponse(portfolio.file.open("rb"), as_attachment=True, filename=name)
