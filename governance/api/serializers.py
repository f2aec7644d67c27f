"""What every API input and error shares: strict inputs, people and identifiers by name, the error shape."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from rest_framework import serializers

from governance import permissions
from registry.models import (
    MLModel,
    ModelVersion,
)
from registry.validators import label_validator, slug_validator


def user_field(**kwargs: Any) -> serializers.SlugRelatedField:
    """A person named by username."""
    return serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        error_messages={"does_not_exist": "unknown user {value!r}"},
        **kwargs,
    )


# Sent by HTML forms (DRF's browsable API) alongside the payload; not part of any input.
IGNORED_KEYS = {"csrfmiddlewaretoken"}


class StrictInput(serializers.Serializer):
    """Refuse keys the endpoint does not take, naming them, rather than silently dropping them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields) - IGNORED_KEYS)
            if unknown:
                raise serializers.ValidationError(
                    {key: ["is not accepted here"] for key in unknown}
                )
        return super().to_internal_value(data)


class ErrorItemSerializer(serializers.Serializer):
    # Only ever a response, so nothing is read-only: the schema would then call `row` required
    # (drf-spectacular requires read-only fields), and it is there only for rows of a list.
    field = serializers.CharField(help_text='"non_field" when not about one field')
    message = serializers.CharField()
    row = serializers.IntegerField(required=False, help_text="1-based, in lists")


class ErrorsSerializer(serializers.Serializer):
    """Every 4xx answer: what was refused, naming the field (and row, for lists)."""

    # DRF's metaclass takes declared fields off the class, so this does not hide the errors
    # property at run time; the stubs see Serializer.errors
    errors = ErrorItemSerializer(many=True, read_only=True)  # type: ignore[assignment]


def slug_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=80, validators=[slug_validator], **kwargs)


def label_field() -> serializers.CharField:
    return serializers.CharField(max_length=64, validators=[label_validator])


def text(max_length: int | None = None) -> serializers.CharField:
    """An optional free-text field; blank is allowed."""
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True)


def visible_models(context: Mapping[str, Any]) -> QuerySet[MLModel]:
    return permissions.models_for(context["request"].user)


def models_by_slug(context: Mapping[str, Any], slugs: list[str]) -> list[MLModel]:
    """The models named, in the order given; a slug the user cannot see is unknown."""
    found = {m.slug: m for m in visible_models(context).filter(slug__in=slugs)}
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise serializers.ValidationError(f"unknown model(s): {', '.join(map(repr, unknown))}")
    return [found[s] for s in dict.fromkeys(slugs)]


class VersionInput(StrictInput):
    """Input naming a version by its model's slug and its label; validated into the version."""

    model = slug_field(help_text="Slug of the model.")
    version = label_field()

    def validate_model(self, slug: str) -> MLModel:
        return models_by_slug(self.context, [slug])[0]

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        found = ModelVersion.objects.filter(model=data["model"], version=data["version"]).first()
        if found is None:
            raise serializers.ValidationError(
                {"version": f"{data['model'].slug} has no version {data['version']!r}"}
            )
        return {**data, "version": found}


class NothingInput(StrictInput):
    """A verb that takes no input: any key is refused, naming it."""


DECISIONS = ["grant", "refuse"]


class DecisionInput(StrictInput):
    """A second person's decision on a request someone else made."""

    decision = serializers.ChoiceField(choices=DECISIONS)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Why (needed to refuse)."
    )


REQUEST_FIELDS = [
    "state",
    "requested_by",
    "requested_at",
    "decided_by",
    "decided_at",
    "decision_reason",
]


class RequestStateMixin(serializers.Serializer):
    """Who asked, who decided, when and why: every second-person request shows the same."""

    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )
