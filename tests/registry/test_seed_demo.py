"""seed_demo: the Northwind Bank portfolio, loaded through the services, once and only once."""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max
from django.test import override_settings

from governance import demo, permissions, roles
from governance.access.models import RaciAssignment, RoleGrant
from governance.approvals.models import ApprovalRequest
from governance.approvals.rules import states
from governance.approvals.selectors import facts as approval_facts
from governance.approvals.selectors import gate, queues
from governance.approvals.services import workflow
from governance.auditlog import selectors as audit_selectors
from governance.auditlog.models import AuditEvent
from governance.demo import approvals, assessing, loader, pushes, world
from governance.findings.models import Finding, PolicyException, RevalidationFlag
from governance.risk.models import Control, Evidence, RiskAssessment
from monitoring.models import (
    Alert,
    DriftResult,
    EvaluationResult,
    FairnessResult,
    HealthCheck,
    IngestionBatch,
    MetricPoint,
)
from registry.models import Deployment, MLModel, ModelDependency, ModelVersion, UseCase
from reports.executive import render
from reports.executive import selectors as executive
from reports.models import EvidencePack
from reports.packs import assembly, verify
from reports.packs import services as packs
from tests.reports.codes import pdftotext, shown_codes

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed_demo(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def visible_slugs(username: str) -> set[str]:
    user = get_user_model().objects.get(username=username)
    return set(permissions.models_for(user).values_list("slug", flat=True))


@dataclass(frozen=True)
class Seeded:
    output: str
    first_seq: int  # the first audit event the seed wrote (migrate writes some before it)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[Seeded]:
    """Seed once per test process for the module, in a transaction rolled back at its end; each
    test runs in its own savepoint inside it, so what one test changes the next never sees."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHING),
        transaction.atomic(),
    ):
        first_seq = (AuditEvent.objects.aggregate(last=Max("seq"))["last"] or 0) + 1
        yield Seeded(seed_demo(), first_seq)
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
class TestSeededPortfolio:
    def test_every_model_is_scoped_and_tiered_and_every_use_case_classified(self):
        current = RiskAssessment.objects.filter(status="completed")
        for framework in ("scoping", "tiering"):
            assessed = current.filter(framework=framework).values("model")
            assert MLModel.objects.exclude(pk__in=assessed).count() == 0, framework
        assert not UseCase.objects.exclude(risk_assessments__status="completed").exists()
        assert set(current.filter(framework="tiering").values_list("result", flat=True)) == {
            "tier_1",
            "tier_2",
            "tier_3",
        }

    def test_the_portfolio_spans_the_eu_ai_act_categories(self):
        eu = RiskAssessment.objects.filter(framework="eu_ai_act", status="completed")
        results = list(eu.values_list("result", flat=True))
        assert results.count("high_risk_annex_iii") >= 3
        assert {"prohibited", "transparency", "minimal"} <= set(results)
        prohibited = eu.get(result="prohibited")
        assert prohibited.outcome["details"]["blocked"] is True
        assert "Art. 5(1)(f)" in prohibited.outcome["legal_basis"]

    def test_checklists_follow_the_classifications_with_some_evidence(self):
        chatbot = MLModel.objects.get(slug="support-assistant")
        assert chatbot.controls.filter(
            framework="eu_ai_act", reference__startswith="Art. 50"
        ).exists()
        assert Evidence.objects.filter(control__model=chatbot).exists()
        assert Control.objects.filter(status="accepted").exists()
        assert Control.objects.filter(status="waived", waiver_expires_on__isnull=False).exists()

    def test_first_run_prints_what_it_loaded_and_the_logins(self, seeded):
        assert f"Demo data loaded: {len(demo.MODELS)} models" in seeded.output
        for person in demo.USERS:
            assert f"  {person.username} " in seeded.output

    def test_loads_at_least_20_models_in_every_status(self):
        assert MLModel.objects.count() >= 20
        statuses = set(MLModel.objects.values_list("status", flat=True))
        assert statuses == set(MLModel.Status.values)
        assert MLModel.objects.values("business_unit").distinct().count() >= 6

    def test_creates_a_login_for_every_role_and_only_the_two_administrators_are_staff(self):
        users = get_user_model().objects.filter(username__in=[u.username for u in demo.USERS])
        role_names = set(users.values_list("groups__name", flat=True))
        # Pipelines is a service accounts' role: no person logs in with it.
        assert role_names == set(roles.ROLE_PERMISSIONS) - {roles.PIPELINE}
        staff = users.filter(is_staff=True).order_by("username")
        assert list(staff.values_list("username", flat=True)) == ["ada", "sam"]
        assert all(admin.is_superuser for admin in staff)
        assert users.get(username="olivia").check_password(demo.PASSWORD)

    def test_a_role_ada_asked_for_waits_for_sam(self):
        asked = RoleGrant.objects.get()
        assert (asked.user.username, asked.role.name) == ("victor", roles.HEAD_OF_VALIDATION)
        assert asked.is_pending and asked.requested_by.username == "ada"
        sam = get_user_model().objects.get(username="sam")
        assert "Role" in {d.kind for d in queues.decisions_for(sam)}

    def test_models_have_versions_runs_deployments_raci_links_and_use_cases(self):
        per_model = MLModel.objects.annotate(
            n_versions=Count("versions", distinct=True),
            n_raci=Count("raci_assignments", distinct=True),
        )
        assert all(1 <= m.n_versions <= 4 and m.n_raci >= 5 for m in per_model)
        assert ModelVersion.objects.filter(training_run__input_datasets__isnull=False).exists()
        assert Deployment.objects.filter(environment="production").count() >= 20
        assert ModelDependency.objects.filter(downstream__slug="ifrs9-ecl").count() >= 3
        use_case = UseCase.objects.get(slug="retail-creditworthiness")
        assert "retail-pd" in set(use_case.models.values_list("slug", flat=True))
        assert MLModel.objects.filter(custom_fields__sox_relevant=True).exists()

    def test_raci_keeps_validation_independent_of_development(self):
        validation = RaciAssignment.objects.filter(area=RaciAssignment.Area.VALIDATION)
        developers = RaciAssignment.objects.filter(area=RaciAssignment.Area.DEVELOPMENT)
        pairs = set(developers.values_list("model_id", "user_id"))
        assert not pairs & set(validation.values_list("model_id", "user_id"))
        assert validation.count() == MLModel.objects.count()

    def test_each_environment_has_at_most_one_live_version_per_model(self):
        live = Deployment.objects.live().values("version__model", "environment")
        assert not live.annotate(n=Count("id")).filter(n__gt=1).exists()
        retired = Deployment.objects.filter(version__model__status="retired")
        assert retired.exists()
        assert not retired.filter(ended_at__isnull=True).exists()

    def test_llm_versions_name_base_model_provider_and_hash_their_prompts(self):
        version = ModelVersion.objects.get(model__slug="support-assistant", version="2.0")
        assert (version.base_model, version.provider) == (
            "gpt-4.1-2025-04-14",
            "Azure OpenAI (EU Data Zone)",
        )
        assert version.prompt_templates.count() == 3
        vendor = MLModel.objects.get(slug="bureau-score")
        assert (vendor.model_type, vendor.vendor) == ("vendor", "Meridian Credit Reference Ltd")

    def test_audit_chain_is_intact_and_every_seeded_event_names_the_seed(self, seeded):
        events = AuditEvent.objects.order_by("seq")
        assert audit_selectors.audit_chain_break() is None
        seeded_events = events.filter(seq__gte=seeded.first_seq)
        assert seeded_events.count() > 400
        assert set(seeded_events.values_list("request_id", flat=True)) == {loader.REQUEST_ID}
        # The system, not a person, creates only the administrator's own account, raises a
        # finding for each production release through a closed gate (the demo's history has
        # releases after the gate policy took effect, before their versions were approved) and,
        # in the monitoring sweeps, raises alerts with their findings and revalidation flags.
        system = seeded_events.filter(actor__isnull=True)
        breaches = Deployment.objects.filter(gate_open=False).order_by("pk")
        assert breaches.count() == 5
        assert not breaches.exclude(environment="production").exists()
        raised = {
            ("finding.raised", str(f)) for f in Finding.objects.filter(source="gate").order_by("pk")
        }
        sweep = {
            ("finding.raised", str(f)) for f in Finding.objects.filter(source="monitoring")
        } | {("alert.raised", str(a)) for a in Alert.objects.all()}
        sweep |= {
            ("model.revalidation_required", str(f))
            for f in RevalidationFlag.objects.filter(source="monitoring", raised_by=None)
        }
        # Beside them, as time passes: rulebook versions taking effect re-derive assessments
        # (the nightly task), new major versions flag their models for reassessment, and
        # alerts recover when the figures come back.
        events = list(system.values_list("verb", "target_repr", "occurred_at"))
        assert events[0][:2] == ("user.created", "ada")
        judged = {(verb, what) for verb, what, _ in events[1:] if (verb, what) in raised | sweep}
        assert judged == raised | sweep
        rest = [(verb, at) for verb, what, at in events[1:] if (verb, what) not in judged]
        assert {verb for verb, _ in rest} == {
            "assessment.completed",
            "draft.prepared",  # a re-derived EU AI Act classification redrafts its work products
            "model.reassessment_flagged",
            "alert.recovered",
        }
        rederived = {at.date() for verb, at in rest if verb == "assessment.completed"}
        assert rederived <= {date.fromisoformat(day) for day in assessing.RULEBOOK_CHANGES}

    def test_second_run_changes_nothing_and_prints_the_logins_again(self):
        before = loader.portfolio_counts()
        output = seed_demo()
        assert loader.portfolio_counts() == before
        assert "already exists: nothing changed" in output
        assert "olivia" in output and demo.PASSWORD in output

    def test_if_empty_on_the_seeded_database_changes_nothing(self):
        before = loader.portfolio_counts()
        assert "already exists" in seed_demo("--if-empty")
        assert loader.portfolio_counts() == before

    def test_owner_sees_only_her_models_and_auditor_and_committee_see_all(self):
        olivia = get_user_model().objects.get(username="olivia")
        assert visible_slugs("olivia") == set(
            MLModel.objects.filter(owner=olivia).values_list("slug", flat=True)
        )
        assert "card-fraud" not in visible_slugs("olivia")
        everything = set(MLModel.objects.values_list("slug", flat=True))
        assert visible_slugs("audrey") == everything
        assert visible_slugs("carl") == everything

    def test_developer_sees_only_the_models_he_builds(self):
        built = RaciAssignment.objects.filter(user__username="dev", area="development")
        assert visible_slugs("dev") == set(built.values_list("model__slug", flat=True))
        assert "card-fraud" not in visible_slugs("dev")


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
class TestSeededApprovals:
    def test_requests_exist_in_every_state(self):
        assert set(ApprovalRequest.objects.values_list("state", flat=True)) == set(
            ApprovalRequest.State.values
        )
        conditional = ApprovalRequest.objects.get(state=states.APPROVED_WITH_CONDITIONS)
        assert conditional.conditions.filter(met_at__isnull=True, due_on__isnull=False).exists()
        review = ApprovalRequest.objects.get(gate="periodic_review")
        assert review.due_on is not None and review.state == states.SUBMITTED

    def test_an_approval_lapsed_after_a_critical_monitoring_breach(self):
        validated = ApprovalRequest.objects.get(
            model__slug="support-assistant", gate="validation", state=states.APPROVED
        )
        lapses = approval_facts.lapses_of(validated, demo.DEMO_AS_OF)
        assert len(lapses) == 1 and "critical monitoring breach" in lapses[0]
        assert RevalidationFlag.objects.filter(model__slug="support-assistant").exists()

    def test_carl_can_work_the_committee_queue_end_to_end(self):
        carl = get_user_model().objects.get(username="carl")
        awaiting = [item for item in queues.my_work(carl).to_sign_off if "committee" in item.roles]
        assert len(awaiting) >= 2
        assert {item.request.state for item in awaiting} == {states.IN_REVIEW}
        tier_2 = next(
            item.request
            for item in awaiting
            if item.request.tier == "tier_2" and item.request.environment == "production"
        )
        workflow.sign_off(actor=carl, request=tier_2, role="committee", decision="approve")
        tier_2.refresh_from_db()
        assert tier_2.state == states.APPROVED

    def test_the_tier_1_deployment_needs_both_committee_members(self):
        pd = ApprovalRequest.objects.get(model__slug="retail-pd", state=states.IN_REVIEW)
        people = get_user_model().objects.in_bulk(["carl", "celine"], field_name="username")
        workflow.sign_off(actor=people["carl"], request=pd, role="committee", decision="approve")
        pd.refresh_from_db()
        assert pd.state == states.IN_REVIEW
        workflow.sign_off(actor=people["celine"], request=pd, role="committee", decision="approve")
        pd.refresh_from_db()
        assert pd.state == states.APPROVED

    def test_one_production_gate_is_open_and_another_closed_with_reasons(self):
        live = Deployment.objects.live().filter(environment="production")
        churn = live.get(version__model__slug="current-account-churn").version
        answer, _ = gate.check(churn, "production")
        assert answer.open and not answer.unmet
        assistant = live.get(version__model__slug="support-assistant").version
        answer, _ = gate.check(assistant, "production")
        assert not answer.open
        unmet = {r.id: r.reason for r in answer.unmet}
        assert {"approval", "no-revalidation-required", "no-open-high-findings"} <= set(unmet)
        assert "hallucination rate" in unmet["no-revalidation-required"]

    def test_findings_span_states_and_severities_with_exceptions(self):
        assert set(Finding.objects.values_list("status", flat=True)) == set(Finding.Status.values)
        assert set(Finding.objects.values_list("severity", flat=True)) == set(
            Finding.Severity.values
        )
        accepted = Finding.objects.get(status="accepted_risk")
        assert accepted.accepted_until > demo.DEMO_AS_OF
        assert PolicyException.objects.filter(revoked_at__isnull=True).count() >= 2

    def test_monitoring_data_came_in_through_the_ingestion_api(self):
        pipeline = get_user_model().objects.get(username=pushes.PIPELINE)
        batches = IngestionBatch.objects.filter(actor=pipeline)
        sources = set(batches.values_list("source", flat=True))
        assert sources == {"version-metrics", "version-import", "version-bundles"}
        # Every day a version served production since the pipeline had its token has its three
        # metrics, pushed in monthly batches on the first of the next month.
        for spec in demo.MODELS:
            for period in pushes.live_periods(spec):
                batched = pushes.monthly_batches(period)
                days = [day for _, days in batched for day in days]
                points = MetricPoint.objects.filter(
                    version__model__slug=spec.slug,
                    version__version=period.version,
                    batch__in=batches,
                )
                assert points.count() == 3 * len(days), (spec.slug, period.version)
                pushed = {b.date() for b in points.values_list("batch__received_at", flat=True)}
                assert pushed == {on for on, _ in batched}, (spec.slug, period.version)
        assert not FairnessResult.objects.filter(batch__isnull=True).exists()
        verdicts = dict(
            FairnessResult.objects.filter(summary__sensitive=["sex"]).values_list(
                "version__model__slug", "passed"
            )
        )
        assert verdicts == {
            "retail-pd": True,
            "current-account-churn": True,
            "cv-screening": False,
            "bureau-score": False,
        }
        assert DriftResult.objects.filter(batch__actor=pipeline).exists()
        assert EvaluationResult.objects.filter(kind="safety", batch__actor=pipeline).count() == 4


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
class TestSeededMonitoring:
    """A drifted model, a fairness breach and a stale feed, each with its alert and finding;
    every production model judged."""

    @pytest.mark.parametrize(
        ("slug", "key", "value"),
        [
            ("card-fraud", "drift:psi", 0.27),
            ("bureau-score", "fairness:demographic_parity_difference", None),
            ("aml-transaction-monitoring", "freshness:days_since_data", None),
        ],
    )
    def test_breaches_have_their_alert_and_finding(self, slug, key, value):
        alert = Alert.objects.get(model__slug=slug, key=key)
        assert (alert.severity, alert.state) == ("critical", "open")
        if value is not None:
            assert alert.value == pytest.approx(value, abs=0.01)
        if key.startswith("freshness"):  # its feed stopped ten days before the others' last push
            assert 10 < alert.value < 12
        assert alert.finding.source == Finding.Source.MONITORING
        assert alert.finding.status == Finding.Status.OPEN
        # Found by the sweep on the demo date, or by the push a few days before it.
        week = (demo.DEMO_AS_OF - timedelta(days=7), demo.DEMO_AS_OF)
        assert week[0] <= alert.opened_at.date() <= week[1]

    def test_every_production_model_is_judged(self):
        live = Deployment.objects.filter(environment="production", ended_at__isnull=True)
        served = set(live.values_list("version__model__slug", flat=True))
        judged = set(HealthCheck.objects.values_list("model__slug", flat=True))
        assert served == judged

    def test_owner_thresholds_warn_and_the_rest_stay_healthy(self):
        warnings = set(Alert.objects.filter(severity="warning").values_list("model__slug", "key"))
        assert ("support-assistant", "evaluation:pass_rate[jailbreak-redteam]") in warnings
        healthy = HealthCheck.objects.get(
            model__slug="support-assistant", key="metric:latency_p95_ms"
        )
        assert healthy.status == "healthy"

    def test_a_material_fairness_breach_closes_the_gate(self):
        flag = RevalidationFlag.objects.get(model__slug="bureau-score", cleared_at=None)
        assert "Fairness: demographic parity difference" in flag.reason


def test_demo_releases_are_in_order_and_before_the_as_of_date():
    as_of = demo.DEMO_AS_OF.isoformat()
    for model in demo.MODELS:
        trained = [v.trained for v in model.versions]
        assert trained == sorted(trained), model.slug
        for v in model.versions:
            steps = [day for day in (v.trained, v.staging, v.production) if day]
            assert steps == sorted(steps) and max(steps) < as_of, (model.slug, v.label)


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
class TestSeededEvidencePacks:
    """Every demo model's newest version gives a pack an auditor can verify."""

    @pytest.mark.parametrize("slug", [spec.slug for spec in demo.MODELS])
    def test_the_newest_version_produces_a_verified_pack(
        self, slug, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        settings.MEDIA_ROOT = tmp_path
        auditor = get_user_model().objects.get(username="audrey")
        version = ModelVersion.objects.filter(model__slug=slug).latest("created_at")
        with django_capture_on_commit_callbacks(execute=True):
            pack = packs.request_pack(actor=auditor, version=version)
        pack.refresh_from_db()
        assert pack.status == EvidencePack.Status.READY, (version, pack.error)
        with pack.file.open("rb") as pdf:
            verdict = verify.verify_pack(pdf.read())
        assert verdict.intact, (version, verdict)


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded")
class TestSeededHistory:
    """Two years built as they happened: records carry their days, the trail runs in time
    order, every month of the dashboard has figures, and a pack shows the past as it stood."""

    def test_the_seeded_trail_runs_in_time_order_over_two_years(self, seeded):
        stamps = list(
            AuditEvent.objects.filter(seq__gte=seeded.first_seq)
            .order_by("seq")
            .values_list("occurred_at", flat=True)
        )
        assert stamps == sorted(stamps)
        assert stamps[0].date() == world.GO_LIVE
        assert stamps[-1].date() == demo.DEMO_AS_OF
        assert len({(at.year, at.month) for at in stamps}) >= 24

    def test_records_carry_the_days_they_happened(self):
        for spec in demo.MODELS:
            model = MLModel.objects.get(slug=spec.slug)
            assert model.created_at.date() == world.registered_on(spec), spec.slug
            for release in spec.versions:
                version = model.versions.get(version=release.label)
                built = max(date.fromisoformat(release.trained), world.GO_LIVE)
                assert version.created_at.date() == built, (spec.slug, release.label)
        tiered = RiskAssessment.objects.filter(framework="tiering").exclude(status="draft")
        assert min(tiered.values_list("valid_from", flat=True)).date() >= date(2026, 4, 17)
        pipeline = get_user_model().objects.get(username=pushes.PIPELINE)
        assert ModelVersion.objects.filter(created_by=pipeline).count() >= 4

    def test_every_month_of_the_dashboard_has_an_inventory_in_production(self):
        figures = executive.figures(date(2026, 11, 1), months=24)
        assert figures.periods[0].start.date() == date(2024, 12, 1)
        for key in ("inventory", "in_production"):
            series = figures.figure(key).series
            assert all(value and value > 0 for value in series), (key, series)
            assert len(set(series)) > 3, (key, series)  # the portfolio grew and changed
        for key in ("shipped", "findings_open", "decisions"):
            assert sum(v or 0 for v in figures.figure(key).series) > 0, key
        levels = {unit.assessment.level for unit in figures.maturity}
        assert len(levels) >= 2, levels

    def test_a_pack_as_of_90_days_before_shows_the_state_then(
        self, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        """Cash forecast 2.0 went live through a closed gate on 1 June 2026; by late August
        its breach was in remediation and nothing had been asked of the committee. Since,
        it was approved with conditions and its periodic review was opened."""
        as_of = datetime.combine(demo.DEMO_AS_OF - timedelta(days=90), time(12), tzinfo=UTC)
        version = ModelVersion.objects.get(model__slug="cash-forecast", version="2.0")
        record = assembly.assemble(version, as_of).record
        tiering = RiskAssessment.objects.get(
            model=version.model, framework="tiering", valid_from__lte=as_of, status="completed"
        )
        assert record["risk"]["tier"] == tiering.result
        assert ApprovalRequest.objects.filter(version=version).count() == 2  # today
        assert not record["approvals"]["requests"]  # none then
        states = {f["title"]: (f["status"], f["resolved_at"]) for f in record["findings"]}
        assert states[approvals.BREACH_TITLE] == (Finding.Status.REMEDIATION.label, None)
        assert states["Back-test window too short"][0] == Finding.Status.CLOSED.label
        assert "Calibration drift in the self-employed segment" not in states
        then = {(r["area"], r["role"], r["who"]) for r in record["raci"]}
        assert ("Monitoring", "Responsible", pushes.PIPELINE) in then
        settings.MEDIA_ROOT = tmp_path
        auditor = get_user_model().objects.get(username="audrey")
        with django_capture_on_commit_callbacks(execute=True):
            pack = packs.request_pack(actor=auditor, version=version, as_of=as_of)
        pack.refresh_from_db()
        assert pack.status == EvidencePack.Status.READY, pack.error
        with pack.file.open("rb") as pdf:
            content = pdf.read()
        assert verify.verify_pack(content).intact
        text = pdftotext(content, tmp_path)
        for page in ("1. Summary", "Contents", "10. Attestation", "11. Glossary"):
            assert page in text
        assert "as of 2026-08-24 12:00:00 UTC" in text
        assert "Cash demand" in text or "cash demand" in text
        assert not shown_codes(text)

    @pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")
    def test_the_last_full_month_reads_in_words_with_the_figures_held(self, tmp_path):
        """The November 2026 report of the demo: every figure the database gives, no code."""
        november = date(2026, 11, 1)
        figures = executive.figures(november)
        text = pdftotext(render.render_report(november), tmp_path)
        assert "Model portfolio report: November 2026" in text
        assert f"Models in the inventory {figures.figure('inventory').shown}" in text
        assert f"Models in production {figures.figure('in_production').shown}" in text
        assert "MLOps maturity by business unit" in text
        assert not shown_codes(text)
