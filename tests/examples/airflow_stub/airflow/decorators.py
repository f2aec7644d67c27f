"""`dag` and `task` as one DAG run uses them: calling the DAG function runs its tasks at once,
in the order the body calls them, each given the run's params (the DAG's defaults updated with
the JSON in AIRFLOW_STUB_RUN_CONF, as `airflow dags trigger --conf` gives them). A task that
raises fails the run: the exception leaves the DAG file, and the tasks after it never run."""

import inspect
import json
import os
import sys
from collections.abc import Callable
from typing import Any

_run: dict[str, Any] = {"params": {}}


class Done:
    """A finished task's value, where Airflow hands back an XComArg; `a >> b` orders nothing
    here, since the tasks have already run in order."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __rshift__(self, other: Any) -> Any:
        return other


def dag(**settings: Any) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def decorate(body: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            conf = json.loads(os.environ.get("AIRFLOW_STUB_RUN_CONF", "{}"))
            _run["params"] = {**settings.get("params", {}), **conf}
            body()

        return run

    return decorate


def task(function: Callable[..., Any] | None = None, **settings: Any) -> Any:
    def decorate(function: Callable[..., Any]) -> Callable[..., Done]:
        def call(*args: Any) -> Done:
            values = [a.value if isinstance(a, Done) else a for a in args]
            context = {"params": _run["params"]}
            wanted = {
                k: v for k, v in context.items() if k in inspect.signature(function).parameters
            }
            try:
                value = function(*values, **wanted)
            except Exception:
                sys.stdout.write(f"task {function.__name__}: failed\n")
                raise
            sys.stdout.write(f"task {function.__name__}: success\n")
            return Done(value)

        return call

    return decorate if function is None else decorate(function)
