"""Work trays: a social worker's "My work", a team manager's and a service manager's trays, and reallocation."""

from django.urls import URLPattern, URLResolver, path

import openmash.core.urls  # noqa: F401 - registers the la_child_id converter

from . import views

app_name = "trays"

urlpatterns: list[URLPattern | URLResolver] = [
    path("my-work/", views.my_work, name="my_work"),
    path("teams/<int:team_id>/work/", views.team, name="team"),
    path("services/<int:service_id>/work/", views.service, name="service"),
    path("children/<la_child_id:la_child_id>/reallocate/", views.reallocate, name="reallocate"),
]
