"""Top-level URLs."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse


@login_not_required
def _admin_sign_in(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    # The admin's own password-only form would skip the second factor: everyone signs in one way.
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse("accounts:sign_in") + (f"?{query}" if query else ""))


admin.site.login = _admin_sign_in  # type: ignore[method-assign]

urlpatterns = [
    path("", include("openmash.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("openmash.web.urls")),
]
