"""Queue a Celery task by its name, so that a service never imports the task that calls it.

Tasks import services (a task takes ids and calls one service); services queue tasks. Naming the
task instead of importing its module keeps that one-way. Every task module is registered when
the app starts (`GovernanceConfig.ready`), so the name is known whether Celery runs eagerly
in-process or sends to a broker.
"""

from django.db import transaction

from governance.celery import app


def enqueue(task: str, *args: object) -> None:
    """Run `task` (its dotted name) with `args` once the current transaction commits."""
    signature = app.tasks[task]  # a KeyError here is a misspelt name: fail before committing
    transaction.on_commit(lambda: signature.delay(*args))
