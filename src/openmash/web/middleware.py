"""Response headers every page needs."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ObjectDoesNotExist
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers


def no_store(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Every page may show personal data, so none is stored by a browser, a shared computer's cache or a proxy.

    Static files are served before this (WhiteNoise) and keep their long-lived caching.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
        return response

    return middleware


class HostileInputMiddleware:
    """A last line against input that reaches the database unchecked (in our pages or a library's, such as the admin).

    A value the database cannot hold (a NUL byte in PostgreSQL text, an integer past 64 bits) is the
    sender's mistake, answered 400 with a clear message; a lookup of something that does not exist is
    answered 404. Our own forms and converters refuse such input first; this keeps a library's gap from
    becoming a server error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, (DataError, OverflowError)):
            body = render_to_string("400.html", request=request)
            return HttpResponseBadRequest(body)
        if isinstance(exception, ObjectDoesNotExist):
            raise Http404("Not found") from exception
        return None
