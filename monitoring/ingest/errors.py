"""BadInput: an artifact or payload that cannot be read, naming the field and, in tables, the row."""


class BadInput(ValueError):  # noqa: N818 - reads as the domain says it
    """Raised by adapters and parsers; the server turns it into a 400, the CLI into exit code 2."""

    def __init__(self, *, field: str, message: str, row: int | None = None) -> None:
        self.field = field
        self.row = row
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"
