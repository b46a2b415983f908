"""Accounts and records for the improvement tests."""

from __future__ import annotations

from openmash.accounts.models import Agency, Role, User, UserRole


def make_user(username: str, role: str, agency: str = Agency.CHILDRENS_SOCIAL_CARE) -> User:
    user = User.objects.create_user(username=username, password="a-long-test-password", agency=agency)
    UserRole.objects.create(user=user, role=role)
    return user


def manager(username: str = "sm") -> User:
    return make_user(username, Role.SERVICE_MANAGER)


def councillor(username: str = "cllr") -> User:
    return make_user(username, Role.SCRUTINY_MEMBER, Agency.DEMOCRATIC_SERVICES)
