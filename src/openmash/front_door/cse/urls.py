"""Child sexual exploitation and cumulative concern: pages of the front door."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("cse/", views.cse_queue, name="cse_queue"),
    path("cse/screen/", views.cse_screen, name="cse_screen"),
    path("cse/cases/<int:case_id>/", views.cse_case, name="cse_case"),
    path("cumulative-concern/", views.concerns, name="concerns"),
    path("cumulative-concern/<int:alert_id>/", views.concern, name="concern"),
]
