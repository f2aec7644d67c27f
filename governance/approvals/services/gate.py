"""What the gate said when a version went live, kept on the deployment; a pass through a closed gate is a breach."""

from django.contrib.auth.models import User

from governance import audit
from governance.approvals.selectors import gate
from governance.errors import DomainError
from governance.findings import services as findings
from registry.models import Deployment


def record_at_deployment(actor: User, deployment: Deployment) -> None:
    """Keep what the gate said when a version went live; through a closed gate is a breach.

    Runs inside record_deployment's transaction. A breach opens a high-severity finding for
    the model's owner, so it cannot go unnoticed.
    """
    version = deployment.version
    try:
        answer, book = gate.check(version, deployment.environment, at=deployment.started_at)
    except DomainError:
        # Before any gate policy took effect there was no gate to pass: nothing to judge.
        deployment.gate_answer = {"policy": None, "note": "no gate policy was in force"}
        deployment.save(update_fields=["gate_answer"])
        return
    deployment.gate_open = answer.open
    deployment.gate_answer = gate.as_json(
        version, deployment.environment, answer, book, deployment.started_at
    )
    deployment.save(update_fields=["gate_open", "gate_answer"])
    if answer.open:
        return
    unmet = "; ".join(f"{r.title}: {r.reason}" for r in answer.unmet)
    audit.record(
        actor=actor,
        verb="deployment.policy_breach",
        target=deployment,
        after={"environment": deployment.environment, "unmet": [r.id for r in answer.unmet]},
        mlmodel_id=version.model_id,
    )
    findings.record_breach(deployment=deployment, description=unmet)
