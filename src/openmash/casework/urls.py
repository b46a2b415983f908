"""Casework pages: the referrals waiting for allocation (the Advice and Assessment queue) and allocating."""

from django.urls import path

from . import views

app_name = "casework"

urlpatterns = [
    path("referrals/waiting/", views.queue, name="queue"),
    path("referrals/<int:referral_id>/allocate/", views.allocate, name="allocate"),
]
