"""The MASH's work (queue, contacts, matching, rating, checks, decisions, researchers' inbox)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
