"""No server error on any input: every URL pattern, as every role, with hostile path segments, query strings
and form values. A 5xx anywhere fails, on SQLite and PostgreSQL alike (NUL bytes, for one, are refused by
PostgreSQL's text type, and numbers past 64 bits by its integer columns)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client

from .test_matrix import all_patterns, url_variants
from .world import ROLES, World

HOSTILE = [
    "",
    "\x00",
    "x" * 5000,
    "ßüñ 漢字 🙂",
    "-1",
    "99999999999999999999999",
    "=cmd|' /C calc'!A0",
    "2025-02-30",
]
# Query parameters the pages read.
QUERY_KEYS = ["q", "page", "start", "end", "id", "next", "grant", "period", "team", "counted"]
# Posting here would end the session the walk goes on with.
NOT_POSTED = {"accounts:sign_out"}

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_FORM = re.compile(r'<form[^>]*method="post"[^>]*>(.*?)</form>', re.DOTALL | re.IGNORECASE)
_FIELD = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', re.IGNORECASE)


def hostile_paths(route: str) -> list[str]:
    """The route with every parameter replaced by each hostile value (percent-encoded, as a browser sends it)."""
    if not _PARAM.search(route) or "(?P" in route:
        return []
    return ["/" + _PARAM.sub(quote(value, safe="") or "x", route) for value in HOSTILE if value]


def form_fields(html: str) -> list[str]:
    names: list[str] = []
    for form in _FORM.findall(html):
        names += [n for n in _FIELD.findall(form) if n != "csrfmiddlewaretoken" and n not in names]
    return names


@pytest.mark.parametrize("role", ROLES)
def test_no_server_error_on_hostile_input(world: World, role: str) -> None:
    client: Client = world.client_for(role)
    client.raise_request_exception = False
    failures: list[str] = []

    def check(method: str, url: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        response = client.post(url, data or {}) if method == "POST" else client.get(url, data or {})
        if response.status_code >= 500:
            failures.append(f"{role} {method} {url[:120]} {str(data)[:120]} -> {response.status_code}")
        html = response.content.decode(errors="replace") if response.status_code == 200 else ""
        return response.status_code, html

    for name, route in all_patterns():
        admin = name.startswith("admin:")
        if admin and role != "admin":
            continue  # everyone else is refused before any parameter is read (the matrix checks that)
        for url in hostile_paths(route):
            check("GET", url)
        # A pattern's variants (one per child situation, say) that answer alike, with the same form, run the same
        # code: hostile queries and forms go to one variant of each distinct answer, not to every one of them.
        attacked: set[tuple[int, tuple[str, ...]]] = set()
        for url, _kwargs in url_variants(name, route, world):
            status, html = check("GET", url)
            posts = name not in NOT_POSTED and "streaming" not in html
            fields = tuple(form_fields(html)) if posts else ()
            if (status, fields) in attacked:
                continue
            attacked.add((status, fields))
            if not admin:
                for value in HOSTILE:
                    check("GET", url, dict.fromkeys(QUERY_KEYS, value))
            if fields:
                for value in HOSTILE:
                    check("POST", url, dict.fromkeys(fields, value))
    assert not failures, "\n".join(failures[:50])
