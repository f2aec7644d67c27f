"""What the demo's pipelines pushed, sent the way a real pipeline sends it: over the API.

A service account, `ci-pipeline`, is named Responsible for monitoring on every model when its
first version goes to production, and pushes through `/api/v1/` with its token (Django's test
client, no socket): on the first of each month, the daily metrics of the month before for the
version then in production, as CSV or columnar JSON; in the demo's last weeks, fairness computed
by the fairness import from raw predictions (fairlearn), and drift and LLM safety evaluations as
bundles. So the demo's monitoring data went through the same middleware, adapters and services
as production's, on the days a pipeline would have sent it.
"""

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import NoReturn

import numpy as np
import pandas as pd
from django.conf import settings
from django.test import Client

from governance.access.models import RaciAssignment
from governance.access.services import raci, tokens
from governance.demo import spec as demo
from governance.demo.timeline import Timeline
from governance.demo.world import AUTOMATED_FROM, PIPELINE, SPECS, World, registered_on
from registry.models import MLModel

PIPELINE_FROM = date(2025, 1, 6)  # the bank's CI pipeline was given its token
# name: (start, daily drift, noise): a version's metrics drift slowly from its go-live,
# deterministically; a new version starts afresh.
CLASSICAL = {
    "auc": (0.82, -0.00008, 0.004),
    "ks": (0.46, -0.00008, 0.006),
    "max_psi": (0.04, 0.0002, 0.01),
}
LLM = {
    "hallucination_rate": (0.010, 0.00001, 0.002),
    "latency_p95_ms": (850.0, 0.3, 40.0),
    "cost_per_1k_requests": (2.10, 0.0005, 0.05),
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


# The pipeline's API client, once it has its token (the first step that runs makes it).
Feed = dict[str, Client]


@dataclass(frozen=True)
class Live:
    """A version in production from `start` (its first full day) to `end` (exclusive)."""

    slug: str
    version: str
    start: date
    end: date


def live_periods(spec: demo.DemoModel) -> list[Live]:
    """When each of a model's versions served production, from the release history."""
    released = [(date.fromisoformat(v.production), v.label) for v in spec.versions if v.production]
    if not released:
        return []
    ends = [day for day, _ in released[1:]]
    ends.append(date.fromisoformat(spec.retired_on) if spec.retired_on else demo.DEMO_AS_OF)
    return [
        Live(spec.slug, label, day, end) for (day, label), end in zip(released, ends, strict=True)
    ]


def schedule(timeline: Timeline, world: World, request_id: str) -> None:
    feed: Feed = {}
    timeline.add(
        timeline.on(PIPELINE_FROM, 7), "pipeline", partial(_connect, feed, world, request_id)
    )
    for spec in SPECS.values():
        periods = live_periods(spec)
        if periods or spec.slug in FAIRNESS:
            first = periods[0].start if periods else demo.DEMO_AS_OF - timedelta(days=8)
            timeline.add(
                timeline.on(max(first, PIPELINE_FROM), 7, minute=30),
                f"monitoring RACI {spec.slug}",
                partial(_make_responsible, world, spec.slug),
            )
        for period in periods:
            for pushed_on, days in monthly_batches(period):
                timeline.add(
                    at_hour(pushed_on, 2),
                    f"metrics {period.slug} {period.version} {pushed_on}",
                    partial(_push_history, feed, period, days, pushed_on),
                )
    for spec in SPECS.values():
        if (automated := AUTOMATED_FROM.get(spec.business_unit)) is not None:
            timeline.add(
                timeline.on(max(automated, registered_on(spec)), 9, minute=30),
                f"pipeline builds {spec.slug}",
                partial(_make_builder, world, spec.slug),
            )
    near_the_end = demo.DEMO_AS_OF - timedelta(days=7)
    for slug, (label, bias) in FAIRNESS.items():
        timeline.add(
            at_hour(near_the_end, 3),
            f"fairness {slug}",
            partial(_push_fairness, feed, world, slug, label, bias),
        )
    last_night = demo.DEMO_AS_OF - timedelta(days=1)
    timeline.add(at_hour(last_night, 5), "drift", partial(_push_drift, feed, "card-fraud"))
    timeline.add(at_hour(last_night, 6), "safety", partial(_push_safety, feed, "support-assistant"))


def at_hour(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=demo.UTC)


def _connect(feed: Feed, world: World, request_id: str) -> None:
    feed["client"] = _pipeline(world, request_id)


def _pipeline(world: World, request_id: str) -> Client:
    account = tokens.create_service_account(
        actor=world.admin, username=PIPELINE, description="The bank's shared CI pipeline"
    )
    _, key = tokens.issue_token(actor=world.admin, user=account, name="demo pushes")
    # The seed's request id rides along, so these events trace back to seed_demo like the rest.
    return Client(
        HTTP_AUTHORIZATION=f"Token {key}", HTTP_X_REQUEST_ID=request_id, SERVER_NAME=_host()
    )


def _make_responsible(world: World, slug: str) -> None:
    raci.assign_raci(
        actor=world.admin,
        model=world.model(slug),
        user=world.pipeline(),
        role=RaciAssignment.Role.RESPONSIBLE,
        area=RaciAssignment.Area.MONITORING,
    )


def _make_builder(world: World, slug: str) -> None:
    """The pipeline builds the model's versions: Responsible for development."""
    raci.assign_raci(
        actor=world.owner_of(slug),
        model=world.model(slug),
        user=world.pipeline(),
        role=RaciAssignment.Role.RESPONSIBLE,
        area=RaciAssignment.Area.DEVELOPMENT,
    )


def _last_day(period: Live) -> date:
    """The last day with data: the night before the demo date, or before the period ended
    (a stopped feed stops earlier)."""
    stopped = demo.DEMO_AS_OF - timedelta(days=STALE.get(period.slug, 0) + 1)
    return min(period.end - timedelta(days=1), stopped)


def monthly_batches(period: Live) -> list[tuple[date, list[date]]]:
    """(the day it was pushed, the days it holds): each month's days on the first of the next,
    the current month's on the demo date; nothing from before the pipeline had its token."""
    first = max(period.start + timedelta(days=1), PIPELINE_FROM)
    last = _last_day(period)
    batches: dict[date, list[date]] = {}
    day = first
    while day <= last:
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        pushed_on = min(following, demo.DEMO_AS_OF)
        batches.setdefault(pushed_on, []).append(day)
        day += timedelta(days=1)
    return sorted(batches.items())


def _host() -> str:
    hosts = [h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"]
    return hosts[0] if hosts else "localhost"


def _serving(slug: str) -> str:
    """The version in production on the demo date."""
    return live_periods(SPECS[slug])[-1].version


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


def _series(
    period: Live, days: list[date], metrics: dict[str, tuple[float, float, float]]
) -> pd.DataFrame:
    """Each day's value: the version's start, drifting by the days since it went live."""
    rng = np.random.default_rng(sum(f"{period.slug}:{period.version}:{days[0]}".encode()))
    since = np.array([(day - period.start).days for day in days])
    stamps = [at_hour(day, 2).isoformat().replace("+00:00", "Z") for day in days]
    frames = []
    for name, (start, drift, noise) in metrics.items():
        values = start + drift * since + rng.normal(0, noise, len(days))
        frames.append(
            pd.DataFrame(
                {
                    "name": name,
                    "value": np.round(np.abs(values), 5),
                    "timestamp": stamps,
                    "step": since,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _push_history(feed: Feed, period: Live, days: list[date], pushed_on: date) -> None:
    """Classical models push a CSV; LLM applications push columnar JSON."""
    api = feed["client"]
    url = _url(period.slug, period.version, "metrics")
    key = f"demo-metrics-{period.slug}-{period.version}-{pushed_on}"
    if SPECS[period.slug].model_type == MLModel.ModelType.LLM_APPLICATION:
        body = json.dumps(_series(period, days, LLM).to_dict(orient="list"))
        _post(api, url, body, "application/json", key)
    else:
        _post(api, url, _series(period, days, CLASSICAL).to_csv(index=False), "text/csv", key)


def _push_fairness(feed: Feed, world: World, slug: str, label: str | None, bias: float) -> None:
    """Scored applicants with sex and age band; the import computes fairness with fairlearn."""
    api, version = feed["client"], label or _latest_version(world.model(slug))
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


def _push_drift(feed: Feed, slug: str) -> None:
    """Last week's feature drift, as a monitoring job computed it; one feature has moved."""
    scores = {"amount": 0.27, "merchant_category": 0.08, "hour_of_day": 0.03, "country": 0.12}
    api, version = feed["client"], _serving(slug)
    at = at_hour(demo.DEMO_AS_OF - timedelta(days=2), 3)
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


def _push_safety(feed: Feed, slug: str) -> None:
    """Weekly red-team and answer-quality suites of the support assistant."""
    api, version = feed["client"], _serving(slug)
    evaluations = []
    for weeks_ago in range(4, 0, -1):
        day = demo.DEMO_AS_OF - timedelta(days=1, weeks=weeks_ago)
        at = at_hour(day, 4).isoformat()
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
