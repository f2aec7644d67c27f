"""Checking and normalising custom-field values against their definitions. No Django here."""

import datetime as dt
import decimal
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Plain ASCII digits only: int() would also take "1_000" and other scripts' digits.
INTEGER = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class FieldSpec:
    """What one custom field accepts."""

    key: str
    label: str
    field_type: str
    choices: tuple[str, ...] = ()
    is_required: bool = False


class CustomValueError(ValueError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _coerce(spec: FieldSpec, value: object) -> object:
    text = str(value).strip()
    if spec.field_type == "integer":
        if isinstance(value, bool) or not INTEGER.fullmatch(text):
            raise ValueError
        return int(text)
    if spec.field_type == "decimal":
        number = decimal.Decimal(text)
        if not number.is_finite():
            raise ValueError
        # Fixed-point: str() of a normalised 100 is "1E+2".
        return f"{number.normalize():f}"
    if spec.field_type == "boolean":
        if isinstance(value, bool):
            return value
        lowered = text.lower()
        if lowered not in {"true", "false", "yes", "no", "1", "0"}:
            raise ValueError
        return lowered in {"true", "yes", "1"}
    if spec.field_type == "date":
        return dt.date.fromisoformat(text).isoformat()
    if spec.field_type == "choice" and text not in spec.choices:
        raise CustomValueError(spec.key, f"must be one of {', '.join(spec.choices)}")
    if len(text) > 500:
        raise CustomValueError(spec.key, "is longer than 500 characters")
    return text


def clean_custom_values(
    specs: Sequence[FieldSpec], values: Mapping[str, object]
) -> dict[str, object]:
    """Return the values in canonical form; raise CustomValueError naming the first bad key."""
    by_key = {spec.key: spec for spec in specs}
    unknown = sorted(set(values) - set(by_key))
    if unknown:
        raise CustomValueError(unknown[0], "is not a defined custom field")
    cleaned: dict[str, object] = {}
    for spec in specs:
        value = values.get(spec.key)
        if _is_blank(value):
            if spec.is_required:
                raise CustomValueError(spec.key, "is required")
            continue
        try:
            cleaned[spec.key] = _coerce(spec, value)
        except (ValueError, decimal.InvalidOperation) as exc:
            if isinstance(exc, CustomValueError):
                raise
            raise CustomValueError(spec.key, f"is not a valid {spec.field_type}") from exc
    return cleaned


def typed(field_type: str, stored: object) -> str | int | bool | dt.date | decimal.Decimal | None:
    """A stored value as its field's type, for a spreadsheet: a decimal (stored as text to keep its
    digits) as a Decimal, a date as a date, so exports write numbers as numbers. A value that no
    longer reads as its field's type (stored before the type changed) is the text it was
    recorded as."""
    if stored is None or isinstance(stored, bool | int):
        return stored
    try:
        if field_type == "date":
            return dt.date.fromisoformat(str(stored))
        if field_type == "decimal":
            return decimal.Decimal(str(stored))
    except (ValueError, decimal.InvalidOperation):
        return str(stored)
    return str(stored)
