"""Sign-in forms, with error messages in the GOV.UK style."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .models import User

INVALID_SIGN_IN = "Enter a correct username and password"
ENTER_CODE = "Enter the 6-digit code from your authenticator app"
CODE_FORMAT = "The code must be 6 numbers"
WRONG_CODE = "The code is not right: check your authenticator app and try again"


def too_many_codes(wait_seconds: int) -> str:
    unit = "second" if wait_seconds == 1 else "seconds"
    return f"You have entered too many codes that are not right. Wait {wait_seconds} {unit}, then try again"


class SignInForm(AuthenticationForm):
    """Username and password. `authenticate` gets the request, so django-axes can count failures."""

    error_messages = {
        "invalid_login": INVALID_SIGN_IN,
        "inactive": INVALID_SIGN_IN,
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        # Demo accounts have published passwords: they only work while the demo switch is on.
        if user.demo_refused():
            raise self.get_invalid_login_error()

    def get_user(self) -> User:
        user = super().get_user()
        assert isinstance(user, User)
        return user


class CodeForm(forms.Form):
    """The 6-digit code from an authenticator app. Spaces and hyphens are ignored."""

    code = forms.CharField(
        max_length=20,
        strip=True,
        error_messages={"required": ENTER_CODE, "max_length": CODE_FORMAT},
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(ENTER_CODE)
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(CODE_FORMAT)
        return code
