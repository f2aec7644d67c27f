"""Access pages: a model's RACI (on its inventory page), your API tokens and, for
administrators, service accounts and theirs.

Function views: parse a form, call one tokens service; a refusal goes back onto the form field
it names, an action the user may not take is a 403. A new key is rendered once, in the POST
response itself (never in a URL, a redirect or a message), and that response is not cached.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from governance import permissions, ui
from governance.access.forms import (
    RaciAssignForm,
    RoleRequestForm,
    ServiceAccountForm,
    SignInForm,
    TokenForm,
    ValidatorChoiceForm,
)
from governance.access.models import (
    ApiToken,
    RaciAssignment,
    RoleGrant,
    ServiceAccount,
    ValidatorRequest,
)
from governance.access.selectors import same_person
from governance.access.services import accounts, raci, tokens
from governance.errors import DomainError
from governance.forms import DecisionForm

AccountRow = tuple[ServiceAccount, list[ApiToken], TokenForm]


class SignInView(LoginView):
    """The sign-in page: single sign-on's button when configured, and the password form (for
    the break-glass accounts only when passwords are switched off)."""

    authentication_form = SignInForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_name"] = settings.ATTEST_OIDC_NAME if settings.OIDC_RP_CLIENT_ID else ""
        context["passwords_on"] = settings.ATTEST_LOCAL_LOGIN
        return context


def _account_token_form(account: ServiceAccount, data: object = None) -> TokenForm:
    return TokenForm(data, auto_id=f"sa{account.pk}_%s")


def _accounts(bound: dict[int, TokenForm]) -> list[AccountRow]:
    """Every service account with its tokens (newest first) and its issue form."""
    found = ServiceAccount.objects.select_related("user", "created_by").prefetch_related(
        Prefetch("user__api_tokens", queryset=ApiToken.objects.select_related("revoked_by"))
    )
    return [
        (
            account,
            list(account.user.api_tokens.all()),
            bound.get(account.pk) or _account_token_form(account),
        )
        for account in found
    ]


def _page(
    request: HttpRequest,
    *,
    token_form: TokenForm | None = None,
    account_form: ServiceAccountForm | None = None,
    account_token_forms: dict[int, TokenForm] | None = None,
) -> HttpResponse:
    user = permissions.actor(request)
    can_manage = permissions.can_globally(user, "manage_service_accounts")
    context = {
        "tokens": ApiToken.objects.filter(user=user).select_related("revoked_by"),
        "token_form": token_form or TokenForm(auto_id="tok_%s"),
        "can_manage": can_manage,
        "accounts": _accounts(account_token_forms or {}) if can_manage else [],
        "account_form": account_form or ServiceAccountForm(auto_id="sa_%s"),
    }
    refused = token_form or account_form or account_token_forms
    return render(
        request, "governance/access/token_list.html", context, status=400 if refused else 200
    )


def _issued(request: HttpRequest, token: ApiToken, key: str) -> HttpResponse:
    """The only time the key is shown: rendered into this response, which nothing may cache."""
    context = {
        "token": token,
        "key": key,
        "is_service_account": hasattr(token.user, "service_account"),
        "site_url": request.build_absolute_uri("/").rstrip("/"),
        "me_url": request.build_absolute_uri(reverse("me")),
    }
    response = render(request, "governance/access/token_issued.html", context)
    add_never_cache_headers(response)
    return response


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def token_issue(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST, auto_id="tok_%s")
    me = permissions.actor(request)
    issued = ui.submit(
        form, lambda: tokens.issue_token(actor=me, user=me, name=form.cleaned_data["name"])
    )
    if issued is None:
        return _page(request, token_form=form)
    return _issued(request, *issued)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # People revoke their own tokens, administrators any; the service refuses the rest (403).
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    try:
        revoked = tokens.revoke_token(actor=permissions.actor(request), token=token)
    except DomainError as exc:
        messages.error(request, exc.error_text)
    else:
        messages.success(request, f"Token {revoked} is revoked; requests sending it now get 401.")
    return redirect("tokens:list")


@login_required
@require_POST
def service_account_create(request: HttpRequest) -> HttpResponse:
    permissions.require_globally(request.user, "manage_service_accounts")
    form = ServiceAccountForm(request.POST, auto_id="sa_%s")
    created = ui.submit(
        form,
        lambda: tokens.create_service_account(
            actor=permissions.actor(request), **form.cleaned_data
        ),
    )
    if created is None:
        return _page(request, account_form=form)
    messages.success(
        request,
        f"Service account {created.get_username()} is created. Name it in the RACI of the "
        "models it works on, then issue it a token.",
    )
    return redirect("tokens:list")


@login_required
@require_POST
def service_account_token_issue(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require_globally(request.user, "manage_service_accounts")
    account = get_object_or_404(ServiceAccount.objects.select_related("user"), pk=pk)
    form = _account_token_form(account, request.POST)
    issued = ui.submit(
        form,
        lambda: tokens.issue_token(
            actor=permissions.actor(request), user=account.user, name=form.cleaned_data["name"]
        ),
    )
    if issued is None:
        return _page(request, account_token_forms={account.pk: form})
    return _issued(request, *issued)


@login_required
def raci_assign(request: HttpRequest, slug: str) -> HttpResponse:
    model = permissions.model_for_user_or_404(request.user, slug)
    permissions.require_appoint(request.user, model)
    form = RaciAssignForm(request.POST if request.method == "POST" else None, auto_id="raci_%s")
    assignment = ui.submit(
        form,
        lambda: raci.assign_raci(
            actor=permissions.actor(request), model=model, **form.service_arguments()
        ),
    )
    if assignment is not None:
        messages.success(request, f"{assignment.principal_name} is assigned.")
        return redirect(f"{model.get_absolute_url()}#raci")
    return render(request, "governance/access/raci_form.html", {"form": form, "model": model})


@login_required
@require_POST
def raci_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    model = permissions.model_for_user_or_404(request.user, slug)
    assignments = RaciAssignment.objects.select_related("user", "group", "model")
    assignment = get_object_or_404(assignments, pk=pk, model=model)
    raci.remove_raci(actor=permissions.actor(request), assignment=assignment)
    messages.success(request, f"{assignment.principal_name} is no longer assigned.")
    return redirect(f"{model.get_absolute_url()}#raci")


@login_required
@require_POST
def validator_request(request: HttpRequest, slug: str) -> HttpResponse:
    """The owner asks the validation function for a validator."""
    user = permissions.actor(request)
    model = permissions.model_for_user_or_404(user, slug)
    try:
        raci.request_validator(actor=user, model=model, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.error_text)
    else:
        messages.success(request, "A validator is asked for: the head of validation appoints one.")
    return redirect(f"{model.get_absolute_url()}#raci")


@login_required
@require_POST
def validator_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Whoever appoints validators names one (granting the request) or refuses it."""
    user = permissions.actor(request)
    model = permissions.model_for_user_or_404(user, slug)
    asked = get_object_or_404(ValidatorRequest.objects.filter(model=model), pk=pk)
    form = ValidatorChoiceForm(request.POST, auto_id="vr_%s")
    done = ui.submit(
        form,
        lambda: raci.decide_validator_request(
            actor=user,
            asked=asked,
            grant=form.granted,
            validator=form.cleaned_data["validator"],
            reason=form.cleaned_data["reason"],
        ),
    )
    if done is None:
        ui.report_errors(request, form, f"A validator for {model}")
    elif done.validator is not None:
        messages.success(request, f"{done.validator} is appointed to validate {model}.")
    else:
        messages.success(request, "The request for a validator is refused.")
    return redirect(f"{model.get_absolute_url()}#raci")


def _roles_page(
    request: HttpRequest, ask_form: RoleRequestForm | None = None, refused: int = 0
) -> HttpResponse:
    user = permissions.actor(request)
    permissions.require_globally(user, "grant_roles")
    asked = list(
        RoleGrant.objects.select_related("user", "role", "requested_by", "decided_by")[:200]
    )
    context = {
        "pending": [
            (grant, not same_person(user, grant.requested_by) and not same_person(user, grant.user))
            for grant in asked
            if grant.is_pending
        ],
        "decided": [grant for grant in asked if not grant.is_pending][:50],
        "ask_form": ask_form or RoleRequestForm(auto_id="role_%s"),
        "decision_form": DecisionForm(auto_id="decide_%s"),
    }
    status = 400 if (ask_form and ask_form.errors) or refused else 200
    return render(request, "governance/access/role_grants.html", context, status=status)


@login_required
def role_grants(request: HttpRequest) -> HttpResponse:
    """Roles that take part in controls: asked for by one administrator, granted by another."""
    if request.method != "POST":
        return _roles_page(request)
    user = permissions.actor(request)
    form = RoleRequestForm(request.POST, auto_id="role_%s")
    done = ui.submit(form, lambda: accounts.request_role(actor=user, **form.cleaned_data))
    if done is None:
        return _roles_page(request, ask_form=form)
    messages.success(request, f"{done} is asked for: a second administrator grants it.")
    return redirect("tokens:roles")


@login_required
@require_POST
def role_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = permissions.actor(request)
    permissions.require_globally(user, "grant_roles")
    asked = get_object_or_404(RoleGrant, pk=pk)
    form = DecisionForm(request.POST, auto_id="decide_%s")
    done = ui.submit(
        form,
        lambda: accounts.decide_role(
            actor=user, asked=asked, grant=form.granted, reason=form.cleaned_data["reason"]
        ),
    )
    if done is None:
        ui.report_errors(request, form, str(asked).capitalize())
        return _roles_page(request, refused=1)
    messages.success(request, f"{str(done).capitalize()} is {done.get_state_display().lower()}.")
    return redirect("tokens:roles")
