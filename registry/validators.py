"""Field validators shared by models, forms and serializers."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# Identifiers appear in URLs next to fixed words such as /models/new/, so those words are taken.
RESERVED_IDENTIFIERS = frozenset({"new", "edit"})

sha256_validator = RegexValidator(
    r"^[0-9a-f]{64}\Z", "must be a SHA-256 digest: 64 lowercase hexadecimal characters"
)
_slug_pattern = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]*\Z",
    "use lowercase letters, digits, - and _, starting with a letter or digit",
)
_label_pattern = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._+-]*\Z",
    "use letters, digits, '.', '_', '+' and '-', starting with a letter or digit",
)


def _not_reserved(value: str) -> None:
    if value.lower() in RESERVED_IDENTIFIERS:
        raise ValidationError(f'"{value}" is reserved; choose another', code="reserved")


def slug_validator(value: str) -> None:
    """A permanent identifier of a model, dataset or use case (lowercase, URL-safe)."""
    _slug_pattern(value)
    _not_reserved(value)


def label_validator(value: str) -> None:
    """A version label: it appears in URLs, so no spaces or slashes."""
    _label_pattern(value)
    _not_reserved(value)
