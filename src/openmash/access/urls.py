from django.urls import path

import openmash.core.urls  # noqa: F401 - registers the la_child_id converter

from . import views

app_name = "access"

urlpatterns = [
    path("children/open-with-reason/", views.break_glass, name="break_glass"),
    path("children/<la_child_id:la_child_id>/who-has-seen/", views.child_audit, name="child_audit"),
    path("children/<la_child_id:la_child_id>/restrict/", views.restrict_record, name="restrict_record"),
    path("access/break-glass/", views.break_glass_reviews, name="break_glass_reviews"),
    path("access/audit-log/", views.audit_export, name="audit_export"),
]
