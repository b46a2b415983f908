from django.urls import path

from . import views

app_name = "performance"

urlpatterns = [
    path("performance/headlines/", views.headlines, name="headlines"),
]
