from django.urls import path, re_path

from . import views

app_name = "performance"

urlpatterns = [
    path("performance/", views.scorecard_page, name="scorecard"),
    path("performance/headlines/", views.headlines, name="headlines"),
    re_path(r"^performance/scorecard\.(?P<fmt>csv|xlsx)$", views.download, name="download"),
    path("performance/indicators/<slug:indicator_id>/", views.indicator, name="indicator"),
    path("performance/<str:period_key>/freeze/", views.freeze, name="freeze"),
    path("performance/<str:period_key>/<slug:indicator_id>/children/", views.children, name="children"),
    path("performance/<str:period_key>/<slug:indicator_id>/narrative/", views.narrative, name="narrative"),
]
