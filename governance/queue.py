"""Queue a Celery task by its name, so that a service never imports the tasks module that calls it.

A task module imports its services (a task re-fetches its rows and calls one service); a service
that queues follow-up work names the task instead of importing it, which keeps the dependency one
way. `app.send_task(name)` would do that too, but it ignores `task_always_eager` and so needs a
broker even in the embedded default; the registered task's own `delay` runs in-process when Celery
is eager and goes to the broker otherwise. Every tasks module is registered when Django is ready
(`GovernanceConfig.ready`, from `TASK_PACKAGES`), so a name is known in any process.
"""

from celery import Task
from celery.result import AsyncResult

from governance.celery import app


def enqueue(task_name: str, *args: object) -> AsyncResult:
    """Queue the task named `task_name` (its module path and function, as Celery names it) with
    plain `args` (ids, ISO dates). Call it from `transaction.on_commit`, so the task never runs
    against rows that are not committed yet."""
    return registered(task_name).delay(*args)


def registered(task_name: str) -> Task:
    """The task named `task_name`; a name no worker knows is a LookupError, not a lost message."""
    try:
        return app.tasks[task_name]
    except KeyError:
        raise LookupError(
            f"no Celery task {task_name!r}: is its package in governance/celery.py?"
        ) from None
