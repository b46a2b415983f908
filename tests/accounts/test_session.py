"""The session: 30 minutes idle, a warning before it ends, a way to stay signed in; security headers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from openmash.accounts.models import User

from .helpers import sign_in, sign_in_verified, sign_in_with_password


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_the_session_ends_after_30_minutes_idle_and_every_request_renews_it(client: Client, worker_user: User) -> None:
    sign_in(client, worker_user)
    expires = session_row(client).expire_date
    assert abs((expires - timezone.now()) - dt.timedelta(minutes=30)) < dt.timedelta(seconds=30)
    Session.objects.filter(pk=client.session.session_key).update(expire_date=timezone.now() + dt.timedelta(minutes=5))
    client.get("/children/")
    assert session_row(client).expire_date - timezone.now() > dt.timedelta(minutes=29)


def test_an_expired_session_goes_back_to_sign_in(client: Client, worker_user: User, settings: SettingsWrapper) -> None:
    settings.SESSION_COOKIE_AGE = 60
    sign_in(client, worker_user)
    assert client.get("/children/").status_code == 200
    # As if a minute had passed with nothing done: the session is due to end a second ago.
    session = client.session
    session.set_expiry(timezone.now() - dt.timedelta(seconds=1))
    session.save()
    response = client.get("/children/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/children/"


def test_keep_alive_renews_the_session(client: Client, worker_user: User) -> None:
    sign_in(client, worker_user)
    Session.objects.filter(pk=client.session.session_key).update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    response = client.post("/session/keep-alive/")
    assert response.status_code == 204
    assert response.content == b""
    assert "no-cache" in response["Cache-Control"]
    assert session_row(client).expire_date - timezone.now() > dt.timedelta(minutes=29)


def test_keep_alive_is_post_only_and_needs_the_csrf_token(worker_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    sign_in_verified(client, worker_user)
    assert client.get("/session/keep-alive/").status_code == 405
    assert client.post("/session/keep-alive/").status_code == 403

    page = client.get("/children/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    assert client.post("/session/keep-alive/", headers={"X-CSRFToken": token.group(1)}).status_code == 204


def test_keep_alive_without_a_session_says_401_not_a_redirect(client: Client, db: None) -> None:
    assert client.post("/session/keep-alive/").status_code == 401


def test_signed_in_pages_carry_the_timeout_settings_and_script(client: Client, worker_user: User) -> None:
    sign_in(client, worker_user)
    response = client.get("/children/")
    html = response.content.decode()
    assert 'data-session-timeout="1800"' in html
    assert 'data-session-warning="120"' in html
    assert 'data-keep-alive-url="/session/keep-alive/"' in html
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script type="module" src="/static/openmash/session-timeout.js" nonce="{nonce}"></script>' in html


def test_the_timeout_follows_the_settings(client: Client, worker_user: User, settings: SettingsWrapper) -> None:
    settings.SESSION_COOKIE_AGE = 600
    settings.SESSION_EXPIRE_WARNING_SECONDS = 60
    sign_in(client, worker_user)
    html = client.get("/children/").content.decode()
    assert 'data-session-timeout="600"' in html
    assert 'data-session-warning="60"' in html


def test_pages_before_the_code_have_no_timeout_script(client: Client, worker_user: User) -> None:
    assert "session-timeout.js" not in client.get("/sign-in/").content.decode()
    sign_in_with_password(client, "worker")
    assert "session-timeout.js" not in client.get("/sign-in/code/").content.decode()


@pytest.mark.parametrize("page", ["/sign-in/", "/children/", "/signed-out/"])
def test_security_headers(client: Client, worker_user: User, page: str) -> None:
    if page == "/children/":
        sign_in(client, worker_user)
    response = client.get(page)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_inline_styles_or_handlers_on_the_sign_in_pages(client: Client, worker_user: User) -> None:
    pages = [client.get("/sign-in/"), client.post("/sign-in/", {"username": "worker", "password": "nope"})]
    sign_in_with_password(client, "worker")
    pages += [client.get("/sign-in/code/"), client.post("/sign-in/code/", {"code": ""})]
    for response in pages:
        html = response.content.decode()
        assert "style=" not in html
        assert not re.search(r"\son[a-z]+=", html)


def test_the_session_cookie_is_http_only_and_same_site(client: Client, worker_user: User) -> None:
    response = sign_in_with_password(client, "worker")
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 1800
