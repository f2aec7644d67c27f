"""The internal codes no reader may see, and a PDF's text as poppler reads it: shared by the
checks of packs and reports, those of the demo's included."""

import re
import shutil
import subprocess
from pathlib import Path

from django.apps import apps

from governance.labels import LABELS

CODE = re.compile(r"[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+")
APPS = {"governance", "registry", "monitoring", "reports"}


def internal_codes() -> set[str]:
    """Every snake_case or dotted choice value and field name of Attest's models, and each code
    `governance.labels` gives a label: none of them may reach a reader."""
    codes = {key for key in LABELS if CODE.fullmatch(key)}
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        for field in model._meta.concrete_fields:
            codes |= {field.name} if CODE.fullmatch(field.name) else set()
            codes |= {v for v, _ in field.choices or () if isinstance(v, str) and CODE.fullmatch(v)}
    return codes


def shown_codes(text: str) -> set[str]:
    """The internal codes that reach `text` as words of their own."""
    return {
        code
        for code in internal_codes()
        if re.search(rf"(?<![\w./:-]){re.escape(code)}(?![\w-])", text)
    }


def pdftotext(pdf: bytes, folder: Path) -> str:
    """A PDF's text as poppler's pdftotext lays it out, whitespace runs made one space."""
    path = folder / "document.pdf"
    path.write_bytes(pdf)
    command = [shutil.which("pdftotext") or "pdftotext", "-layout", str(path), "-"]
    shown = subprocess.run(command, capture_output=True, check=True, text=True)  # noqa: S603 - poppler on our own file
    return " ".join(shown.stdout.split())
