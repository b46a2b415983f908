"""Template context for every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def session_timeout(request: HttpRequest) -> dict[str, object]:
    """For fully signed-in people: how long the session lasts idle and when to warn (both in seconds).

    base.html passes these to session-timeout.js, which warns before the session ends.
    """
    user = getattr(request, "user", None)
    is_verified = getattr(user, "is_verified", None)
    if user is None or not user.is_authenticated or not callable(is_verified) or not is_verified():
        return {}
    timeout = int(settings.SESSION_COOKIE_AGE)
    warning = min(int(getattr(settings, "SESSION_EXPIRE_WARNING_SECONDS", 120)), timeout)
    return {"session_timeout": {"timeout": timeout, "warning": warning}}
