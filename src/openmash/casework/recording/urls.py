"""Visits to the child and case notes."""

from django.urls import URLPattern, URLResolver, path

import openmash.core.urls  # noqa: F401 - registers the la_child_id converter

from . import views

app_name = "recording"

urlpatterns: list[URLPattern | URLResolver] = [
    path("children/<la_child_id:la_child_id>/visits/", views.visits, name="visits"),
    path("children/<la_child_id:la_child_id>/visits/new/", views.visit_new, name="visit_new"),
    path("children/<la_child_id:la_child_id>/notes/", views.notes, name="notes"),
    path("children/<la_child_id:la_child_id>/notes/new/", views.note_new, name="note_new"),
    path("children/<la_child_id:la_child_id>/notes/draft/", views.note_draft, name="note_draft"),
    path("case-notes/<int:note_id>/edit/", views.note_edit, name="note_edit"),
    path("case-notes/<int:note_id>/draft/", views.note_edit_draft, name="note_edit_draft"),
]
