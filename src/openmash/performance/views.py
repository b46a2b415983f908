"""Performance pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from openmash.accounts.models import User

from .selectors import headlines as headline_figures


@require_safe
def headlines(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(request, "performance/headlines.html", {"headlines": headline_figures(user=user)})
