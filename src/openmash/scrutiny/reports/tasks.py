"""The background task that makes a requested committee report (run by the task worker: `make run`, `make serve`)."""

from __future__ import annotations

from django.tasks import task

from .services import report_make


@task()
def make_report(report_id: int) -> str:
    return report_make(report_id).state
