"""Casework pages: the referrals waiting for allocation, and allocating one. Views are thin: selectors check
the policy and audit, services change things."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.workforce.services import child_allocate

from . import selectors
from .forms import AllocateForm


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    waiting = selectors.referrals_waiting(user=_user(request), page=request.GET.get("page"))
    return render(
        request,
        "casework/queue.html",
        {"page_obj": waiting.page, "rows": waiting.rows, "service_wide": waiting.service_wide},
    )


@require_http_methods(["GET", "POST"])
def allocate(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.referral_for_allocation(user=user, referral_id=referral_id)
    workers = {str(choice.worker.pk): choice for choice in found.workers}
    form = AllocateForm(
        request.POST or None,
        initial={"start_date": timezone.localdate()},
        choices=[(pk, choice.label) for pk, choice in workers.items()],
        earliest=selectors.earliest_start(found.referral, found.current),
    )
    if request.method == "POST" and form.is_valid():
        worker = workers[form.cleaned_data["worker"]].worker
        child = found.referral.child
        try:
            child_allocate(child=child, worker=worker, start_date=form.cleaned_data["start_date"], acting_user=user)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{child.full_name} is allocated to {worker.full_name}")
            return redirect("casework:queue")
    return render(request, "casework/allocate.html", {"found": found, "form": form})
