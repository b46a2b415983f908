"""Two-factor sign-in is not optional: a password alone reaches only the code step."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

# Views a signed-in user may reach before giving their code.
BEFORE_SECOND_FACTOR = frozenset(
    {
        "accounts:sign_in",
        "accounts:sign_in_code",
        "accounts:two_factor_setup",
        "accounts:sign_out",
        "accounts:signed_out",
        "accounts:keep_alive",  # answers 401 itself, which the timeout script understands
    }
)


class RequireTwoFactorMiddleware:
    """Send a session that has passed the password but not the code to the code step.

    Goes after AuthenticationMiddleware, OTPMiddleware and LoginRequiredMiddleware. Also signs out
    demo accounts at once when the demo switch is off (their passwords are published).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None
        if getattr(user, "demo_refused", lambda: False)():
            logout(request)
            return redirect("accounts:sign_in")
        is_verified = getattr(user, "is_verified", None)  # set by django-otp's OTPMiddleware
        if callable(is_verified) and is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in BEFORE_SECOND_FACTOR:
            return None
        url = reverse("accounts:sign_in_code")
        next_url = request.get_full_path()
        if request.method in ("GET", "HEAD") and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            url += "?" + urlencode({"next": next_url})
        return redirect(url)
