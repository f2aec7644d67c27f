"""Rulebooks API output and input: versions (content in detail only) and publication requests."""

from rest_framework import serializers

from governance.api.serializers import REQUEST_FIELDS, RequestStateMixin, StrictInput
from governance.rulebooks.models import Publication, Rulebook

RULEBOOK_FIELDS = [
    "id",
    "kind",
    "name",
    "version",
    "title",
    "status",
    "effective_from",
    "published_at",
    "published_by",
    "content_sha256",
    "corrects",
    "correction_reason",
    "corrected_by",
]


class RulebookSerializer(serializers.ModelSerializer):
    """One version, without its content (a list of every version stays small)."""

    published_by = serializers.CharField(
        source="published_by.username", read_only=True, allow_null=True, default=None
    )
    corrects = serializers.IntegerField(
        source="corrects_id",
        read_only=True,
        allow_null=True,
        help_text="The id of the published version this one corrects, if any",
    )
    corrected_by = serializers.IntegerField(
        source="corrected_by_id",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The id of the published correction that replaces this version on every day "
        "it was in force (it is then in force on no day), if any",
    )

    class Meta:
        model = Rulebook
        fields = RULEBOOK_FIELDS
        read_only_fields = fields


class RulebookDetailSerializer(RulebookSerializer):
    class Meta(RulebookSerializer.Meta):
        fields = [*RULEBOOK_FIELDS, "content"]
        read_only_fields = fields
        extra_kwargs = {
            "content": {"help_text": "The rules as data; `content_sha256` is its canonical hash"}
        }


class RulebookPublicationSerializer(RequestStateMixin, serializers.ModelSerializer):
    """A request to publish a draft version, and its decision."""

    rulebook = RulebookSerializer(read_only=True)

    class Meta:
        model = Publication
        fields = ["id", "rulebook", "note", *REQUEST_FIELDS]
        read_only_fields = fields


class PublicationRequestInput(StrictInput):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="For the deciders (optional)."
    )


class CorrectionInput(StrictInput):
    reason = serializers.CharField(
        help_text="What the correction corrects, and on what source (kept and audited)."
    )
    changes = serializers.DictField(
        required=False,
        default=dict,
        help_text="Content keys that differ from the corrected version, e.g. `effective_from` "
        "(may be earlier, between the neighbouring versions) or `practices`.",
    )
