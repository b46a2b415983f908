"""The councillors' page: read only, for scrutiny members and the officers who read reviews."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from openmash.accounts.models import User
from openmash.performance.scorecard import frozen_note

from . import councillor


@require_safe
def councillor_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    data = councillor.page(user)
    snapshot = data.headline.snapshot
    return render(
        request,
        "scrutiny/councillor.html",
        {
            "page": data,
            "frozen_note": frozen_note(snapshot) if snapshot else "",
            "scorecard_url": reverse("performance:scorecard") + (f"?period={snapshot.period_key}" if snapshot else ""),
        },
    )
