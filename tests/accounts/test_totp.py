"""TOTP: codes agree with the RFC and with django-otp; a correct code is always accepted and never twice;
QR codes are safe to inline. The clock is frozen wherever a test reads it, so no test can straddle the
moment one 30-second code gives way to the next."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
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


STEP = helpers.STEP_SECONDS
# A time step well after 1970, and a moment in it one second before the code changes.
T = 58_333_333


def moment(step: int, second: int = 29) -> dt.datetime:
    return dt.datetime.fromtimestamp(step * STEP + second, tz=dt.UTC)


def code_of_step(key: bytes, step: int) -> str:
    return helpers.code_at(key, at=step * STEP)


def test_current_code_is_what_django_otp_computes(time_machine: time_machine.TimeMachineFixture) -> None:
    key = b"openmash-test-secret"
    time_machine.move_to(moment(T), tick=False)
    assert helpers.current_code(key) == f"{totp(key):06d}" == code_of_step(key, T)
    assert code_of_step(key, T) != code_of_step(key, T + 1)


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


def test_demo_secrets_are_fixed_and_distinct(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(moment(T), tick=False)  # the three codes below are read at one moment
    sw = demo_account("sw.demo")
    assert sw.totp_key == demo_account("sw.demo").totp_key
    assert len(sw.totp_key) == 20
    assert sw.totp_secret != demo_account("tm.demo").totp_secret
    assert demo_code("sw.demo") == demo_code(sw.totp_secret) == helpers.current_code(sw.totp_key)
    with pytest.raises(KeyError):
        demo_account("nobody")


def test_a_code_from_the_next_step_is_accepted_once_and_the_clock_is_not_moved_by_it(
    worker_user: User, time_machine: time_machine.TimeMachineFixture
) -> None:
    """An authenticator a little fast shows the next step's code; accepting it must not shift the
    device's idea of the time, or a correct code later is refused and counts towards lockout."""
    key, device = worker_user.totp_key, worker_user.totp_device  # type: ignore[attr-defined]
    time_machine.move_to(moment(T), tick=False)
    assert helpers.verify([device], code_of_step(key, T + 1)).ok
    assert not helpers.verify([device], code_of_step(key, T + 1)).ok  # the same code again: refused
    time_machine.move_to(moment(T + 1, second=5), tick=False)
    assert not helpers.verify([device], code_of_step(key, T + 1)).ok  # still the same code: refused
    device.refresh_from_db()
    assert device.drift == 0

    # Later, a code typed just as it changed (one step late) is accepted, and so is the current one.
    time_machine.move_to(moment(T + 10, second=2), tick=False)
    assert helpers.verify([device], code_of_step(key, T + 9)).ok
    time_machine.move_to(moment(T + 20), tick=False)
    assert helpers.verify([device], code_of_step(key, T + 20)).ok


def test_early_codes_one_after_another_never_lock_out_the_correct_code(
    worker_user: User, time_machine: time_machine.TimeMachineFixture
) -> None:
    key, device = worker_user.totp_key, worker_user.totp_device  # type: ignore[attr-defined]
    time_machine.move_to(moment(T), tick=False)
    assert helpers.verify([device], code_of_step(key, T + 1)).ok
    # Two steps ahead is beyond the one step of clock difference allowed, whatever came before.
    time_machine.move_to(moment(T + 3), tick=False)
    assert not helpers.verify([device], code_of_step(key, T + 5)).ok
    time_machine.move_to(moment(T + 6), tick=False)
    assert helpers.verify([device], code_of_step(key, T + 6)).ok


def test_a_device_that_had_learned_a_drift_still_takes_the_correct_code(
    worker_user: User, time_machine: time_machine.TimeMachineFixture
) -> None:
    key, device = worker_user.totp_key, worker_user.totp_device  # type: ignore[attr-defined]
    device.drift = 3  # as left by earlier versions, which moved the window with each early code
    device.save()
    time_machine.move_to(moment(T), tick=False)
    assert helpers.verify([device], code_of_step(key, T)).ok
    device.refresh_from_db()
    assert device.drift == 0


@pytest.mark.parametrize("steps_away", [-2, 2, 5])
def test_codes_more_than_one_step_away_are_refused(
    steps_away: int, worker_user: User, time_machine: time_machine.TimeMachineFixture
) -> None:
    key, device = worker_user.totp_key, worker_user.totp_device  # type: ignore[attr-defined]
    time_machine.move_to(moment(T), tick=False)
    assert not helpers.verify([device], code_of_step(key, T + steps_away)).ok


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
