"""What every web view shares: running a service behind a form, and telling htmx swaps apart."""

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import HttpRequest

from governance.errors import DomainError
from governance.forms import BootstrapForm

T = TypeVar("T")


def submit(form: BootstrapForm, action: Callable[[], T]) -> T | None:
    """Run the service once the form is valid; a DomainError goes back onto the form."""
    if not form.is_bound or not form.is_valid():
        return None
    try:
        return action()
    except DomainError as exc:
        form.add_domain_error(exc)
        return None


def is_fragment(request: HttpRequest) -> bool:
    """An htmx swap wants a fragment; a history restore after a cache miss wants the page."""
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


def report_errors(request: HttpRequest, form: BootstrapForm, about: str) -> None:
    """A form posted from a list (no page of its own to show it on): its errors as messages."""
    for field, errors in form.errors.items():
        where = "" if field == "__all__" else f"{field}: "
        messages.error(request, f"{about}: {where}{' '.join(str(e) for e in errors)}")
