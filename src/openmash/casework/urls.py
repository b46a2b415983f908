"""Casework pages: the referrals waiting for allocation (the Advice and Assessment queue) and allocating; a
referral with its single assessment, child in need plans and closure."""

from django.urls import path

from . import views

app_name = "casework"

urlpatterns = [
    path("referrals/waiting/", views.queue, name="queue"),
    path("referrals/<int:referral_id>/allocate/", views.allocate, name="allocate"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral"),
    path("referrals/<int:referral_id>/assessment/start/", views.assessment_start, name="assessment_start"),
    path("referrals/<int:referral_id>/cin-plan/start/", views.cin_plan_start, name="cin_plan_start"),
    path("referrals/<int:referral_id>/close/", views.referral_close, name="referral_close"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:assessment_id>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:assessment_id>/draft/", views.assessment_draft, name="assessment_draft"),
    path("assessments/<int:assessment_id>/check/", views.assessment_check, name="assessment_check"),
    path("assessments/<int:assessment_id>/authorise/", views.assessment_decide, name="assessment_decide"),
    path("assessments/<int:assessment_id>/outcome/", views.assessment_outcome, name="assessment_outcome"),
    path("cin-plans/<int:plan_id>/end/", views.cin_plan_end, name="cin_plan_end"),
]
