"""What the demo's pipelines pushed, sent the way a real pipeline sends it: over the API.

A service account, `ci-pipeline`, is named Responsible for monitoring on every model with a
live version and pushes through `/api/v1/` with its token (Django's test client, no socket):
90 days of daily metrics up to the night before the seed (monitoring data is recent by
nature, so it follows the day the demo is built, unlike the release history) as CSV or columnar
JSON, fairness computed by the fairness import
from raw predictions (fairlearn), drift and LLM safety evaluations as bundles. So the demo's
monitoring data went through the same middleware, adapters and services as production's.
"""

import io
import json
from datetime import date, datetime, time, timedelta
from typing import NoReturn

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from governance.access.models import RaciAssignment
from governance.access.services import raci, tokens
from governance.demo import spec as demo
from registry.models import MLModel

PIPELINE = "ci-pipeline"
HISTORY_DAYS = 90
# name: (start, daily drift, noise): each model's history drifts slowly, deterministically.
CLASSICAL = {
    "auc": (0.82, -0.0002, 0.004),
    "ks": (0.46, -0.0002, 0.006),
    "max_psi": (0.04, 0.0006, 0.01),
}
LLM = {
    "hallucination_rate": (0.010, 0.0001, 0.002),
    "latency_p95_ms": (850.0, 1.0, 40.0),
    "cost_per_1k_requests": (2.10, 0.002, 0.05),
}
# slug: (version, how strongly predictions favour one sex): cv-screening's check fails, and so
# does the bureau score's in production (monitoring raises its alert).
FAIRNESS = {
    "retail-pd": ("2.1", 0.02),
    "current-account-churn": ("1.1", 0.03),
    "cv-screening": (None, 0.25),
    "bureau-score": ("7.0", 0.15),
}
# slug: days before the demo date on which its feed stopped: the AML pipeline broke.
STALE = {"aml-transaction-monitoring": 10}
Users = dict[str, User]
Models = dict[str, MLModel]


def seed(users: Users, models: Models, request_id: str) -> None:
    account = tokens.create_service_account(
        actor=users[demo.ADMIN], username=PIPELINE, description="The bank's shared CI pipeline"
    )
    _, key = tokens.issue_token(actor=users[demo.ADMIN], user=account, name="demo pushes")
    # The seed's request id rides along, so these events trace back to seed_demo like the rest.
    api = Client(
        HTTP_AUTHORIZATION=f"Token {key}", HTTP_X_REQUEST_ID=request_id, SERVER_NAME=_host()
    )
    for slug, model in models.items():
        live = _live_version(model)
        if live is None and slug not in FAIRNESS:
            continue
        raci.assign_raci(
            actor=users[demo.ADMIN],
            model=model,
            user=account,
            role=RaciAssignment.Role.RESPONSIBLE,
            area=RaciAssignment.Area.MONITORING,
        )
        if live is not None:
            _push_history(api, model, live)
    for slug, (label, bias) in FAIRNESS.items():
        _push_fairness(api, slug, label or _latest_version(models[slug]), bias)
    drifting = _live_version(models["card-fraud"]) or _no_version("card-fraud")
    _push_drift(api, "card-fraud", drifting)
    assistant = _live_version(models["support-assistant"]) or _no_version("support-assistant")
    _push_safety(api, "support-assistant", assistant)


def _host() -> str:
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"]
    return hosts[0] if hosts else "localhost"


def _live_version(model: MLModel) -> str | None:
    live = model.versions.filter(
        deployments__environment="production", deployments__ended_at__isnull=True
    ).first()
    return live.version if live else None


def _latest_version(model: MLModel) -> str:
    latest = model.versions.order_by("-created_at", "-pk").first()
    return latest.version if latest else _no_version(model.slug)


def _no_version(slug: str) -> NoReturn:
    raise RuntimeError(f"the demo portfolio has no version of {slug} to push to")


def _url(slug: str, version: str, what: str) -> str:
    return f"/api/v1/models/{slug}/versions/{version}/{what}/"


def _post(api: Client, url: str, body: object, content_type: str, key: str) -> None:
    response = api.post(url, body, content_type=content_type, HTTP_IDEMPOTENCY_KEY=key)
    if response.status_code != 201:
        raise RuntimeError(f"demo push to {url} refused: {response.content[:500]!r}")


def _last_night() -> date:
    return timezone.localdate() - timedelta(days=1)


def _days(slug: str) -> list[datetime]:
    end = datetime.combine(_last_night(), time(2, 0), tzinfo=demo.UTC)
    end -= timedelta(days=STALE.get(slug, 0))
    return [end - timedelta(days=n) for n in range(HISTORY_DAYS - 1, -1, -1)]


def _series(slug: str, metrics: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    rng = np.random.default_rng(sum(slug.encode()))
    days = _days(slug)
    frames = []
    for name, (start, drift, noise) in metrics.items():
        values = start + drift * np.arange(len(days)) + rng.normal(0, noise, len(days))
        frames.append(
            pd.DataFrame(
                {
                    "name": name,
                    "value": np.round(np.abs(values), 5),
                    "timestamp": [d.isoformat().replace("+00:00", "Z") for d in days],
                    "step": range(len(days)),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _push_history(api: Client, model: MLModel, version: str) -> None:
    """Classical models push a CSV; LLM applications push columnar JSON."""
    url = _url(model.slug, version, "metrics")
    if model.model_type == MLModel.ModelType.LLM_APPLICATION:
        body = json.dumps(_series(model.slug, LLM).to_dict(orient="list"))
        _post(api, url, body, "application/json", f"demo-metrics-{model.slug}")
    else:
        body = _series(model.slug, CLASSICAL).to_csv(index=False)
        _post(api, url, body, "text/csv", f"demo-metrics-{model.slug}")


def _push_fairness(api: Client, slug: str, version: str, bias: float) -> None:
    """Scored applicants with sex and age band; the import computes fairness with fairlearn."""
    rng = np.random.default_rng(len(slug))
    n = 6_000
    sex = rng.choice(["F", "M"], n)
    age_band = rng.choice(["18-25", "26-40", "41-65", "65+"], n, p=[0.15, 0.4, 0.35, 0.1])
    y = rng.binomial(1, 0.3, n)
    lean = np.where(sex == "M", bias, 0.0)
    y_hat = (rng.random(n) < 0.25 + 0.5 * y + lean).astype(int)
    buffer = io.BytesIO()
    pd.DataFrame({"y": y, "y_hat": y_hat, "sex": sex, "age_band": age_band}).to_parquet(buffer)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "predictions.parquet"
    response = api.post(
        _url(slug, version, "imports/fairness"),
        {"file": upload, "label": "y", "prediction": "y_hat", "sensitive": "sex,age_band"},
        HTTP_IDEMPOTENCY_KEY=f"demo-fairness-{slug}",
    )
    if response.status_code != 201:
        raise RuntimeError(f"demo fairness push for {slug} refused: {response.content[:500]!r}")


def _push_drift(api: Client, slug: str, version: str) -> None:
    """Last week's feature drift, as a monitoring job computed it; one feature has moved."""
    scores = {"amount": 0.27, "merchant_category": 0.08, "hour_of_day": 0.03, "country": 0.12}
    at = datetime.combine(_last_night() - timedelta(days=1), time(3, 0), tzinfo=demo.UTC)
    columns = [
        {
            "column": c,
            "kind": "num",
            "method": "psi",
            "score": s,
            "threshold": 0.2,
            "drifted": s > 0.2,
        }
        for c, s in scores.items()
    ]
    bundle = {
        "source": "monitoring-job",
        "drift": [
            {
                "evaluated_at": at.isoformat(),
                "columns": columns,
                "dataset_drift": False,
                "drift_share": 0.25,
                "reference": "training window 2025-10",
                "tool": "attest-demo",
            }
        ],
    }
    _post(
        api,
        _url(slug, version, "bundles"),
        json.dumps(bundle),
        "application/json",
        f"demo-drift-{slug}",
    )


def _push_safety(api: Client, slug: str, version: str) -> None:
    """Weekly red-team and answer-quality suites of the support assistant."""
    evaluations = []
    for weeks_ago in range(4, 0, -1):
        day: date = _last_night() - timedelta(weeks=weeks_ago)
        at = datetime.combine(day, time(4, 0), tzinfo=demo.UTC).isoformat()
        evaluations += [
            {"evaluated_at": at, "suite": "jailbreak-redteam", "kind": "safety", "cases": 400,
             "passed": 392 - weeks_ago, "cost_per_request": 0.0021, "tokens_per_request": 780.0},
            {"evaluated_at": at, "suite": "answer-quality", "kind": "quality", "cases": 250,
             "passed": 231 + weeks_ago, "cost_per_request": 0.0019, "tokens_per_request": 640.0},
        ]  # fmt: skip
    bundle = {"source": "promptfoo", "evaluations": evaluations}
    _post(
        api,
        _url(slug, version, "bundles"),
        json.dumps(bundle),
        "application/json",
        f"demo-evals-{slug}",
    )
