"""The inventory's history: data, models, versions, runs, deployments, links and use cases,
each recorded on the day it happened (what predates go-live is back-filled on that day)."""

from datetime import date, timedelta
from functools import partial

from django.contrib.auth.models import Group, User
from django.utils import timezone

from governance import demo, roles
from governance.access.models import RaciAssignment
from governance.access.services import raci
from governance.demo.spec import at, digest
from governance.demo.timeline import Timeline
from governance.demo.world import SPECS, World, registered_on
from registry import services
from registry.models import (
    Dataset,
    DatasetVersion,
    Deployment,
    MLModel,
    ModelVersion,
    TrainingRun,
    UseCase,
)

EMAIL_DOMAIN = "northwind.example"
LLM = MLModel.ModelType.LLM_APPLICATION
Role, Area = RaciAssignment.Role, RaciAssignment.Area
# A model's status only moves forward through these, as its versions reach each environment.
STATUS_ORDER = ("development", "validation", "production", "retired")
REACHES = {"staging": "validation", "production": "production"}

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


def schedule(timeline: Timeline, world: World) -> None:
    for dataset in demo.DATASETS:
        _schedule_dataset(timeline, world, dataset)
    for model in demo.MODELS:
        _schedule_model(timeline, world, model)
    for link in demo.DEPENDENCIES:
        _schedule_link(timeline, world, link)
    for use_case in demo.USE_CASES:
        _schedule_use_case(timeline, world, use_case)


def use_case_registered_on(spec: demo.DemoUseCase) -> date:
    """Two days after the first of its models went on the inventory."""
    return min(registered_on(SPECS[slug]) for slug in spec.models) + timedelta(days=2)


# Data


def _schedule_dataset(timeline: Timeline, world: World, spec: demo.DemoDataset) -> None:
    def register() -> None:
        services.register_dataset(
            actor=world.admin,
            slug=spec.slug,
            name=spec.name,
            description=spec.description,
            contains_personal_data=spec.contains_personal_data,
        )

    timeline.add(timeline.on(spec.versions[0].released, 8), f"dataset {spec.slug}", register)
    for number, snapshot in enumerate(spec.versions, start=1):
        timeline.add(
            timeline.on(snapshot.released, 8, minute=number),
            f"dataset {spec.slug} {snapshot.version}",
            partial(_register_dataset_version, world, spec, snapshot),
        )


def _register_dataset_version(
    world: World, spec: demo.DemoDataset, snapshot: demo.DemoDatasetVersion
) -> DatasetVersion:
    hex_ = digest("data", spec.slug, snapshot.version)
    names = {"slug": spec.slug, "version": snapshot.version, "hex": hex_, "n": int(hex_[:3], 16)}
    return services.register_dataset_version(
        actor=world.admin,
        dataset=Dataset.objects.get(slug=spec.slug),
        version=snapshot.version,
        uri=DATA_URIS[spec.store].format(**names),
        content_sha256=hex_,
        external_ref=EXTERNAL_REFS[spec.store].format(**names),
        row_count=snapshot.row_count,
        schema=dict(spec.schema),
    )


def _read_by(slug: str, day: str) -> DatasetVersion:
    """The newest version of a dataset released by `day`: what a run that day would read."""
    dataset = next(d for d in demo.DATASETS if d.slug == slug)
    released = [s.version for s in dataset.versions if s.released <= day]
    if not released:
        raise ValueError(f"demo data: {slug} has no version released by {day}")
    return DatasetVersion.objects.get(dataset__slug=slug, version=released[-1])


# Models, versions and deployments


def _schedule_model(timeline: Timeline, world: World, spec: demo.DemoModel) -> None:
    """Registered with its RACI, then each version and deployment on its day, oldest first."""
    registered = timeline.on(registered_on(spec), 9)
    timeline.add(registered, f"model {spec.slug}", lambda: _register_model(world, spec))
    for number, release in enumerate(spec.versions, start=1):
        built = timeline.on(release.trained, 12)
        timeline.add(
            built,
            f"version {spec.slug} {release.label}",
            partial(_register_version, world, spec, release, number),
        )
        for environment in ("staging", "production"):
            day = getattr(release, environment)
            if day is not None:
                # Recorded when it happened, or (before go-live) just after the version was.
                recorded = max(at(day), built + timedelta(minutes=1))
                timeline.add(
                    recorded,
                    f"{environment} {spec.slug} {release.label}",
                    partial(_deploy, world, spec, release, environment, day),
                )
    if spec.retired_on:
        timeline.add(at(spec.retired_on), f"retire {spec.slug}", lambda: _retire(world, spec))


def _register_model(world: World, spec: demo.DemoModel) -> None:
    # The owner registers it: register_model makes a registrant who is not the owner
    # Responsible for development, which would put the administrator on every model's RACI.
    model = services.register_model(
        actor=world.users[spec.owner],
        slug=spec.slug,
        name=spec.name,
        business_unit=spec.business_unit,
        model_type=spec.model_type,
        description=spec.description,
        intended_purpose=spec.intended_purpose,
        status=STATUS_ORDER[0],
        vendor=spec.vendor,
        custom_fields=dict(spec.custom_fields),
    )
    _assign_raci(world, model, spec)


def _assign_raci(world: World, model: MLModel, spec: demo.DemoModel) -> None:
    """First line builds and monitors (named by the owner), second line validates (appointed by
    the head of validation), the committee approves (named under the gate policy by the
    administrator)."""
    users = world.users
    owner, head = users[spec.owner], users[demo.HEAD_OF_VALIDATION]
    for actor, username, role, area in (
        (owner, spec.owner, Role.ACCOUNTABLE, Area.DEVELOPMENT),
        (owner, spec.developer, Role.RESPONSIBLE, Area.DEVELOPMENT),
        (owner, spec.developer, Role.RESPONSIBLE, Area.MONITORING),
        (head, spec.validator, Role.RESPONSIBLE, Area.VALIDATION),
        (world.admin, demo.COMMITTEE_CHAIR, Role.ACCOUNTABLE, Area.APPROVAL),
    ):
        raci.assign_raci(actor=actor, model=model, user=users[username], role=role, area=area)
    committee = Group.objects.get(name=roles.COMMITTEE)
    raci.assign_raci(
        actor=world.admin, model=model, group=committee, role=Role.RESPONSIBLE, area=Area.APPROVAL
    )


def _register_version(
    world: World, spec: demo.DemoModel, release: demo.DemoVersion, number: int
) -> ModelVersion:
    model = world.model(spec.slug)
    names = {"slug": spec.slug, "label": release.label, "number": number, "index": number - 1}
    fields: dict[str, object] = {
        "artifact_uri": _artifact_uri(spec, release),
        "artifact_sha256": digest("artifact", spec.slug, release.label),
        "framework": spec.framework,
        "source_tracker": spec.tracker,
        "external_id": REGISTRY_IDS[spec.tracker].format(**names),
    }
    registrar = world.registrar(spec, date.fromisoformat(release.trained))
    if spec.datasets:
        fields["training_run"] = _record_run(registrar, model, spec, release)
    if spec.model_type == LLM:
        fields |= {"base_model": release.base_model, "provider": spec.provider}
    prompts = [{"name": name, "template": text} for name, text in spec.prompts]
    return services.register_version(
        actor=registrar, model=model, version=release.label, prompt_templates=prompts, **fields
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
    actor: User, model: MLModel, spec: demo.DemoModel, release: demo.DemoVersion
) -> TrainingRun:
    hex_ = digest("run", spec.slug, release.label)
    names = {"slug": spec.slug, "trained": release.trained, "hex": hex_}
    started_at = at(release.trained, hour=1)
    return services.record_training_run(
        actor=actor,
        model=model,
        tracker=spec.tracker,
        external_id=RUN_IDS[spec.tracker].format(**names),
        params={**spec.params, "random_state": 42},
        code_commit=digest("commit", spec.slug, release.label)[:40],
        started_at=started_at,
        finished_at=started_at + timedelta(hours=3, minutes=len(spec.slug)),
        input_datasets=[_read_by(slug, release.trained) for slug in spec.datasets],
    )


def _deploy(
    world: World, spec: demo.DemoModel, release: demo.DemoVersion, environment: str, day: str
) -> None:
    """Each deployment replaces (and so ends) the previous version there; the model's status
    follows the furthest environment its versions have reached."""
    services.record_deployment(
        actor=world.admin,
        version=world.version(spec.slug, release.label),
        environment=environment,
        endpoint=_endpoint(spec, environment),
        started_at=at(day),
    )
    _advance_status(world, spec, REACHES[environment])


def _advance_status(world: World, spec: demo.DemoModel, status: str) -> None:
    model = world.model(spec.slug)
    if STATUS_ORDER.index(status) > STATUS_ORDER.index(model.status):
        services.update_model(actor=world.users[spec.owner], model=model, status=status)


def _retire(world: World, spec: demo.DemoModel) -> None:
    live = Deployment.objects.filter(version__model__slug=spec.slug, ended_at__isnull=True)
    for deployment in live:
        services.end_deployment(actor=world.admin, deployment=deployment, ended_at=timezone.now())
    _advance_status(world, spec, "retired")


def _endpoint(spec: demo.DemoModel, environment: str) -> str:
    if spec.serving == "batch":
        return f"airflow://{environment}/dags/{spec.slug.replace('-', '_')}"
    host = "stg" if environment == "staging" else "prod"
    return f"https://ml.{host}.{EMAIL_DOMAIN}/{spec.slug}/v1/predict"


# Links and use cases


def _schedule_link(timeline: Timeline, world: World, link: demo.DemoDependency) -> None:
    day = max(registered_on(SPECS[link.upstream]), registered_on(SPECS[link.downstream]))

    def add() -> None:
        services.add_dependency(
            actor=world.admin,
            upstream=world.model(link.upstream),
            downstream=world.model(link.downstream),
            description=link.description,
        )

    timeline.add(timeline.on(day + timedelta(days=1), 10), f"link {link.upstream}", add)


def _schedule_use_case(timeline: Timeline, world: World, spec: demo.DemoUseCase) -> None:
    """Registered with the models on the inventory by then; later models linked as they come."""
    day = use_case_registered_on(spec)
    first = [slug for slug in spec.models if registered_on(SPECS[slug]) < day]

    def register() -> None:
        services.register_use_case(
            actor=world.admin,
            slug=spec.slug,
            name=spec.name,
            business_purpose=spec.business_purpose,
            business_unit=spec.business_unit,
            models=[world.model(slug) for slug in first],
            deployer_context=spec.deployer_context,
            affected_people=spec.affected_people,
            owner=world.users[spec.owner],
        )

    timeline.add(timeline.on(day, 10), f"use case {spec.slug}", register)
    for slug in spec.models:
        if slug not in first:
            timeline.add(
                timeline.on(registered_on(SPECS[slug]) + timedelta(days=1), 10, minute=30),
                f"link {slug} to {spec.slug}",
                partial(_link_later, world, spec.slug, slug),
            )


def _link_later(world: World, use_case: str, slug: str) -> None:
    services.link_model(
        actor=world.admin, use_case=UseCase.objects.get(slug=use_case), model=world.model(slug)
    )
