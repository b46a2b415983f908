"""The structure is maintained from its own pages (/structure/), whose services check the access policy, refuse
impossible changes (ending a worker who still holds children) and write the audit trail; the admin has none
of that, so here it only shows the records."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Service, StaffMember, Team


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(ReadOnly):
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(ReadOnly):
    list_display = ["name", "service", "kind"]
    list_filter = ["service", "kind"]
    search_fields = ["name"]


@admin.register(StaffMember)
class StaffMemberAdmin(ReadOnly):
    list_display = ["last_name", "first_name", "team", "job_role", "fte", "is_case_holder", "is_agency", "end_date"]
    list_filter = ["team", "job_role", "is_case_holder", "is_agency"]
    search_fields = ["last_name", "first_name"]
