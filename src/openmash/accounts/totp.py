"""Time-based one-time codes (TOTP, RFC 6238): secrets, codes, QR codes and checking a code.

Codes are the 6-digit, 30-second kind every authenticator app shows. Devices are django-otp's
`TOTPDevice`, whose `key` is the secret in hex; authenticator apps take the same secret in base32.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import qrcode
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage

if TYPE_CHECKING:
    from .models import User

STEP_SECONDS = 30
DIGITS = 6
DEVICE_NAME = "Authenticator app"

_STYLE_ATTRIBUTE = re.compile(r"\sstyle=(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*")


def base32_secret(key: bytes) -> str:
    """The secret as an authenticator app takes it: base32, capitals, no padding."""
    return base64.b32encode(key).decode("ascii").rstrip("=")


def key_from_base32(secret: str) -> bytes:
    """Read a base32 secret as typed by a person: spaces, hyphens and lower case are fine."""
    cleaned = re.sub(r"[\s-]", "", secret).upper()
    cleaned += "=" * (-len(cleaned) % 8)
    try:
        return base64.b32decode(cleaned)
    except binascii.Error as exc:
        raise ValueError("Not a base32 secret") from exc


def group_in_fours(secret: str) -> str:
    """'ABCDEFGHIJ' → 'ABCD EFGH IJ', easier to copy into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def device_secret(device: TOTPDevice) -> str:
    return base32_secret(device.bin_key)


def code_at(key: bytes | str, at: float | None = None) -> str:
    """The 6-digit code for a secret (bytes, or base32 text) at a moment (default: now).

    Uses django-otp's own TOTP, so it always agrees with what the sign-in page accepts.
    """
    key_bytes = key_from_base32(key) if isinstance(key, str) else key
    generator = TOTP(key_bytes, step=STEP_SECONDS, t0=0, digits=DIGITS)
    generator.time = time.time() if at is None else at
    return f"{generator.token():0{DIGITS}d}"


def current_code(key: bytes | str) -> str:
    """The code an authenticator app shows right now for this secret."""
    key_bytes = key_from_base32(key) if isinstance(key, str) else key
    return f"{totp(key_bytes, step=STEP_SECONDS, t0=0, digits=DIGITS):0{DIGITS}d}"


def confirmed_devices(user: User) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id"))


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being set up, created on first use and kept so the QR code stays the same."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_code_svg(device: TOTPDevice, *, label: str) -> str:
    """The device's otpauth:// address as an inline SVG QR code, safe under a strict CSP.

    No <img> from elsewhere and no style attributes (the CSP allows no inline styles). `label`
    becomes the image's accessible name.
    """
    image = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=10, border=4)
    svg = image.to_string(encoding="unicode")
    svg = _XML_DECLARATION.sub("", svg)
    svg = _STYLE_ATTRIBUTE.sub("", svg)
    safe_label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg class="app-qr-code" role="img" focusable="false" aria-label="{safe_label}" ', 1)


@dataclass(frozen=True)
class Verification:
    """What happened when a code was checked."""

    device: TOTPDevice | None = None
    wait_seconds: int = 0  # more than 0: too many wrong codes, try again after this long

    @property
    def ok(self) -> bool:
        return self.device is not None

    @property
    def throttled(self) -> bool:
        return self.device is None and self.wait_seconds > 0


def verify(devices: list[TOTPDevice], code: str) -> Verification:
    """Check a code against a user's devices, one at a time, with django-otp's throttling.

    A code is accepted from the current 30-second step or the one either side (clock differences), never
    from an earlier step than the last one accepted, so never twice. Each wrong code makes the device
    wait longer before it will check another (1, 2, 4, 8 … seconds). Rows are locked so two requests at
    once cannot both try.
    """
    waits: list[int] = []
    tried = False
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk__in=[d.pk for d in devices]).order_by("id")
        for device in locked:
            allowed, info = device.verify_is_allowed()
            if not allowed:
                until = (info or {}).get("locked_until")
                seconds = (until - timezone.now()).total_seconds() if until is not None else 1
                waits.append(max(1, math.ceil(seconds)))
                continue
            tried = True
            # Codes are checked against our clock, one step either side (the device's tolerance). A
            # drift learned from an early or late code would move that window for good, and a correct
            # code would later be refused and count towards lockout; OTP_TOTP_SYNC is off so none is
            # learned, and any left from before is dropped here (and saved with the check).
            device.drift = 0
            if device.verify_token(code):
                return Verification(device=device)
    if waits and not tried:
        return Verification(wait_seconds=min(waits))
    return Verification()
