"""The team structure, maintained from pages: services, teams, managers and workers."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "workforce"

urlpatterns: list[URLPattern | URLResolver] = [
    path("structure/", views.structure, name="structure"),
    path("structure/services/", views.services_list, name="services"),
    path("structure/services/add/", views.service_add, name="service_add"),
    path("structure/services/<int:service_id>/", views.service_edit, name="service_edit"),
    path("structure/teams/add/", views.team_add, name="team_add"),
    path("structure/teams/<int:team_id>/", views.team, name="team"),
    path("structure/teams/<int:team_id>/edit/", views.team_edit, name="team_edit"),
    path("structure/staff/add/", views.worker_add, name="worker_add"),
    path("structure/staff/<int:worker_id>/", views.worker_edit, name="worker_edit"),
]
