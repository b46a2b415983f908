"""Every URL pattern in the project, walked as every role, against a declared table.

A URL pattern missing from RULES fails the suite, so no page can be added without saying who may
use it. "allow" means the page answers 200 (or a download); "deny" means the same answer as a page
that does not exist (404), or for anonymous users a redirect to sign in; "redirect" means the page
sends the user on elsewhere (for example the home page); "method" means only POST is accepted (405).
The partner API takes a token, not a session, so it answers every role alike: "token" means 401 with a JSON
problem, "missing" means 404 even to someone not signed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .world import ACCOUNTS, CHILD_VISIBLE_TO, ROLES, World, extra_modules

ALL_SIGNED_IN = set(ACCOUNTS)
# Roles whose work involves individual children: the only ones offered the search and break glass.
SEE_CHILDREN = {"sw", "tm", "sm", "mash", "mash_manager", "cse", "police", "police_researcher", "health", "education"}
Rule = Callable[[str, dict[str, Any]], str]


def allow_for(who: set[str], *, otherwise: str = "deny") -> Rule:
    return lambda role, _kwargs: "allow" if role in who else otherwise


def child_rule(who_by_child: dict[str, set[str]]) -> Rule:
    return lambda role, kwargs: "allow" if role in who_by_child[kwargs["_child_key"]] else "deny"


WHO_VIEWED: dict[str, set[str]] = {
    key: ({"tm", "sm"} & who if key != "restricted" else {"tm"}) | {"auditor"} for key, who in CHILD_VISIBLE_TO.items()
}

# Managers may restrict the records they are responsible for (tm is named on the restricted one).
# A MASH manager may restrict a record at the front door (for example a staff member's child referred there).
RESTRICTERS: dict[str, set[str]] = {
    key: ({"tm", "sm", "mash_manager"} & who if key != "restricted" else {"tm"})
    for key, who in CHILD_VISIBLE_TO.items()
}

RULES: dict[str, Rule] = {
    "web:home": allow_for(set(), otherwise="redirect"),
    "journey:child_search": allow_for(SEE_CHILDREN),
    "access:break_glass": allow_for(SEE_CHILDREN),
    "journey:child_detail": child_rule(CHILD_VISIBLE_TO),
    "access:child_audit": child_rule(WHO_VIEWED),
    "access:restrict_record": child_rule(RESTRICTERS),
    "access:break_glass_reviews": allow_for({"tm", "sm", "mash_manager"}),
    "access:audit_export": allow_for({"auditor"}),
    # Public; someone already signed in is sent on to their home page.
    "accounts:sign_in": allow_for({"anonymous"}, otherwise="redirect"),
    "accounts:signed_out": allow_for({"anonymous"}, otherwise="redirect"),
    # Signed-in users who already gave a code are sent on from the code and set-up steps.
    "accounts:sign_in_code": allow_for(set(), otherwise="redirect"),
    "accounts:two_factor_setup": allow_for(set(), otherwise="redirect"),
    "accounts:sign_out": allow_for(set(), otherwise="method"),
    "accounts:keep_alive": allow_for(set(), otherwise="method"),
    # The admin's own password-only form is replaced by the one sign-in journey; signed in, it is not there.
    "admin:login": lambda role, _kwargs: "sign_in" if role == "anonymous" else "deny",
}


# Each area's own rules and URL variants (tests/access/world_<area>.py).
VARIANTS: dict[str, Callable[[World], list[tuple[dict[str, Any], str]]]] = {}
for _module in extra_modules():
    RULES.update(getattr(_module, "RULES", {}))
    VARIANTS.update(getattr(_module, "VARIANTS", {}))


def admin_rule(role: str, _kwargs: dict[str, Any]) -> str:
    return "admin" if role == "admin" else "deny"


# What a system administrator may get from an admin page: the page, a redirect within the admin, no
# such object (404), POST only (405), or refused (403) where nothing may be added or deleted.
_ADMIN_REFUSED = re.compile(r"/(add|delete)/$|^/admin/autocomplete/")


def walk(patterns: list[Any], namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from walk(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            # Unnamed patterns (admin's redirects) are declared by their route.
            yield f"{namespace}{p.name or '<' + route + '>'}", route


def all_patterns() -> list[tuple[str, str]]:
    return sorted(set(walk(get_resolver().url_patterns)))


def rule_for(name: str) -> Rule | None:
    if name in RULES:
        return RULES[name]
    if name.startswith("admin:"):
        return admin_rule
    return RULES.get(name)


def test_every_url_pattern_is_declared() -> None:
    missing = [(name, route) for name, route in all_patterns() if rule_for(name) is None]
    assert not missing, f"declare who may use these URLs in tests/access/test_matrix.py: {missing}"


def url_variants(name: str, route: str, world: World) -> Iterator[tuple[str, dict[str, Any]]]:
    """Concrete URLs for a pattern: one per child situation for child-level pages."""
    if "la_child_id" in route:
        for key, child in world.children.items():
            yield reverse(name, kwargs={"la_child_id": child.la_child_id}), {"_child_key": key}
        return
    if name.startswith("admin:"):
        yield from admin_urls(name, route, world)
        return
    if name in VARIANTS:
        # Rules for these pages read the key of the object in the URL as kwargs["_key"].
        for kwargs, key in VARIANTS[name](world):
            yield reverse(name, kwargs=kwargs), {**kwargs, "_key": key}
        return
    yield reverse(name), {}


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_SAMPLES = {"app_label": "workforce"}


def _existing_pk(route: str) -> str:
    """The key of a real object for admin/<app>/<model>/<object_id>/ routes, else "1"."""
    parts = route.split("/")
    if len(parts) > 3:
        try:
            model = apps.get_model(parts[1], parts[2])
        except (LookupError, ValueError):
            return "1"
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        return str(first) if first is not None else "1"
    return "1"


def admin_urls(name: str, route: str, world: World) -> Iterator[tuple[str, dict[str, Any]]]:
    """Admin routes with every parameter filled: a real object where the model has one."""
    path = route.replace("(?P<url>.*)$", "nothing-here/")
    path = re.sub(r"\^\(\?P<app_label>[^)]*\)/\$", "workforce/", path)
    pk = _existing_pk(route)
    yield "/" + _PARAM.sub(lambda m: _SAMPLES.get(m.group(1), pk), path), {}


def check(client: Client, url: str, expected: str, role: str) -> str | None:
    response = client.get(url)
    status = response.status_code
    location = response.get("Location", "")
    if role == "anonymous" and expected not in ("allow", "sign_in", "token", "missing"):
        # Anonymous people are sent to sign in (the admin goes through its own login address first).
        to_sign_in = location.startswith("/sign-in/") or location.startswith("/admin/login/")
        ok = (status == 302 and to_sign_in) or (status == 405 and expected == "method")
    elif expected == "allow":
        ok = status == 200
    elif expected == "redirect":
        ok = status == 302 and not location.startswith("/sign-in/")
    elif expected == "sign_in":
        ok = status == 302 and location.startswith("/sign-in/")
    elif expected == "method":
        ok = status == 405
    elif expected == "token":
        ok = status == 401 and response["Content-Type"] == "application/problem+json"
    elif expected == "admin":
        refused = _ADMIN_REFUSED.search(url) is not None
        ok = (status in (200, 302, 404, 405) and not location.startswith("/sign-in/")) or (refused and status == 403)
    else:
        ok = status == 404
    return None if ok else f"{role:10} {url} expected {expected}, got {status} {location}"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(world: World, role: str) -> None:
    client = world.client_for(role)
    failures = []
    for name, route in all_patterns():
        rule = rule_for(name)
        assert rule is not None
        for url, kwargs in url_variants(name, route, world):
            expected = rule(role, kwargs)
            problem = check(client, url, expected, role)
            if problem:
                failures.append(problem)
    assert not failures, "\n".join(failures)
