from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from .models import User


class AccountAdmin(UserAdmin):
    """Accounts are deactivated (untick "Active"), never deleted: the audit trail and the change history
    name the people who acted, and the database refuses to change either."""

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False


admin.site.register(User, AccountAdmin)
admin.site.site_header = "OpenMASH administration"
admin.site.site_title = "OpenMASH administration"
