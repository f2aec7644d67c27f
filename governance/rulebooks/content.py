"""Rulebook content as stored and as the rules modules read it; its canonical hash. No Django."""

import hashlib
import json
import re
from datetime import date
from typing import Any

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def as_json(content: dict[str, Any]) -> dict[str, Any]:
    """YAML dates become ISO strings so the content fits a JSON column and hashes stably."""
    stored: dict[str, Any] = json.loads(json.dumps(content, default=str))
    return stored


def as_rules(content: dict[str, Any]) -> Any:
    """Stored content as the rules modules read it: ISO date strings back to dates, as YAML gave."""
    if isinstance(content, dict):
        return {key: as_rules(value) for key, value in content.items()}
    if isinstance(content, list):
        return [as_rules(value) for value in content]
    if isinstance(content, str) and _ISO_DATE.match(content):
        return date.fromisoformat(content)
    return content


def content_sha256(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
