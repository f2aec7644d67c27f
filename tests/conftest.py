"""Personas and clients shared by the whole suite.

Each persona fixture's docstring says what that person may do. Models that personas work on
are created through services, so grants and audit events are real.
"""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from rest_framework.test import APIClient

from governance import roles
from governance.access.models import RaciAssignment
from governance.access.services import raci
from governance.celery import app as celery_app
from registry import services
from registry.models import MLModel, UseCase
from tests.factories.accounts import UserFactory

SHARED_SCOPES = {"module", "class", "package"}

# tmp_path folders in memory where the machine has it: MLflow's tracking store commits hundreds of
# times as it creates its tables, and on this disk each commit's fsync costs milliseconds (about
# 15 s per store on a busy machine). pytest still numbers, locks and prunes its folders there.
MEMORY = "/dev/shm"  # noqa: S108 - pytest makes pytest-of-<user> there, 0700, and checks its owner
if "PYTEST_DEBUG_TEMPROOT" not in os.environ and os.access(MEMORY, os.W_OK):
    os.environ["PYTEST_DEBUG_TEMPROOT"] = MEMORY


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_configure(config: pytest.Config) -> None:
    """On SQLite each test process builds its database from the models instead of replaying the
    migrations, which re-render every model's state once per operation: 15 s of CPU before a
    process's first test. On a new SQLite database the migrations add nothing the models do not
    say: their data steps rewrite rows a new database does not have, and the append-only trigger
    is PostgreSQL's. PostgreSQL runs apply the migrations, so those tests see the schema the server
    gets, and CI also applies them to a new SQLite file (.ci/run)."""
    if not _on_postgres():
        config.option.nomigrations = True


def _builds_shared_set_up(item: pytest.Item) -> bool:
    """Whether the test uses a fixture built once for its module or class (the seeded demo, a
    logged MLflow run) and runs in a rolled-back transaction or without the database."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None or {"transactional_db", "live_server"} & set(info.names_closure):
        return False
    module = item.nodeid.split("::")[0]
    return any(
        fixture.scope in SHARED_SCOPES and fixture.baseid.split("::")[0] == module
        for fixture in (defs[-1] for defs in info.name2fixturedefs.values())
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The schema fuzz is collected only when asked for (`make fuzz`, `-m fuzz`): loading the
    schema costs seconds, and its budget is CI's own stage."""
    marks = config.option.markexpr or ""
    if collection_path.name == "test_schema_fuzz.py":
        return "fuzz" not in marks or "not fuzz" in marks
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL-only tests (row locks, triggers) are skipped, saying why, on SQLite runs.

    Tests sharing a module's set-up go first (pytest-django has put tests in a transaction before
    those that flush the database; these keep that order). Work stealing takes tests from the end
    of a worker's queue, so a module at the front is never split between the two workers, each
    then building its set-up (seeding the demo twice costs a quarter of a minute)."""
    on_postgres = _on_postgres()
    skip = pytest.mark.skip(reason="needs PostgreSQL: CI's second run sets DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)
    items.sort(key=lambda item: not _builds_shared_set_up(item))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Personas need passwords, not slow hashing: PBKDF2 costs about 0.3 s a user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_checkpoint_dir(settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test's signed audit checkpoints go to a directory of its own, not the checkout's."""
    settings.ATTEST_CHECKPOINT_DIR = tmp_path_factory.mktemp("checkpoints")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counts live in the cache, per process: each test starts with none."""
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_in_process(request: pytest.FixtureRequest):
    """Tasks run eagerly inside the test's transaction, except `worker` tests with a broker.

    A real worker cannot see a test's uncommitted rows, so only tests marked `worker` (which
    commit) send tasks to it; without a broker they run eagerly, so they still run everywhere.
    """
    use_worker = "worker" in request.keywords and bool(settings.CELERY_BROKER_URL)
    if use_worker:
        # Set up first so it is torn down last: the test database is flushed only once the
        # worker has finished what the test set off (a task it queued may queue another).
        request.getfixturevalue("transactional_db")
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = not use_worker
    yield
    celery_app.conf.task_always_eager = previous
    if use_worker:
        _wait_until_the_worker_is_idle()


def _waiting() -> int:
    """Messages in the default queue not yet taken by the worker (0 if the broker cannot say)."""
    with celery_app.connection_or_acquire() as connection:
        try:
            queue = celery_app.conf.task_default_queue
            declared = connection.default_channel.queue_declare(queue, passive=True)
        except Exception:
            return 0
    return int(declared.message_count)


def _wait_until_the_worker_is_idle(timeout: float = 60) -> None:
    """Nothing queued, reserved or running, twice in a row (a task may queue a follow-up)."""
    inspect = celery_app.control.inspect(timeout=1)
    deadline, quiet = time.monotonic() + timeout, 0
    while quiet < 2 and time.monotonic() < deadline:
        busy = [inspect.active() or {}, inspect.reserved() or {}]
        idle = _waiting() == 0 and not any(tasks for found in busy for tasks in found.values())
        quiet = quiet + 1 if idle else 0
        if quiet < 2:
            time.sleep(0.2)


def make_owner() -> AbstractBaseUser:
    """Olivia (the `owner` persona), for fixtures built once for a module or class."""
    return UserFactory(
        username="olivia", first_name="Olivia", last_name="Owner", roles=[roles.OWNER]
    )


def make_developer() -> AbstractBaseUser:
    """Dev (the `developer` persona), for fixtures built once for a module or class."""
    return UserFactory(
        username="dev", first_name="Dev", last_name="Eloper", roles=[roles.DEVELOPER]
    )


@pytest.fixture
def owner(db) -> AbstractBaseUser:
    """Olivia, a model owner: registers models and sees and changes the ones she owns."""
    return make_owner()


@pytest.fixture
def developer(db) -> AbstractBaseUser:
    """Dev, a developer: registers versions on models where he is Responsible for development."""
    return make_developer()


@pytest.fixture
def validator(db) -> AbstractBaseUser:
    """Vera, a validator: reads every model; validates those she is assigned to."""
    return UserFactory(
        username="vera", first_name="Vera", last_name="Validator", roles=[roles.VALIDATOR]
    )


@pytest.fixture
def head_of_validation(db) -> AbstractBaseUser:
    """Hal, head of validation: appoints validators to models (and validates himself)."""
    return UserFactory(
        username="hal",
        first_name="Hal",
        last_name="Head",
        roles=[roles.VALIDATOR, roles.HEAD_OF_VALIDATION],
    )


@pytest.fixture
def committee_member(db) -> AbstractBaseUser:
    """Carl, on the model risk committee: reads every model and decides approvals."""
    return UserFactory(
        username="carl", first_name="Carl", last_name="Committee", roles=[roles.COMMITTEE]
    )


@pytest.fixture
def auditor(db) -> AbstractBaseUser:
    """Audrey, internal audit: reads everything, changes nothing."""
    return UserFactory(
        username="audrey", first_name="Audrey", last_name="Auditor", roles=[roles.AUDITOR]
    )


@pytest.fixture
def admin_user(db) -> AbstractBaseUser:
    """Ada, an administrator: manages roles, custom fields and the whole inventory."""
    return UserFactory(
        username="ada", first_name="Ada", last_name="Admin", roles=[roles.ADMINISTRATOR]
    )


@pytest.fixture
def outsider(db) -> AbstractBaseUser:
    """Oscar, a developer on another team: sees none of the personas' models."""
    return UserFactory(
        username="oscar", first_name="Oscar", last_name="Outsider", roles=[roles.DEVELOPER]
    )


@pytest.fixture
def credit_pd_model(owner, developer, validator, head_of_validation) -> MLModel:
    """Olivia's retail PD model; Dev is Responsible for development, Vera for validation (Hal,
    the head of validation, appointed her)."""
    model = services.register_model(
        actor=owner,
        slug="retail-pd",
        name="Retail PD scorecard",
        business_unit="Retail Credit",
        model_type=MLModel.ModelType.CLASSICAL_ML,
        intended_purpose="Probability of default for unsecured retail loans",
    )
    raci.assign_raci(
        actor=owner, model=model, user=developer, role="R", area=RaciAssignment.Area.DEVELOPMENT
    )
    raci.assign_raci(
        actor=head_of_validation,
        model=model,
        user=validator,
        role="R",
        area=RaciAssignment.Area.VALIDATION,
    )
    return model


@pytest.fixture
def hidden_model(admin_user) -> MLModel:
    """A model the administrator registered for another team's owner, Otto: hidden from the
    personas who are not named on it."""
    otto = UserFactory(username="otto", roles=[roles.OWNER])
    return services.register_model(
        actor=admin_user,
        slug="bureau",
        name="Bureau score",
        business_unit="Risk",
        model_type="vendor",
        owner=otto,
    )


@pytest.fixture
def lending(owner, credit_pd_model) -> UseCase:
    """Olivia's loan-decisioning system, which uses the retail PD model."""
    return services.register_use_case(
        actor=owner,
        slug="loan-decisions",
        name="Retail loan decisions",
        business_purpose="Approve or decline unsecured loans",
        business_unit="Retail Credit",
        models=[credit_pd_model],
    )


def client_for(user: AbstractBaseUser | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api_client():
    """Build an API client logged in as the given persona: api_client(owner)."""
    return client_for
