"""The change history's actor for each web request."""

from __future__ import annotations

from collections.abc import Callable

from auditlog.cid import set_cid
from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest, HttpResponseBase

from .audit import history_context


class ChangeHistoryMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (the signed-in user and their address on each change), with a context that
    is put back when the request ends, so services called inside it can name their acting user safely."""

    get_response: Callable[[HttpRequest], HttpResponseBase]

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        set_cid(request)
        with history_context(self.get_extra_data(request)):
            return self.get_response(request)
