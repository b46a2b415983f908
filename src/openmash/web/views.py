"""Pages for finding a child and reading their record. Views are thin: selectors do the reading."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from openmash.casework.selectors import child_chronology
from openmash.people.models import Child
from openmash.people.selectors import child_search as search_children

from .forms import ChildSearchForm

RESULTS_PER_PAGE = 20


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return redirect("web:child_search")


@require_safe
@login_required
def child_search(request: HttpRequest) -> HttpResponse:
    form = ChildSearchForm(request.GET or None)
    page_obj = None
    if form.is_valid():
        paginator = Paginator(search_children(query=form.cleaned_data["q"]), RESULTS_PER_PAGE)
        page_obj = paginator.get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "web/child_search.html",
        {"form": form, "page_obj": page_obj, "query_string": query_string.urlencode()},
    )


@require_safe
@login_required
def child_detail(request: HttpRequest, la_child_id: str) -> HttpResponse:
    child = Child.objects.filter(la_child_id=la_child_id).prefetch_related("disabilities").first()
    if child is None:
        raise Http404("No child with that ID")
    relationships = child.relationships.select_related("adult", "other_child").order_by("relationship_type", "id")
    return render(
        request,
        "web/child_detail.html",
        {"child": child, "chronology": child_chronology(child=child), "relationships": relationships},
    )
