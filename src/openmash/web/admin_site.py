"""The Django admin for system administrators: staff structure, accounts and the authority's front-door
settings (web/admin.py), never a child.

Child-level data stays out of the admin (allocations are casework; the audit trail is read in the
app's own audit pages), because the admin has no access policy and writes no audit rows.
"""

from __future__ import annotations

import functools
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Models whose rows are about children or record who looked at them.
KEPT_OUT = ["auditlog.LogEntry", "access.AuditEvent", "workforce.Allocation"]


class OpenMASHAdminSite(admin.AdminSite):
    site_header = "OpenMASH administration"
    site_title = "OpenMASH administration"

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            # A signed-in person who is not an administrator gets the ordinary "no such page", not a
            # redirect to a sign-in they have already done (which sent them round in a loop).
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404("Not found")
            return inner(request, *args, **kwargs)

        return guarded

    @login_not_required
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # The admin's own password-only form would skip the second factor: everyone signs in one way.
        if request.user.is_authenticated:
            raise Http404("Not found")
        query = request.META.get("QUERY_STRING", "")
        return redirect(reverse("accounts:sign_in") + (f"?{query}" if query else ""))


class OpenMASHAdminConfig(AdminConfig):
    default_site = "openmash.web.admin_site.OpenMASHAdminSite"

    def ready(self) -> None:
        super().ready()
        for label in KEPT_OUT:
            model = apps.get_model(label)
            if admin.site.is_registered(model):
                admin.site.unregister(model)
