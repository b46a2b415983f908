from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("children/", views.child_search, name="child_search"),
    path("children/<str:la_child_id>/", views.child_detail, name="child_detail"),
]
