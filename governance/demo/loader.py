"""Loading the demo portfolio through the services, so its grants and audit chain are real."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import transaction

from governance import context, demo, roles
from governance.access.models import RaciAssignment
from governance.access.services import accounts, raci
from governance.approvals.models import ApprovalRequest
from governance.auditlog.models import AuditEvent
from governance.demo import approvals, monitoring, pushes, risk
from governance.demo.spec import at, digest
from governance.findings.models import Finding
from governance.risk.models import Control, RiskAssessment
from governance.risk.services import assessments, controls
from registry import services
from registry.models import (
    Dataset,
    DatasetVersion,
    Deployment,
    MLModel,
    ModelDependency,
    ModelVersion,
    TrainingRun,
    UseCase,
)

Users = dict[str, User]
# Dataset slug -> its versions in release order, each with its release date (ISO).
DataIndex = dict[str, list[tuple[str, DatasetVersion]]]

REQUEST_ID = "seed_demo"  # every seeded audit event carries it, so the demo load is traceable
EMAIL_DOMAIN = "northwind.example"
LLM = MLModel.ModelType.LLM_APPLICATION
Role, Area = RaciAssignment.Role, RaciAssignment.Area

# How each tracker names a registered version and a run (the demo's ids follow these shapes).
REGISTRY_IDS = {
    "mlflow": "models:/{slug}/{number}",
    "wandb": "northwind/model-registry/{slug}:v{index}",
    "sagemaker": "arn:aws:sagemaker:eu-west-2:210987654321:model-package/{slug}/{number}",
    "dvc": "{slug}@v{label}",
    "": "",
}
RUN_IDS = {
    "mlflow": "{hex:.32}",
    "wandb": "northwind/{slug}/{hex:.8}",
    "sagemaker": "{slug}-{trained}-01-00-00",
    "dvc": "exp-{hex:.7}",
    "": "",
}
EXTERNAL_REFS = {"dvc": "md5:{hex:.32}.dir", "lakefs": "lakefs:{hex}", "delta": "delta:version={n}"}
DATA_URIS = {
    "dvc": "s3://northwind-data/dvc/{slug}/{version}/",
    "lakefs": "lakefs://northwind-data/{hex:.12}/{slug}/",
    "delta": "s3://northwind-lakehouse/delta/{slug}/",
}


def is_seeded() -> bool:
    """Whether the demo portfolio is already loaded (its first model exists)."""
    return MLModel.objects.filter(slug=demo.MARKER_SLUG).exists()


def existing_demo_usernames() -> list[str]:
    wanted = [user.username for user in demo.USERS]
    found = get_user_model().objects.filter(username__in=wanted)
    return sorted(found.values_list("username", flat=True))


@transaction.atomic
def seed() -> dict[str, int]:
    """Create the demo people and portfolio in one transaction; return how many of each."""
    token = context.request_id.set(REQUEST_ID)
    try:
        users = _create_users()
        admin = users[demo.ADMIN]
        for definition in demo.CUSTOM_FIELDS:
            services.define_custom_field(actor=admin, **definition)
        data = _register_datasets(admin)
        models = {spec.slug: _load_model(spec, users, data) for spec in demo.MODELS}
        _link_models(admin, models)
        _register_use_cases(admin, users, models)
        # Pushed before any tier or threshold applies: the sweep at the end raises every alert.
        pushes.seed(users, models, REQUEST_ID)
        _assess_risk(users, models)
        _evidence_checklists(users, models)
        approvals.seed(users, models)
        monitoring.seed(models)
    finally:
        context.request_id.reset(token)
    return portfolio_counts()


def portfolio_counts() -> dict[str, int]:
    """How many of each inventory record the database holds."""
    return {
        "models": MLModel.objects.count(),
        "versions": ModelVersion.objects.count(),
        "training runs": TrainingRun.objects.count(),
        "datasets": Dataset.objects.count(),
        "dataset versions": DatasetVersion.objects.count(),
        "deployments": Deployment.objects.count(),
        "dependencies": ModelDependency.objects.count(),
        "use cases": UseCase.objects.count(),
        "RACI assignments": RaciAssignment.objects.count(),
        "risk assessments": RiskAssessment.objects.exclude(status="draft").count(),
        "obligations": Control.objects.filter(applies=True).count(),
        "approval requests": ApprovalRequest.objects.count(),
        "findings": Finding.objects.count(),
        "audit events": AuditEvent.objects.count(),
    }


def _create_users() -> Users:
    """The demo people, the administrator first: she creates the others (all audited)."""
    users: Users = {}
    for person in sorted(demo.USERS, key=lambda p: p.username != demo.ADMIN):
        # The two administrators are installed as `createsuperuser` installs them.
        is_admin = person.role == roles.ADMINISTRATOR
        user = get_user_model().objects.create_user(
            username=person.username,
            email=f"{person.username}@{EMAIL_DOMAIN}",
            password=demo.PASSWORD,
            first_name=person.first_name,
            last_name=person.last_name,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        user.groups.add(*Group.objects.filter(name__in=[person.role, *person.also]))
        # The administrator is bootstrapped by the system (no actor), as `createsuperuser` would be.
        accounts.record_access_change(actor=users.get(demo.ADMIN), user=user, before=None)
        users[person.username] = user
    # Victor is to cover appointments while Vera is away: Ada asks, Sam has not decided yet.
    accounts.request_role(
        actor=users[demo.ADMIN],
        user=users["victor"],
        role=Group.objects.get(name=roles.HEAD_OF_VALIDATION),
        note="Covers validator appointments while Vera is on leave in January.",
    )
    return users


def _register_datasets(admin: User) -> DataIndex:
    index: DataIndex = {}
    for spec in demo.DATASETS:
        dataset = services.register_dataset(
            actor=admin,
            slug=spec.slug,
            name=spec.name,
            description=spec.description,
            contains_personal_data=spec.contains_personal_data,
        )
        index[spec.slug] = [
            (snapshot.released, _register_dataset_version(admin, dataset, spec, snapshot))
            for snapshot in spec.versions
        ]
    return index


def _register_dataset_version(
    admin: User,
    dataset: Dataset,
    spec: demo.DemoDataset,
    snapshot: demo.DemoDatasetVersion,
) -> DatasetVersion:
    hex_ = digest("data", spec.slug, snapshot.version)
    names = {"slug": spec.slug, "version": snapshot.version, "hex": hex_, "n": int(hex_[:3], 16)}
    return services.register_dataset_version(
        actor=admin,
        dataset=dataset,
        version=snapshot.version,
        uri=DATA_URIS[spec.store].format(**names),
        content_sha256=hex_,
        external_ref=EXTERNAL_REFS[spec.store].format(**names),
        row_count=snapshot.row_count,
        schema=dict(spec.schema),
    )


def _load_model(spec: demo.DemoModel, users: Users, data: DataIndex) -> MLModel:
    """Register one model with its RACI, versions, runs and deployments, oldest first."""
    admin = users[demo.ADMIN]
    # The owner registers it: register_model makes a registrant who is not the owner
    # Responsible for development, which would put the administrator on every model's RACI.
    model = services.register_model(
        actor=users[spec.owner],
        slug=spec.slug,
        name=spec.name,
        business_unit=spec.business_unit,
        model_type=spec.model_type,
        description=spec.description,
        intended_purpose=spec.intended_purpose,
        status=spec.status,
        vendor=spec.vendor,
        custom_fields=dict(spec.custom_fields),
    )
    _assign_raci(admin, model, spec, users)
    live: dict[str, Deployment] = {}
    for number, release in enumerate(spec.versions, start=1):
        version = _register_version(admin, model, spec, release, number, data)
        live |= _deploy(admin, version, spec, release)
    if spec.retired_on:
        for deployment in live.values():
            services.end_deployment(
                actor=admin, deployment=deployment, ended_at=at(spec.retired_on)
            )
    return model


def _assign_raci(admin: User, model: MLModel, spec: demo.DemoModel, users: Users) -> None:
    """First line builds and monitors (named by the owner), second line validates (appointed by
    the head of validation), the committee approves (named under the gate policy by the
    administrator)."""
    owner, head = users[spec.owner], users[demo.HEAD_OF_VALIDATION]
    for actor, username, role, area in (
        (owner, spec.owner, Role.ACCOUNTABLE, Area.DEVELOPMENT),
        (owner, spec.developer, Role.RESPONSIBLE, Area.DEVELOPMENT),
        (owner, spec.developer, Role.RESPONSIBLE, Area.MONITORING),
        (head, spec.validator, Role.RESPONSIBLE, Area.VALIDATION),
        (admin, demo.COMMITTEE_CHAIR, Role.ACCOUNTABLE, Area.APPROVAL),
    ):
        raci.assign_raci(actor=actor, model=model, user=users[username], role=role, area=area)
    committee = Group.objects.get(name=roles.COMMITTEE)
    raci.assign_raci(
        actor=admin, model=model, group=committee, role=Role.RESPONSIBLE, area=Area.APPROVAL
    )


def _register_version(
    admin: User,
    model: MLModel,
    spec: demo.DemoModel,
    release: demo.DemoVersion,
    number: int,
    data: DataIndex,
) -> ModelVersion:
    names = {"slug": spec.slug, "label": release.label, "number": number, "index": number - 1}
    fields: dict[str, object] = {
        "artifact_uri": _artifact_uri(spec, release),
        "artifact_sha256": digest("artifact", spec.slug, release.label),
        "framework": spec.framework,
        "source_tracker": spec.tracker,
        "external_id": REGISTRY_IDS[spec.tracker].format(**names),
    }
    if spec.datasets:
        fields["training_run"] = _record_run(admin, model, spec, release, data)
    if spec.model_type == LLM:
        fields |= {"base_model": release.base_model, "provider": spec.provider}
    prompts = [{"name": name, "template": text} for name, text in spec.prompts]
    return services.register_version(
        actor=admin, model=model, version=release.label, prompt_templates=prompts, **fields
    )


def _artifact_uri(spec: demo.DemoModel, release: demo.DemoVersion) -> str:
    if spec.model_type == LLM:
        commit = digest("commit", spec.slug, release.label)[:40]
        return f"git+https://git.{EMAIL_DOMAIN}/ai/{spec.slug}.git@{commit}"
    if spec.vendor:
        return f"s3://northwind-vendor-models/{spec.slug}/{release.label}/package.zip"
    filename = "model.pt" if spec.model_type == MLModel.ModelType.DEEP_LEARNING else "model.pkl"
    return f"s3://northwind-models/{spec.slug}/{release.label}/{filename}"


def _record_run(
    admin: User,
    model: MLModel,
    spec: demo.DemoModel,
    release: demo.DemoVersion,
    data: DataIndex,
) -> TrainingRun:
    hex_ = digest("run", spec.slug, release.label)
    names = {"slug": spec.slug, "trained": release.trained, "hex": hex_}
    started_at = at(release.trained, hour=1)
    return services.record_training_run(
        actor=admin,
        model=model,
        tracker=spec.tracker,
        external_id=RUN_IDS[spec.tracker].format(**names),
        params={**spec.params, "random_state": 42},
        code_commit=digest("commit", spec.slug, release.label)[:40],
        started_at=started_at,
        finished_at=started_at + timedelta(hours=3, minutes=len(spec.slug)),
        input_datasets=[_latest(data, slug, release.trained) for slug in spec.datasets],
    )


def _latest(data: DataIndex, slug: str, day: str) -> DatasetVersion:
    """The newest version of a dataset released by `day`: what a run that day would read."""
    released = [version for released_on, version in data[slug] if released_on <= day]
    if not released:
        raise ValueError(f"demo data: {slug} has no version released by {day}")
    return released[-1]


def _deploy(
    admin: User,
    version: ModelVersion,
    spec: demo.DemoModel,
    release: demo.DemoVersion,
) -> dict[str, Deployment]:
    """Staging first, then production; each replaces (and so ends) the previous version there."""
    deployed = {}
    for environment, day in (("staging", release.staging), ("production", release.production)):
        if day is not None:
            deployed[environment] = services.record_deployment(
                actor=admin,
                version=version,
                environment=environment,
                endpoint=_endpoint(spec, environment),
                started_at=at(day),
            )
    return deployed


def _endpoint(spec: demo.DemoModel, environment: str) -> str:
    if spec.serving == "batch":
        return f"airflow://{environment}/dags/{spec.slug.replace('-', '_')}"
    host = "stg" if environment == "staging" else "prod"
    return f"https://ml.{host}.{EMAIL_DOMAIN}/{spec.slug}/v1/predict"


def _link_models(admin: User, models: dict[str, MLModel]) -> None:
    for link in demo.DEPENDENCIES:
        services.add_dependency(
            actor=admin,
            upstream=models[link.upstream],
            downstream=models[link.downstream],
            description=link.description,
        )


def _register_use_cases(admin: User, users: Users, models: dict[str, MLModel]) -> None:
    for spec in demo.USE_CASES:
        services.register_use_case(
            actor=admin,
            slug=spec.slug,
            name=spec.name,
            business_purpose=spec.business_purpose,
            business_unit=spec.business_unit,
            models=[models[slug] for slug in spec.models],
            deployer_context=spec.deployer_context,
            affected_people=spec.affected_people,
            owner=users[spec.owner],
        )


def _assess(
    actor: User, framework: str, subject: MLModel | UseCase, answers: dict
) -> RiskAssessment:
    draft = assessments.save_answers(
        actor=actor, framework=framework, subject=subject, answers=answers
    )
    return assessments.complete(actor=actor, draft=draft)


def _assess_risk(users: Users, models: dict[str, MLModel]) -> None:
    """Each owner scopes and tiers their models; use-case owners classify their AI systems."""
    for slug, (scope, tier) in risk.MODELS.items():
        model = models[slug]
        owner = users[model.owner.username]
        _assess(owner, "scoping", model, risk.SCOPING[scope])
        _assess(owner, "tiering", model, risk.TIERS[tier])
    chair = users[demo.COMMITTEE_CHAIR]
    for slug, answers in risk.USE_CASES.items():
        use_case = UseCase.objects.get(slug=slug)
        classified = _assess(users[use_case.owner.username], "eu_ai_act", use_case, answers)
        if slug in risk.CONFIRMED_USE_CASES:
            assessments.confirm(actor=chair, assessment=classified, reason="Agreed at committee")


def _evidence_checklists(users: Users, models: dict[str, MLModel]) -> None:
    """Some owners have linked their documentation; validators accepted part of it."""
    validators = {spec.slug: spec.validator for spec in demo.MODELS}
    for slug, every in risk.EVIDENCED.items():
        model = models[slug]
        owner, validator = users[model.owner.username], users[validators[slug]]
        open_controls = model.controls.filter(applies=True).order_by("framework", "pk")
        for number, control in enumerate(open_controls):
            if number % every == every - 1 or "link" not in control.evidence_kinds:
                continue
            controls.attach_evidence(
                actor=owner,
                control=control,
                title=f"{control.reference}: section of the {model.name} documentation",
                url=f"https://docs.northwind.example/models/{slug}#{control.obligation_id}",
            )
            if number % 2 == 0:
                controls.accept(actor=validator, control=control)
    chair = users[demo.COMMITTEE_CHAIR]
    for slug, (obligation_id, reason) in risk.WAIVED.items():
        waived = models[slug].controls.filter(obligation_id=obligation_id).first()
        if waived is not None:
            asked = controls.request_waiver(
                actor=users[models[slug].owner.username],
                control=waived,
                reason=reason,
                expires_on=at("2027-06-30").date(),
            )
            controls.decide_waiver(actor=chair, waiver=asked, grant=True)
