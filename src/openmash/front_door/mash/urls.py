"""The MASH's work (queue, contacts, matching, rating, checks, decisions, researchers' inbox): pages of the front door."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
