"""Filters for the evidence pack's HTML: its record holds ISO strings, printed for people."""

from datetime import UTC, datetime

from django import template

register = template.Library()


@register.filter
def when(iso: str | None) -> str:
    """An instant to the second in UTC; `evidence.json` keeps it to the microsecond."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
