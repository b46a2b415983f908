"""Oversight (manager's flow, disclosure ledger, early help): pages of the front door."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
