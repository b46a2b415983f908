"""The team structure, maintained from pages: services, teams, managers and workers."""

from django.urls import URLPattern, URLResolver, path  # noqa: F401 - pages are added here

app_name = "workforce"

urlpatterns: list[URLPattern | URLResolver] = []
