"""Demo sign-ins for trying the system with the synthetic borough.

Only available when OPENMASH_DEMO is switched on; production settings never create these.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction

from openmash.workforce.models import StaffMember

from .models import User


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    password: str
    description: str
    job_role: str = ""
    is_superuser: bool = False

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("job_role")
        return data


DEMO_ACCOUNTS = [
    DemoAccount("sw.demo", "Sam", "Walker", "demo-social-worker-2026", "Social worker", "social_worker"),
    DemoAccount("tm.demo", "Priya", "Shah", "demo-team-manager-2026", "Team manager", "team_manager"),
    DemoAccount("admin.demo", "Alex", "Morgan", "demo-administrator-2026", "System administrator", is_superuser=True),
]


class DemoNotEnabled(RuntimeError):
    pass


@transaction.atomic
def ensure_demo_users() -> list[DemoAccount]:
    """Create or refresh the demo accounts, linking case holders to staff in the demo borough."""
    if not getattr(settings, "OPENMASH_DEMO", False):
        raise DemoNotEnabled("Demo accounts can only be created with OPENMASH_DEMO switched on")
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=account.username)
        user.first_name, user.last_name = account.first_name, account.last_name
        user.is_staff = user.is_superuser = account.is_superuser
        user.set_password(account.password)
        user.save()
        if account.job_role and not hasattr(user, "staff"):
            staff = (
                StaffMember.objects.filter(job_role=account.job_role, user__isnull=True, end_date__isnull=True)
                .order_by("id")
                .first()
            )
            if staff is not None:
                staff.user = user
                staff.save(update_fields=["user", "updated_at"])
    return DEMO_ACCOUNTS
