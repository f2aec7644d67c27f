"""Schemathesis over the whole OpenAPI schema, as an administrator: no request is a 5xx.

Every operation of `/api/schema/` gets generated requests, valid and invalid (wrong types,
missing fields, odd strings in paths, queries and bodies), sent in-process through the WSGI
app with an administrator's API token. Half the time a path names a model, version or use case
that exists, so filters and bodies reach the code behind the 404. The budget is small by
default (CI); `FUZZ_EXAMPLES=200 make fuzz` runs a bigger, random one (docs/security.md).
"""

import logging
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error

from governance.access.services import tokens
from registry import services
from registry.models import MLModel, UseCase

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
# Names that exist, for the path parameters that carry them (`slug` depends on the collection).
KNOWN = {"model_slug": "retail-pd", "version": "1.0.0", "use_case_slug": "loan-decisions"}
KNOWN_SLUG = {"models": "retail-pd", "use-cases": "loan-decisions"}

APP = WSGIHandler()
# Metric pushes take Parquet: sent as the raw bytes generated, like any binary body.
schemathesis.serializer.alias("application/vnd.apache.parquet", "application/octet-stream")
# Read once, as a client would; it needs no database (pytest-django blocks it while collecting).
schema = schemathesis.openapi.from_wsgi(reverse("api-schema") + "?format=json", APP)


@schema.hook("flatmap_path_parameters")
def _known_names(context: schemathesis.HookContext, given: dict[str, Any]) -> Any:
    """Half the time, names that exist where the path carries them."""
    if not given or context.operation is None:
        return st.just(given)
    known = {**KNOWN, "slug": KNOWN_SLUG.get(context.operation.path.split("/")[3], "")}
    found = {name: value for name, value in known.items() if name in given and value}
    return st.sampled_from([given, {**given, **found}])


@pytest.fixture
def _something_to_find(developer: User, credit_pd_model: MLModel, lending: UseCase) -> None:
    """The model, version and use case the known names point at."""
    services.register_version(actor=developer, model=credit_pd_model, version="1.0.0")


@pytest.fixture
def admin_token(admin_user: User) -> str:
    return tokens.issue_token(actor=admin_user, user=admin_user, name="schema fuzz")[1]


@pytest.fixture
def _in_test_transaction(monkeypatch, settings, caplog) -> Iterator[None]:
    """As Django's test client does: a request's end must not close the test's connection, and
    an exception reaches the test with its traceback instead of becoming a bare 500.

    Rate limits are off too, and the thousands of 4xx are not logged: the fuzz asks for them.
    """
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    for logger in ("django.request", "django.security", "axes"):
        caplog.set_level(logging.ERROR, logger=logger)
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda *args: True)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.fuzz
@pytest.mark.usefixtures("_in_test_transaction", "_something_to_find")
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize="FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
def test_no_request_is_a_server_error(case: schemathesis.Case, admin_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Token {admin_token}"}, checks=[not_a_server_error]
    )
