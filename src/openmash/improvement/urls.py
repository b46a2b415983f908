from django.urls import path

from . import views

app_name = "improvement"

urlpatterns = [
    path("improvement/", views.plans, name="plans"),
    path("improvement/plans/new/", views.plan_create, name="plan_create"),
    path("improvement/plans/<int:plan_id>/", views.plan, name="plan"),
    path("improvement/plans/<int:plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("improvement/plans/<int:plan_id>/actions/new/", views.action_add, name="action_add"),
    path("improvement/plans/<int:plan_id>/action-plan.xlsx", views.plan_export, name="plan_export"),
    path("improvement/actions/<int:action_id>/", views.action, name="action"),
    path("improvement/actions/<int:action_id>/edit/", views.action_edit, name="action_edit"),
    path("improvement/actions/<int:action_id>/progress/", views.progress, name="progress"),
    path("improvement/overdue-and-off-track/", views.attention, name="attention"),
    path("improvement/inspections/", views.inspections, name="inspections"),
    path("improvement/inspections/compare/", views.compare, name="compare"),
    path("improvement/inspections/new/", views.inspection_create, name="inspection_create"),
    path("improvement/inspections/load/", views.inspections_load, name="inspections_load"),
    path("improvement/inspections/<int:inspection_id>/", views.inspection, name="inspection"),
    path(
        "improvement/inspections/<int:inspection_id>/action-plan/",
        views.plan_from_inspection,
        name="plan_from_inspection",
    ),
]
