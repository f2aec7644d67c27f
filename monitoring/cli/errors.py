"""Exit codes meant for CI, and the one error type the CLI prints instead of a traceback."""

from collections.abc import Mapping, Sequence
from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    OK = 0  # success, or the gate is open
    GATE_CLOSED = 1
    BAD_INPUT = 2  # usage, a bad file, or the server's 400/404/409/413
    AUTH = 3  # 401/403: no token, a revoked one, or no right on that model
    FAILURE = 4  # the server or the network failed, even after the retries


class CliError(Exception):
    """An expected failure: a message, the server's errors if any, and the exit code."""

    def __init__(
        self,
        message: str,
        *,
        code: ExitCode = ExitCode.BAD_INPUT,
        errors: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors = list(errors)

    def lines(self) -> list[str]:
        """What to print: the message, then one indented line per error."""
        return [f"error: {self.message}", *(f"  {describe(e)}" for e in self.errors)]


def code_for_status(status: int) -> ExitCode:
    if status in (401, 403):
        return ExitCode.AUTH
    if 400 <= status < 500:
        return ExitCode.BAD_INPUT
    return ExitCode.FAILURE


def describe(error: Mapping[str, Any]) -> str:
    """One server error as a person reads it: `row 3, value: 'x' is not a number`."""
    field = error.get("field") or "non_field"
    where = "" if field == "non_field" else f"{field}: "
    row = error.get("row")
    at_row = f"row {row}, " if row is not None else ""
    return f"{at_row}{where}{error.get('message', '')}"
