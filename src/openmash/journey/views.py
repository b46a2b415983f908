"""Finding a child and reading their record. Selectors fetch, check the policy and audit."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from openmash.access import policy
from openmash.access import selectors as access
from openmash.accounts.models import User

from .forms import ChildSearchForm
from .record import child_page

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


@require_safe
def child_detail(request: HttpRequest, la_child_id: str) -> HttpResponse:
    page = child_page(user=_user(request), la_child_id=la_child_id)
    return render(request, "journey/child_detail.html", {"page": page, "child": page.child})
