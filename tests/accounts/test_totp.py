"""TOTP helpers: codes agree with the RFC and with django-otp; QR codes are safe to inline."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openmash.accounts import totp as helpers
from openmash.accounts.models import User
from openmash.accounts.templatetags.sign_in import duration
from openmash.demo.accounts import demo_account, demo_code


def test_codes_match_rfc_6238() -> None:
    key = b"12345678901234567890"  # the RFC's SHA-1 test key
    assert helpers.code_at(key, at=59) == "287082"
    assert helpers.code_at(key, at=1111111109) == "081804"
    assert helpers.code_at(helpers.base32_secret(key), at=59) == "287082"


def test_current_code_is_what_django_otp_computes() -> None:
    key = b"openmash-test-secret"
    assert helpers.current_code(key) in {f"{totp(key, drift=d):06d}" for d in (0, 1)}


def test_secrets_for_people_to_type() -> None:
    key = bytes(range(20))
    secret = helpers.base32_secret(key)
    assert len(secret) == 32
    grouped = helpers.group_in_fours(secret)
    assert grouped.split(" ") == [secret[i : i + 4] for i in range(0, 32, 4)]
    assert helpers.key_from_base32(grouped.lower()) == key
    assert helpers.key_from_base32(grouped.replace(" ", "-")) == key
    with pytest.raises(ValueError, match="base32"):
        helpers.key_from_base32("not base32!")


def test_demo_secrets_are_fixed_and_distinct() -> None:
    sw = demo_account("sw.demo")
    assert sw.totp_key == demo_account("sw.demo").totp_key
    assert len(sw.totp_key) == 20
    assert sw.totp_secret != demo_account("tm.demo").totp_secret
    assert demo_code("sw.demo") == demo_code(sw.totp_secret) == helpers.current_code(sw.totp_key)
    with pytest.raises(KeyError):
        demo_account("nobody")


def test_qr_code_is_inline_svg_without_styles(worker_user: User) -> None:
    device = TOTPDevice.objects.create(user=worker_user, confirmed=False)
    svg = helpers.qr_code_svg(device, label='Scan "this" <code>')
    assert svg.startswith("<svg ")
    assert svg.rstrip().endswith("</svg>")
    assert "style=" not in svg
    assert 'role="img"' in svg
    assert 'aria-label="Scan &quot;this&quot; &lt;code>"' in svg
    assert "<?xml" not in svg


@pytest.mark.parametrize(
    ("value", "words"),
    [(1800, "30 minutes"), (60, "1 minute"), (125, "2 minutes 5 seconds"), (1, "1 second"), (3600, "1 hour")],
)
def test_durations_in_words(value: int, words: str) -> None:
    assert duration(value) == words
