"""Where the CLI finds the server and its token: flags, then the environment, then a file.

The file is TOML with two keys (`url`, `token`) at `$ATTEST_CONFIG`, or else
`$XDG_CONFIG_HOME/attest/config.toml` (`~/.config/attest/config.toml`).
"""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from monitoring.cli.errors import CliError, ExitCode

KEYS = ("url", "token")


@dataclass(frozen=True)
class Config:
    url: str
    token: str


def resolve(*, url: str | None, token: str | None, environ: Mapping[str, str]) -> Config:
    """The URL and token to use; a CliError (exit 2) saying where to set whichever is missing."""
    path, required = config_path(environ)
    stored = read_file(path, required=required)
    found_url = url or environ.get("ATTEST_URL") or stored.get("url", "")
    found_token = token or environ.get("ATTEST_TOKEN") or stored.get("token", "")
    found_url, found_token = found_url.strip().rstrip("/"), found_token.strip()
    if not found_url:
        raise CliError(_missing("url", "ATTEST_URL", path), code=ExitCode.BAD_INPUT)
    if not found_url.startswith(("http://", "https://")):
        raise CliError(f"the Attest URL {found_url!r} must start with http:// or https://")
    if not found_token:
        raise CliError(_missing("token", "ATTEST_TOKEN", path), code=ExitCode.BAD_INPUT)
    return Config(url=found_url, token=found_token)


def config_path(environ: Mapping[str, str]) -> tuple[Path, bool]:
    """The config file's path, and whether it must exist (it must when named explicitly)."""
    if environ.get("ATTEST_CONFIG"):
        return Path(environ["ATTEST_CONFIG"]).expanduser(), True
    base = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME", "~")) / ".config")
    return Path(base).expanduser() / "attest" / "config.toml", False


def read_file(path: Path, *, required: bool) -> dict[str, str]:
    """The file's url and token; unknown keys are refused rather than silently ignored."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise CliError(f"ATTEST_CONFIG names {path}, which does not exist") from None
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CliError(f"cannot read the config file {path}: {exc}") from None
    for key, value in data.items():
        if key not in KEYS:
            raise CliError(f"{path}: {key!r} is not a setting (expected url, token)")
        if not isinstance(value, str):
            raise CliError(f"{path}: {key} must be a string")
    return data


def _missing(key: str, variable: str, path: Path) -> str:
    return f'no Attest {key}: set {variable}, pass --{key}, or put {key} = "..." in {path}'
