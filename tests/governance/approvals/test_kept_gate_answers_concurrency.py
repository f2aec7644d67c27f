"""Kept gate answers under concurrent askers and writers on PostgreSQL."""

import pytest

from governance.approvals.models import KeptGateAnswer
from governance.approvals.services import verdicts
from tests.concurrency import in_threads
from tests.governance.approvals.conftest import approve, submitted
from tests.governance.approvals.test_kept_gate_answers import fresh, kept

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_askers_at_once_keep_one_answer(validated):
    assert in_threads(4, lambda _: verdicts.answer_now(validated, "production")) == []
    assert KeptGateAnswer.objects.count() == 1
    assert kept(validated) == fresh(validated)


def test_an_approval_decided_while_others_ask_is_in_the_answer_kept_last(
    validated, owner, validator
):
    request = submitted(owner, validated, "deployment", "production")

    def work(index: int) -> None:
        if index == 0:
            approve(request, (validator, "validator"))
        else:
            for _ in range(5):
                verdicts.answer_now(validated, "production")

    assert in_threads(4, work) == []
    assert kept(validated) == fresh(validated)
    assert kept(validated)["open"] is True
