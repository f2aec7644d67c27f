"""A multipart/form-data body streamed from disk, moving a progress bar as bytes go out.

requests sees an object with a length and `read()`, so it sends a Content-Length (the server
refuses oversize bodies by it, and Django's development server cannot read chunked bodies) and
urllib3 reads it block by block: a 2 GB file never sits in memory, and the bar counts bytes
actually handed to the socket.
"""

import io
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO, Protocol

BLOCK = 64 * 1024


class Progress(Protocol):
    def update(self, n: int) -> object: ...


class MultipartFile:
    """`fields` as form fields, then the file at `path` as the form field `file_field`."""

    def __init__(
        self,
        path: Path,
        *,
        fields: Mapping[str, str],
        file_field: str = "file",
        progress: Progress | None = None,
    ) -> None:
        self.boundary = secrets.token_hex(16)
        head = b"".join(self._field(name, value) for name, value in fields.items())
        head += self._file_header(file_field, path.name)
        tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._length = len(head) + path.stat().st_size + len(tail)
        self._file: BinaryIO = path.open("rb")
        self._parts: list[BinaryIO] = [io.BytesIO(head), self._file, io.BytesIO(tail)]
        self._progress = progress

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        wanted = self._length if size is None or size < 0 else size
        out = bytearray()
        while self._parts and len(out) < wanted:
            block = self._parts[0].read(wanted - len(out))
            if not block:
                self._parts.pop(0)
                continue
            out += block
        if self._progress is not None and out:
            self._progress.update(len(out))
        return bytes(out)

    def __iter__(self) -> Iterator[bytes]:
        while block := self.read(BLOCK):
            yield block

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "MultipartFile":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _field(self, name: str, value: str) -> bytes:
        return (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n'
            f"{value}\r\n"
        ).encode()

    def _file_header(self, name: str, filename: str) -> bytes:
        return (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{_quoted(name)}"; '
            f'filename="{_quoted(filename)}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()


def _quoted(text: str) -> str:
    # As browsers do (WHATWG HTML "multipart/form-data encoding algorithm").
    return text.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")
