"""HTTP to Attest: token authentication, retries with backoff, and refusals as CliError.

Only transient failures are retried (connection errors, timeouts, 429, 502/503/504): every
write carries an Idempotency-Key, so a retry of a request the server did record is answered
with the first answer and writes nothing. A 4xx is the caller's to fix and is never retried.
"""

import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from tqdm import tqdm

from monitoring.cli import config
from monitoring.cli.errors import CliError, ExitCode, code_for_status
from monitoring.cli.upload import MultipartFile

RETRY_STATUSES = frozenset({429, 502, 503, 504})
TRANSIENT = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
MAX_WAIT = 60.0  # seconds; a Retry-After beyond this is not worth blocking a pipeline on
USER_AGENT = "attest-cli/0.1"

Prepare = Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class Answer:
    """A 2xx answer; `replayed` when the server had already recorded this very request."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


@dataclass(frozen=True)
class Target:
    """Where a push goes: a model's version, and the caller's own idempotency key if any."""

    model: str
    version: str
    key: str | None = None

    def path(self, tail: str) -> str:
        model, version = quote(self.model, safe=""), quote(self.version, safe="")
        return f"/api/v1/models/{model}/versions/{version}/{tail}"


class TokenAuth(requests.auth.AuthBase):
    """`Authorization: Token <key>`, the header Attest's API reads."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Token {self.token}"
        return request


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")


class Client:
    """One Attest server and token. `progress=None` shows bars only on a terminal."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        attempts: int = 3,
        timeout: float = 300.0,
        backoff: float = 1.0,
        progress: bool | None = None,
        sleep: Callable[[float], None] = time.sleep,
        warn: Callable[[str], None] = _say,
    ) -> None:
        self.url = url.rstrip("/")
        self.attempts = max(1, attempts)
        self.timeout = timeout
        self.backoff = backoff
        self.progress = progress
        self.sleep = sleep
        self.warn = warn
        self.session = requests.Session()
        # As an auth object, not a header: requests would otherwise let ~/.netrc replace it.
        self.session.auth = TokenAuth(token)
        self.session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})

    @classmethod
    def from_env(
        cls,
        *,
        url: str | None = None,
        token: str | None = None,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> "Client":
        """A client configured as the `attest` command is: flags, environment, config file."""
        found = config.resolve(
            url=url, token=token, environ=os.environ if environ is None else environ
        )
        return cls(found.url, found.token, **options)

    def shows_progress(self) -> bool:
        """Bars when asked for, else only when stderr is a terminal."""
        return sys.stderr.isatty() if self.progress is None else self.progress

    def bar(self, **kwargs: Any) -> "tqdm[Any]":
        disable = None if self.progress is None else not self.progress
        return tqdm(disable=disable, file=sys.stderr, dynamic_ncols=True, **kwargs)

    def get(self, path: str, params: Mapping[str, str]) -> Answer:
        return self._send("GET", path, lambda: {"params": dict(params)})

    def post_json(self, path: str, data: Any, *, key: str) -> Answer:
        # NaN stays NaN (json's default), so the server can name the row that holds it.
        body = json.dumps(data).encode()
        headers = {"Content-Type": "application/json"}
        return self._send("POST", path, lambda: {"data": body, "headers": headers}, key=key)

    def post_file(self, path: str, file: Path, *, fields: Mapping[str, str], key: str) -> Answer:
        """A multipart upload of `file` plus `fields`, streamed under a bytes progress bar."""
        with self.bar(unit="B", unit_scale=True, unit_divisor=1024, desc=file.name) as bar:

            def prepare() -> dict[str, Any]:
                body = MultipartFile(file, fields=fields, progress=bar)
                bar.reset(total=len(body))  # a retry counts from zero again
                return {"data": body, "headers": {"Content-Type": body.content_type}}

            return self._send("POST", path, prepare, key=key)

    def _send(self, method: str, path: str, prepare: Prepare, *, key: str = "") -> Answer:
        failure = ""
        for attempt in range(1, self.attempts + 1):
            wait = self.backoff * 2 ** (attempt - 1)
            try:
                response = self._request(method, path, prepare, key)
            except TRANSIENT as exc:
                failure = f"could not reach {self.url}: {_reason(exc)}"
            except requests.RequestException as exc:
                raise CliError(
                    f"{method} {path} failed: {_reason(exc)}", code=ExitCode.FAILURE
                ) from None
            else:
                if response.status_code not in RETRY_STATUSES:
                    return _answer(method, path, response)
                failure = f"{response.status_code} {response.reason}"
                wait = _retry_after(response, default=wait)
            if attempt < self.attempts:
                self.warn(f"{method} {path}: {failure}; retrying in {wait:g} s")
                self.sleep(wait)
        raise CliError(
            f"{method} {path} failed after {self.attempts} attempt(s): {failure}",
            code=ExitCode.FAILURE,
        )

    def _request(self, method: str, path: str, prepare: Prepare, key: str) -> requests.Response:
        options = prepare()
        headers = dict(options.pop("headers", {}))
        if key:
            headers["Idempotency-Key"] = key
        try:
            # Redirects are refused, not followed: requests would turn a redirected POST into
            # a GET, and a push into a puzzling 405.
            return self.session.request(
                method,
                self.url + path,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
                **options,
            )
        except requests.exceptions.InvalidURL as exc:
            raise CliError(f"{self.url} is not a usable URL: {exc}") from None
        finally:
            data = options.get("data")
            if data is not None and hasattr(data, "close"):
                data.close()


def _answer(method: str, path: str, response: requests.Response) -> Answer:
    if response.is_redirect:
        where = response.headers.get("Location", "elsewhere")
        raise CliError(f"{response.url} redirects to {where}: set ATTEST_URL to the final address")
    body = _json(response)
    if response.ok:
        if not isinstance(body, dict):
            raise CliError(
                f"{method} {path} answered {response.status_code} without a JSON object: "
                "is the URL an Attest server?",
                code=ExitCode.FAILURE,
            )
        replayed = response.headers.get("Idempotent-Replayed", "").lower() == "true"
        return Answer(response.status_code, body, replayed)
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        errors = [{"field": "non_field", "message": _text(response)}]
    verb = "failed" if response.status_code >= 500 else "was refused"
    raise CliError(
        f"{method} {path} {verb}: {response.status_code} {response.reason}",
        code=code_for_status(response.status_code),
        errors=errors,
    )


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _text(response: requests.Response) -> str:
    text = response.text.strip()
    if len(text) <= 300 and "<html" not in text.lower():
        return text
    media = response.headers.get("Content-Type", "unknown type")
    return f"({len(response.content):,} bytes of {media})"


def _retry_after(response: requests.Response, *, default: float) -> float:
    try:
        asked = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return default
    return min(max(asked, 0.0), MAX_WAIT)


def _reason(exc: Exception) -> str:
    # requests wraps urllib3's errors several deep; the innermost says what happened.
    while True:
        inner = exc.args[0] if exc.args else None
        inner = inner if isinstance(inner, Exception) else getattr(exc, "reason", None)
        if not isinstance(inner, Exception):
            break
        exc = inner
    text = str(exc) or type(exc).__name__
    return text.split("): ", 1)[-1]  # drop urllib3's "HTTPConnection(host=..., port=...)"
