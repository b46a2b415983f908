"""Background tasks: stored in the database in production and run by `openmash db_worker`; run at once in tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus, default_task_backend, task

from openmash.people.models import Child


@task()
def count_children(*, surname: str) -> int:
    return Child.objects.filter(last_name=surname).count()


def test_production_stores_tasks_in_the_database() -> None:
    from openmash import settings as production

    assert production.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


@pytest.mark.django_db
def test_tests_run_tasks_immediately(child: Child) -> None:
    result = count_children.enqueue(surname=child.last_name)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 1


def test_the_worker_runs_a_task_waiting_in_the_database(transactional_db: None, settings: Any, child: Child) -> None:
    # Committed for real, as in production: the worker closes connections left inside a transaction.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    result = count_children.enqueue(surname=child.last_name)
    assert result.status == TaskResultStatus.READY

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    finished = default_task_backend.get_result(result.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.return_value == 1
