"""The manifest of an evidence pack's attachments: canonical JSON and SHA-256. No Django here.

The manifest is attached to the PDF as `manifest.json`; its SHA-256 is printed on the cover and
kept with the pack's record, so a changed attachment, a changed manifest or a missing file shows.
"""

import hashlib
import json
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from governance.chain import canonical_json

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class Attachment:
    """One file embedded in the pack."""

    name: str
    media_type: str
    content: bytes
    description: str = ""


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def sha256_file(content: IO[bytes]) -> str:
    """The SHA-256 of a file read from where it stands to its end, a megabyte at a time."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: content.read(2**20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def json_bytes(payload: Mapping[str, object]) -> bytes:
    """Canonical JSON bytes: the same data always gives the same bytes, and so the same hash."""
    return canonical_json(payload).encode()


def build_manifest(header: Mapping[str, object], attachments: list[Attachment]) -> dict[str, Any]:
    """The pack's identity (`header`) and each attachment's name, type, size and SHA-256."""
    entries = [
        {
            "name": a.name,
            "media_type": a.media_type,
            "size": len(a.content),
            "sha256": sha256_hex(a.content),
        }
        for a in sorted(attachments, key=lambda a: a.name)
    ]
    return {**header, "attachments": entries}


def parse(content: bytes) -> dict[str, Any] | None:
    """A manifest read back from a file, or None when it is not one in the shape Attest writes
    (an object whose attachments each have a text name and SHA-256): the file may be forged."""
    try:
        manifest = json.loads(content)
    except ValueError:
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("attachments", []), list):
        return None
    for entry in manifest.get("attachments", []):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and isinstance(entry.get("sha256"), str)
        ):
            return None
    return manifest


def differences(manifest: Mapping[str, Any], files: Mapping[str, bytes]) -> list[str]:
    """What no longer matches between a parsed manifest and the files found next to it (empty:
    intact)."""
    listed = {entry["name"]: entry for entry in manifest.get("attachments", [])}
    found = []
    for name, entry in sorted(listed.items()):
        if name not in files:
            found.append(f"{name} is listed in the manifest but missing from the file")
        elif sha256_hex(files[name]) != entry["sha256"]:
            found.append(
                f"{name} was changed: SHA-256 {sha256_hex(files[name])}, "
                f"manifest says {entry['sha256']}"
            )
    found += [
        f"{name} is attached but not listed in the manifest"
        for name in sorted(set(files) - set(listed) - {MANIFEST_NAME})
    ]
    return found


def changed_entries(recorded: Mapping[str, Any], found: Mapping[str, Any]) -> list[str]:
    """Which attachments a manifest lists differently from the one recorded at generation."""
    before = {e["name"]: e["sha256"] for e in recorded.get("attachments", [])}
    after = {e["name"]: e["sha256"] for e in found.get("attachments", [])}
    return [
        f"{name} differs from the pack Attest generated"
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    ]


def write_zip(out: IO[bytes], files: Iterable[tuple[str, bytes]], when: datetime) -> None:
    """The files into one zip, in the order given, each dated `when` (the as-of instant): the
    same files always give the same bytes. PDFs are compressed already, so they are stored."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
