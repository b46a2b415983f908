"""Oversight of the front door: today's flow, overdue contacts, the disclosure ledger and early help."""

from django.urls import path

from . import views

urlpatterns = [
    path("front-door/today/", views.flow, name="flow"),
    path("front-door/today/overdue/", views.flow_overdue, name="flow_overdue"),
    path("front-door/disclosures/", views.disclosures, name="disclosures"),
    path("front-door/early-help/", views.early_help, name="early_help"),
    path("front-door/early-help/<int:package_id>/close/", views.early_help_close, name="early_help_close"),
]
