"""Filters for the evidence pack's HTML: its record holds ISO strings, printed for people."""

import re
from datetime import UTC, datetime

from django import template

from governance.labels import LABELS, label_for
from governance.risk.forms import shown_value

register = template.Library()


@register.filter
def when(iso: str | None) -> str:
    """An instant to the second in UTC; `evidence.json` keeps it to the microsecond."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


@register.filter
def label(value: object) -> str:
    """A stored code as people read it ("tier_1" -> "Tier 1 (high)"); other text as it is."""
    if value is None or value == "":
        return ""
    text = str(value)
    return label_for(text) if CODE.fullmatch(text) or text in LABELS else text


# An answer or a custom field's value: yes or no, a list of labels, anything else as it is.
register.filter("shown", shown_value)


@register.filter
def decoded(text: str) -> str:
    """Free text (a rule's rationale) with each code in it, quoted or not, read as its label."""
    return CODE.sub(lambda m: label_for(m.group(0)), re.sub(r"'([a-z0-9_]+)'", r"\1", text))
