"""`attest discover mlflow|sagemaker|databricks`: what a registry serves that Attest does not know.

Reads the registry where the command runs, asks Attest for the external ids its inventory
holds (`GET /api/v1/external-ids/`), and prints each registry model: matched or not, serving
in production or not. With `--register --owner PERSON` each shadow model (unmatched, in
production) is registered as a draft owned by PERSON (`POST /api/v1/discovered-models/`).
"""

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from monitoring.cli import commands, keys
from monitoring.cli.client import Client
from monitoring.cli.errors import CliError, ExitCode
from monitoring.discovery.found import (
    DEFAULT_PRODUCTION_ALIASES,
    DEFAULT_PRODUCTION_STAGES,
    FoundModel,
)
from monitoring.discovery.match import KnownVersion, Match, match
from monitoring.discovery.readers import discover, location, registry_errors

SHADOW_FOUND = 1  # a pipeline fails on an unregistered production model, as on a closed gate
MODEL_TYPES = ("classical_ml", "deep_learning", "llm_application", "vendor")
EPILOG = """\
exit codes:
  0  every model serving in production is in the inventory (or was just registered)
  1  at least one model serves in production and Attest does not know it (a shadow model)
  2  usage or bad input; 3 authentication or permission; 4 the server or the network failed

Attest's URL and token as for every command (ATTEST_URL, ATTEST_TOKEN or the config file); the
token's holder must read every model, and with --register also register models. The
registries' own credentials come from their usual places: MLFLOW_TRACKING_TOKEN, boto3's chain
(AWS_PROFILE, AWS_REGION ...), DATABRICKS_HOST and DATABRICKS_TOKEN.

examples:
  attest discover mlflow --tracking-uri http://mlflow:5000
  attest discover sagemaker --region eu-west-1 --json
  attest discover databricks --catalog prod --register --owner olivia --business-unit "Retail"
"""


def add_parser(top: Any, connection: argparse.ArgumentParser) -> None:
    """`attest discover REGISTRY ...`, one leaf per registry."""
    discover = top.add_parser(
        "discover",
        help="list a registry's models; exit 1 if one serves in production unregistered",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    registries = discover.add_subparsers(dest="registry", required=True, metavar="REGISTRY")
    shared = _shared()
    for name, (help_text, add) in REGISTRIES.items():
        leaf = registries.add_parser(
            name,
            help=help_text,
            parents=[connection, shared],
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add(leaf)
        leaf.set_defaults(run=run)


def _shared() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--json", action="store_true", help="print what was found as JSON")
    group = shared.add_argument_group("registering shadow models")
    group.add_argument(
        "--register",
        action="store_true",
        help="register each shadow model as a draft (needs --owner and --business-unit)",
    )
    group.add_argument("--owner", help="username of the person who will own the drafts")
    group.add_argument("--business-unit", help="the drafts' business unit")
    group.add_argument(
        "--model-type", choices=MODEL_TYPES, default="classical_ml", help="(default classical_ml)"
    )
    return shared


def _mlflow(p: argparse.ArgumentParser) -> None:
    tracking = os.environ.get("MLFLOW_TRACKING_URI")
    p.add_argument(
        "--tracking-uri",
        default=tracking,
        required=tracking is None,
        help="MLflow tracking URI (default: MLFLOW_TRACKING_URI)",
    )
    _aliases(p)
    p.add_argument(
        "--production-stage",
        action="append",
        metavar="STAGE",
        help=f"a stage that means production (repeatable; default {DEFAULT_PRODUCTION_STAGES[0]})",
    )


def _aliases(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--production-alias",
        action="append",
        metavar="ALIAS",
        help=f"an alias that means production (repeatable; default {', '.join(DEFAULT_PRODUCTION_ALIASES)})",
    )


def _sagemaker(p: argparse.ArgumentParser) -> None:
    p.add_argument("--region", default="", help="AWS region (default: boto3's configuration)")


def _databricks(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="", help="workspace URL (default: DATABRICKS_HOST)")
    p.add_argument("--catalog", default="", help="only this Unity Catalog catalog")
    _aliases(p)


REGISTRIES: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "mlflow": ("an MLflow tracking server's model registry", _mlflow),
    "sagemaker": ("SageMaker model package groups and endpoints", _sagemaker),
    "databricks": ("Databricks Unity Catalog models and serving endpoints", _databricks),
}


def configuration(args: argparse.Namespace) -> dict[str, Any]:
    """The discovery the flags describe, as `ATTEST_DISCOVERY` would configure it."""
    config: dict[str, Any] = {"registry": args.registry}
    for flag in ("tracking_uri", "region", "host", "catalog"):
        if getattr(args, flag, None):
            config[flag] = getattr(args, flag)
    if getattr(args, "production_alias", None):
        config["production_aliases"] = args.production_alias
    if getattr(args, "production_stage", None):
        config["production_stages"] = args.production_stage
    return config


def run(client: Client, args: argparse.Namespace) -> int:
    if args.register and not (args.owner and args.business_unit):
        raise CliError("--register needs --owner and --business-unit")
    config = configuration(args)
    known = [KnownVersion(**k) for k in _known(client)]  # Attest first: a refusal ends it early
    # Every registry gives up as --timeout and --retries say, not after its SDK's own minutes of
    # retries: MLflow reads them from its environment, the others take them as options.
    limits = {"timeout": client.timeout, "attempts": client.attempts}
    with commands.mlflow_settings(client):
        found = read(config if config["registry"] == "mlflow" else {**config, **limits})
    matches = match(found, known)
    registered = register(client, args, config, matches) if args.register else {}
    if args.json:
        rows = [{**m.as_json(), "registered_as": registered.get(m.found.name)} for m in matches]
        _out(json.dumps({"found_in": location(config), "models": rows}, indent=2))
    else:
        _out(*table(matches, registered))
    unregistered = [m for m in matches if m.is_shadow and m.found.name not in registered]
    return SHADOW_FOUND if unregistered else ExitCode.OK


def read(config: dict[str, Any]) -> list[FoundModel]:
    """The registry's models; its own errors become a CliError naming the registry."""
    failures = registry_errors(config["registry"])
    try:
        return discover(config)
    except failures as exc:
        raise CliError(
            f"{location(config)} could not be read: {exc}", code=ExitCode.FAILURE
        ) from None


def _known(client: Client) -> list[dict[str, Any]]:
    versions = client.get("/api/v1/external-ids/", {}).body.get("versions", [])
    return [{k: v[k] for k in ("model", "version", "external_id")} for v in versions]


def register(
    client: Client, args: argparse.Namespace, config: dict[str, Any], matches: Sequence[Match]
) -> dict[str, str]:
    """Each shadow model registered as a draft; registry name -> the new model's slug."""
    registered = {}
    for shadow in (m for m in matches if m.is_shadow):
        found = shadow.found
        payload = {
            "slug": slug_for(found.name),
            "name": found.name[:200],
            "owner": args.owner,
            "business_unit": args.business_unit,
            "model_type": args.model_type,
            "found_in": location(config)[:300],
            "tracker": found.tracker,
            "versions": [
                {"version": v.version, "external_id": v.external_id, "aliases": list(v.aliases)}
                for v in found.production_versions
            ],
        }
        key = keys.derive(
            "discover-register",
            model=payload["slug"],
            version="",
            content_sha256=keys.data_sha256(payload),
            options={},
        )
        answer = client.post_json("/api/v1/discovered-models/", payload, key=key)
        registered[found.name] = str(answer.body.get("slug", payload["slug"]))
    return registered


def slug_for(name: str) -> str:
    """An inventory slug from a registry's name: `prod.credit.PD Model` -> `prod-credit-pd-model`."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
    return slug[:80].rstrip("-_") or "discovered-model"


def table(matches: Sequence[Match], registered: dict[str, str]) -> list[str]:
    """One line per registry model: name, versions, production, and what Attest knows of it."""
    if not matches:
        return ["the registry holds no models"]
    rows = [("MODEL", "VERSIONS", "PRODUCTION", "IN ATTEST")]
    for m in matches:
        production = ", ".join(_why(v) for v in m.found.production_versions) or "no"
        known = m.attest_model or (
            f"registered now as {registered[m.found.name]} (draft)"
            if m.found.name in registered
            else ("NOT REGISTERED: shadow model" if m.is_shadow else "no")
        )
        if m.attest_model and m.unregistered_production:
            known += f" (production version {', '.join(m.unregistered_production)} not registered)"
        rows.append((m.found.name, str(len(m.found.versions)), production, known))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join([*(r[i].ljust(widths[i]) for i in range(3)), r[3]]).rstrip() for r in rows]
    shadows = sum(m.is_shadow and m.found.name not in registered for m in matches)
    lines.append(f"{len(matches)} model(s); {shadows} serving in production unregistered")
    return lines


def _why(version: Any) -> str:
    reasons = [*version.aliases, version.stage, *version.endpoints]
    return f"v{version.version} ({', '.join(r for r in reasons if r)})"


def _out(*lines: str) -> None:
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    sys.stdout.flush()
