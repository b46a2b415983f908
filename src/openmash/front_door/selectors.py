"""Reading what agencies told the MASH about a child, through the access policy."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from openmash.access import policy
from openmash.access.policy import Basis
from openmash.accounts.models import Role, User
from openmash.people.models import Child

from .models import AgencyContribution, Contact, SharingLevel


def visible_contributions(*, user: User, child: Child, basis: Basis | None) -> QuerySet[AgencyContribution]:
    """Agency contributions about the child this user may read, given the basis on which they see the child.

    MASH-wide sight ("MASH practitioners only" items) belongs to the MASH basis alone: an open or recent
    MASH contact. On any other basis a partner reads their own agency's items and those shared to their
    agency; the child's social care team also reads what was shared for safeguarding.
    """
    if basis is None:
        return AgencyContribution.objects.none()
    qs = AgencyContribution.objects.filter(child=child)
    if basis == Basis.MASH and user.has_role(Role.MASH_PRACTITIONER):
        return qs
    own_or_shared = Q(agency=user.agency) | Q(sharing_level=SharingLevel.PARTNERS, shares__agency=user.agency)
    if policy.is_childrens_social_care(user) and user.has_role(*policy.CASE_ROLES) and basis != Basis.AGENCY:
        own_or_shared |= Q(sharing_level__in=[SharingLevel.SAFEGUARDING, SharingLevel.PARTNERS])
    return qs.filter(own_or_shared).distinct()


def visible_contacts(*, user: User, child: Child, basis: Basis | None) -> QuerySet[Contact]:
    """Contacts about the child: all of them for those who see casework; a partner's own otherwise."""
    if basis is None:
        return Contact.objects.none()
    qs = Contact.objects.filter(child=child)
    if policy.casework_visible(user, basis):
        return qs
    return qs.filter(referrer_agency=user.agency)
