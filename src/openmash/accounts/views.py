"""Sign-in in two steps (password, then a code from an authenticator app), sign-out and the session.

1. `sign_in`: username and password. django-axes counts failures and locks the account (username
   and address) for AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT of them.
2. `sign_in_code`: the 6-digit TOTP code. Wrong codes count towards the same lockout, and
   django-otp makes each device wait longer after every wrong code. People without an
   authenticator app set up yet go to `two_factor_setup` instead.

Until step 2 is done the session reaches only these pages (RequireTwoFactorMiddleware).
"""

from __future__ import annotations

from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib.auth import logout, user_login_failed
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe
from django_otp import login as otp_login

from . import totp
from .forms import WRONG_CODE, CodeForm, SignInForm, too_many_codes
from .models import User
from .templatetags.sign_in import duration

REDIRECT_FIELD_NAME = "next"


def safe_next(request: HttpRequest) -> str:
    """The `next` address from the form or query string, if it is a path on this site; otherwise ''.

    Only a path will do: anything else ("-1", a view name) would be looked up as a URL name by redirect().
    """
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def with_next(view_name: str, next_url: str) -> str:
    url = reverse(view_name)
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else url


def _after_sign_in(next_url: str) -> str:
    return next_url or resolve_url(settings.LOGIN_REDIRECT_URL)


def _signed_in_user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _is_verified(user: User) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(callable(is_verified) and is_verified())


def _refuse_demo_account(request: HttpRequest, user: User) -> HttpResponse | None:
    """Demo accounts have published passwords: outside a demo they are signed out at once."""
    if user.demo_refused():
        logout(request)
        return redirect("accounts:sign_in")
    return None


@method_decorator([login_not_required, sensitive_post_parameters("password")], name="dispatch")
class SignInView(LoginView):
    """Step 1: username and password, then on to the code (or to set up an authenticator app)."""

    template_name = "accounts/sign_in.html"
    form_class = SignInForm

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        user = _signed_in_user(request)
        if user is not None and _is_verified(user):
            return redirect(_after_sign_in(safe_next(request)))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        super().form_valid(form)  # signs in with the password only; the code step follows
        user = form.get_user()
        step = "accounts:sign_in_code" if totp.has_confirmed_device(user) else "accounts:two_factor_setup"
        return redirect(with_next(step, safe_next(self.request)))


sign_in = SignInView.as_view()


@login_not_required
@sensitive_post_parameters("code")
@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the authenticator app."""
    next_url = safe_next(request)
    user = _signed_in_user(request)
    if user is None:
        return redirect(with_next("accounts:sign_in", next_url))
    if refused := _refuse_demo_account(request, user):
        return refused
    if _is_verified(user):
        return redirect(_after_sign_in(next_url))
    devices = totp.confirmed_devices(user)
    if not devices:
        return redirect(with_next("accounts:two_factor_setup", next_url))

    credentials = {"username": user.get_username()}
    if request.method == "POST" and AxesProxyHandler.is_locked(request, credentials):
        # Locked since the password was given (wrong codes or passwords elsewhere): no code is checked.
        logout(request)
        return get_lockout_response(request, None, credentials)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = totp.verify(devices, form.cleaned_data["code"])
        if result.device is not None:
            return _complete_sign_in(request, result.device, next_url)
        if result.throttled:
            form.add_error("code", too_many_codes(result.wait_seconds))
        else:
            form.add_error("code", WRONG_CODE)
            # A wrong code counts as a failed sign-in, towards the same lockout as wrong passwords.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                logout(request)  # AxesMiddleware replaces this response with the locked-out page
    return render(request, "accounts/sign_in_code.html", {"form": form, "next": next_url})


@login_not_required
@sensitive_post_parameters("code")
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First sign-in: add OpenMASH to an authenticator app, then prove it works with a code."""
    next_url = safe_next(request)
    user = _signed_in_user(request)
    if user is None:
        return redirect(with_next("accounts:sign_in", next_url))
    if refused := _refuse_demo_account(request, user):
        return refused
    if _is_verified(user):
        return redirect(_after_sign_in(next_url))
    if totp.has_confirmed_device(user):
        return redirect(with_next("accounts:sign_in_code", next_url))

    device = totp.pending_device(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = totp.verify([device], form.cleaned_data["code"])
        if result.device is not None:
            confirmed = result.device
            confirmed.confirmed = True
            confirmed.save(update_fields=["confirmed"])
            type(confirmed).objects.filter(user=user, confirmed=False).delete()
            return _complete_sign_in(request, confirmed, next_url)
        form.add_error("code", too_many_codes(result.wait_seconds) if result.throttled else WRONG_CODE)

    secret = totp.device_secret(device)
    context = {
        "form": form,
        "next": next_url,
        "qr_code": totp.qr_code_svg(device, label="QR code to scan with your authenticator app"),
        "secret": secret,
        "secret_grouped": totp.group_in_fours(secret),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def _complete_sign_in(request: HttpRequest, device: object, next_url: str) -> HttpResponse:
    otp_login(request, device)
    request.session.cycle_key()  # a new session id now the person is fully signed in
    return redirect(_after_sign_in(next_url))


@login_not_required
@require_POST
@csrf_protect
def sign_out(request: HttpRequest) -> HttpResponse:
    """POST only, so another site cannot sign people out with a link or an image."""
    logout(request)
    url = reverse("accounts:signed_out")
    if request.POST.get("reason") == "timeout":
        url += "?reason=timeout"
    return redirect(url)


@login_not_required
@require_safe
def signed_out(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    if user is not None and _is_verified(user):
        return redirect(settings.LOGIN_REDIRECT_URL)
    timed_out = request.GET.get("reason") == "timeout"
    return render(
        request,
        "accounts/signed_out.html",
        {"timed_out": timed_out, "idle_time": duration(settings.SESSION_COOKIE_AGE)},
    )


@login_not_required
@require_POST
@csrf_protect
@never_cache
def keep_alive(request: HttpRequest) -> HttpResponse:
    """Renew the session (the "Stay signed in" button). 204 when signed in, 401 when the session has gone.

    Signed-in pages only: anyone else gets 401 rather than a redirect, which a script can act on.
    """
    user = _signed_in_user(request)
    if user is None or not _is_verified(user):
        return HttpResponse(status=401)
    request.session.modified = True  # saved with a fresh expiry (SESSION_SAVE_EVERY_REQUEST does too)
    return HttpResponse(status=204)
