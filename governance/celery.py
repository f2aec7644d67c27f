"""The Celery application: eager in-process without a broker, real workers with one."""

import os

from celery import Celery, Task

from governance import context

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")


class RequestIdTask(Task):
    """Runs each task under its own request id, so its audit events can be traced."""

    def __call__(self, *args: object, **kwargs: object) -> object:
        token = context.request_id.set(f"task-{self.request.id or 'eager'}")
        try:
            return super().__call__(*args, **kwargs)
        finally:
            context.request_id.reset(token)


app = Celery("attest", task_cls=RequestIdTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every package with a tasks module. Workers import them when they start; the web process when
# Django is ready (GovernanceConfig.ready), so that services can queue a task by its name.
TASK_PACKAGES = [
    "governance.approvals",
    "governance.auditlog",
    "governance.notices",
    "governance.risk",
    "monitoring",
    "reports.executive",
    "reports.packs",
]
app.autodiscover_tasks(TASK_PACKAGES)
