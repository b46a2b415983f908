"""Ways in (public report, professional referral, referrer survey): pages of the front door."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    # Public: no sign-in.
    path("report-a-concern/", views.report, name="report"),
    path("report-a-concern/check/", views.report_check, name="report_check"),
    path("report-a-concern/sent/", views.report_done, name="report_done"),
    path("survey/<str:token>/", views.survey, name="survey"),
    path("survey-answered/", views.survey_thanks, name="survey_thanks"),
    # Signed-in professionals.
    path("refer/", views.refer, name="refer"),
    path("refer/draft/", views.refer_draft, name="refer_draft"),
    path("refer/check/", views.refer_check, name="refer_check"),
    path("refer/sent/", views.refer_done, name="refer_done"),
    path("referrals/", views.my_referrals, name="my_referrals"),
    path("referrals/<str:reference>/survey/", views.referral_survey, name="referral_survey"),
]
