"""What a push recorded, as the CLI prints it: a line of totals, then every record named."""

from collections.abc import Mapping
from typing import Any

from monitoring.cli.client import Answer

# the answer's result lists, in the order they are printed
RESULT_KINDS = ("fairness_results", "drift_results", "data_validations", "evaluations")


def summary(model: str, version: str, answers: list[Answer]) -> str:
    """The totals line (what was recorded where, in which batches, whether it was a replay),
    then one line per kind of record with its ids, so a CI log says exactly what exists."""
    counts: dict[str, int] = {}
    for answer in answers:
        for kind, n in answer.body.get("counts", {}).items():
            counts[kind] = counts.get(kind, 0) + n
    what = ", ".join(f"{kind.replace('_', ' ')}: {n:,}" for kind, n in sorted(counts.items()))
    if any("sha256" in a.body for a in answers):
        what = ", ".join(
            f"evidence file {a.body['id']} (sha256 {a.body['sha256']})" for a in answers
        )
    batches = ", ".join(str(a.body.get("batch")) for a in answers)
    line = f"{model} {version}: recorded {what or 'nothing new'} (batch {batches})"
    replayed = sum(a.replayed for a in answers)
    if replayed:
        line += f"; {replayed} of {len(answers)} request(s) had been recorded before (replayed)"
    records = [a.body["records"] for a in answers if isinstance(a.body.get("records"), Mapping)]
    return "\n".join([line, *record_lines(records)])


def record_lines(records: list[Mapping[str, Any]]) -> list[str]:
    """The records of every answer of one push (a push in chunks has several), merged."""
    if not records:
        return []
    lines = [_version_line(records[0]["version"])]
    run = next((r["run"] for r in records if r.get("run")), None)
    if run:
        lines.append(f"  run {run['id']}: {run['tracker']} {run['external_id']}".rstrip())
    datasets = {(d["dataset"], d["version"]): d for r in records for d in r.get("datasets", [])}
    if datasets:
        named = ", ".join(
            f"{d['dataset']} {d['version']} (id {d['id']})" for d in datasets.values()
        )
        lines.append(f"  dataset versions: {named}")
    points: dict[str, int] = {}
    for r in records:
        for name, n in r.get("metric_points", {}).items():
            points[name] = points.get(name, 0) + n
    if points:
        lines.append("  metric points: " + ", ".join(f"{k} {n:,}" for k, n in points.items()))
    for kind in RESULT_KINDS:
        ids = [str(pk) for r in records for pk in r.get(kind, [])]
        if ids:
            lines.append(f"  {kind.replace('_', ' ')}: id {', '.join(ids)}")
    return lines


def _version_line(version: Mapping[str, Any]) -> str:
    external = f" ({version['external_id']})" if version.get("external_id") else ""
    return f"  version {version['label']}{external}, id {version['id']}: {version['url']}"
