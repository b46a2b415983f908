"""The partner API's URLs under /api/v1/ (namespace "api").

Partner systems sign in with a token on every request, not a session: the site's sign-in redirect and
two-factor step do not apply here, and anything the API does not know answers a JSON 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt

from .api import api, problem

app_name = "api"


@login_not_required
@csrf_exempt
def not_found(request: HttpRequest, **_kwargs: Any) -> HttpResponse:
    return problem(404, "No such address in this API: see /api/v1/openapi.json for the endpoints")


def _patterns() -> list[URLPattern]:
    patterns, _app, _namespace = api.urls
    result = []
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name == "api-root":
            # Ninja's own root view raises Django's HTML 404; the API answers JSON.
            pattern.callback = not_found
        login_not_required(pattern.callback)
        result.append(pattern)
    return result


urlpatterns = [*_patterns(), re_path(r"^(?P<rest>.+)$", not_found, name="not_found")]
