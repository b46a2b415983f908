from django.urls import path

from . import report_views, views
from .councillor_views import councillor_page

app_name = "scrutiny"

urlpatterns = [
    path("scrutiny/", views.reviews, name="reviews"),
    path("scrutiny/councillor/", councillor_page, name="councillor"),
    path("scrutiny/new/", views.review_new, name="review_new"),
    path("scrutiny/<int:review_id>/", views.review, name="review"),
    path("scrutiny/<int:review_id>/scope/", views.review_scope, name="review_scope"),
    path("scrutiny/<int:review_id>/members/add/", views.member_add, name="member_add"),
    path("scrutiny/<int:review_id>/officers/add/", views.officer_add, name="officer_add"),
    path("scrutiny/<int:review_id>/meetings/add/", views.meeting_add, name="meeting_add"),
    path("scrutiny/<int:review_id>/witnesses/add/", views.witness_add, name="witness_add"),
    path("scrutiny/<int:review_id>/evidence/add/", views.evidence_add, name="evidence_add"),
    path("scrutiny/<int:review_id>/findings/add/", views.finding_add, name="finding_add"),
    path("scrutiny/<int:review_id>/recommendations/add/", views.recommendation_add, name="recommendation_add"),
    path(
        "scrutiny/<int:review_id>/recommendations/<int:number>/response/",
        views.recommendation_respond,
        name="recommendation_respond",
    ),
    path("scrutiny/<int:review_id>/updates/add/", views.update_report_add, name="update_report_add"),
    path("scrutiny/<int:review_id>/reports/new/", report_views.report_new, name="report_new"),
    path("scrutiny/reports/", report_views.reports, name="reports"),
    path("scrutiny/reports/performance-pack/", report_views.pack_new, name="pack_new"),
    path("scrutiny/reports/<int:report_id>/", report_views.report, name="report"),
    path("scrutiny/reports/<int:report_id>/status/", report_views.report_status, name="report_status"),
    path("scrutiny/reports/<int:report_id>/download/", report_views.report_download, name="report_download"),
    path("scrutiny/reports/<int:report_id>/publish/", report_views.report_publish, name="report_publish"),
]
