"""The front door's pages, one area each: ways in for the public and professionals, the MASH's own work,
oversight for managers and information governance, and child sexual exploitation."""

from django.urls import include, path

import openmash.core.urls  # noqa: F401 - registers the la_child_id converter

app_name = "front_door"

urlpatterns = [
    path("", include("openmash.front_door.public.urls")),
    path("", include("openmash.front_door.mash.urls")),
    path("", include("openmash.front_door.oversight.urls")),
    path("", include("openmash.front_door.cse.urls")),
]
