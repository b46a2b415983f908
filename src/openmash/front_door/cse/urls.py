"""Child sexual exploitation and cumulative concern: pages of the front door."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
