"""Strategy discussions, Section 47 enquiries, conferences and child protection plans."""

from django.urls import URLPattern, URLResolver, path

import openmash.core.urls  # noqa: F401 - registers the la_child_id converter

from . import views

app_name = "protection"

urlpatterns: list[URLPattern | URLResolver] = [
    path("referrals/<int:referral_id>/strategy-discussion/", views.strategy_new, name="strategy_new"),
    path("referrals/<int:referral_id>/section-47/", views.s47_new, name="s47_new"),
    path("section-47/<int:enquiry_id>/", views.s47, name="s47"),
    path("section-47/<int:enquiry_id>/conference/", views.conference, name="conference"),
    path("section-47/<int:enquiry_id>/conference/draft/", views.conference_draft, name="conference_draft"),
    path("cp-plans/<int:plan_id>/", views.plan, name="plan"),
    path("cp-plans/<int:plan_id>/reviews/new/", views.review_new, name="review_new"),
    path("cp-plans/<int:plan_id>/end/", views.plan_end, name="plan_end"),
    path("children/<la_child_id:la_child_id>/cp-plans-elsewhere/", views.prior_plan_new, name="prior_plan_new"),
    path(
        "children/<la_child_id:la_child_id>/emergency-protection/",
        views.emergency_protection_new,
        name="emergency_protection_new",
    ),
]
