"""Visits to the child and case notes."""

from django.urls import URLPattern, URLResolver, path  # noqa: F401 - pages are added here

app_name = "recording"

urlpatterns: list[URLPattern | URLResolver] = []
