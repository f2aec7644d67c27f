"""The pack's one-page summary, read off the assembled record, and what changed since the last pack.

Every figure comes from the record the pack prints (so the summary and the sections agree), and
is kept as text under a name a person reads: the manifest stores them, so the next pack of the
version can say which figures moved without reading this pack's PDF.
"""

from collections import Counter
from datetime import datetime
from typing import Any

from governance.access.models import RaciAssignment
from governance.approvals.models import ApprovalRequest, Gate, SignOff
from governance.findings.models import Finding
from governance.labels import label_for
from governance.risk.models import Control
from monitoring import charts
from monitoring.models import Alert
from monitoring.stats.thresholds import BREACHES, Status
from reports.packs.assembly import PackData

OPEN_FINDINGS = {str(s.label) for s in Finding.OPEN_STATUSES}
OPEN_ALERT = str(Alert.State.OPEN.label)
DECIDED = {
    str(s.label)
    for s in (
        ApprovalRequest.State.APPROVED,
        ApprovalRequest.State.APPROVED_WITH_CONDITIONS,
        ApprovalRequest.State.REJECTED,
    )
}
REJECTED = str(ApprovalRequest.State.REJECTED.label)
LEVELS = {
    Status.CRITICAL: "critical breach",
    Status.WARNING: "warning",
    Status.HEALTHY: "within thresholds",
    Status.NO_DATA: "no data",
    Status.INSUFFICIENT: "too few points",
}


def _gates(requests: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The latest request at each gate (and environment) as it stood at the instant; the
    validation and deployment gates are listed even when nothing was asked of them."""
    unasked = {"state": "Not requested", "reference": "", "decided_at": None}
    latest: dict[tuple[str, str], dict[str, Any]] = {
        (str(Gate.VALIDATION.label), ""): unasked,
        (str(Gate.DEPLOYMENT.label), ""): unasked,
    }
    for r in requests:  # in creation order: a later request replaces an earlier one
        if r["gate"] == Gate.DEPLOYMENT.label:
            latest.pop((r["gate"], ""), None)
        latest[(r["gate"], r["environment"])] = r
    return [
        {
            "gate": gate + (f" ({label_for(env)})" if env else ""),
            "state": r["state"],
            "reference": r["reference"],
            "decided_at": r["decided_at"] or "",
        }
        for (gate, env), r in latest.items()
    ]


def _obligations(rows: list[dict[str, Any]], as_of: datetime) -> dict[str, Any]:
    """Counts by status of what was due at the instant; what was not yet due, by stage."""
    today = as_of.date().isoformat()
    due = [o for o in rows if not o["due_on"] or o["due_on"] <= today]
    later = Counter(o["stage"] for o in rows if o["due_on"] and o["due_on"] > today)
    by_status = Counter(o["status"] for o in due)
    return {
        "due": [{"status": str(s.label), "count": by_status[s.label]} for s in Control.Status],
        "not_yet_due": [
            {"stage": str(s.label), "count": later[s.label]}
            for s in Control.Stage
            if later[s.label]
        ],
        "applying": len(rows),
    }


def _last_validation(requests: list[dict[str, Any]]) -> dict[str, Any] | None:
    decided = [r for r in requests if r["gate"] == Gate.VALIDATION.label and r["state"] in DECIDED]
    return max(decided, key=lambda r: r["decided_at"], default=None)


def _metric_level(series: charts.MetricSeries) -> str:
    if not series.points:
        return LEVELS[Status.NO_DATA]
    if series.threshold is None:
        return "no threshold set"
    return LEVELS.get(series.threshold.level(series.points[-1].value), "within thresholds")


def _monitoring(data: PackData) -> dict[str, Any]:
    mon = data.record["monitoring"]
    fairness = mon["fairness"]
    return {
        "metrics": [
            {"name": label_for(s.name), "level": _metric_level(s)} for s in data.metric_series
        ],
        "breaches": sum(
            1
            for s in data.metric_series
            if s.points and s.threshold and s.threshold.level(s.points[-1].value) in BREACHES
        ),
        "fairness": f"{sum(1 for f in fairness if f['passed'])} of {len(fairness)} passed"
        if fairness
        else "no results",
        "drift": "no results"
        if mon["drift"] is None
        else ("dataset drift detected" if mon["drift"]["dataset_drift"] else "no dataset drift"),
        "open_alerts": sum(1 for a in mon["alerts"] if a["state"] == OPEN_ALERT),
        "incidents": len(mon["incidents"]),
    }


def _validator(record: dict[str, Any], last: dict[str, Any] | None) -> str:
    """Who signs the attestation as validator: the last validation's validator, else the
    person responsible for validation in the RACI (blank when there is neither)."""
    validator = str(SignOff.Role.VALIDATOR.label)
    signed = [s["signer"] for s in (last or {}).get("sign_offs", []) if s["role"] == validator]
    raci = [r["who"] for r in record["raci"] if r["area"] == RaciAssignment.Area.VALIDATION.label]
    return (signed or raci or [""])[0]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _unheld(record: dict[str, Any]) -> bool:
    """Whether the trail contradicts the checkpoint the pack shows."""
    found = record["audit"].get("checkpoint")
    return found is not None and not found["holds"]


def summarise(data: PackData, as_of: datetime) -> dict[str, Any]:
    """Every figure of the summary page, as of the instant."""
    record = data.record
    requests = record["approvals"]["requests"]
    open_findings = Counter(
        f["severity"] for f in record["findings"] if f["status"] in OPEN_FINDINGS
    )
    obligations = _obligations(record["obligations"], as_of)
    monitoring = _monitoring(data)
    missing = obligations["due"][0]["count"]  # Control.Status.MISSING comes first
    last = _last_validation(requests)
    failed = sum(1 for f in record["monitoring"]["fairness"] if not f["passed"])
    reasons = [
        *([] if last else ["no validation decided"]),
        *(["the last validation was rejected"] if last and last["state"] == REJECTED else []),
        *(
            [_count(missing, "obligation due and missing", "obligations due and missing")]
            if missing
            else []
        ),
        *(
            [
                _count(
                    open_findings[Finding.Severity.HIGH.label],
                    "open high-severity finding",
                    "open high-severity findings",
                )
            ]
            if open_findings[Finding.Severity.HIGH.label]
            else []
        ),
        *(
            [_count(monitoring["breaches"], "metric past a threshold", "metrics past a threshold")]
            if monitoring["breaches"]
            else []
        ),
        *([_count(failed, "fairness result failed", "fairness results failed")] if failed else []),
        *(
            [_count(monitoring["open_alerts"], "open alert", "open alerts")]
            if monitoring["open_alerts"]
            else []
        ),
        *([] if record["audit"]["chain"]["intact"] else ["the audit chain is broken"]),
        *(["the audit trail no longer matches its signed checkpoint"] if _unheld(record) else []),
    ]
    return {
        "status": "Action needed" if reasons else "No open issue",
        "reasons": reasons,
        "lifecycle": record["inventory"]["model"]["status"],
        "gates": _gates(requests),
        "open_findings": [
            {"severity": str(s.label), "count": open_findings[s.label]} for s in Finding.Severity
        ],
        "obligations": obligations,
        "last_validation": last,
        "monitoring": monitoring,
        "validator": _validator(record, last),
    }


def _gate_figure(gate: dict[str, str]) -> str:
    return f"{gate['state']} ({gate['reference']})" if gate["reference"] else gate["state"]


def figures(summary: dict[str, Any], tier: str, eu_category: str) -> dict[str, str]:
    """The summary as named figures, kept in the manifest to compare with the next pack."""
    found = {
        "Overall status": summary["status"],
        "Lifecycle status": summary["lifecycle"],
        "Risk tier": label_for(tier) if tier else "not tiered",
        "EU AI Act category": label_for(eu_category) if eu_category else "not classified",
        **{f"{g['gate']} gate": _gate_figure(g) for g in summary["gates"]},
        **{
            f"Open {f['severity'].lower()} findings": str(f["count"])
            for f in summary["open_findings"]
        },
        **{
            f"Obligations {o['status'].lower()}": str(o["count"])
            for o in summary["obligations"]["due"]
        },
        **{
            f"Obligations not yet due ({o['stage'].lower()})": str(o["count"])
            for o in summary["obligations"]["not_yet_due"]
        },
        **{f"Metric {m['name']}": m["level"] for m in summary["monitoring"]["metrics"]},
        "Fairness": summary["monitoring"]["fairness"],
        "Drift": summary["monitoring"]["drift"],
        "Open alerts": str(summary["monitoring"]["open_alerts"]),
        "Incidents": str(summary["monitoring"]["incidents"]),
    }
    last = summary["last_validation"]
    found["Last validation"] = f"{last['reference']} {last['state']}" if last else "none"
    return found


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Each figure that differs between two packs' summaries, in the current pack's order."""
    names = [*after, *(n for n in before if n not in after)]
    return [
        f"{name}: {before.get(name, 'not shown')} → {after.get(name, 'not shown')}"
        for name in names
        if before.get(name) != after.get(name)
    ]
