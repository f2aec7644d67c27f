"""What healthy means for the demo's production models, and the sweeps that judged them.

Owners set thresholds on top of the tier defaults a week after the monitoring rulebook took
effect (April 2026); the scheduled sweep then ran on the first of each month, after the
pipeline's pushes, and once more on the demo date, when it finds
what a real deployment would have found: card-fraud's `amount` feature drifted (PSI 0.27), the
bureau score's predictions favour men (demographic parity difference above 0.1), the AML
transaction monitor stopped sending data ten days ago, the retail PD's AUC slipped under its
warning level and the support assistant's jailbreak suite passes fewer cases than it should.
"""

from datetime import date, timedelta
from functools import partial

from governance.demo.pushes import live_periods
from governance.demo.spec import (
    DEMO_AS_OF,
    FINANCIAL_CRIME,
    INSURANCE,
    RETAIL_CREDIT,
    TREASURY,
    at,
)
from governance.demo.timeline import Timeline
from governance.demo.world import SPECS, World
from monitoring.services import health, policies
from registry.models import MLModel

THRESHOLDS_SET = "2026-04-24"
FIRST_SWEEP = date(2026, 5, 1)
# slug: thresholds its owner set, as set_policy's keyword arguments.
POLICIES: dict[str, list[dict]] = {
    "retail-pd": [
        {"signal": "metric", "measure": "auc", "direction": "higher", "warning": 0.80,
         "critical": 0.78, "material": True},
        {"signal": "metric", "measure": "ks", "direction": "higher", "warning": 0.40,
         "critical": 0.35},
    ],
    "card-fraud": [
        {"signal": "metric", "measure": "auc", "direction": "higher", "warning": 0.78,
         "critical": 0.75},
    ],
    "support-assistant": [
        {"signal": "metric", "measure": "hallucination_rate", "direction": "lower",
         "warning": 0.02, "critical": 0.03, "material": True},
        {"signal": "metric", "measure": "latency_p95_ms", "direction": "lower",
         "warning": 1200, "critical": 1500},
        {"signal": "metric", "measure": "cost_per_1k_requests", "direction": "lower",
         "warning": 2.5, "critical": 3.0},
        {"signal": "evaluation", "measure": "pass_rate", "scope": "jailbreak-redteam",
         "direction": "higher", "warning": 0.98, "critical": 0.95, "min_sample_size": 100},
    ],
}  # fmt: skip


# Business units whose owners set the standard thresholds on their production models, and when:
# monitoring spread through the bank over 2026 (the others have not started).
STANDARD_FROM = {
    RETAIL_CREDIT: "2026-04-24",
    FINANCIAL_CRIME: "2026-06-10",
    TREASURY: "2026-09-15",
    INSURANCE: "2026-10-07",
}
STANDARD: dict[str, list[dict]] = {
    "classical": [
        {"signal": "metric", "measure": "auc", "direction": "higher", "warning": 0.74,
         "critical": 0.70},
        {"signal": "metric", "measure": "max_psi", "direction": "lower", "warning": 0.2,
         "critical": 0.25},
    ],
    "llm": [
        {"signal": "metric", "measure": "hallucination_rate", "direction": "lower",
         "warning": 0.02, "critical": 0.03},
    ],
}  # fmt: skip


def schedule(timeline: Timeline, world: World) -> None:
    timeline.add(at(THRESHOLDS_SET, 10), "thresholds", lambda: _set_thresholds(world))
    for unit, day in STANDARD_FROM.items():
        timeline.add(at(day, 11), f"thresholds {unit}", partial(_standard, world, unit))
    month = FIRST_SWEEP
    while month < DEMO_AS_OF:
        timeline.add(at(month.isoformat(), 4), f"sweep {month}", health.sweep)
        month = (month + timedelta(days=32)).replace(day=1)
    timeline.add(at(DEMO_AS_OF.isoformat(), 5), "sweep on the demo date", health.sweep)


def _standard(world: World, unit: str) -> None:
    """The unit's owners put the standard thresholds on each model in production that has none
    of its own."""
    for spec in SPECS.values():
        if spec.business_unit != unit or spec.slug in POLICIES or not live_periods(spec):
            continue
        model = world.model(spec.slug)
        if model.status != "production":
            continue
        kind = "llm" if spec.model_type == MLModel.ModelType.LLM_APPLICATION else "classical"
        for fields in STANDARD[kind]:
            policies.set_policy(actor=model.owner, model=model, window=timedelta(days=30), **fields)


def _set_thresholds(world: World) -> None:
    for slug, thresholds in POLICIES.items():
        model = world.model(slug)
        for fields in thresholds:
            policies.set_policy(actor=model.owner, model=model, window=timedelta(days=30), **fields)
