"""Work tray pages: my work, a team's and a service's trays, and reallocating a child. Views are thin: the
selectors check the policy and audit, child_allocate changes the allocation."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from openmash.accounts.models import User
from openmash.casework.forms import AllocateForm
from openmash.core.errors import ServiceError
from openmash.workforce.services import child_allocate

from . import selectors


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_safe
def my_work(request: HttpRequest) -> HttpResponse:
    work = selectors.my_work(user=_user(request))
    return render(request, "trays/my_work.html", {"work": work})


@require_safe
def team(request: HttpRequest, team_id: int) -> HttpResponse:
    work = selectors.team_work(user=_user(request), team_id=team_id)
    return render(request, "trays/team.html", {"work": work})


@require_safe
def service(request: HttpRequest, service_id: int) -> HttpResponse:
    work = selectors.service_work(user=_user(request), service_id=service_id)
    return render(request, "trays/service.html", {"work": work})


@require_http_methods(["GET", "POST"])
def reallocate(request: HttpRequest, la_child_id: str) -> HttpResponse:
    user = _user(request)
    found = selectors.child_for_reallocation(user=user, la_child_id=la_child_id)
    # The worker who holds the child now is not a choice: reallocation moves the child to someone else.
    workers = {str(c.worker.pk): c for c in found.workers if c.worker.pk != found.current.worker_id}
    form = AllocateForm(
        request.POST or None,
        initial={"start_date": timezone.localdate()},
        choices=[(pk, choice.label) for pk, choice in workers.items()],
        earliest=found.current.start_date,
    )
    form.fields["worker"].label = "Who will hold the case now?"
    if request.method == "POST" and form.is_valid():
        worker = workers[form.cleaned_data["worker"]].worker
        try:
            child_allocate(
                child=found.child, worker=worker, start_date=form.cleaned_data["start_date"], acting_user=user
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"{found.child.full_name} is reallocated from {found.current.worker.full_name} to {worker.full_name}",
            )
            return redirect("journey:child_detail", la_child_id=found.child.la_child_id)
    return render(request, "trays/reallocate.html", {"found": found, "form": form})
