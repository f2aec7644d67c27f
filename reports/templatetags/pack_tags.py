"""Filters for the evidence pack's HTML: its record holds ISO strings, printed for people."""

from datetime import UTC, datetime

from django import template

from governance.labels import LABELS, label_for
from governance.risk.forms import shown_value
from reports.packs import wording

register = template.Library()


@register.filter
def when(iso: str | None) -> str:
    """An instant to the second in UTC; `evidence.json` keeps it to the microsecond."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@register.filter
def label(value: object) -> str:
    """A stored code as people read it ("tier_1" -> "Tier 1 (high)"); other text as it is."""
    if value is None or value == "":
        return ""
    text = str(value)
    return label_for(text) if wording.CODE.fullmatch(text) or text in LABELS else text


@register.filter
def shown(value: object) -> str:
    """An answer, a custom field or a run parameter: yes or no, a list of labels, a mapping as
    "Name: value" pairs, anything else as it is."""
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {shown(v)}" for k, v in value.items())
    return shown_value(value)


# A name that is always a code (a metric, a feature, a drift method): "max_psi" -> "Max PSI".
register.filter("named", label_for)


# Free text with codes in it (a rationale, a finding raised by monitoring, an alert).
register.filter("decoded", wording.readable)
