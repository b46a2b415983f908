"""The shell: the home page sends each person to where their work starts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from openmash.access import policy
from openmash.accounts.models import Role, User


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if policy.holds_cases(user):
        return redirect("trays:my_work")
    if policy.may_see_children(user):
        return redirect("journey:child_search")
    if user.has_role(Role.AUDITOR) and policy.can_export(user, policy.Export.AUDIT_LOG):
        return redirect("access:audit_export")
    if user.is_staff and user.has_role(Role.SYSTEM_ADMINISTRATOR):
        return redirect("admin:index")
    return redirect("performance:scorecard")
