"""DomainError: a rule of the domain refused an action; it names the field and, in batches, the row."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction


class DomainError(ValidationError):
    """A refused action, naming the field (and row, for batches) so the caller can fix it."""

    def __init__(self, *, field: str, message: str, row: int | None = None) -> None:
        self.field = field
        self.row = row
        self.error_text = message
        super().__init__({field: [message]})

    def as_dict(self) -> dict[str, object]:
        item: dict[str, object] = {"field": self.field, "message": self.error_text}
        if self.row is not None:
            item["row"] = self.row
        return item

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.error_text}"


def clean_or_raise(obj: object, *, exclude: list[str] | None = None) -> None:
    """Run a model instance's full_clean and turn the first problem into a DomainError."""
    try:
        obj.full_clean(exclude=exclude)  # type: ignore[attr-defined]
    except ValidationError as exc:
        if isinstance(exc, DomainError):
            raise
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(
            field="non_field" if field == "__all__" else field, message=messages[0]
        ) from exc


def save_new(obj: models.Model, *, field: str, message: str) -> None:
    """Insert a row whose identifier must be unique.

    Services check uniqueness first; this turns the rare concurrent insert that slips past the
    check into the same field error (not a server error), inside a savepoint so the caller's
    transaction stays usable.
    """
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise DomainError(field=field, message=message) from exc
