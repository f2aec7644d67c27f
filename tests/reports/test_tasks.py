"""The tasks reports' services queue by name, and beat's, are the ones a fresh process finds."""

import os
import subprocess
import sys

from django.conf import settings

from governance import queue
from reports.executive import services as executive
from reports.executive import tasks as executive_tasks
from reports.packs import services as packs
from reports.packs import tasks as pack_tasks

NAMES = [
    packs.GENERATE_TASK,
    executive.REGENERATE_TASK,
    settings.CELERY_BEAT_SCHEDULE["monthly-executive-report"]["task"],
]

FIND_IN_A_FRESH_PROCESS = """
import sys, django
django.setup()
from governance import queue
print(" ".join(queue.registered(name).name for name in sys.argv[1:]))
"""


def test_the_names_services_queue_are_their_tasks():
    assert [queue.registered(name) for name in NAMES] == [
        pack_tasks.generate_evidence_pack,
        executive_tasks.regenerate_executive_report,
        executive_tasks.monthly_executive_report,
    ]


def test_a_fresh_process_finds_every_task_by_its_name():
    """As a web process or a worker starts: no tasks module imported yet, Celery's autodiscovery
    (governance/celery.py) must list the package of each."""
    found = subprocess.run(  # noqa: S603 - this interpreter, running the code above
        [sys.executable, "-c", FIND_IN_A_FRESH_PROCESS, *NAMES],
        capture_output=True,
        check=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "governance.settings"},
    )
    assert found.stdout.split() == NAMES
