"""Which evidence files Attest accepts: the name's extension and the first bytes must agree.

Checking the content, not only the name, stops an executable renamed to .pdf; text formats
must be UTF-8.
"""

from pathlib import PurePath

SNIFF_BYTES = 8192
# extension -> (media type, magic prefix or None for UTF-8 text)
ACCEPTED: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        b"PK\x03\x04",
    ),
    ".zip": ("application/zip", b"PK\x03\x04"),
    ".parquet": ("application/vnd.apache.parquet", b"PAR1"),
    ".csv": ("text/csv", None),
    ".txt": ("text/plain", None),
    ".md": ("text/markdown", None),
    ".json": ("application/json", None),
    ".yaml": ("application/yaml", None),
    ".yml": ("application/yaml", None),
    ".html": ("text/html", None),
    ".ipynb": ("application/x-ipynb+json", None),
}


def media_type(name: str, head: bytes) -> str:
    """The file's media type, or ValueError saying why it is refused."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in ACCEPTED:
        allowed = ", ".join(sorted(ACCEPTED))
        raise ValueError(f"{suffix or 'no extension'} files are not accepted (use {allowed})")
    kind, magic = ACCEPTED[suffix]
    if magic is not None and not head.startswith(magic):
        raise ValueError(f"the content is not a {suffix} file")
    if magic is None and not _is_text(head):
        raise ValueError(f"a {suffix} file must be UTF-8 text")
    return kind


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sniffed head may cut a multi-byte character in two at its end.
        return exc.start >= len(head) - 3
    return True
