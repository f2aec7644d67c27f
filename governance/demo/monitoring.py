"""What healthy means for the demo's production models, judged once the portfolio is built.

Owners set thresholds on top of the tier defaults; one sweep then finds
what a real deployment would have found: card-fraud's `amount` feature drifted (PSI 0.27), the
bureau score's predictions favour men (demographic parity difference above 0.1), the AML
transaction monitor stopped sending data ten days ago, the retail PD's AUC slipped under its
warning level and the support assistant's jailbreak suite passes fewer cases than it should.
"""

from datetime import timedelta

from monitoring.services import health, policies
from registry.models import MLModel

Models = dict[str, MLModel]
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


def seed(models: Models) -> dict[str, int]:
    for slug, thresholds in POLICIES.items():
        model = models[slug]
        for fields in thresholds:
            policies.set_policy(actor=model.owner, model=model, window=timedelta(days=30), **fields)
    return health.sweep()
