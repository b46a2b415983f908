from django.urls import path

import openmash.core.urls  # noqa: F401 - registers the la_child_id converter

from . import views

app_name = "journey"

urlpatterns = [
    path("children/", views.child_search, name="child_search"),
    path("children/<la_child_id:la_child_id>/", views.child_detail, name="child_detail"),
    path("children/<la_child_id:la_child_id>/chronology.pdf", views.chronology_pdf, name="chronology_pdf"),
]
