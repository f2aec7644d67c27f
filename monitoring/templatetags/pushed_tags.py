"""What pipelines pushed for a version, for the version page (`registry/version_detail.html`).

The inventory sits below monitoring, so its views cannot read monitoring's selectors; this tag
lets the version page include the pushed data without its view changing (as `risk_tags` does for
risk). Numbers are rounded for reading; the `title` keeps the full value.
"""

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from governance.labels import label_for
from monitoring import charts
from monitoring.selectors import versions
from registry.models import ModelVersion

register = template.Library()

CHART_WIDTH_IN = 4.6
CHART_HEIGHT_IN = 2.0
METHODS = {
    "psi": "Population stability index",
    "ks": "Kolmogorov-Smirnov",
    "kolmogorov_smirnov": "Kolmogorov-Smirnov",
    "chisquare": "Chi-square",
    "chi_square": "Chi-square",
    "wasserstein": "Wasserstein distance",
    "jensenshannon": "Jensen-Shannon distance",
    "jensen_shannon": "Jensen-Shannon distance",
    "kl_div": "Kullback-Leibler divergence",
}


@register.simple_tag
def pushed_results(version: ModelVersion) -> dict[str, Any]:
    """The version's pushed data and its charts: {% pushed_results version as pushed %}."""
    found = versions.version_results(version)
    drawn = [
        charts.metric_over_time(series, width_in=CHART_WIDTH_IN, height_in=CHART_HEIGHT_IN)
        for series in found.series
    ]
    return {"found": found, "charts": list(zip(found.metrics, drawn, strict=False))}


@register.filter
def reading(value: object, digits: int = 4) -> SafeString | str:
    """A number rounded for reading, its full value in a tooltip: {{ 0.812345678|reading }}."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if not isinstance(value, int | float):
        return "—" if value is None or value == "" else str(value)
    shown = f"{value:,}" if isinstance(value, int) else f"{value:.{digits}g}"
    return format_html('<span title="{}">{}</span>', repr(value), shown)


@register.filter
def method_label(method: object) -> str:
    """A drift method as people read it ("psi" -> "Population stability index")."""
    text = str(method or "")
    if not text:
        return "—"
    return METHODS.get(text.lower()) or label_for(text)


@register.filter
def measure_label(name: object) -> str:
    """A metric or statistic name as people read it ("demographic_parity_difference")."""
    return label_for(name)


@register.filter
def drift_verdict(column: Mapping[str, Any]) -> str:
    """A column's verdict: drifted, within its threshold, or not judged."""
    drifted = column.get("drifted")
    if drifted is None:
        return "Not judged"
    return "Drifted" if drifted else "No drift"


@register.filter
def expectations_passed(results: list[Mapping[str, Any]]) -> str:
    """How many of a validation suite's expectations held ("12 of 14")."""
    passed = sum(1 for r in results if r.get("success"))
    return f"{passed} of {len(results)}"


@register.filter
def numeric_items(values: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """The numeric entries of a JSON mapping (fairness metrics, evaluation metrics), by name."""
    return sorted(
        (key, value)
        for key, value in (values or {}).items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    )


# How a rule reads, whatever order the database kept its keys in (PostgreSQL's jsonb sorts
# them): the bounds low to high first, then the rest by name, "mostly" last.
RULE_FIRST = ("min_value", "max_value", "strict_min", "strict_max")


def _rule_order(key: str) -> tuple[int, int, str]:
    if key in RULE_FIRST:
        return (0, RULE_FIRST.index(key), key)
    return (2 if key == "mostly" else 1, 0, key)


@register.filter
def rule_words(kwargs: Mapping[str, Any] | None) -> str:
    """An expectation's rule as configured, less its column: "min value 0 · max value 120"."""
    kwargs = kwargs or {}
    parts = [
        f"{label_for(key).lower()} {_plain(kwargs[key])}"
        for key in sorted(kwargs, key=_rule_order)
        if key not in {"column", "column_A", "column_B", "column_list"}
    ]
    return " · ".join(parts) or "—"


@register.filter
def observed_words(observed: Mapping[str, Any] | None) -> str:
    """What an expectation found: its observed value, or how many rows broke it."""
    observed = observed or {}
    parts = []
    if "observed_value" in observed:
        parts.append(f"observed {_plain(observed['observed_value'])}")
    if "unexpected_count" in observed:
        total = observed.get("element_count")
        of = f" of {total:,}" if isinstance(total, int) else ""
        parts.append(f"{observed['unexpected_count']:,}{of} unexpected")
    if observed.get("exception"):
        parts.append(f"raised: {observed['exception']}")
    return " · ".join(parts) or "—"


def _plain(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
