from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("children/", views.child_search, name="child_search"),
    path("children/open-with-reason/", views.break_glass, name="break_glass"),
    path("children/<str:la_child_id>/", views.child_detail, name="child_detail"),
    path("children/<str:la_child_id>/who-has-seen/", views.child_audit, name="child_audit"),
    path("children/<str:la_child_id>/restrict/", views.restrict_record, name="restrict_record"),
    path("access/break-glass/", views.break_glass_reviews, name="break_glass_reviews"),
    path("access/audit-log/", views.audit_export, name="audit_export"),
    path("performance/headlines/", views.headlines, name="headlines"),
]
