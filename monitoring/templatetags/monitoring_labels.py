"""Monitoring's codes as people read them, for what pages show from stored snapshots (an
incident keeps the thresholds' keys as they were judged)."""

from django import template

from governance.labels import signal_label

register = template.Library()


@register.filter(name="signal_label")
def signal_label_filter(key: str) -> str:
    """A threshold's key in words: {{ "metric:auc"|signal_label }} -> "Metric: AUC"."""
    return signal_label(key)
