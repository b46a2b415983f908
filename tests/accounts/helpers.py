"""Signing in from tests: the real two-step journey through the Django test client, or a shortcut."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openmash.accounts.models import User

PASSWORD = "a-long-test-password"


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """A code the device will accept now: the current one, or the next if the current was used.

    django-otp never accepts the same code twice, so a second sign-in inside one 30-second window
    needs the next window's code (accepted because of the device's tolerance of one step).
    """
    device.refresh_from_db()
    now_t = int(time.time() - device.t0) // device.step + device.drift
    t = max(now_t, device.last_t + 1) + steps_ahead
    assert t <= now_t + device.tolerance, "no code left in this window; wait for the next one"
    return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A well-formed code that is not valid in any window the device would accept right now."""
    device.refresh_from_db()
    now_t = int(time.time() - device.t0) // device.step + device.drift
    valid = {
        f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"
        for t in range(now_t - device.tolerance - 1, now_t + device.tolerance + 2)
    }
    return next(c for c in ("000000", "111111", "222222", "123456") if c not in valid)


def sign_in_with_password(client: Client, username: str, password: str = PASSWORD, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:sign_in"), data)


def sign_in(client: Client, user: User, *, password: str = PASSWORD, next_url: str = ""):
    """Password, then the code from the user's confirmed authenticator app. Returns the last response."""
    response = sign_in_with_password(client, user.get_username(), password, next_url)
    assert response.status_code == 302, response.content.decode()[:500]
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    data = {"code": code_for(device)}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:sign_in_code"), data)


def sign_in_verified(client: Client, user: User) -> None:
    """Shortcut for page tests: a session as after the full sign-in (password and code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
