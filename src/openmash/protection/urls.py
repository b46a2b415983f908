"""Strategy discussions, Section 47 enquiries, conferences and child protection plans."""

from django.urls import URLPattern, URLResolver, path  # noqa: F401 - pages are added here

app_name = "protection"

urlpatterns: list[URLPattern | URLResolver] = []
