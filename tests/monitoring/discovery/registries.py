"""Three registries, each holding a model Attest knows, one it does not know serving in
production (the shadow), and one that serves nowhere: a real MLflow tracking server,
SageMaker behind botocore's Stubber, and Databricks' REST API on a loopback server."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import requests

ACCOUNT = "arn:aws:sagemaker:eu-west-1:123456789012"
PD_V2 = f"{ACCOUNT}:model-package/credit-pd/2"
SHADOWS = {"mlflow": "fraud-scorer", "sagemaker": "fraud-scorer", "databricks": "main.fraud.scorer"}
# The external id the inventory already holds for each registry's known model.
KNOWN = {"mlflow": "credit-pd/1", "sagemaker": PD_V2, "databricks": "main.credit.pd/2"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- MLflow ----------------------------------------------------------------------------------


@contextmanager
def mlflow_server(root: Path, store_uri: str) -> Iterator[str]:
    """`mlflow server` on a free loopback port, on the store given, its files and log in `root`;
    its URI."""
    port = free_port()
    command = [sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port)]
    store = ["--backend-store-uri", store_uri, "--workers", "1"]
    artifacts = ["--default-artifact-root", (root / "artifacts").as_uri()]
    log = (root / "server.log").open("w")
    # MLflow 3's server also starts a job runner with fifteen consumer processes that poll for
    # the whole session: nothing here uses its jobs, and they would take the test workers' CPU.
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    process = subprocess.Popen(  # noqa: S603 - this interpreter running MLflow, fixed arguments
        [*command, *store, *artifacts], stdout=log, stderr=log, env=env, start_new_session=True
    )
    uri = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{uri}/health", process, root / "server.log")
        yield uri
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and the workers it started
        process.wait(timeout=20)
        log.close()


def _wait(url: str, process: subprocess.Popen, log: Path) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"mlflow server stopped: {log.read_text()[-2000:]}")
        try:
            requests.get(url, timeout=1).raise_for_status()
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("mlflow server did not start within 60 s")


def fill_mlflow(uri: str) -> None:
    """credit-pd 1 and 2 (2 the champion), fraud-scorer 1 (champion), churn 1 (no alias)."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    for name, versions, champion in [
        ("credit-pd", 2, "2"),
        ("fraud-scorer", 1, "1"),
        ("churn", 1, ""),
    ]:
        client.create_registered_model(name)
        for _ in range(versions):
            client.create_model_version(name, source=f"s3://models/{name}")
        if champion:
            client.set_registered_model_alias(name, "champion", champion)


# --- SageMaker -------------------------------------------------------------------------------


def stubbed_sagemaker() -> Any:
    """A sagemaker client whose every request and answer botocore checks against AWS's model.

    credit-pd: package group, version 2 on the InService endpoint credit-live; fraud-scorer: a
    model from a bare image on fraud-live; churn: a package group deployed nowhere.
    """
    import boto3
    from botocore.stub import Stubber

    client = boto3.client(
        "sagemaker",
        region_name="eu-west-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # never sent: the stubber answers
    )
    stub = Stubber(client)
    now = "2026-11-01T10:00:00Z"
    endpoints = [("credit-live", "credit-pd-v2"), ("fraud-live", "fraud-scorer")]
    stub.add_response(
        "list_endpoints",
        {
            "Endpoints": [
                {
                    "EndpointName": name,
                    "EndpointArn": f"{ACCOUNT}:endpoint/{name}",
                    "CreationTime": now,
                    "LastModifiedTime": now,
                    "EndpointStatus": "InService",
                }
                for name, _ in endpoints
            ]
        },
        {"StatusEquals": "InService"},
    )
    for name, model in endpoints:
        _endpoint(stub, name, model, now)
    _model(stub, "credit-pd-v2", {"ModelPackageName": PD_V2})
    _model(stub, "fraud-scorer", {"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud:3"})
    groups = ["churn", "credit-pd"]
    stub.add_response(
        "list_model_package_groups",
        {
            "ModelPackageGroupSummaryList": [
                {
                    "ModelPackageGroupName": g,
                    "ModelPackageGroupArn": f"{ACCOUNT}:model-package-group/{g}",
                    "CreationTime": now,
                    "ModelPackageGroupStatus": "Completed",
                }
                for g in groups
            ]
        },
        {},
    )
    for group, count in [("churn", 1), ("credit-pd", 2)]:
        _packages(stub, group, count, now)
    stub.activate()
    return client


def _endpoint(stub: Any, name: str, model: str, now: str) -> None:
    config = f"{name}-config"
    stub.add_response(
        "describe_endpoint",
        {
            "EndpointName": name,
            "EndpointArn": f"{ACCOUNT}:endpoint/{name}",
            "EndpointConfigName": config,
            "EndpointStatus": "InService",
            "CreationTime": now,
            "LastModifiedTime": now,
        },
        {"EndpointName": name},
    )
    stub.add_response(
        "describe_endpoint_config",
        {
            "EndpointConfigName": config,
            "EndpointConfigArn": f"{ACCOUNT}:endpoint-config/{config}",
            "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": model}],
            "CreationTime": now,
        },
        {"EndpointConfigName": config},
    )


def _model(stub: Any, name: str, container: dict[str, str]) -> None:
    stub.add_response(
        "describe_model",
        {
            "ModelName": name,
            "PrimaryContainer": container,
            "CreationTime": "2026-11-01T10:00:00Z",
            "ModelArn": f"{ACCOUNT}:model/{name}",
        },
        {"ModelName": name},
    )


def _packages(stub: Any, group: str, count: int, now: str) -> None:
    stub.add_response(
        "list_model_packages",
        {
            "ModelPackageSummaryList": [
                {
                    "ModelPackageGroupName": group,
                    "ModelPackageVersion": n,
                    "ModelPackageArn": f"{ACCOUNT}:model-package/{group}/{n}",
                    "CreationTime": now,
                    "ModelPackageStatus": "Completed",
                    "ModelApprovalStatus": "Approved",
                }
                for n in range(1, count + 1)
            ]
        },
        {"ModelPackageGroupName": group},
    )


# --- Databricks ------------------------------------------------------------------------------

# The JSON the REST API documents for each path the SDK calls.
DATABRICKS: dict[str, dict[str, Any]] = {
    "/api/2.1/unity-catalog/models": {
        "registered_models": [
            {
                "full_name": "main.credit.pd",
                "catalog_name": "main",
                "schema_name": "credit",
                "name": "pd",
                "aliases": [{"alias_name": "champion", "version_num": 2}],
            },
            {
                "full_name": "main.fraud.scorer",
                "catalog_name": "main",
                "schema_name": "fraud",
                "name": "scorer",
            },
            {
                "full_name": "main.churn.xgb",
                "catalog_name": "main",
                "schema_name": "churn",
                "name": "xgb",
            },
        ]
    },
    "/api/2.1/unity-catalog/models/main.credit.pd/versions": {
        "model_versions": [
            {
                "model_name": "pd",
                "catalog_name": "main",
                "schema_name": "credit",
                "version": n,
                "status": "READY",
            }
            for n in (1, 2)
        ]
    },
    "/api/2.1/unity-catalog/models/main.fraud.scorer/versions": {
        "model_versions": [
            {
                "model_name": "scorer",
                "catalog_name": "main",
                "schema_name": "fraud",
                "version": 3,
                "status": "READY",
            }
        ]
    },
    "/api/2.1/unity-catalog/models/main.churn.xgb/versions": {
        "model_versions": [
            {
                "model_name": "xgb",
                "catalog_name": "main",
                "schema_name": "churn",
                "version": 1,
                "status": "READY",
            }
        ]
    },
    "/api/2.0/serving-endpoints": {
        "endpoints": [
            {
                "name": "fraud-live",
                "state": {"ready": "READY", "config_update": "NOT_UPDATING"},
                "config": {
                    "served_entities": [
                        {
                            "name": "scorer-3",
                            "entity_name": "main.fraud.scorer",
                            "entity_version": "3",
                        }
                    ]
                },
            },
            {
                "name": "churn-broken",
                "state": {"ready": "NOT_READY", "config_update": "UPDATE_FAILED"},
                "config": {
                    "served_entities": [
                        {"name": "xgb-1", "entity_name": "main.churn.xgb", "entity_version": "1"}
                    ]
                },
            },
        ]
    },
}


class _Databricks(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = unquote(urlparse(self.path).path)
        answer = DATABRICKS.get(path)
        if self.headers.get("Authorization") != "Bearer dapi-test":
            status, answer = 401, {"error_code": "UNAUTHENTICATED", "message": "no token"}
        elif answer is None:
            status, answer = 404, {"error_code": "ENDPOINT_NOT_FOUND", "message": path}
        else:
            status = 200
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass  # quiet in the test output


@contextmanager
def databricks_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Databricks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
