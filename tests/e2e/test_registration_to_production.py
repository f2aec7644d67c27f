"""A new model goes from registration to production in the browser, each person doing only their
own part in their own session: the owner registers and assesses it and attaches the evidence,
the head of validation appoints a validator, the validator raises a finding, accepts evidence and
signs off, a committee member approves the deployment, the gate opens and the owner records
the deployment on the request's page. No administrator helps and no evidence is a placeholder.

With ATTEST_SCREENSHOTS=docs/img/path each step is also photographed 1280 and 390 pixels wide
(docs/ui.md, "From registration to production", shows them); CI leaves the files alone."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from governance import roles
from governance.approvals.models import ApprovalRequest
from governance.findings.models import Finding
from governance.risk.models import Control, Evidence
from governance.rulebooks import services as rulebooks
from registry.models import Deployment, MLModel, ModelVersion
from tests.e2e.conftest import new_context
from tests.factories.accounts import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"
SHOTS = os.environ.get("ATTEST_SCREENSHOTS", "")
SLUG = "sme-pd"

# A US and UK bank's statistical scorecard, out of the EU: SR 26-2 and PRA SS1/23 apply.
SCOPING = [
    ("quantitative_method", "yes"),
    ("technique", "statistical"),
    ("used_in_business", "yes"),
    ("ai_system", "no"),
    ("us_banking_org", "yes"),
    ("pra_firm", "internal_models"),
    ("eu_nexus", "no"),
]
# 0.3*3 + 0.2*3 + 0.2*3 + 0.15*3 + 0.15*3 = 3.0: Tier 2, whose deployment needs one validator
# and one committee member (compliance and legal sign Tier 1 deployments only).
TIERING = [
    ("exposure", "moderate"),
    ("purpose", "risk_management"),
    ("complexity", "moderate"),
    ("reliance", "significant"),
    ("uncertainty", "moderate"),
]


def _pdf(text: str) -> bytes:
    """A small but real one-page PDF (with its cross-reference table) that says `text`."""
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def person(username: str, *groups: str):
    user = UserFactory(username=username, first_name=username.capitalize(), roles=list(groups))
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def people(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rulebooks.load_shipped()  # idempotent: a flush between browser tests may have emptied them
    return {
        "olivia": person("olivia", roles.OWNER),
        "hal": person("hal", roles.HEAD_OF_VALIDATION, roles.VALIDATOR),
        "vera": person("vera", roles.VALIDATOR),
        "carl": person("carl", roles.COMMITTEE),
        "audrey": person("audrey", roles.AUDITOR),
        "eve": person("eve", roles.EXECUTIVE),
    }


def signed_in(browser: Browser, live_server, username: str) -> Page:
    """A separate browser context per person: their own cookies, their own session."""
    page = new_context(browser, viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def shoot(page: Page, number: int, step: str, full_page: bool = False) -> None:
    """Photograph the page at 1280 and 390 pixels wide, when ATTEST_SCREENSHOTS names a folder."""
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")  # htmx fragments and the navigation bar painted
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        path = folder / f"{number:02d}-{step}-{width}.png"
        page.screenshot(path=str(path), full_page=full_page)
        _shrink(path)
    page.set_viewport_size({"width": 1280, "height": 900})


def _shrink(path: Path) -> None:
    """A 128-colour palette: a third of the bytes and the same picture, for files kept in git."""
    from PIL import Image

    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE)
    small.save(path, optimize=True)


def answer_all(page: Page, answers: list[tuple[str, str]]) -> None:
    """Answer each question as a person does, waiting for htmx to save it (a later question may
    only appear once an earlier one is answered)."""
    page.wait_for_load_state()
    for key, value in answers:
        radio = page.locator(f"input[name='{key}'][value='{value}']")
        with page.expect_response(lambda response: "/answers/" in response.url):
            if radio.count():
                radio.check()
            else:
                page.locator(f"select[name='{key}']").select_option(value)


def missing(model: MLModel, stages: tuple[str, ...]) -> list[Control]:
    return list(
        Control.objects.filter(
            model=model, applies=True, stage__in=stages, evidence__isnull=True
        ).order_by("pk")
    )


def records(model: MLModel) -> set[str]:
    """The kinds of Attest record linked as evidence of the model's obligations."""
    linked = Evidence.objects.filter(control__model=model, kind="record")
    return set(linked.values_list("record_type", flat=True))


def evidence(page: Page, model: MLModel, stages: tuple[str, ...], title: str, tmp: Path) -> int:
    """On the obligations page: link every record Attest proposes for an obligation due and
    still without evidence, then attach one PDF to all those left. Returns how many were linked."""
    linked = 0
    for control in missing(model, stages):
        proposal = page.locator(f"#control-{control.pk} form.proposal button").first
        if proposal.count():
            proposal.click()
            expect(page.get_by_text(f"is linked to {control.reference}").first).to_be_visible()
            linked += 1
    left = missing(model, stages)
    page.get_by_text("Attach one file to several obligations").click()
    form = page.locator("form[action$='/obligations/attach/']")
    form.get_by_label("Title").fill(title)
    document = tmp / f"{re.sub(r'[^a-z]+', '-', title.lower())}.pdf"
    document.write_bytes(_pdf(title))
    form.get_by_label("File").set_input_files(str(document))
    for control in left:
        form.locator(f"input[name=obligations][value='{control.pk}']").check()
    form.get_by_role("button", name="Attach to the obligations ticked").click()
    expect(page.get_by_text(f"“{title}” is attached to")).to_be_visible()
    assert not missing(model, stages)
    return linked


def request_approval(page: Page, base: str, gate: str, summary: str) -> ApprovalRequest:
    page.goto(f"{base}/inventory/models/{SLUG}/versions/1.0/")
    page.get_by_role("link", name="Request approval").click()  # loaded by htmx
    page.get_by_label("Gate").select_option(gate)
    if gate == "deployment":
        page.get_by_label("Environment").select_option("production")
    page.get_by_label("Summary").fill(summary)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("is drafted")).to_be_visible()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("is submitted").first).to_be_visible()
    return ApprovalRequest.objects.get(gate=gate)


def sign_off(page: Page, request: ApprovalRequest, comment: str) -> None:
    page.get_by_label("Decision").select_option("approve")
    page.get_by_label("Comment").fill(comment)
    page.get_by_role("button", name="Record sign-off").click()
    recorded = re.compile(r"Your sign-off is recorded|The request is approved")
    expect(page.get_by_role("status").first).to_contain_text(recorded)


def test_a_new_model_goes_from_registration_to_production_each_person_in_their_own_session(
    browser, live_server, people, tmp_path
):
    base = live_server.url

    # 1. Olivia, a model owner, lands on My work and registers the model from the inventory.
    olivia = signed_in(browser, live_server, "olivia")
    expect(olivia).to_have_url(f"{base}/governance/approvals/")
    shoot(olivia, 1, "owner-my-work")
    olivia.goto(f"{base}/inventory/")
    olivia.get_by_role("link", name="Register model").first.click()
    olivia.get_by_label("Slug").fill(SLUG)
    olivia.get_by_label("Name").fill("SME probability of default")
    olivia.get_by_label("Intended purpose").fill("Probability of default for SME loan pricing")
    olivia.get_by_label("Business unit").fill("Business Banking")
    olivia.get_by_label("Type").select_option("classical_ml")
    shoot(olivia, 2, "register-model")
    olivia.get_by_role("button", name="Register model").last.click()
    expect(olivia.get_by_role("heading", level=1)).to_have_text("SME probability of default")
    model = MLModel.objects.get(slug=SLUG)

    # 2. ... its first version, and the use case it serves.
    olivia.get_by_role("link", name="Register version").first.click()
    olivia.locator("#id_version").fill("1.0")
    shoot(olivia, 3, "register-version")
    olivia.get_by_role("button", name="Register version").click()
    expect(olivia.get_by_role("heading", level=1)).to_contain_text("1.0")
    version = ModelVersion.objects.get(model=model, version="1.0")
    olivia.goto(f"{base}/inventory/models/{SLUG}/")
    olivia.locator("#use-cases").get_by_role("link", name="New use case").click()
    olivia.get_by_label("Slug").fill("sme-loan-pricing")
    olivia.get_by_label("Name").fill("SME loan pricing")
    olivia.get_by_label("Business purpose").fill("Price unsecured loans to small businesses")
    olivia.get_by_role("button", name="Register use case").click()
    expect(olivia.get_by_role("heading", name="SME loan pricing", level=1)).to_be_visible()
    expect(olivia.locator("#models")).to_contain_text("SME probability of default")
    shoot(olivia, 4, "use-case")

    # 3. She answers the scoping and tiering questionnaires: in scope of SR 26-2 and SS1/23,
    # out of the EU (so the use case needs no EU AI Act classification), Tier 2.
    for framework, answers in (("scoping", SCOPING), ("tiering", TIERING)):
        olivia.goto(f"{base}/inventory/models/{SLUG}/risk/{framework}/")
        answer_all(olivia, answers)
        if framework == "tiering":
            olivia.evaluate("window.scrollTo(0, 0)")
            shoot(olivia, 6, "tiering-questionnaire")
        olivia.get_by_role("button", name="Classify").click()
        expect(olivia.get_by_role("heading", name="Result")).to_be_visible()
        shoot(olivia, 5 if framework == "scoping" else 7, f"{framework}-result")
    expect(olivia.get_by_text("Tier 2").first).to_be_visible()
    olivia.goto(f"{base}/inventory/use-cases/sme-loan-pricing/")
    expect(olivia.locator("#eu-outside")).to_have_text("Outside the EU AI Act: no EU nexus")

    # 4. On the obligations page she links what Attest proposes and attaches one real PDF to
    # every other obligation due before validation.
    olivia.goto(f"{base}/inventory/models/{SLUG}/obligations/")
    shoot(olivia, 8, "obligations-proposed")
    before_validation = ("before_validation",)
    assert evidence(olivia, model, before_validation, "SME PD development document", tmp_path)
    shoot(olivia, 9, "obligations-evidenced")
    assert not Evidence.objects.filter(control__model=model, kind="link").exists()
    assert records(model) == {"scoping_assessment", "tier_assessment"}

    # 5. ... and asks for a validator.
    olivia.goto(f"{base}/inventory/models/{SLUG}/")
    olivia.get_by_label("Note for the head of validation").fill("Needed before the Q3 release")
    olivia.get_by_role("button", name="Ask for a validator").click()
    expect(olivia.locator("#validator-requests")).to_contain_text("waiting for a decision")
    olivia.locator("#validator-requests").scroll_into_view_if_needed()
    shoot(olivia, 10, "validator-asked")

    # 6. Hal, head of validation, appoints Vera from the model page.
    hal = signed_in(browser, live_server, "hal")
    shoot(hal, 11, "head-of-validation-my-work")
    hal.goto(f"{base}/inventory/models/{SLUG}/")
    asked = hal.locator("#validator-requests")
    asked.get_by_label("Validator").select_option(str(people["vera"].pk))
    asked.scroll_into_view_if_needed()
    shoot(hal, 12, "validator-appoint")
    asked.get_by_role("button", name="Grant").click()
    expect(hal.locator("#validator-requests")).to_contain_text("Appointed: Vera")
    hal.context.close()

    # 7. Olivia asks for validation of version 1.0.
    validation = request_approval(olivia, base, "validation", "First validation of the SME PD")
    shoot(olivia, 13, "validation-requested")

    # 8. Vera finds it on My work, raises a finding, accepts evidence and signs off.
    vera = signed_in(browser, live_server, "vera")
    expect(vera).to_have_url(f"{base}/governance/approvals/")
    shoot(vera, 14, "validator-my-work")
    vera.goto(f"{base}/governance/findings/new/{SLUG}/")
    vera.get_by_label("Title").fill("Back-test window shorter than one credit cycle")
    vera.get_by_label("Severity").select_option("medium")
    vera.get_by_label("Owner").select_option(str(people["olivia"].pk))
    vera.get_by_label("Due on").fill((timezone.localdate() + timedelta(days=90)).isoformat())
    vera.locator("#f_version").select_option(str(version.pk))
    shoot(vera, 15, "finding-raise")
    vera.get_by_role("button", name="Raise finding").click()
    expect(vera.get_by_text("is raised and assigned to")).to_be_visible()
    vera.goto(f"{base}/inventory/models/{SLUG}/obligations/")
    for control in Control.objects.filter(model=model, stage="before_validation").order_by("pk")[
        :3
    ]:
        vera.get_by_role("button", name=f"Accept the evidence for {control.reference}").click()
        expect(vera.locator(f"#control-{control.pk}")).to_contain_text("Accepted by Vera")
    shoot(vera, 16, "evidence-accepted")
    vera.goto(f"{base}/governance/approvals/requests/{validation.pk}/")
    sign_off(vera, validation, "Conceptually sound; back-test finding to remediate")
    shoot(vera, 17, "validation-signed")
    validation.refresh_from_db()
    assert validation.state == "approved"

    # 9. Olivia evidences what is due before deployment (the validation approval among it) and
    # asks to deploy to production.
    olivia.goto(f"{base}/inventory/models/{SLUG}/obligations/")
    evidence(olivia, model, ("before_deployment",), "SME PD deployment readiness pack", tmp_path)
    assert "validation_approval" in records(model)
    deployment = request_approval(olivia, base, "deployment", "Go live for SME pricing")
    shoot(olivia, 18, "deployment-requested")

    # 10. Vera signs the deployment for validation; Carl decides it for the committee from the
    # review queue under the Governance menu.
    vera.goto(f"{base}/governance/approvals/")
    vera.get_by_role("link", name=deployment.reference).click()
    sign_off(vera, deployment, "Validated version; finding tracked")
    vera.context.close()
    carl = signed_in(browser, live_server, "carl")
    expect(carl).to_have_url(f"{base}/governance/approvals/")
    shoot(carl, 19, "committee-my-work")
    carl.get_by_role("button", name="Governance").click()  # the navigation menu
    carl.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    shoot(carl, 20, "review-queue")
    carl.get_by_role("link", name=deployment.reference).click()
    sign_off(carl, deployment, "Approved for SME pricing")
    expect(carl.locator("#gate-verdict")).to_have_text("Open")
    carl.locator("#gate-verdict").scroll_into_view_if_needed()
    shoot(carl, 21, "gate-open")
    carl.context.close()
    deployment.refresh_from_db()
    assert deployment.state == "approved"

    # 11. Olivia opens her request, finds the gate open and records the deployment on its page.
    olivia.goto(f"{base}/governance/approvals/requests/{deployment.pk}/")
    expect(olivia.locator("#gate-verdict")).to_have_text("Open")
    olivia.locator("#gate").get_by_role("link", name="Record deployment").click()
    expect(olivia.get_by_label("Environment")).to_have_value("production")
    expect(olivia.locator("#gates")).to_contain_text("Open")
    olivia.get_by_label("Endpoint").fill("https://pricing.bank.example/sme-pd")
    shoot(olivia, 22, "record-deployment")
    olivia.get_by_role("button", name="Record deployment").click()
    expect(olivia.get_by_role("status").first).to_contain_text("the deployment gate was open")
    live = Deployment.objects.get(version=version)
    assert (live.gate_open, live.recorded_by.username) == (True, "olivia")
    assert live.endpoint == "https://pricing.bank.example/sme-pd"
    expect(olivia.locator(f"#deployment-{live.pk}")).to_contain_text("recorded by Olivia")
    shoot(olivia, 23, "version-in-production", full_page=True)  # at 390 px the list is lower
    assert Finding.objects.filter(model=model, raised_by__username="vera").exists()

    # 12. Read-only roles land elsewhere: an auditor on the audit log (which now tells the whole
    # story), an executive on the dashboard (the model counted in production).
    for number, username, start in (
        (24, "audrey", "/governance/audit/"),
        (25, "eve", "/reports/dashboard/"),
    ):
        reader = signed_in(browser, live_server, username)
        expect(reader).to_have_url(re.compile(re.escape(f"{base}{start}")))
        shoot(reader, number, f"{username}-start-page")
        reader.context.close()
