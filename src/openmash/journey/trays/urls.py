"""Work trays: a social worker's "My work", a team manager's and a service manager's trays, and reallocation."""

from django.urls import URLPattern, URLResolver, path  # noqa: F401 - pages are added here

app_name = "trays"

urlpatterns: list[URLPattern | URLResolver] = []
