"""Finding a child and reading their record. Selectors fetch, check the policy and audit."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from openmash.access import policy
from openmash.access import selectors as access
from openmash.accounts.models import User

from .forms import ChildSearchForm, ChronologyFilterForm
from .record import child_page, chronology_for_printing

RESULTS_PER_PAGE = 20


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_safe
def child_search(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.may_see_children(user):
        raise Http404("Not found")  # the same answer as a page that does not exist
    form = ChildSearchForm(request.GET or None)
    page_obj = None
    if form.is_valid():
        page_obj = access.children_search(
            user=user, query=form.cleaned_data["q"], page=request.GET.get("page"), per_page=RESULTS_PER_PAGE
        )
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "journey/child_search.html",
        {"form": form, "page_obj": page_obj, "query_string": query_string.urlencode()},
    )


def _fetch_nothing(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    """The PDF's template carries its own styles; nothing is fetched while drawing it, from anywhere."""
    raise ValueError(f"Not fetched: {url[:60]}")


def _filter_form(request: HttpRequest) -> ChronologyFilterForm:
    asked = any(name in request.GET for name in ChronologyFilterForm.FIELDS)
    return ChronologyFilterForm(request.GET if asked else None)


@require_safe
def child_detail(request: HttpRequest, la_child_id: str) -> HttpResponse:
    form = _filter_form(request)
    page = child_page(user=_user(request), la_child_id=la_child_id, filters=form.filters())
    return render(
        request,
        "journey/child_detail.html",
        {"page": page, "child": page.child, "form": form, "query_string": request.GET.urlencode()},
    )


@require_safe
def chronology_pdf(request: HttpRequest, la_child_id: str) -> HttpResponse:
    """The chronology (as filtered on the record) as a PDF to print or take to a meeting."""
    form = _filter_form(request)
    if form.is_bound and not form.is_valid():
        # Nothing is printed: the record page says what is wrong with the filters.
        response = child_detail(request, la_child_id)
        response.status_code = 400
        return response
    printed = chronology_for_printing(user=_user(request), la_child_id=la_child_id, filters=form.filters())
    # Imported here: WeasyPrint loads Pango and its fonts, which only this page needs.
    from weasyprint import HTML

    html = render_to_string(
        "journey/chronology_pdf.html", {"printed": printed, "printed_at": timezone.localtime()}, request=request
    )
    pdf = HTML(string=html, url_fetcher=_fetch_nothing).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="chronology-{printed.child.la_child_id}-{timezone.localdate():%Y-%m-%d}.pdf"'
    )
    return response
