"""Field validators shared by models, forms and serializers."""

from django.core.validators import RegexValidator

sha256_validator = RegexValidator(
    r"^[0-9a-f]{64}$", "must be a SHA-256 digest: 64 lowercase hexadecimal characters"
)
