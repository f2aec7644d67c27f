"""The validator's own words in a validation report, and the hash that freezes them at sign-off.

No Django here: the report's service stores these fields and the document reads them back.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class Narrative:
    """What the validator writes: the scope, a note per section and the conclusion ("" unwritten)."""

    scope: str = ""
    evidence_note: str = ""
    tests_note: str = ""
    findings_note: str = ""
    conclusion: str = ""


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Narrative))


def cleaned(narrative: Narrative) -> Narrative:
    """Each text without surrounding blanks and with Unix line ends (a browser posts CRLF)."""
    return Narrative(
        **{name: getattr(narrative, name).replace("\r\n", "\n").strip() for name in FIELDS}
    )


def text_sha256(narrative: Narrative) -> str:
    """SHA-256 of the text as signed: canonical JSON of every field, so any change shows."""
    canonical = json.dumps(asdict(narrative), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
