"""Evidence packs: what the PDF says, what it embeds, that it rebuilds byte for byte, and that
the verifier tells an intact pack from a changed one."""

import hashlib
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pypdf
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import TestCase, override_settings

from governance.access.services import raci
from governance.auditlog.models import AuditEvent
from governance.celery import app as celery_app
from monitoring.ingest.bundle import Bundle
from monitoring.services import ingestion
from registry import services as registry
from registry.models import MLModel, ModelVersion
from reports.models import TASK_TIME_LIMIT, EvidencePack, pack_id_for
from reports.packs import assembly, render, services, verify
from tests.conftest import make_developer, make_owner
from tests.reports.packs.conftest import (
    AFTER,
    BETWEEN,
    EVIDENCE_TITLE,
    NOW,
    build_scorecard,
    pdf_of,
    requested,
)

pytestmark = pytest.mark.usefixtures("pack_media", "pack_clock")
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def embedded(pdf: bytes) -> dict[str, bytes]:
    return {name: found[0] for name, found in pypdf.PdfReader(io.BytesIO(pdf)).attachments.items()}


def test_as_of_pack_shows_the_assessment_in_force_then(
    scorecard, owner, django_capture_on_commit_callbacks
) -> None:
    earlier = requested(owner, scorecard, BETWEEN, django_capture_on_commit_callbacks)
    record = json.loads(embedded(pdf_of(earlier))["evidence.json"])
    assert record["risk"]["tier"] == "tier_3"
    assert [a["result"] for a in record["risk"]["history"]] == ["in_scope", "tier_3"]
    assert record["obligations"][0]["evidence"] == []
    assert record["monitoring"]["metrics"] == []


def rebuilt_with(pdf: bytes, replaced: dict[str, bytes]) -> bytes:
    """The same pages with the attachments copied over, some of them replaced."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    files = embedded(pdf)
    writer.root_object["/Names"].pop("/EmbeddedFiles")
    for name, content in {**files, **replaced}.items():
        writer.add_attachment(name, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_auditor_may_request_a_pack_of_any_model(
    scorecard, auditor, django_capture_on_commit_callbacks
) -> None:
    found = requested(auditor, scorecard, BETWEEN, django_capture_on_commit_callbacks)
    assert found.status == EvidencePack.Status.READY


RENDER_IN_A_FRESH_PROCESS = """
import pickle, sys, django
django.setup()
from reports.packs import render
kwargs = pickle.load(sys.stdin.buffer)
sys.stdout.buffer.write(render.render_pack(**kwargs).pdf)
"""


def test_as_of_pack_reads_back_status_raci_and_obligations_changed_since(
    scorecard, owner, validator, head_of_validation, django_capture_on_commit_callbacks
) -> None:
    model = scorecard.model
    with time_machine.travel(AFTER, tick=False):
        vera = raci.assign_raci(
            actor=head_of_validation, model=model, user=validator, role="R", area="validation"
        )
    registry.update_model(actor=owner, model=model, status=MLModel.Status.RETIRED)
    raci.remove_raci(actor=head_of_validation, assignment=vera)

    def record_at(as_of: datetime) -> dict:
        pack = requested(owner, scorecard, as_of, django_capture_on_commit_callbacks)
        return json.loads(embedded(pdf_of(pack))["evidence.json"])

    then, before_retier = record_at(AFTER), record_at(BETWEEN)
    assert then["inventory"]["model"]["status"] == "Development"
    assert {"area": "Validation", "role": "Responsible", "who": validator.get_full_name()} in then[
        "raci"
    ]
    assert validator.get_full_name() not in {r["who"] for r in before_retier["raci"]}
    tier_3 = {o["reference"] for o in before_retier["obligations"]}
    tier_1 = {o["reference"] for o in then["obligations"]}
    # Tier 1 asks for more than Tier 3: the retiering added obligations the earlier pack lacks.
    assert tier_3 < tier_1
    assert "SR 26-2 §V (Outcomes Analysis)" in tier_1 - tier_3


def drift_push(owner, version: ModelVersion, at: datetime, income_psi: float) -> None:
    bundle = Bundle.from_json(
        {
            "source": "evidently",
            "drift": [
                {
                    "evaluated_at": at.isoformat(),
                    "columns": [
                        {"column": "income", "method": "psi", "score": income_psi},
                        {"column": "age", "method": "psi", "score": 0.05},
                    ],
                }
            ],
        }
    )
    with time_machine.travel(at, tick=False):
        ingestion.push_bundle(
            actor=owner, model=version.model, version=version.version, bundle=bundle
        )


def test_pack_charts_drift_by_feature_as_known_at_its_date(
    scorecard, owner, django_capture_on_commit_callbacks
) -> None:
    drift_push(owner, scorecard, BETWEEN, income_psi=0.31)
    drift_push(owner, scorecard, NOW - timedelta(days=1), income_psi=0.02)
    pack = requested(owner, scorecard, AFTER, django_capture_on_commit_callbacks)
    text = " ".join(text_of(pdf_of(pack)).split())
    assert "Drift by feature (PSI)" in text
    assert "Income" in text and "Age" in text  # features named as people read them
    drift = json.loads(embedded(pdf_of(pack))["evidence.json"])["monitoring"]["drift"]
    assert [(c["column"], c["score"]) for c in drift["columns"]] == [
        ("income", 0.31),
        ("age", 0.05),
    ]


@pytest.mark.parametrize(("past_limit", "queued_again"), [(-1, False), (1, True)])
def test_a_pack_busy_for_longer_than_its_task_may_run_is_queued_again(
    scorecard, owner, past_limit, queued_again, django_capture_on_commit_callbacks
) -> None:
    stuck = EvidencePack.objects.create(
        pack_id=pack_id_for(scorecard.pk, AFTER),
        version=scorecard,
        as_of=AFTER,
        requested_by=owner,
        status=EvidencePack.Status.RUNNING,
        queued_at=NOW - TASK_TIME_LIMIT - timedelta(minutes=past_limit),
    )
    pack = requested(owner, scorecard, AFTER, django_capture_on_commit_callbacks)
    assert pack.pk == stuck.pk
    assert (pack.status == EvidencePack.Status.READY) is queued_again


def test_a_failed_pack_keeps_its_error_is_audited_and_is_drawn_when_asked_again(
    scorecard, owner, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setattr(render, "TEMPLATE", "reports/packs/pdf/no-such-pack.html")
    failed = requested(owner, scorecard, AFTER, django_capture_on_commit_callbacks)
    assert (failed.status, failed.error, failed.file.name) == (
        EvidencePack.Status.FAILED, "reports/packs/pdf/no-such-pack.html", ""
    )  # fmt: skip
    monkeypatch.undo()
    again = requested(owner, scorecard, AFTER, django_capture_on_commit_callbacks)
    assert (again.pk, again.status, again.error) == (failed.pk, EvidencePack.Status.READY, "")
    trail = AuditEvent.objects.filter(target_type="reports.evidencepack", target_id=str(failed.pk))
    assert list(trail.order_by("seq").values_list("verb", "after__error")) == [
        ("evidence_pack.requested", None),
        ("evidence_pack.failed", "reports/packs/pdf/no-such-pack.html"),
        ("evidence_pack.requested", None),
        ("evidence_pack.generated", None),
    ]


@pytest.fixture(scope="class")
def drawn_once(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[tuple[int, Path]]:
    """The scorecard's pack as of AFTER, drawn once per test process for the class (drawing
    one costs a second or two), in a transaction rolled back at the class's end; each test
    runs in its own savepoint inside it, so what one test changes the next never sees.
    Olivia and Dev are made here, so the tests take the version from `pack.version`."""
    media = tmp_path_factory.mktemp("pack-media")
    eager = celery_app.conf.task_always_eager
    with django_db_blocker.unblock(), transaction.atomic():
        with (
            override_settings(PASSWORD_HASHERS=FAST_HASHING, MEDIA_ROOT=media),
            time_machine.travel(NOW),
        ):
            celery_app.conf.task_always_eager = True
            try:
                owner, developer = make_owner(), make_developer()
                version = build_scorecard(owner, developer)
                with TestCase.captureOnCommitCallbacks(execute=True):
                    drawn = services.request_pack(actor=owner, version=version, as_of=AFTER)
            finally:
                celery_app.conf.task_always_eager = eager
        yield drawn.pk, media
        transaction.set_rollback(True)


class TestOneDrawnPack:
    """What one pack says and embeds, and how the verifier judges it and changes made to it:
    checks that only read the pack, so the class draws it once."""

    @pytest.fixture
    def pack(self, drawn_once, db, pack_media, settings) -> EvidencePack:
        """The pack drawn once for the class, read afresh, with its file where the test looks."""
        pk, settings.MEDIA_ROOT = drawn_once
        return EvidencePack.objects.get(pk=pk)

    def test_pack_is_ready_with_its_hashes_and_a_deterministic_id(self, pack) -> None:
        pdf = pdf_of(pack)
        assert pack.status == EvidencePack.Status.READY
        assert pack.pack_id == pack_id_for(pack.version.pk, AFTER)
        assert pack.sha256 == hashlib.sha256(pdf).hexdigest()
        assert pack.size == len(pdf)

    def test_text_has_every_section_with_the_records_values(self, pack) -> None:
        text = " ".join(text_of(pdf_of(pack)).split())
        for heading in (
            "Evidence pack",
            "Contents",
            "1. Summary",
            "2. Inventory record",
            "3. Risk classification",
            "4. Obligations",
            "5. Approvals",
            "6. Lineage",
            "7. Validation findings and remediation",
            "8. Monitoring",
            "9. Audit trail",
            "10. Attestation",
            "11. Glossary",
            "12. Appendix: embedded attachments",
        ):
            assert heading in text
        for value in (
            "Retail PD scorecard",
            "Retail Credit",
            "Olivia Owner",
            str(pack.pack_id),
            "Tier 1 (high)",
            EVIDENCE_TITLE,
            "Segregation of duties",
            "intact",
            "Model registered",
            "2026-10-01 09:00:00 UTC",  # the retiering, printed to the second in UTC
        ):
            assert value in text
        assert pack.manifest_sha256 in text.replace(" ", "")
        for code in (
            "tier_1",
            "model.registered",
            "tier.score.threshold",
        ):  # the PDF reads in words
            assert code not in text

    def test_attachments_extract_and_match_the_manifest(self, pack) -> None:
        files = embedded(pdf_of(pack))
        listing = json.loads(files["manifest.json"])
        assert hashlib.sha256(files["manifest.json"]).hexdigest() == pack.manifest_sha256
        assert {e["name"] for e in listing["attachments"]} == set(files) - {"manifest.json"}
        for entry in listing["attachments"]:
            assert hashlib.sha256(files[entry["name"]]).hexdigest() == entry["sha256"]
        record = json.loads(files["evidence.json"])
        assert record["pack"]["pack_id"] == str(pack.pack_id)
        assert record["risk"]["tier"] == "tier_1"
        assert files["metrics/01-auc.csv"].decode().splitlines() == [
            "segment,at,value",
            ",2026-10-10T00:00:00+00:00,0.81",
            ",2026-10-20T00:00:00+00:00,0.79",
        ]

    def test_same_version_and_as_of_rebuild_byte_for_byte(self, pack) -> None:
        assert render.build(pack).pdf == pdf_of(pack)
        assert render.build(pack).pdf == pdf_of(pack)

    def test_the_same_request_gives_the_same_pack(self, pack, auditor) -> None:
        again = services.request_pack(actor=auditor, version=pack.version, as_of=AFTER)
        assert again.pk == pack.pk

    def test_xmp_metadata_identifies_pdf_a_3b(self, pack) -> None:
        xmp = pypdf.PdfReader(io.BytesIO(pdf_of(pack))).xmp_metadata
        description = xmp.rdf_root.getElementsByTagName("rdf:Description")
        attributes = {k: v for d in description for k, v in d.attributes.items()}
        assert attributes["pdfaid:part"] == "3"
        assert attributes["pdfaid:conformance"] == "B"

    def test_fonts_are_embedded_dejavu(self, pack) -> None:
        reader = pypdf.PdfReader(io.BytesIO(pdf_of(pack)))
        fonts = {
            font.get_object()["/BaseFont"].split("+")[-1]: font.get_object()
            for page in reader.pages
            for font in page["/Resources"]["/Font"].values()
        }
        assert all(name.startswith("DejaVu") for name in fonts)
        for font in fonts.values():
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor

    def test_verifier_reports_intact_for_a_fresh_pack(self, pack) -> None:
        verdict = verify.verify_pack(pdf_of(pack))
        assert verdict.intact, verdict.differences
        assert verdict.pack_id == str(pack.pack_id)

    def test_verifier_names_a_changed_attachment(self, pack) -> None:
        pdf = pdf_of(pack)
        record = json.loads(embedded(pdf)["evidence.json"])
        record["risk"]["tier"] = "tier_3"
        verdict = verify.verify_pack(
            rebuilt_with(pdf, {"evidence.json": json.dumps(record).encode()})
        )
        assert not verdict.intact
        assert verdict.differences[0].startswith("evidence.json was changed")

    def test_verifier_names_a_manifest_rewritten_to_match(self, pack) -> None:
        pdf = pdf_of(pack)
        files = embedded(pdf)
        listing = json.loads(files["manifest.json"])
        forged = b'{"tier": "tier_3"}'
        for entry in listing["attachments"]:
            if entry["name"] == "evidence.json":
                entry["sha256"] = hashlib.sha256(forged).hexdigest()
        changed = rebuilt_with(
            pdf, {"evidence.json": forged, "manifest.json": json.dumps(listing).encode()}
        )
        differences = verify.verify_pack(changed).differences
        assert any(d.startswith("manifest.json was changed") for d in differences)
        assert "evidence.json differs from the pack Attest generated" in differences

    def test_verify_command_says_intact_or_what_differs(self, pack, tmp_path, capsys) -> None:
        fresh, changed = tmp_path / "fresh.pdf", tmp_path / "changed.pdf"
        fresh.write_bytes(pdf_of(pack))
        changed.write_bytes(
            rebuilt_with(pdf_of(pack), {"metrics/01-auc.csv": b"segment,at,value\n"})
        )
        call_command("verify_evidence_pack", str(fresh))
        assert "intact" in capsys.readouterr().out
        with pytest.raises(CommandError, match=r"metrics/01-auc\.csv was changed"):
            call_command("verify_evidence_pack", str(changed))

    def test_requesting_generating_and_downloading_are_audited(self, pack, auditor) -> None:
        services.record_download(actor=auditor, pack=pack)
        verbs = AuditEvent.objects.filter(
            target_type="reports.evidencepack", target_id=str(pack.pk)
        )
        assert list(verbs.order_by("seq").values_list("verb", "actor_name")) == [
            ("evidence_pack.requested", "olivia"),
            ("evidence_pack.generated", "olivia"),
            ("evidence_pack.downloaded", "audrey"),
        ]

    def test_outsider_may_not_request_or_download_a_pack(self, pack, outsider) -> None:
        with pytest.raises(PermissionDenied):
            services.request_pack(actor=outsider, version=pack.version, as_of=AFTER)
        with pytest.raises(PermissionDenied):
            services.record_download(actor=outsider, pack=pack)

    def test_a_fresh_process_draws_the_same_bytes(self, pack) -> None:
        """No state of this process (font caches, chart ids, dict order) leaks into the PDF."""
        data = assembly.assemble(pack.version, pack.as_of)
        kwargs = {
            "pack_id": pack.pack_id,
            "header": render.pack_header(pack, data),
            "data": data,
            "as_of": pack.as_of,
        }
        drawn = subprocess.run(  # noqa: S603 - this interpreter, running the code above
            [sys.executable, "-c", RENDER_IN_A_FRESH_PROCESS],
            input=pickle.dumps(kwargs),
            capture_output=True,
            check=True,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "governance.settings",
                "PYTHONHASHSEED": "1",
            },
        )
        assert drawn.stdout == pdf_of(pack)

    @pytest.mark.skipif(
        not shutil.which("pdftoppm"), reason="needs poppler's pdftoppm (poppler-utils)"
    )
    def test_no_page_is_blank(self, pack, tmp_path) -> None:
        """Every page rendered by pdftoppm has ink between its running header and footer."""
        import numpy as np
        from PIL import Image

        source = tmp_path / "pack.pdf"
        source.write_bytes(pdf_of(pack))
        subprocess.run(  # noqa: S603 - poppler's pdftoppm on our own file
            ["/usr/bin/pdftoppm", "-r", "40", "-gray", "-png", str(source), str(tmp_path / "page")],
            check=True,
        )
        pages = sorted(tmp_path.glob("page-*.png"))
        assert len(pages) == len(pypdf.PdfReader(io.BytesIO(pdf_of(pack))).pages)
        for page in pages:
            image = Image.open(page).convert("L")
            width, height = image.size
            body = image.crop((0, height // 10, width, height - height // 10))
            assert (np.asarray(body) < 200).mean() > 0.005, f"{page.name} is blank"
