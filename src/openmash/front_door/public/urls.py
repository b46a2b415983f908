"""Ways in (public report, professional referral, referrer survey): pages of the front door."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
