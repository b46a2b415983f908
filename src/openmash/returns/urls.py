from django.urls import path

from . import views

app_name = "returns"

urlpatterns = [
    path("returns/data-quality/", views.data_quality, name="data_quality"),
    path(
        "returns/data-quality/records/<slug:record_type>/<int:record_id>/",
        views.correct,
        name="correct",
    ),
]
