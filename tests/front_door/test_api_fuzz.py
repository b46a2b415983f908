"""Schema-driven fuzzing of the partner API: schemathesis reads the app's own OpenAPI schema and sends every
operation valid and invalid requests (through the WSGI application, with a live token). No answer may be a
server error. A longer run by hand: FUZZ_EXAMPLES=1000 make pytest PYTEST_ARGS="tests/front_door/test_api_fuzz.py".
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

from openmash.accounts.models import Agency
from openmash.front_door.models import Contact

from .api_helpers import Partners, build_partners, call, contact_body, enquiry_with_requests, registered_child

# Per operation and mode (valid and invalid requests): 25 + 25 = 50 generated requests per operation.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))


@dataclass
class FuzzWorld:
    partners: Partners
    references: list[str]
    request_ids: list[int]


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would end the test's
    transaction on PostgreSQL; Django's test client stops it the same way (and connects it again after each
    of its own requests, so this wraps only the generated ones)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(db: None, settings: Any) -> FuzzWorld:
    """Health's system with contacts of its own and open requests to answer, so that generated requests
    sometimes reach real objects (alongside police's, which it must not)."""
    settings.OPENMASH_API_REQUESTS_PER_MINUTE = 0
    partners = build_partners()
    references, request_ids = [], []
    for n in range(5):
        key = partners.health_key if n % 2 == 0 else partners.police_key
        response = call("POST", "/contacts", key, contact_body())
        references.append(response.json()["reference"])
        contact = Contact.objects.get(reference=references[-1])
        child = registered_child(partners.mash, n)
        request_ids += [r.pk for r in enquiry_with_requests(partners.mash, contact, child, [Agency.HEALTH])]
    return FuzzWorld(partners, references, request_ids)


# Every operation in the schema (a test below checks this list is complete), in both of schemathesis's modes:
# requests that fit the schema and requests that break it.
OPERATIONS = [
    ("POST", "/api/v1/contacts"),
    ("GET", "/api/v1/contacts"),
    ("GET", "/api/v1/contacts/{reference}"),
    ("GET", "/api/v1/information-requests"),
    ("POST", "/api/v1/information-requests/{request_id}/answer"),
]
requests_made: Counter[str] = Counter()


def test_the_fuzzed_operations_are_all_the_schemas(db: None) -> None:
    with connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    found = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize("mode", list(GenerationMode))
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_server_error_on_any_generated_request(fuzz_world: FuzzWorld, method: str, path: str, mode: str) -> None:
    with connection_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operation = schema[path][method]
    auth = {"Authorization": f"Bearer {fuzz_world.partners.health_key}"}
    turn = itertools.count()

    @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize="FUZZ_EXAMPLES" not in os.environ,
        database=None,
    )
    def fuzz(case: Any) -> None:
        # Every other case is steered towards success: a real id or reference in place of a generated one,
        # and a contact the front door accepts (a generated date of birth or NHS number almost never is),
        # so the paths that find, write and store are fuzzed too, not only the refusals.
        if next(turn) % 2:
            n = sum(requests_made.values())
            if "reference" in (case.path_parameters or {}):
                case.path_parameters["reference"] = fuzz_world.references[n % len(fuzz_world.references)]
            if "request_id" in (case.path_parameters or {}):
                case.path_parameters["request_id"] = fuzz_world.request_ids[n % len(fuzz_world.request_ids)]
            if path == "/api/v1/contacts" and method == "POST" and mode == GenerationMode.POSITIVE:
                _plausible(case.body)
                if "Idempotency-Key" in (case.headers or {}):
                    case.headers["Idempotency-Key"] = f"fuzz-{n}"  # a generated key is soon used twice
        response = case.call_and_validate(headers=auth, checks=[not_a_server_error])
        requests_made[f"{method} {path} {mode} {response.status_code}"] += 1

    with connection_kept_open():
        fuzz()


def _plausible(body: dict[str, Any]) -> None:
    """Keep what was generated, but make the facts the front door checks beyond the schema pass its checks."""
    child = body["child"]
    if not (child.get("first_name", "").strip() or child.get("last_name", "").strip()):
        child["first_name"] = "Ava"
    child["date_of_birth"] = "2016-05-04" if child.get("date_of_birth") else None
    child["nhs_number"] = "9434765919" if child.get("nhs_number") else ""
    child["upn"] = ""
    child["postcode"] = "ZZ1 1ZZ" if child.get("postcode") else ""
    if len(body["concern"].strip()) < 10:
        body["concern"] = "A concern about the child " + body["concern"][:9000]
    for adult in body.get("adults", []):
        if not (adult.get("first_name", "").strip() or adult.get("last_name", "").strip()):
            adult["last_name"] = "Testadult"


def teardown_module() -> None:
    print(f"\nfuzz: {sum(requests_made.values())} requests")
    for outcome, count in sorted(requests_made.items()):
        print(f"fuzz: {outcome}: {count}")
