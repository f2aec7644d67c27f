"""Hostile input: what no text, key or number a request carries may hold, whatever its format.

PostgreSQL refuses NUL in text (a 500 once the write began; SQLite stores it silently), UTF-8
has no lone surrogates (the database driver fails to encode one), integer columns hold 64 bits
at most, and nesting far deeper than any real payload only serves to exhaust the parser. One
walk over parsed data finds the first such value and names its path (`tags.owner`,
`metrics[3].value`); JSON is read with a depth guard, never into a RecursionError.

Pure Python: the JSON API's parsers (governance.api.parsers), the raw metric bodies
(monitoring.ingest.frames) and the check on every URL's path and query string
(governance.middleware) share it.
"""

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

MAX_DEPTH = 64
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")  # decoded JSON pairs them up: any left is lone

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Hostile:
    """The first hostile value found: where it is and what is wrong with it."""

    path: Path
    message: str

    @property
    def field(self) -> str:
        """The path as a person reads it: `tags.owner`, `metrics[3].value` (0-based indexes)."""
        return dotted(self.path)


def dotted(path: Path) -> str:
    shown = ""
    for step in path:
        shown += f"[{step}]" if isinstance(step, int) else f".{step}" if shown else step
    return shown or "body"


def text_problem(value: str) -> str:
    """Why a text cannot be stored, or ""."""
    if "\x00" in value:
        return "contains a NUL character"
    if _SURROGATE.search(value):
        return "contains a lone surrogate (not valid Unicode)"
    return ""


def number_problem(value: Any) -> str:
    """Why a number cannot be stored, or "" (also for what is not a number)."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        return "is beyond the 64-bit integer range"
    if isinstance(value, float) and not math.isfinite(value):
        return "is not a finite number (NaN or infinite)"
    return ""


def find(data: Any, max_depth: int = MAX_DEPTH, *, nan_ok: bool = False) -> Hostile | None:
    """The first hostile key or value in parsed data, depth first; None when all is well.

    `nan_ok` leaves NaN and infinities to a caller that names them its own way.
    """
    pending: list[tuple[Path, Any]] = [((), data)]
    while pending:
        path, value = pending.pop()
        if len(path) > max_depth:
            return Hostile(path[:max_depth], f"nests deeper than {max_depth} levels")
        if isinstance(value, Mapping):
            problem = next(filter(None, (text_problem(str(k)) for k in value)), "")
            problem = problem and f"has a key that {problem}"
            pending += [((*path, str(k)), v) for k, v in reversed(list(value.items()))]
        elif isinstance(value, list | tuple):
            problem = ""
            pending += [((*path, i), v) for i, v in reversed(list(enumerate(value)))]
        elif isinstance(value, str):
            problem = text_problem(value)
        elif nan_ok and isinstance(value, float):
            problem = ""
        else:
            problem = number_problem(value)
        if problem:
            return Hostile(path, problem)
    return None


def form_problem(fields: Iterable[tuple[str, list[Any]]]) -> Hostile | None:
    """The first hostile name or value among form fields (`QueryDict.lists()`): all text."""
    for name, values in fields:
        if text_problem(name):
            return Hostile((), f"has a field name that {text_problem(name)}")
        for value in values:
            if isinstance(value, str) and text_problem(value):
                return Hostile((name,), text_problem(value))
    return None


def url_problem(
    path_values: Mapping[str, Any], query: Iterable[tuple[str, list[Any]]]
) -> Hostile | None:
    """The first hostile value among a URL's path parameters (by name) and query string."""
    for name, value in path_values.items():
        if isinstance(value, str) and text_problem(value):
            return Hostile((name,), text_problem(value))
    return form_problem(query)


def load_json(body: bytes) -> Any:
    """A JSON document, read with a depth guard; ValueError saying why it is not one.

    orjson reads well-formed documents (and refuses nesting past 1024 levels by itself); the
    standard parser then reads what orjson refuses but `find` can name: NaN, Infinity, lone
    surrogate escapes, integers beyond 64 bits. Its recursion is caught, never raised.
    """
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if str(exc).startswith("depth limit exceeded"):
            raise ValueError(f"nests deeper than {MAX_DEPTH} levels") from None
    try:
        return json.loads(body)
    except RecursionError:
        raise ValueError(f"nests deeper than {MAX_DEPTH} levels") from None
