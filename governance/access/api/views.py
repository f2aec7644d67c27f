"""Access API: a model's RACI, the caller, and the password-for-token exchange."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from governance import permissions
from governance.access import signin
from governance.access.api.serializers import (
    ApiTokenSerializer,
    MeSerializer,
    RaciAssignInput,
    RaciAssignmentSerializer,
    RoleGrantSerializer,
    RoleRequestInput,
    ValidatorDecisionInput,
    ValidatorRequestInput,
    ValidatorRequestSerializer,
)
from governance.access.models import RaciAssignment, RoleGrant, ValidatorRequest
from governance.access.services import accounts, raci, tokens
from governance.api.serializers import ErrorsSerializer
from governance.api.views import (
    REFUSALS,
    ModelScoped,
    SecondPersonRequests,
    request_schema,
    validated,
)


class RaciAssignmentViewSet(ModelScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who is Responsible, Accountable, Consulted or Informed for a model."""

    queryset = RaciAssignment.objects.none()
    serializer_class = RaciAssignmentSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[RaciAssignment]:
        return self.parent().raci_assignments.select_related("user", "group")

    @extend_schema(responses=RaciAssignmentSerializer(many=True))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RaciAssignInput, responses={201: RaciAssignmentSerializer, **REFUSALS})
    def create(self, request: Request, model_slug: str) -> Response:
        model = self.parent()
        permissions.require_appoint(request.user, model)  # 403 before any 400 on the body
        payload = validated(RaciAssignInput, request)
        assignment = raci.assign_raci(actor=permissions.actor(request), model=model, **payload)
        return Response(RaciAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None, **REFUSALS})
    def destroy(self, request: Request, model_slug: str, pk: int) -> Response:
        assignment = get_object_or_404(self.get_queryset(), pk=pk)
        raci.remove_raci(actor=permissions.actor(request), assignment=assignment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The caller: username, roles, and what the navigation offers them."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class ApiTokenView(APIView):
    """Exchange a username and password for a new personal API token (scripts, notebooks).

    Each call issues a new token named "password exchange"; earlier ones stay valid until
    revoked on the "API tokens" page. Pipelines should use a service account's token instead.
    With passwords switched off (ATTEST_LOCAL_LOGIN=off) only the break-glass accounts exchange
    one; everyone else signs in through single sign-on and issues a token on that page.
    """

    authentication_classes: list = []
    permission_classes: list = []
    # Guessing passwords here is refused twice: a tight rate per address (429 with Retry-After)
    # and the sign-in lockout (django-axes) on the account and the address.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token-exchange"

    @extend_schema(
        request=AuthTokenSerializer, responses={200: ApiTokenSerializer, 400: ErrorsSerializer}
    )
    def post(self, request: Request) -> HttpResponse:
        given = request.data if isinstance(request.data, Mapping) else {}
        if not signin.password_allowed(str(given.get("username", ""))):
            raise ValidationError({"password": [signin.passwords_off_message()]})
        credentials = AuthTokenSerializer(data=request.data, context={"request": request})
        if not credentials.is_valid():
            # django-axes marks this request (DRF's, which its middleware does not see).
            if getattr(request, "axes_locked_out", False):
                return signin.locked_out(request)
            raise ValidationError(credentials.errors)
        user = credentials.validated_data["user"]
        _, key = tokens.issue_token(actor=user, user=user, name="password exchange")
        return Response({"token": key})


class ValidatorRequestCreateView(ModelScoped):
    """The model's owner asks the validation function for a validator."""

    @extend_schema(
        request=ValidatorRequestInput, responses={201: ValidatorRequestSerializer, **REFUSALS}
    )
    def post(self, request: Request, model_slug: str) -> Response:
        model = self.parent()
        payload = validated(ValidatorRequestInput, request)
        asked = raci.request_validator(actor=permissions.actor(request), model=model, **payload)
        return Response(ValidatorRequestSerializer(asked).data, status=status.HTTP_201_CREATED)


@request_schema(
    listed="Requests for a validator, newest first",
    one="One request for a validator",
    decide="Appoint a validator (granting the request) or refuse it",
    shown=ValidatorRequestSerializer,
    given=ValidatorDecisionInput,
)
class ValidatorRequestViewSet(SecondPersonRequests):
    queryset = ValidatorRequest.objects.none()
    serializer_class = ValidatorRequestSerializer
    decision_input = ValidatorDecisionInput

    def get_queryset(self) -> QuerySet[ValidatorRequest]:
        visible = permissions.models_for(self.request.user)
        return ValidatorRequest.objects.filter(model__in=visible).select_related(
            "model", "requested_by", "decided_by", "validator"
        )

    def decide_request(
        self, actor: User, asked: ValidatorRequest, grant: bool, given: Mapping[str, Any]
    ) -> None:
        raci.decide_validator_request(
            actor=actor,
            asked=asked,
            grant=grant,
            validator=given.get("validator"),
            reason=given["reason"],
        )


@request_schema(
    listed="Requests for roles that take part in controls, newest first",
    one="One request for a role",
    decide="Grant the role or refuse it",
    shown=RoleGrantSerializer,
)
class RoleGrantViewSet(SecondPersonRequests):
    """Roles that take part in controls: one administrator asks, a second one decides."""

    queryset = RoleGrant.objects.none()
    serializer_class = RoleGrantSerializer

    def get_queryset(self) -> QuerySet[RoleGrant]:
        permissions.require_globally(self.request.user, "grant_roles")
        return RoleGrant.objects.select_related("user", "role", "requested_by", "decided_by")

    @extend_schema(
        summary="Ask for a person to hold a role; a second administrator decides",
        request=RoleRequestInput,
        responses={201: RoleGrantSerializer, **REFUSALS},
    )
    def create(self, request: Request) -> Response:
        permissions.require_globally(request.user, "grant_roles")  # 403 before any 400
        payload = validated(RoleRequestInput, request)
        asked = accounts.request_role(actor=permissions.actor(request), **payload)
        return Response(RoleGrantSerializer(asked).data, status=status.HTTP_201_CREATED)

    def decide_request(
        self, actor: User, asked: RoleGrant, grant: bool, given: Mapping[str, Any]
    ) -> None:
        accounts.decide_role(actor=actor, asked=asked, grant=grant, reason=given["reason"])
