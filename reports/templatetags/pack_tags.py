"""Filters for the evidence pack's HTML: its record holds ISO strings, printed for people."""

from datetime import UTC, datetime

from django import template

from governance.labels import LABELS, label_for, value_label
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


# An answer, a custom field or a run parameter: Yes or No, a list of labels, a mapping as
# "Name: value" pairs, anything else as it is.
register.filter("shown", value_label)


# A name that is always a code (a metric, a feature, a drift method): "max_psi" -> "Max PSI".
register.filter("named", label_for)


# Free text with codes in it (a rationale, a finding raised by monitoring, an alert).
register.filter("decoded", wording.readable)
