"""Second-person controls: telling the deciders, and recording a decision under the rules every
such control keeps (still pending, decided by someone else, refusals say why)."""

from collections.abc import Iterable
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from governance import audit, permissions
from governance.access import selectors as people
from governance.access.models.decisions import RequestState, SecondPersonRequest
from governance.access.selectors import same_person
from governance.errors import DomainError
from governance.notices import services as notices
from registry.models import MLModel

Request = TypeVar("Request", bound=SecondPersonRequest)
DECIDED = ["state", "decided_by", "decided_at", "decision_reason"]


def locked(request: Request) -> Request:
    """The request re-read under a row lock: two deciders at once are served one after the other."""
    return type(request)._default_manager.select_for_update().get(pk=request.pk)


def require_pending(request: SecondPersonRequest) -> None:
    """A request that moved on (decided, withdrawn) cannot be decided again: a conflict."""
    if request.state != RequestState.REQUESTED:
        raise DomainError(
            field="state", message=f"this request was {request.get_state_display().lower()} already"
        )


def require_second_person(actor: User, request: SecondPersonRequest) -> None:
    """The decider is not the requester, nor a person behind the requester's account."""
    who = same_person(actor, request.requested_by)
    if who:
        raise DomainError(
            field="decided_by", message=f"{who} asked for it: a second person must decide"
        )


def require_model_decider(actor: User, model: MLModel, what: str) -> None:
    """Decision rights on the model (the committee, or RACI approval) and no hand in developing
    it: the owner and developers never decide what concerns their own model."""
    if not permissions.can(actor, "decide", model):
        raise PermissionDenied(
            f"{actor} may not decide {what} on {model}: someone with decision rights does"
        )
    developers = people.developers_of(model)
    shared = sorted(people.people_behind(actor).keys() & developers.keys())
    if shared:
        raise DomainError(
            field="decided_by", message=f"{developers[shared[0]]}: cannot decide {what}"
        )


def announce(
    *,
    request: SecondPersonRequest,
    deciders: Iterable[User],
    kind: str,
    subject: str,
    link: str,
) -> None:
    """Tell every entitled decider (never the requester) that the request waits on them."""
    notices.notify(
        people=[p for p in deciders if not same_person(p, request.requested_by)],
        kind=kind,
        subject=subject,
        link=link,
    )


def decide(
    *,
    actor: User,
    request: Request,
    grant: bool,
    reason: str,
    verb: str,
    mlmodel_id: int | None = None,
    link: str = "",
) -> Request:
    """Grant or refuse a pending request as its second person; the requester is told.

    The caller has checked that `actor` is entitled to decide this kind of request and locked
    the row (`locked`). Audited as `<verb>.granted` or `<verb>.refused`.
    """
    require_pending(request)
    require_second_person(actor, request)
    reason = reason.strip()
    if not grant and not reason:
        raise DomainError(field="reason", message="say why it is refused")
    before = audit.snapshot(request, ["state"])
    request.state = RequestState.GRANTED if grant else RequestState.REFUSED
    request.decided_by, request.decided_at, request.decision_reason = actor, timezone.now(), reason
    request.save(update_fields=DECIDED)
    outcome = "granted" if grant else "refused"
    audit.record(
        actor=actor,
        verb=f"{verb}.{outcome}",
        target=request,
        before=before,
        after=audit.snapshot(request, DECIDED),
        mlmodel_id=mlmodel_id,
    )
    notices.notify(
        people=[request.requested_by],
        kind=f"{verb}.{outcome}",
        subject=f"{request} was {outcome} by {actor.get_username()}",
        link=link,
        body=reason,
    )
    return request


def withdraw(*, actor: User, request: Request, verb: str, mlmodel_id: int | None = None) -> Request:
    """The requester takes back a request nobody has decided yet."""
    require_pending(request)
    if actor.pk != request.requested_by_id:
        raise DomainError(field="requested_by", message="only whoever asked may withdraw it")
    request.state = RequestState.WITHDRAWN
    request.save(update_fields=["state"])
    audit.record(
        actor=actor,
        verb=f"{verb}.withdrawn",
        target=request,
        before={"state": RequestState.REQUESTED},
        after={"state": RequestState.WITHDRAWN},
        mlmodel_id=mlmodel_id,
    )
    return request
