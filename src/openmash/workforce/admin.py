from django.contrib import admin

from .models import Service, StaffMember, Team


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "kind"]
    list_filter = ["service", "kind"]
    search_fields = ["name"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "team", "job_role", "fte", "is_case_holder", "is_agency", "end_date"]
    list_filter = ["team", "job_role", "is_case_holder", "is_agency"]
    search_fields = ["last_name", "first_name"]
    autocomplete_fields = ["user", "team"]
