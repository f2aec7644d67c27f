"""Tables in uploaded files: which format (the `format` option, else the name's suffix), and
reading CSV or Parquet into pandas with BadInput naming the file when it cannot be read."""

import io
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from monitoring.ingest.errors import BadInput


def table_format(filename: str, options: Mapping[str, str], suffixes: Mapping[str, str]) -> str:
    """One of `suffixes`' values (e.g. "csv"), or BadInput naming the `format` option."""
    known = sorted(set(suffixes.values()))
    if "format" in options:
        chosen = options["format"].strip().lower()
        if chosen not in known:
            raise BadInput(field="format", message=f"{chosen!r} is not one of {', '.join(known)}")
        return chosen
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix not in suffixes:
        raise BadInput(
            field="format",
            message=f"cannot be told from the file name {filename!r}: pass format "
            f"({', '.join(known)})",
        )
    return suffixes[suffix]


def read_table(
    content: bytes, fmt: str, columns: Sequence[str] | None = None, *, text: Sequence[str] = ()
) -> pd.DataFrame:
    """The file's columns (only `columns` when given: the rest is never parsed); `text`
    columns stay strings in CSV, so that a region "007" is not the number 7."""
    if not content.strip():
        raise BadInput(field="file", message="is empty")
    if fmt == "parquet":
        return _parquet(content, columns)
    return _csv(content, columns, text)


def _csv(content: bytes, columns: Sequence[str] | None, text: Sequence[str]) -> pd.DataFrame:
    wanted = None if columns is None else set(columns).__contains__
    try:
        return pd.read_csv(io.BytesIO(content), usecols=wanted, dtype=dict.fromkeys(text, str))
    except (ValueError, pd.errors.ParserError) as exc:
        raise BadInput(field="file", message=f"is not readable CSV: {exc}") from None


def _parquet(content: bytes, columns: Sequence[str] | None) -> pd.DataFrame:
    try:
        source = pq.ParquetFile(io.BytesIO(content))
        names = source.schema_arrow.names
        present = None if columns is None else [c for c in columns if c in names]
        frame: pd.DataFrame = source.read(columns=present).to_pandas()
        return frame
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise BadInput(field="file", message=f"is not readable Parquet: {exc}") from None
