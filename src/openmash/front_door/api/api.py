"""The partner API's endpoints, mounted at /api/v1/. Each is thin: it reads the token, calls a selector or a
service, and shapes the answer. Errors are RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Header, NinjaAPI, Path, Query, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from openmash.core.errors import ServiceError
from openmash.front_door import services as front_door
from openmash.front_door.models import Contact, InformationRequest, PartnerApiToken

from . import selectors, services
from .schemas import (
    AnswerIn,
    AnswerRecorded,
    ContactDetail,
    ContactIn,
    ContactPage,
    ContactReceived,
    ContactStatus,
    InformationRequestPage,
    Problem,
)

DESCRIPTION = """\
For partner agencies' own case systems: send contacts to the Multi-Agency Safeguarding Hub (MASH), follow
what happened to them, and answer the MASH's requests for your agency's checks.

Every request carries your agency's key: `Authorization: Bearer om_...`. The guide for partners is
docs/api.md in the OpenMASH source.
"""

_LARGEST_ID = 2**63 - 1


class PartnerToken(HttpBearer):
    """`Authorization: Bearer <key>`: the key of one of the agency's tokens."""

    def authenticate(self, request: HttpRequest, token: str) -> PartnerApiToken | None:
        return services.token_for_key(token)


class PerTokenRate(BaseThrottle):
    """At most OPENMASH_API_REQUESTS_PER_MINUTE requests a minute for each token (0: no limit).

    Counted in Django's cache: per server process with the default in-memory cache, across processes with a
    shared cache."""

    def allow_request(self, request: HttpRequest) -> bool:
        limit = int(getattr(settings, "OPENMASH_API_REQUESTS_PER_MINUTE", 0))
        if limit <= 0:
            return True
        token: PartnerApiToken = request.auth  # type: ignore[attr-defined]
        key = f"partner-api-rate:{token.pk}:{int(time.time() // 60)}"
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=120)
            count = 1
        return count <= limit

    def wait(self) -> float:
        return 60 - time.time() % 60


class PartnerAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        return str(operation.view_func.__name__)  # contacts_send, not the module path

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        """The generated schema, with error answers under their own media type, problem+json."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        answer["content"] = {"application/problem+json": content["application/json"]}
        return schema


api = PartnerAPI(
    title="OpenMASH partner API",
    version="1",
    description=DESCRIPTION,
    # No docs page: ninja's loads Swagger UI from a CDN, which the Content-Security-Policy forbids.
    docs_url=None,
    urls_namespace="api",
    auth=PartnerToken(),
    throttle=PerTokenRate(),
)


# Errors ------------------------------------------------------------------------------------------

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    422: "The request has errors",
    429: "Too many requests",
}


def problem(
    status: int, detail: str, errors: Iterable[tuple[str, str]] = (), headers: dict[str, str] | None = None
) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": [{"field": field, "message": message} for field, message in errors],
    }
    response = HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class Conflict(Exception):
    """The request is well formed but the object is no longer in a state to take it."""


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        401,
        "Send your agency's API key as 'Authorization: Bearer <key>'. The key is unknown, revoked or no longer "
        "valid, or none was sent.",
        headers={"WWW-Authenticate": 'Bearer realm="OpenMASH partner API"'},
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 429:
        return problem(429, "Too many requests from this token: wait a minute and try again.")
    if exc.status_code == 400:
        return problem(400, "The request body is not valid JSON.")
    return problem(exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(404, str(exc) or "Not found")


@api.exception_handler(selectors.Forbidden)
def _forbidden(request: HttpRequest, exc: selectors.Forbidden) -> HttpResponse:
    return problem(403, str(exc))


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return problem(409, str(exc))


@api.exception_handler(DataError)
def _data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    return problem(400, "A value cannot be stored: check for NUL characters and numbers that are too large.")


# Clearer words than the validation library's for the mistakes partners' systems make most.
_MESSAGES = {
    "missing": "This field is required",
    "extra_forbidden": "Unknown field: check its name against the schema",
    "string_type": "Must be text",
    "bool_type": "Must be true or false",
    "int_parsing": "Must be a whole number",
    "int_type": "Must be a whole number",
    "list_type": "Must be a list",
    "model_attributes_type": "Must be an object",
    "dict_type": "Must be an object",
    "date_from_datetime_parsing": "Enter a real date as YYYY-MM-DD",
    "date_from_datetime_inexact": "Enter a real date as YYYY-MM-DD",
    "date_parsing": "Enter a real date as YYYY-MM-DD",
}


def _field(loc: tuple[Any, ...]) -> str:
    # ("body", "payload", "child", "date_of_birth") -> "child.date_of_birth"; ("query", "page") -> "page".
    parts = list(loc[1:])
    if loc and loc[0] == "body" and parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or str(loc[0] if loc else "")


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "string_too_long":
        return f"Must be {ctx.get('max_length')} characters or fewer"
    if kind == "string_too_short":
        return (
            "This field is required"
            if ctx.get("min_length") == 1
            else f"Must be at least {ctx.get('min_length')} characters"
        )
    if kind == "too_long":
        return f"No more than {ctx.get('max_length')} items"
    if kind in ("enum", "literal_error"):
        return f"Must be one of: {ctx.get('expected', '')}"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    return _MESSAGES.get(kind, str(error.get("msg", "Not valid")))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [(_field(tuple(e.get("loc", ()))), _message(e)) for e in exc.errors]
    detail = "; ".join(f"{field}: {message}" for field, message in errors[:5])
    return problem(422, detail or "The request is not valid", errors)


_CONTACT_FIELDS = {
    "subject_first_name": "child.first_name",
    "subject_last_name": "child.last_name",
    "subject_date_of_birth": "child.date_of_birth",
    "subject_nhs_number": "child.nhs_number",
    "subject_upn": "child.upn",
    "subject_address": "child.address",
    "subject_postcode": "child.postcode",
    "subject_age": "child.age",
    "summary": "concern",
    "referrer_name": "referrer",
}


def _refused(error: ServiceError, fields: dict[str, str]) -> HttpResponse:
    field = fields.get(error.field or "", error.field or "")
    return problem(422, error.message, [(field, error.message)] if field else [])


# Contacts ----------------------------------------------------------------------------------------

_ERRORS = {401: Problem, 422: Problem, 429: Problem}


def _token(request: HttpRequest) -> PartnerApiToken:
    return request.auth  # type: ignore[attr-defined]


def _fingerprint(payload: ContactIn) -> str:
    return hashlib.sha256(payload.model_dump_json().encode()).hexdigest()


@api.post(
    "/contacts",
    response={201: ContactReceived, 400: Problem, **_ERRORS},
    url_name="contacts_send",
    summary="Send a contact",
    tags=["Contacts"],
)
def contacts_send(
    request: HttpRequest,
    payload: ContactIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=200,
        pattern=r"^[!-~]+$",
        description="Any unique string for this contact (a UUID, say): a retry with the same key and the same "
        "contact creates nothing new and answers with the first contact's reference",
    ),
) -> Any:
    """Send a concern about a child to the MASH. It arrives at once in the MASH's queue; the answer carries
    the reference to quote if you call. Bad input creates nothing."""
    try:
        sent = services.contact_send(
            token=_token(request),
            child=front_door.ReportedChild(**payload.child.model_dump()),
            summary=payload.concern,
            referrer=front_door.Referrer(**payload.referrer.model_dump()),
            immediate_risk=payload.immediate_risk,
            parents_aware=payload.parents_aware or "",
            adults=[front_door.ReportedAdult(**a.model_dump()) for a in payload.adults],
            idempotency_key=idempotency_key or "",
            fingerprint=_fingerprint(payload),
        )
    except ServiceError as error:
        return _refused(error, _CONTACT_FIELDS)
    contact = sent.contact
    response["Location"] = reverse("api:contacts_detail", kwargs={"reference": contact.reference})
    if sent.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(201, {"reference": contact.reference, "received_at": contact.received_at})


def _contact_summary(contact: Contact) -> dict[str, Any]:
    return {
        "reference": contact.reference,
        "received_at": contact.received_at,
        "channel": contact.channel,
        "child": {
            "first_name": contact.subject_first_name,
            "last_name": contact.subject_last_name,
            "date_of_birth": contact.subject_date_of_birth,
        },
        "status": selectors.contact_status(contact),
        "decided_at": contact.decided_at,
        "outcome": selectors.contact_outcome(contact),
    }


@api.get(
    "/contacts",
    response={200: ContactPage, **_ERRORS},
    url_name="contacts_list",
    summary="Your contacts",
    tags=["Contacts"],
)
def contacts_list(
    request: HttpRequest,
    page: int = Query(1, ge=1, le=1_000_000, description="Pages of 50, newest first"),
    status: ContactStatus | None = Query(None, description="Only contacts in this state"),  # noqa: B008
) -> Any:
    """The contacts your agency sent (through this API or its staff's referral form), newest first, with what
    the MASH may tell you of its decision."""
    found = selectors.contact_page(token=_token(request), page=page, status=status)
    return {
        "count": found.count,
        "page": found.page,
        "pages": found.pages,
        "results": [_contact_summary(c) for c in found.items],
    }


@api.get(
    "/contacts/{reference}",
    response={200: ContactDetail, 404: Problem, **_ERRORS},
    url_name="contacts_detail",
    summary="One of your contacts",
    tags=["Contacts"],
)
def contacts_detail(request: HttpRequest, reference: str = Path(..., max_length=100)) -> Any:
    """One contact your agency sent, by its reference. A reference that is not your agency's is not found."""
    contact = selectors.own_contact(token=_token(request), reference=reference)
    summary = _contact_summary(contact)
    summary["child"].update(
        nhs_number=contact.subject_nhs_number,
        upn=contact.subject_upn,
        address=contact.subject_address,
        postcode=contact.subject_postcode,
        school=contact.subject_school,
        age=contact.subject_age,
    )
    return {
        **summary,
        "concern": contact.summary,
        "immediate_risk": contact.immediate_risk,
        "referrer_name": contact.referrer_name,
    }


# Information requests ----------------------------------------------------------------------------


@api.get(
    "/information-requests",
    response={200: InformationRequestPage, 403: Problem, **_ERRORS},
    url_name="information_requests_list",
    summary="Open requests for your agency's checks",
    tags=["Information requests"],
)
def information_requests_list(
    request: HttpRequest,
    page: int = Query(1, ge=1, le=1_000_000, description="Pages of 50, soonest due first"),
) -> Any:
    """The MASH's open requests for your agency's checks, soonest due first, with what you need to find the
    child in your records. Only an agency researcher's token may read them."""
    found = selectors.open_request_page(token=_token(request), page=page)
    return {
        "count": found.count,
        "page": found.page,
        "pages": found.pages,
        "results": [
            {
                "id": r.pk,
                "requested_at": r.requested_at,
                "due_at": r.due_at,
                "overdue": selectors.is_overdue(r),
                "question": r.question,
                "child": asdict(selectors.request_child(r)),
            }
            for r in found.items
        ],
    }


@api.post(
    "/information-requests/{request_id}/answer",
    response={201: AnswerRecorded, 400: Problem, 403: Problem, 404: Problem, 409: Problem, **_ERRORS},
    url_name="information_requests_answer",
    summary="Answer a request",
    tags=["Information requests"],
)
def information_requests_answer(
    request: HttpRequest,
    payload: AnswerIn,
    request_id: int = Path(..., ge=1, le=_LARGEST_ID),
) -> Any:
    """Answer one of the MASH's requests for your agency's checks, choosing who may read the answer. Only an
    agency researcher's token may answer."""
    token = _token(request)
    found: InformationRequest = selectors.request_to_answer(token=token, request_id=request_id)
    if found.status != InformationRequest.Status.OPEN:
        raise Conflict("This request has already been answered or was withdrawn")
    if found.contact.child_id is None:
        raise Conflict("The MASH has not yet confirmed who this child is: try again later")
    try:
        contribution = services.request_answer(
            token=token,
            request=found,
            answer=payload.answer,
            sharing_level=payload.sharing_level,
            shared_with=payload.shared_with,
        )
    except ServiceError as error:
        return _refused(error, {"summary": "answer"})
    found.refresh_from_db(fields=["answered_at"])
    return Status(
        201,
        {
            "id": found.pk,
            "status": "answered",
            "answered_at": found.answered_at,
            "sharing_level": contribution.sharing_level,
            "shared_with": sorted(contribution.shares.values_list("agency", flat=True)),
        },
    )
