"""Drawing an evidence pack: the record as HTML, then one PDF/A-3b with its data embedded.

Byte for byte reproducible: nothing here reads the clock. The document and attachment dates are
the as-of instant and the file identifier is the pack id, so the same version and instant give
the same PDF in any process (WeasyPrint would otherwise stamp "now" and a content hash).
"""

import base64
import csv
import gc
import io
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string

from governance import tables
from governance.labels import label_for
from monitoring import charts
from reports.models import EvidencePack
from reports.packs import assembly, glossary, manifest, selectors, summary, wording
from reports.packs.assembly import PackData

TEMPLATE = "reports/packs/pdf/evidence_pack.html"
EVIDENCE_NAME = "evidence.json"


@dataclass(frozen=True)
class RenderedPack:
    """The PDF and the manifest it embeds (the cover prints `manifest_sha256`)."""

    pdf: bytes
    manifest: dict[str, Any]
    manifest_sha256: str


def series_csv(series: charts.MetricSeries) -> bytes:
    """One metric's points, whole population first, then each segment: segment,at,value. A
    segment's name came from a pipeline: one a spreadsheet would run as a formula is quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["segment", "at", "value"])
    writer.writerows(("", p.at.astimezone(UTC).isoformat(), repr(p.value)) for p in series.points)
    for segment in series.segments:
        writer.writerows(
            (tables.neutralise(segment.name), p.at.astimezone(UTC).isoformat(), repr(p.value))
            for p in segment.points
        )
    return out.getvalue().encode()


def _csv_name(index: int, series: charts.MetricSeries) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", series.name.lower()).strip("-")
    return f"metrics/{index:02d}-{slug}.csv"


def attachments_of(header: dict[str, Any], data: PackData) -> list[manifest.Attachment]:
    """The JSON export of every section and a CSV per metric series."""
    evidence = manifest.Attachment(
        EVIDENCE_NAME,
        "application/json",
        manifest.json_bytes({"pack": header, **data.record}),
        "Every section of this pack as JSON",
    )
    metric_files = [
        manifest.Attachment(_csv_name(i, s), "text/csv", series_csv(s), f"Metric series {s.name}")
        for i, s in enumerate(data.metric_series, start=1)
    ]
    return [evidence, *metric_files]


def _embedded(item: manifest.Attachment, as_of: datetime) -> weasyprint.Attachment:
    return weasyprint.Attachment(
        string=item.content,
        name=item.name,
        description=item.description,
        created=as_of,
        modified=as_of,
        relationship="Data",
    )


def image(svg: str) -> str:
    """A chart as an image source: WeasyPrint draws an SVG image without running the page's
    CSS cascade over its every element, which inline SVG costs (bench/evidence_pack.py)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _readable_drift(bars: charts.DriftBars) -> charts.DriftBars:
    """The drift chart with its title and features named as the pack's table names them."""
    features = tuple(replace(f, feature=label_for(f.feature)) for f in bars.features)
    return replace(bars, title=wording.readable(bars.title), features=features)


@contextmanager
def _cycles_collected_after() -> Iterator[None]:
    """Python's cycle collector paused while a pack is drawn, then left as it was found.

    WeasyPrint and matplotlib make hundreds of thousands of objects that live until the PDF is
    written, and the collector walks them again and again as they pile up, finding little to
    free: a fifth of a pack's CPU (bench/evidence_pack.py). Paused, a pack's peak memory grows
    by about 35 MiB. Another thread drawing at the same time may resume it early: slower, never
    wrong.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_pack(
    *, pack_id: uuid.UUID, header: dict[str, Any], data: PackData, as_of: datetime
) -> RenderedPack:
    """The pack's PDF/A-3b, its attachments and manifest embedded, dated `as_of`."""
    with _cycles_collected_after():
        return _render_pack(pack_id=pack_id, header=header, data=data, as_of=as_of)


def _render_pack(
    *, pack_id: uuid.UUID, header: dict[str, Any], data: PackData, as_of: datetime
) -> RenderedPack:
    as_of = as_of.astimezone(UTC)
    files = attachments_of(header, data)
    listing = manifest.build_manifest(header, files)
    listing_bytes = manifest.json_bytes(listing)
    listing_sha256 = manifest.sha256_hex(listing_bytes)
    context = {
        "pack": header,
        "record": data.record,
        "as_of_pdf": as_of.isoformat().replace("+00:00", "Z"),
        "manifest": listing,
        "manifest_sha256": listing_sha256,
        "summary": (found := summary.summarise(data, as_of)),
        "attesters": [(header["owner"], "Model owner"), (found["validator"], "Validator")],
        "glossary": glossary.entries(),
        "metric_charts": zip(
            data.record["monitoring"]["metrics"],
            [
                image(charts.metric_over_time(replace(s, name=label_for(s.name))))
                for s in data.metric_series
            ],
            strict=True,
        ),
        "drift_charts": [
            image(charts.drift_by_feature(_readable_drift(b))) for b in data.drift_bars
        ],
        "fairness_charts": zip(
            data.record["monitoring"]["fairness"],
            [
                image(charts.fairness_by_group(replace(b, title=wording.readable(b.title))))
                for b in data.fairness_bars
            ],
            strict=True,
        ),
    }
    html = render_to_string(TEMPLATE, context)
    embedded = [
        *(_embedded(f, as_of) for f in files),
        _embedded(
            manifest.Attachment(
                manifest.MANIFEST_NAME,
                "application/json",
                listing_bytes,
                "SHA-256 of every attachment",
            ),
            as_of,
        ),
    ]
    pdf = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/a-3b",
        pdf_identifier=pack_id.hex.encode(),
        attachments=embedded,
    )
    return RenderedPack(pdf, listing, listing_sha256)


def _previous(pack: EvidencePack, figures: dict[str, str]) -> dict[str, Any] | None:
    """The pack this one follows (same version, earlier instant) and which figures moved since."""
    found = selectors.previous_pack(pack)
    if found is None:
        return None
    before = found.manifest.get("summary")
    return {
        "pack_id": str(found.pack_id),
        "as_of": assembly.iso(found.as_of),
        "manifest_sha256": found.manifest_sha256,
        # None: a pack drawn before packs kept their summary figures
        "changes": summary.changes(before, figures) if before is not None else None,
    }


def pack_header(pack: EvidencePack, data: PackData) -> dict[str, Any]:
    """What identifies the pack: printed on the cover and leading the manifest, with the summary
    figures (so the next pack of the version can say what changed) and the pack before it."""
    inventory, risk = data.record["inventory"], data.record["risk"]
    figures = summary.figures(
        summary.summarise(data, pack.as_of), risk["tier"], risk["eu_category"]
    )
    return {
        "pack_id": str(pack.pack_id),
        "model_slug": inventory["model"]["slug"],
        "model_name": inventory["model"]["name"],
        "version": inventory["version"]["version"],
        "version_id": pack.version_id,
        "as_of": assembly.iso(pack.as_of),
        "owner": inventory["model"]["owner"],
        "tier": risk["tier"],
        "eu_category": risk["eu_category"],
        "organisation": settings.ATTEST_ORGANISATION,
        "summary": figures,
        "previous_pack": _previous(pack, figures),
    }


def build(pack: EvidencePack) -> RenderedPack:
    """Gather and draw the pack; reads only, so it can run again and give the same bytes."""
    data = assembly.assemble(pack.version, pack.as_of)
    return render_pack(
        pack_id=pack.pack_id, header=pack_header(pack, data), data=data, as_of=pack.as_of
    )
