from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def home(request: HttpRequest) -> HttpResponse:
    return redirect("web:child_search")


def child_search(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


def child_detail(request: HttpRequest, la_child_id: str) -> HttpResponse:
    return HttpResponse("")
