"""Top-level URLs: each domain brings its own pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("openmash.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("openmash.access.urls")),
    path("", include("openmash.journey.urls")),
    path("", include("openmash.front_door.urls")),
    path("", include("openmash.casework.urls")),
    path("", include("openmash.casework.recording.urls")),
    path("", include("openmash.protection.urls")),
    path("", include("openmash.journey.trays.urls")),
    path("", include("openmash.workforce.urls")),
    path("api/v1/", include("openmash.front_door.api.urls")),
    path("", include("openmash.performance.urls")),
    path("", include("openmash.returns.urls")),
    path("", include("openmash.improvement.urls")),
    path("", include("openmash.scrutiny.urls")),
    path("", include("openmash.web.urls")),
]
