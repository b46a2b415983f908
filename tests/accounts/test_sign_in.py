"""Sign-in in two steps: password, then a code from an authenticator app."""

from __future__ import annotations

import base64
import re
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openmash.accounts.models import Role, User, UserRole

from .helpers import PASSWORD, code_for, sign_in, sign_in_with_password, wrong_code

SIGN_IN = "/sign-in/"
CODE = "/sign-in/code/"
SET_UP = "/sign-in/set-up/"


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def is_fully_signed_in(client: Client) -> bool:
    return client.get("/children/").status_code == 200


@pytest.fixture
def new_user(db: None) -> User:
    """Someone signing in for the first time (a MASH practitioner): no authenticator app set up yet."""
    user = User.objects.create_user(username="newstarter", password=PASSWORD, first_name="Nia", last_name="Newton")
    UserRole.objects.create(user=user, role=Role.MASH_PRACTITIONER)
    return user


def test_the_url_names() -> None:
    assert reverse("accounts:sign_in") == SIGN_IN
    assert reverse("accounts:sign_in_code") == CODE
    assert reverse("accounts:two_factor_setup") == SET_UP
    assert reverse("accounts:sign_out") == "/sign-out/"
    assert reverse("accounts:signed_out") == "/signed-out/"
    assert reverse("accounts:keep_alive") == "/session/keep-alive/"


def test_password_then_code_reaches_the_page_asked_for(client: Client, worker_user: User) -> None:
    response = client.get("/children/?q=Jones")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=" + quote("/children/?q=Jones", safe="/")

    response = sign_in_with_password(client, "worker", next_url="/children/?q=Jones")
    assert response.status_code == 302
    assert response["Location"] == CODE + "?next=%2Fchildren%2F%3Fq%3DJones"
    assert signed_in_user_id(client) == str(worker_user.pk)
    assert not is_fully_signed_in(client)

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Enter the code from your authenticator app" in page.content
    assert b'autocomplete="one-time-code"' in page.content

    code = f"{totp(worker_user.totp_key):06d}"
    response = client.post(CODE, {"code": code, "next": "/children/?q=Jones"})
    assert response.status_code == 302
    assert response["Location"] == "/children/?q=Jones"
    assert is_fully_signed_in(client)


def test_codes_may_be_typed_with_spaces(client: Client, worker_user: User) -> None:
    sign_in_with_password(client, "worker")
    code = code_for(worker_user.totp_device)
    response = client.post(CODE, {"code": f" {code[:3]} {code[3:]} "})
    assert response["Location"] == "/"


def test_the_session_id_changes_at_each_step(client: Client, worker_user: User) -> None:
    client.get(SIGN_IN)
    sign_in_with_password(client, "worker")
    after_password = client.session.session_key
    client.post(CODE, {"code": code_for(worker_user.totp_device)})
    assert client.session.session_key != after_password


def test_wrong_password_gives_a_clear_message(client: Client, worker_user: User) -> None:
    response = sign_in_with_password(client, "worker", "not-the-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_username">Enter a correct username and password</a>' in html
    assert "<title>Error: Sign in" in html
    assert signed_in_user_id(client) is None


def test_empty_fields_say_what_is_missing(client: Client, db: None) -> None:
    html = client.post(SIGN_IN, {"username": "", "password": ""}).content.decode()
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html


def test_wrong_code_is_refused_and_changes_nothing(client: Client, worker_user: User) -> None:
    sign_in_with_password(client, "worker")
    device = worker_user.totp_device
    response = client.post(CODE, {"code": wrong_code(device)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The code is not right: check your authenticator app and try again" in html
    assert '<a href="#id_code">' in html
    assert "govuk-input--error" in html
    device.refresh_from_db()
    assert device.last_t == -1  # no code has been used
    assert device.throttling_failure_count == 1  # django-otp's back-off has started
    assert not is_fully_signed_in(client)
    # It counts as a failed sign-in, towards the lockout.
    assert AccessAttempt.objects.get(username="worker").failures_since_start == 1


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the 6-digit code from your authenticator app"),
        ("12345", "The code must be 6 numbers"),
        ("abcdef", "The code must be 6 numbers"),
    ],
)
def test_badly_formed_codes_are_explained(client: Client, worker_user: User, code: str, message: str) -> None:
    sign_in_with_password(client, "worker")
    response = client.post(CODE, {"code": code})
    assert message in response.content.decode()
    assert not AccessAttempt.objects.exists()  # not a guess, so not counted


def test_codes_after_several_wrong_ones_must_wait(client: Client, worker_user: User) -> None:
    sign_in_with_password(client, "worker")
    device = worker_user.totp_device
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=4, throttling_failure_timestamp=timezone.now()
    )
    response = client.post(CODE, {"code": code_for(device)})
    assert "Wait 8 seconds, then try again" in response.content.decode()
    assert not is_fully_signed_in(client)


def test_a_code_cannot_be_used_twice(client: Client, worker_user: User) -> None:
    code = code_for(worker_user.totp_device)
    sign_in_with_password(client, "worker")
    client.post(CODE, {"code": code})
    other = Client()
    sign_in_with_password(other, "worker")
    response = other.post(CODE, {"code": code})
    assert "The code is not right" in response.content.decode()


def test_the_code_step_needs_the_password_first(client: Client, db: None) -> None:
    response = client.get(CODE + "?next=/children/")
    assert response.status_code == 302
    assert response["Location"] == SIGN_IN + "?next=%2Fchildren%2F"
    assert client.get(SET_UP)["Location"] == SIGN_IN


@pytest.mark.parametrize("path", ["/children/", "/", "/admin/", "/children/C100/?tab=notes&x=1"])
def test_a_password_only_session_is_sent_to_the_code_step(client: Client, worker_user: User, path: str) -> None:
    sign_in_with_password(client, "worker")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == CODE + "?next=" + quote(path, safe="")


def test_a_password_only_session_cannot_keep_itself_alive(client: Client, worker_user: User) -> None:
    sign_in_with_password(client, "worker")
    assert client.post("/session/keep-alive/").status_code == 401


def test_an_address_on_another_site_is_never_followed(client: Client, worker_user: User) -> None:
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        fresh = Client()
        response = sign_in_with_password(fresh, "worker", next_url=evil)
        assert response["Location"] == CODE
        code_page = fresh.post(CODE, {"code": code_for(worker_user.totp_device), "next": evil})
        assert code_page["Location"] == "/"
        TOTPDevice.objects.filter(pk=worker_user.totp_device.pk).update(last_t=-1)


def test_someone_fully_signed_in_skips_the_sign_in_pages(client: Client, worker_user: User) -> None:
    sign_in(client, worker_user)
    assert client.get(SIGN_IN)["Location"] == "/"
    assert client.get(CODE)["Location"] == "/"
    assert client.get(SET_UP)["Location"] == "/"


# First sign-in: setting up the authenticator app


def test_without_an_app_the_password_leads_to_set_up(client: Client, new_user: User) -> None:
    response = sign_in_with_password(client, "newstarter", next_url="/children/")
    assert response["Location"] == SET_UP + "?next=%2Fchildren%2F"
    assert client.get(CODE)["Location"] == SET_UP
    assert client.get("/children/")["Location"].startswith(CODE)


def test_set_up_shows_a_qr_code_and_the_secret(client: Client, new_user: User) -> None:
    sign_in_with_password(client, "newstarter")
    response = client.get(SET_UP)
    assert response.status_code == 200
    html = response.content.decode()
    svg = re.search(r"<svg\b.*?</svg>", html, re.DOTALL)
    assert svg is not None
    assert 'role="img"' in svg.group(0)
    assert 'aria-label="QR code to scan with your authenticator app"' in svg.group(0)
    assert "style=" not in html  # the CSP forbids inline styles
    assert "<img" not in html
    assert "<?xml" not in html

    device = TOTPDevice.objects.get(user=new_user)
    assert not device.confirmed
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert grouped in html
    # Reloading the page keeps the same secret, so a code from an app set up from it still works.
    assert grouped in client.get(SET_UP).content.decode()
    assert TOTPDevice.objects.filter(user=new_user).count() == 1


def test_set_up_confirms_the_app_with_a_code(client: Client, new_user: User) -> None:
    sign_in_with_password(client, "newstarter", next_url="/children/?q=Jones")
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=new_user)

    response = client.post(SET_UP, {"code": wrong_code(device), "next": "/children/?q=Jones"})
    assert "The code is not right: check your authenticator app and try again" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()  # skip django-otp's one-second wait after a wrong code

    response = client.post(SET_UP, {"code": code_for(device), "next": "/children/?q=Jones"})
    assert response["Location"] == "/children/?q=Jones"
    device.refresh_from_db()
    assert device.confirmed
    assert is_fully_signed_in(client)

    # Next time, the code step.
    other = Client()
    assert sign_in_with_password(other, "newstarter")["Location"] == CODE
    assert other.get(SET_UP)["Location"] == CODE


def test_someone_with_an_app_cannot_set_up_another(client: Client, worker_user: User) -> None:
    sign_in_with_password(client, "worker")
    assert client.get(SET_UP)["Location"] == CODE
    assert TOTPDevice.objects.filter(user=worker_user).count() == 1


# Lockout


def test_five_wrong_passwords_lock_the_account(client: Client, worker_user: User) -> None:
    for _ in range(4):
        assert sign_in_with_password(client, "worker", "not-the-password").status_code == 200
    response = sign_in_with_password(client, "worker", "not-the-password")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Your account is locked for 15 minutes because of too many failed sign-in attempts" in html
    assert "<title>Your account is locked" in html

    response = sign_in_with_password(client, "worker", PASSWORD)
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_wrong_codes_count_towards_the_lockout(client: Client, worker_user: User) -> None:
    sign_in_with_password(client, "worker")
    device = worker_user.totp_device
    for _ in range(4):
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # skip the back-off wait
        assert client.post(CODE, {"code": wrong_code(device)}).status_code == 200
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = client.post(CODE, {"code": wrong_code(device)})
    assert response.status_code == 429
    assert "Your account is locked for 15 minutes" in response.content.decode()
    assert signed_in_user_id(client) is None  # signed out, not left half signed in

    assert sign_in_with_password(Client(), "worker", PASSWORD).status_code == 429


def test_a_lockout_after_the_password_step_stops_the_code_step(client: Client, worker_user: User) -> None:
    sign_in_with_password(client, "worker")
    other = Client()  # someone else, from the same address, trying passwords
    for _ in range(5):
        sign_in_with_password(other, "worker", "not-the-password")
    response = client.post(CODE, {"code": code_for(worker_user.totp_device)})
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    assert signed_in_user_id(client) is None
    worker_user.totp_device.refresh_from_db()
    assert worker_user.totp_device.last_t == -1  # the code was not even checked


def test_a_good_password_clears_earlier_failures(client: Client, worker_user: User) -> None:
    for _ in range(4):
        sign_in_with_password(client, "worker", "not-the-password")
    sign_in(client, worker_user)
    assert not AccessAttempt.objects.filter(username="worker").exists()


# Signing out


def test_sign_out_is_post_only(client: Client, worker_user: User) -> None:
    sign_in(client, worker_user)
    assert client.get("/sign-out/").status_code == 405
    assert is_fully_signed_in(client)

    response = client.post("/sign-out/")
    assert response["Location"] == "/signed-out/"
    assert signed_in_user_id(client) is None
    page = client.get("/signed-out/")
    assert page.status_code == 200
    assert "You have been signed out" in page.content.decode()
    assert "had not done anything" not in page.content.decode()


def test_sign_out_needs_the_csrf_token(worker_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker_user)
    assert client.post("/sign-out/").status_code == 403
    assert signed_in_user_id(client) == str(worker_user.pk)


def test_signed_out_after_a_timeout_says_why(client: Client, db: None) -> None:
    response = client.post("/sign-out/", {"reason": "timeout"})
    assert response["Location"] == "/signed-out/?reason=timeout"
    html = client.get(response["Location"]).content.decode()
    assert "You have been signed out" in html
    assert "You were signed out because you had not done anything for 30 minutes" in html


def test_a_half_signed_in_person_can_cancel(client: Client, worker_user: User) -> None:
    sign_in_with_password(client, "worker")
    html = client.get(CODE).content.decode()
    assert 'action="/sign-out/"' in html
    assert "Cancel and sign out" in html
    client.post("/sign-out/")
    assert signed_in_user_id(client) is None
