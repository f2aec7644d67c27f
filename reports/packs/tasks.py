"""Evidence-pack background work: generating a queued pack, and zipping a portfolio's."""

from typing import Any

from celery import shared_task
from celery.exceptions import MaxRetriesExceededError

from reports import drawing
from reports.models import TASK_TIME_LIMIT, EvidencePack, PortfolioPack
from reports.packs import services

# How often a portfolio pack waiting for its packs looks again, and for how long at most.
WAIT_SECONDS = 5
MAX_WAITS = int(TASK_TIME_LIMIT.total_seconds()) // WAIT_SECONDS


@shared_task(**drawing.TASK_OPTIONS)
def generate_evidence_pack(pack_pk: int) -> str:
    """Generate a queued pack; returns its status (a pack gone or already ready is left alone)."""
    pack = EvidencePack.objects.select_related("version__model").filter(pk=pack_pk).first()
    if pack is None:
        return "gone"
    if pack.status == EvidencePack.Status.READY:
        return pack.status
    return services.generate(pack).status


@shared_task(bind=True, **drawing.TASK_OPTIONS)
def assemble_portfolio_pack(self: Any, portfolio_pk: int) -> str:
    """Zip a portfolio's packs once all are drawn; until then, look again in a few seconds (the
    workers draw the packs meanwhile); after the packs' own time limit, the portfolio fails."""
    portfolio = PortfolioPack.objects.select_related("requested_by").filter(pk=portfolio_pk).first()
    if portfolio is None:
        return "gone"
    if portfolio.status in {PortfolioPack.Status.READY, PortfolioPack.Status.FAILED}:
        return portfolio.status
    status = services.assemble_portfolio(portfolio)
    if status != services.PENDING:
        return status
    if self.request.is_eager:
        # In-process, the packs were drawn before this ran: one still busy is not coming.
        services.fail_portfolio(portfolio, "Some packs are still being drawn; ask again later.")
        return PortfolioPack.Status.FAILED
    try:
        raise self.retry(countdown=WAIT_SECONDS, max_retries=MAX_WAITS)
    except MaxRetriesExceededError:
        services.fail_portfolio(portfolio, "Some packs were still not drawn after 30 minutes.")
        return PortfolioPack.Status.FAILED
