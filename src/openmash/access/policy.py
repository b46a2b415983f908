"""The access policy: the one place that answers "may this user see, change or export this?".

Plain-words version for a data protection officer: docs/access.md. In short:

- social workers see children allocated to them or to their team; team and service managers see
  the children held anywhere in their service;
- MASH practitioners (from any agency) see children with an open or recent MASH contact, or in a
  cumulative-concern alert not yet acknowledged;
- the CSE team sees the children open to it and those a screening refers to it;
- partner-agency staff see the children their agency contributed about or referred, their own
  agency's contributions, contributions shared to their agency, and the outcomes of their contacts;
  never another agency's contribution unless it was shared to them;
- a restricted record is visible to its named users only, whatever their role;
- anyone else may open a record only through "break glass", giving a reason; it lasts a few hours,
  is recorded, and is shown to their manager;
- scrutiny members (councillors) never see anything about an individual child.

Selectors ask `visible_children(user)` and the `can_*` functions; views never decide on their own.
A forbidden object must answer exactly like a missing one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from openmash.accounts.models import Agency, Role, User
from openmash.core.errors import ServiceError
from openmash.people.models import Child

from .models import BreakGlassGrant, ChildRestriction

# Roles whose work is casework on individual children in children's social care.
CASE_ROLES = frozenset({Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.SERVICE_MANAGER})
MANAGER_ROLES = frozenset({Role.TEAM_MANAGER, Role.SERVICE_MANAGER})
BREAK_GLASS_HOURS = 8


class Basis(StrEnum):
    """Why a user may see a child: written to the audit trail with every view."""

    ALLOCATED = "allocated to them"
    TEAM = "allocated to their team"
    SERVICE = "held in their service"
    MASH = "open or recent MASH contact"
    AGENCY = "their agency contributed or referred"
    NAMED = "named on a restricted record"
    BREAK_GLASS = "break glass"
    CSE_CASE = "open to their CSE team"
    CSE_REFERRAL = "referred to their CSE team by a screening"


def _mash_recent_days() -> int:
    return int(getattr(settings, "OPENMASH_MASH_RECENT_DAYS", 30))


def is_scrutiny_only(user: User) -> bool:
    """Councillors and democratic-services officers: aggregates only, never a child."""
    return user.agency == Agency.DEMOCRATIC_SERVICES or user.has_role(Role.SCRUTINY_MEMBER)


def is_childrens_social_care(user: User) -> bool:
    return user.agency == Agency.CHILDRENS_SOCIAL_CARE


def _staff_team_and_service(user: User) -> tuple[int | None, int | None, int | None]:
    staff = getattr(user, "staff", None)
    if staff is None:
        return None, None, None
    return staff.pk, staff.team_id, staff.team.service_id


def _within(condition: Q) -> Q:
    """A condition across a many-valued relation, as its own subquery of child keys.

    ORing conditions over several relations (allocations, contacts, contributions) in one query joins them all
    and multiplies the rows; a subquery per scope keeps each one a small indexed lookup.
    """
    return Q(pk__in=Child.objects.filter(condition).values("pk"))


def cse_referrals_waiting() -> QuerySet[Any]:
    """CSE screenings waiting for the CSE team: each the child's latest screening, at medium or high risk, with
    no case opened from it and no open case for the child. The team's members see these children to decide on
    them, and the team's queue lists exactly these screenings.

    The screening and case models belong to the front door, above this layer: they are reached through the
    child's relations, as contacts are."""
    screening_model = Child._meta.get_field("cse_screenings").related_model
    case_model = Child._meta.get_field("cse_cases").related_model
    later = screening_model._default_manager.filter(child_id=OuterRef("child_id")).filter(
        Q(screened_at__gt=OuterRef("screened_at")) | Q(screened_at=OuterRef("screened_at"), pk__gt=OuterRef("pk"))
    )
    open_case = case_model._default_manager.filter(child_id=OuterRef("child_id"), closed_on__isnull=True)
    return screening_model._default_manager.filter(risk_level__in=("medium", "high"), cases__isnull=True).filter(
        ~Exists(later), ~Exists(open_case)
    )


def _scopes(user: User) -> list[tuple[Basis, Q]]:
    """Each way the user may normally see a child, as a condition on Child."""
    if not user.is_authenticated or not user.is_active or is_scrutiny_only(user):
        return []
    scopes: list[tuple[Basis, Q]] = []
    staff_id, team_id, service_id = _staff_team_and_service(user)
    open_allocation = Q(allocations__end_date__isnull=True)
    if is_childrens_social_care(user) and staff_id is not None:
        if user.has_role(Role.SOCIAL_WORKER):
            scopes.append((Basis.ALLOCATED, _within(open_allocation & Q(allocations__worker_id=staff_id))))
            scopes.append((Basis.TEAM, _within(open_allocation & Q(allocations__team_id=team_id))))
        if user.has_role(*MANAGER_ROLES):
            scopes.append((Basis.SERVICE, _within(open_allocation & Q(allocations__team__service_id=service_id))))
    if in_cse_team(user):
        scopes.append((Basis.CSE_CASE, _within(Q(cse_cases__closed_on__isnull=True, cse_cases__team_id=team_id))))
        scopes.append((Basis.CSE_REFERRAL, Q(pk__in=cse_referrals_waiting().values("child_id"))))
    if user.has_role(Role.MASH_PRACTITIONER):
        since = timezone.now() - dt.timedelta(days=_mash_recent_days())
        scopes.append(
            (
                Basis.MASH,
                _within(Q(contacts__received_at__gte=since))
                | _within(Q(contacts__outcome=""))
                # An unacknowledged cumulative-concern alert is open MASH work, like an undecided contact: the
                # hub keeps sight of the child it was raised on and of each child whose contacts make it up.
                | _within(Q(cumulative_concerns__isnull=False, cumulative_concerns__acknowledged_at__isnull=True))
                | _within(
                    Q(
                        contacts__cumulative_concerns__isnull=False,
                        contacts__cumulative_concerns__acknowledged_at__isnull=True,
                    )
                ),
            )
        )
    if not is_childrens_social_care(user) or user.has_role(Role.AGENCY_RESEARCHER):
        scopes.append(
            (
                Basis.AGENCY,
                _within(Q(agency_contributions__agency=user.agency))
                | _within(Q(contacts__referrer_agency=user.agency))
                # An open MASH request for this agency's checks: the researcher needs to know whom to look up.
                | _within(
                    Q(contacts__information_requests__agency=user.agency, contacts__information_requests__status="open")
                )
                # The agency leading an open early help package agreed at the front door works with the family.
                | _within(Q(early_help_packages__lead_agency=user.agency, early_help_packages__closed_on__isnull=True)),
            )
        )
    return scopes


def _restricted() -> Exists:
    return Exists(ChildRestriction.objects.filter(child_id=OuterRef("pk")))


def _named(user: User) -> Exists:
    return Exists(ChildRestriction.objects.filter(child_id=OuterRef("pk"), allowed_users=user))


def _break_glass(user: User) -> Exists:
    return Exists(BreakGlassGrant.objects.filter(child_id=OuterRef("pk"), user=user, expires_at__gt=timezone.now()))


def visible_children(user: User) -> QuerySet[Child]:
    """Every child the user may see now."""
    if not user.is_authenticated or not user.is_active or is_scrutiny_only(user):
        return Child.objects.none()
    normal = Q(pk__in=[])
    for _basis, condition in _scopes(user):
        normal |= condition
    return Child.objects.filter((normal & ~_restricted()) | _named(user) | (_break_glass(user) & ~_restricted()))


def basis_for(user: User, child: Child) -> Basis | None:
    """Why the user may see this child, or None if they may not."""
    if not user.is_authenticated or not user.is_active or is_scrutiny_only(user):
        return None
    restricted = ChildRestriction.objects.filter(child=child).first()
    if restricted is not None:
        return Basis.NAMED if restricted.allowed_users.filter(pk=user.pk).exists() else None
    for basis, condition in _scopes(user):
        if Child.objects.filter(condition, pk=child.pk).exists():
            return basis
    if BreakGlassGrant.objects.filter(child=child, user=user, expires_at__gt=timezone.now()).exists():
        return Basis.BREAK_GLASS
    return None


def can_view_child(user: User, child: Child) -> bool:
    return basis_for(user, child) is not None


# The rules below are decided from the basis, so a page that needs several of them works the basis
# out once (child_access) instead of once per question.


def casework_visible(user: User, basis: Basis | None) -> bool:
    """Whether a user who sees a child on `basis` may read its casework (referrals, plans, chronology)."""
    if basis is None or basis == Basis.AGENCY:
        return False
    return is_childrens_social_care(user) or user.has_role(Role.MASH_PRACTITIONER)


def _change_allowed(user: User, basis: Basis | None) -> bool:
    if basis is None or basis == Basis.BREAK_GLASS:
        return False
    if basis == Basis.NAMED:
        return user.has_role(*CASE_ROLES, Role.MASH_PRACTITIONER) and is_childrens_social_care(user)
    if basis == Basis.MASH:
        return user.has_role(Role.MASH_PRACTITIONER)
    # A child referred to the CSE team is seen to decide on the referral, not to record casework.
    return basis in {Basis.ALLOCATED, Basis.TEAM, Basis.SERVICE, Basis.CSE_CASE}


def _who_viewed_allowed(user: User, basis: Basis | None) -> bool:
    if user.has_role(Role.AUDITOR) and not is_scrutiny_only(user):
        return True
    return user.has_role(*MANAGER_ROLES) and basis in {Basis.SERVICE, Basis.NAMED}


def case_notes_scope(user: User, basis: Basis | None) -> Q | None:
    """Which of a child's case notes (seen on `basis`) the user may read, as a filter; None for none.

    A restricted note (restricted further than the child's record) is for its author and the managers who
    hold the child in their team or service only.
    """
    if not casework_visible(user, basis):
        return None
    if user.has_role(*MANAGER_ROLES) and basis in {Basis.ALLOCATED, Basis.TEAM, Basis.SERVICE, Basis.NAMED}:
        return Q()
    return Q(restricted=False) | Q(author=user)


def can_view_casework(user: User, child: Child) -> bool:
    """Referrals, assessments, plans and the chronology: children's social care and the MASH only."""
    return casework_visible(user, basis_for(user, child))


def can_change_child(user: User, child: Child) -> bool:
    """Recording casework: case roles and MASH practitioners within their normal scope.

    Break glass gives sight, not the right to change a record.
    """
    return _change_allowed(user, basis_for(user, child))


def can_authorise(user: User, child: Child) -> bool:
    """Managers authorise assessments and decisions for children in their service."""
    return user.has_role(*MANAGER_ROLES) and can_change_child(user, child)


def can_create_child(user: User) -> bool:
    return (
        user.is_active
        and not is_scrutiny_only(user)
        and ((is_childrens_social_care(user) and user.has_role(*CASE_ROLES)) or user.has_role(Role.MASH_PRACTITIONER))
    )


def can_allocate(user: User) -> bool:
    """Whether the user allocates children at all (managers in children's social care)."""
    return is_childrens_social_care(user) and user.has_role(*MANAGER_ROLES)


def manager_service_id(user: User) -> int | None:
    """The service a manager allocates within, or None for anyone who does not allocate."""
    if not can_allocate(user):
        return None
    return _staff_team_and_service(user)[2]


def can_allocate_child(user: User, child: Child, *, to_service_id: int) -> bool:
    """A manager may allocate a child only within their own service, and only a child that is theirs to allocate.

    The child is theirs if it is held in their service now or, with no current allocation, it has an open
    referral with a team in their service (the team's queue). A restricted record needs the manager named
    on it. The worker and team it goes to must be in the manager's service too.
    """
    service_id = manager_service_id(user)
    if service_id is None or to_service_id != service_id:
        return False
    restriction = ChildRestriction.objects.filter(child=child).first()
    if restriction is not None and not restriction.allowed_users.filter(pk=user.pk).exists():
        return False
    current = child.allocations.filter(end_date__isnull=True).select_related("team").first()
    if current is not None:
        return bool(current.team.service_id == service_id)
    # Not allocated yet: the child waits in a team's queue through an open referral.
    return child.referrals.filter(closure_date__isnull=True, team__service_id=service_id).exists()


# Work trays -------------------------------------------------------------------------------------


def _csc_staff(user: User) -> Any:
    """The user's staff record if they work in children's social care, else None."""
    if not (user.is_authenticated and user.is_active) or is_scrutiny_only(user) or not is_childrens_social_care(user):
        return None
    return getattr(user, "staff", None)


def holds_cases(user: User) -> bool:
    """A social worker who holds cases: their own "My work" lists the children allocated to them."""
    staff = _csc_staff(user)
    return staff is not None and staff.is_case_holder and user.has_role(Role.SOCIAL_WORKER)


def can_see_team_work(user: User, team: Any) -> bool:
    """A team's tray (caseloads, overdue work, assessments to authorise): the team's manager and the managers
    of its service. A manager is the one named on the team or service, or holds the manager's role in it."""
    staff = _csc_staff(user)
    if staff is None or not user.has_role(*MANAGER_ROLES):
        return False
    if staff.pk in (team.manager_id, team.service.manager_id):
        return True
    if user.has_role(Role.TEAM_MANAGER) and staff.team_id == team.pk:
        return True
    return user.has_role(Role.SERVICE_MANAGER) and staff.team.service_id == team.service_id


def can_see_service_work(user: User, service: Any) -> bool:
    """A service's tray, team by team: the service's managers."""
    staff = _csc_staff(user)
    if staff is None or not user.has_role(Role.SERVICE_MANAGER):
        return False
    return bool(staff.pk == service.manager_id or staff.team.service_id == service.pk)


def own_trays(user: User) -> tuple[int | None, int | None]:
    """The team and the service whose trays are this manager's own (for the menu), or None for each."""
    staff = _csc_staff(user)
    if staff is None or not user.has_role(*MANAGER_ROLES):
        return None, None
    team_id = staff.team_id if user.has_role(Role.TEAM_MANAGER) else None
    service_id = staff.team.service_id if user.has_role(Role.SERVICE_MANAGER) else None
    return team_id, service_id


# The front door ---------------------------------------------------------------------------------


def works_front_door(user: User) -> bool:
    """MASH practitioners (of any agency) screen, match, rate, request checks and decide contacts."""
    return (
        user.is_authenticated
        and user.is_active
        and not is_scrutiny_only(user)
        and user.has_role(Role.MASH_PRACTITIONER)
    )


def manages_front_door(user: User) -> bool:
    """A MASH manager: a MASH practitioner who is also a team or service manager."""
    return works_front_door(user) and user.has_role(*MANAGER_ROLES)


def can_refer(user: User) -> bool:
    """Signed-in professionals whose work involves children may refer through the professional form."""
    return may_see_children(user)


def answers_information_requests(user: User, agency: str | None = None) -> bool:
    """Agency researchers answer the MASH's requests addressed to their own agency."""
    if not (user.is_authenticated and user.is_active) or is_scrutiny_only(user):
        return False
    if not user.has_role(Role.AGENCY_RESEARCHER):
        return False
    return agency is None or agency == user.agency


def can_search_disclosures(user: User) -> bool:
    """The disclosure ledger is for information governance (auditors, the data protection officer) and MASH managers."""
    return (user.has_role(Role.AUDITOR) and not is_scrutiny_only(user)) or manages_front_door(user)


def sees_early_help(user: User) -> bool:
    """The list of open early help packages: the MASH, and partner-agency staff for the packages their agency leads."""
    return works_front_door(user) or (may_see_children(user) and not is_childrens_social_care(user))


def early_help_scope(user: User) -> Q | None:
    """A condition on early help packages: those this user may list and close, or None for nobody.

    The hub closes packages it agreed however long ago (its usual sight of a child lasts 30 days), so MASH
    practitioners see every package except on a restricted record they are not named on; the lead agency's
    staff see their own agency's packages for children they may see.
    """
    if works_front_door(user):
        return unrestricted_or_named(user)
    if sees_early_help(user):
        return Q(lead_agency=user.agency, child__in=visible_children(user).values("pk"))
    return None


def is_restricted_from(user: User, child: Child | None) -> bool:
    """Whether a restriction on the child keeps this user out (front-door lists hide such contacts)."""
    if child is None:
        return False
    restriction = ChildRestriction.objects.filter(child=child).first()
    return restriction is not None and not restriction.allowed_users.filter(pk=user.pk).exists()


def unrestricted_or_named(user: User, child_field: str = "child") -> Q:
    """A condition on rows keyed by a child (or by none yet): the child is unrestricted, or the user is named."""
    restricted = Exists(ChildRestriction.objects.filter(child_id=OuterRef(child_field)))
    named = Exists(ChildRestriction.objects.filter(child_id=OuterRef(child_field), allowed_users=user))
    return ~Q(restricted) | Q(named)


def works_cse(user: User) -> bool:
    """The CSE team's queue and cases: MASH practitioners and children's social care staff in a CSE team."""
    return works_front_door(user) or in_cse_team(user)


def works_on_cse(user: User, basis: Basis | None) -> bool:
    """Screening a child for CSE and opening a CSE case: MASH practitioners and the CSE team, seeing the child
    on a basis that lets them work with them (not break glass, not a partner's sight of its own referrals)."""
    return works_cse(user) and basis is not None and basis not in {Basis.BREAK_GLASS, Basis.AGENCY}


def in_cse_team(user: User, team_id: int | None = None) -> bool:
    """Children's social care staff in a CSE team (that team, if given): they allocate and close its cases."""
    staff = getattr(user, "staff", None)
    return bool(
        staff is not None
        and user.is_active
        and is_childrens_social_care(user)
        and user.has_role(*CASE_ROLES)
        and staff.team.kind == "cse"
        and (team_id is None or staff.team_id == team_id)
    )


def sees_cse_flag(user: User, basis: Basis | None) -> bool:
    """The CSE flag on a child's record: whoever may read the casework, and the CSE team (not a partner's MASH
    practitioner who sees the child only through their own agency's referral)."""
    return casework_visible(user, basis) or works_on_cse(user, basis)


def referral_queue_scope(user: User) -> Q | None:
    """Which referrals waiting for allocation a user sees, as a condition on Referral: a manager's whole
    service, a social worker's own team; None for anyone else (the page answers as missing)."""
    if not (user.is_authenticated and user.is_active) or is_scrutiny_only(user) or not is_childrens_social_care(user):
        return None
    staff_id, team_id, service_id = _staff_team_and_service(user)
    if staff_id is None:
        return None
    if user.has_role(*MANAGER_ROLES):
        return Q(team__service_id=service_id)
    if user.has_role(Role.SOCIAL_WORKER):
        return Q(team_id=team_id)
    return None


# The team structure ------------------------------------------------------------------------------


def can_view_structure(user: User) -> bool:
    """The team structure page (teams, managers, headcount, FTE and caseloads): children's social care staff and
    managers, its performance analysts and administrators. Not partner agencies, auditors or councillors: it
    names members of staff, and councillors read workforce figures as aggregates on the headline page."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not is_scrutiny_only(user)
        and is_childrens_social_care(user)
        and user.has_role(*CASE_ROLES, Role.MASH_PRACTITIONER, Role.PERFORMANCE_ANALYST, Role.SYSTEM_ADMINISTRATOR)
    )


def manages_whole_structure(user: User) -> bool:
    """A system administrator in children's social care: adds services and changes any of them."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not is_scrutiny_only(user)
        and is_childrens_social_care(user)
        and user.has_role(Role.SYSTEM_ADMINISTRATOR)
    )


def structure_service_ids(user: User) -> frozenset[int] | None:
    """The services whose teams and staff a service manager maintains: the service they are named manager of and
    the service their own team is in. None means every service (an administrator); empty means none."""
    if manages_whole_structure(user):
        return None
    if not (user.is_authenticated and user.is_active) or is_scrutiny_only(user) or not is_childrens_social_care(user):
        return frozenset()
    staff = getattr(user, "staff", None)
    if not user.has_role(Role.SERVICE_MANAGER) or staff is None:
        return frozenset()
    if staff.end_date is not None and staff.end_date < timezone.localdate():
        return frozenset()  # someone who has left manages nothing, whatever their account still says
    return frozenset({staff.team.service_id, *staff.managed_services.values_list("pk", flat=True)})


def can_manage_structure(user: User, service_id: int | None = None) -> bool:
    """Maintaining services, teams and staff from the structure pages: an administrator for every service, a
    service manager for their own. Without `service_id`: whether the user maintains any part of it at all."""
    ids = structure_service_ids(user)
    if ids is None:
        return True
    return bool(ids) if service_id is None else service_id in ids


# Exports and the audit trail -------------------------------------------------------------------


class Export(StrEnum):
    AUDIT_LOG = "audit_log"
    CASELOAD = "caseload"
    AGGREGATES = "aggregates"
    # Ofsted's Annex A: child-level lists of the whole authority, prepared for an inspection.
    ANNEX_A = "annex_a"
    # DfE's Children in Need census: every child referred or open in the year, for the statutory return.
    CIN_CENSUS = "cin_census"


def can_export(user: User, export: Export) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if export == Export.AUDIT_LOG:
        return user.has_role(Role.AUDITOR)
    if export == Export.CASELOAD:
        return is_childrens_social_care(user) and user.has_role(*MANAGER_ROLES)
    if export == Export.AGGREGATES:
        return user.has_role(Role.PERFORMANCE_ANALYST, *MANAGER_ROLES, Role.SCRUTINY_MEMBER)
    if export in {Export.ANNEX_A, Export.CIN_CENSUS}:
        return is_childrens_social_care(user) and user.has_role(Role.PERFORMANCE_ANALYST, Role.SERVICE_MANAGER)
    return False


def can_import_records(user: User) -> bool:
    """Loading a statutory return's history into the records (`openmash import`): it creates and changes
    children's records in bulk, so only a system administrator in children's social care may."""
    return bool(
        user.is_active
        and not is_scrutiny_only(user)
        and is_childrens_social_care(user)
        and user.has_role(Role.SYSTEM_ADMINISTRATOR)
    )


def can_see_who_viewed(user: User, child: Child) -> bool:
    """Managers for children in their service, and information-governance auditors."""
    if user.has_role(Role.AUDITOR) and not is_scrutiny_only(user):
        return True  # auditors need no basis, so skip working it out
    return _who_viewed_allowed(user, basis_for(user, child))


@dataclass(frozen=True)
class ChildAccess:
    """Everything a child's page needs to know about one user's access, worked out once."""

    basis: Basis
    casework: bool
    change: bool
    see_who_viewed: bool
    restrict: bool
    print_chronology: bool = False


def can_print_chronology(user: User, basis: Basis | None) -> bool:
    """A printed chronology leaves the system: for casework readers on their normal access. Break glass gives
    sight of a record in an emergency, not a copy of it."""
    return casework_visible(user, basis) and basis != Basis.BREAK_GLASS


def child_access(user: User, basis: Basis) -> ChildAccess:
    change = _change_allowed(user, basis)
    return ChildAccess(
        basis=basis,
        casework=casework_visible(user, basis),
        change=change,
        see_who_viewed=_who_viewed_allowed(user, basis),
        restrict=can_allocate(user) and change,
        print_chronology=can_print_chronology(user, basis),
    )


def can_review_break_glass(user: User) -> bool:
    return is_childrens_social_care(user) and user.has_role(*MANAGER_ROLES)


def break_glass_reviewable_by(user: User) -> QuerySet[BreakGlassGrant]:
    """Break-glass uses by staff in the manager's team (team manager) or service (service manager)."""
    _staff_id, team_id, service_id = _staff_team_and_service(user)
    if not can_review_break_glass(user) or team_id is None:
        return BreakGlassGrant.objects.none()
    if user.has_role(Role.SERVICE_MANAGER):
        scope = Q(user__staff__team__service_id=service_id)
    else:
        scope = Q(user__staff__team_id=team_id)
    return BreakGlassGrant.objects.filter(scope).exclude(user=user).select_related("user", "child")


def can_view_aggregates(user: User) -> bool:
    return user.is_authenticated and user.is_active


def aggregates_need_suppression(user: User) -> bool:
    """Councillors and anyone outside children's services see small numbers suppressed."""
    return is_scrutiny_only(user) or not (
        is_childrens_social_care(user) and user.has_role(Role.PERFORMANCE_ANALYST, *MANAGER_ROLES)
    )


def can_drill_into_figures(user: User) -> bool:
    """Managers in children's services may open the list of children behind a figure (only those children
    they may see: each is checked again). Councillors and analysts see figures, never children."""
    return (
        user.is_authenticated
        and user.is_active
        and not is_scrutiny_only(user)
        and is_childrens_social_care(user)
        and user.has_role(*MANAGER_ROLES)
    )


def can_filter_figures_by_team(user: User) -> bool:
    """Team figures are small numbers: for those who see small numbers unsuppressed."""
    return can_view_aggregates(user) and not aggregates_need_suppression(user)


def can_manage_scorecard(user: User) -> bool:
    """Performance analysts and service managers set indicators' owners and local targets, and freeze quarters."""
    return (
        user.is_authenticated
        and user.is_active
        and not is_scrutiny_only(user)
        and is_childrens_social_care(user)
        and user.has_role(Role.PERFORMANCE_ANALYST, Role.SERVICE_MANAGER)
    )


def can_own_indicator(user: User) -> bool:
    """An indicator's owner is someone in children's social care, never a councillor."""
    return user.is_active and is_childrens_social_care(user) and not is_scrutiny_only(user)


def can_write_narrative(user: User, owner_id: int | None) -> bool:
    """An indicator's owner writes its narrative; while it has none, a manager or analyst may."""
    if not user.is_authenticated or not user.is_active or is_scrutiny_only(user):
        return False
    if owner_id is not None:
        return bool(user.pk == owner_id)
    return is_childrens_social_care(user) and user.has_role(Role.PERFORMANCE_ANALYST, *MANAGER_ROLES)


# The census data-quality page ---------------------------------------------------------------------


def can_view_data_quality(user: User) -> bool:
    """Performance analysts and team and service managers in children's social care see the CIN census
    rule failures in the live records: counts for the whole authority, and the failing records of the
    children they may see (an analyst: of the children with a failure, see can_correct_census_record)."""
    return (
        user.is_authenticated
        and user.is_active
        and not is_scrutiny_only(user)
        and is_childrens_social_care(user)
        and user.has_role(Role.PERFORMANCE_ANALYST, *MANAGER_ROLES)
    )


def data_quality_team_scope(user: User) -> Q | None:
    """Which teams' failures a manager's list holds, as a filter on the team key (`team_id`); None when the
    list is not limited by team (analysts). A team manager lists their team's, a service manager their
    service's; each child is checked against visible_children as well."""
    if user.has_role(Role.PERFORMANCE_ANALYST):
        return None
    _staff_id, team_id, service_id = _staff_team_and_service(user)
    if team_id is None:
        return Q(pk__in=[])
    if user.has_role(Role.SERVICE_MANAGER):
        return Q(team__service_id=service_id)
    return Q(team_id=team_id)


def _has_census_finding(child: Child) -> bool:
    # The findings belong to the returns, above this layer: reached through the child's relation.
    finding_model = Child._meta.get_field("census_findings").related_model
    return bool(finding_model._default_manager.filter(child_id=child.pk).exists())


def census_correction_by_analyst(user: User, child: Child) -> bool:
    """An analyst's narrow right to a child's record: to open the census items of a record that fails a CIN
    census rule now, and correct its dates, without sight of the rest of the record. It lasts while the
    failure does; every use is audited. A restricted record stays with its named users."""
    return (
        can_view_data_quality(user)
        and user.has_role(Role.PERFORMANCE_ANALYST)
        and not is_restricted_from(user, child)
        and _has_census_finding(child)
    )


def can_correct_census_record(user: User, child: Child) -> bool:
    """Correct the census dates of one of a child's records: anyone who may change the child, or a
    performance analyst in children's social care while the child has a current census failure."""
    return can_change_child(user, child) or census_correction_by_analyst(user, child)


def may_see_children(user: User) -> bool:
    """Whether the user's work ever involves individual children's records.

    Councillors, performance analysts, auditors and administrators have no normal sight of any child,
    so they are not offered "Find a child" or break glass (an auditor reads the trail by LA child ID).
    """
    return bool(_scopes(user))


def may_break_glass(user: User) -> bool:
    return may_see_children(user)


# Scrutiny reviews ---------------------------------------------------------------------------------
# Reviews hold aggregates only, so these questions never involve a child.


def can_manage_reviews(user: User) -> bool:
    """Who keeps a scrutiny review's record (scope, members, evidence, recommendations, the executive's response,
    update reports): performance analysts and service managers in children's social care, who support the group
    with figures and give the executive's response. An accepted recommendation becomes an action in an action
    plan, so they are also among those who write plans (can_manage_improvement). There is no democratic-services
    officer role yet; councillors read, and never edit the record, even of their own group."""
    return (
        user.is_authenticated
        and user.is_active
        and not is_scrutiny_only(user)
        and is_childrens_social_care(user)
        and user.has_role(Role.PERFORMANCE_ANALYST, Role.SERVICE_MANAGER)
    )


def can_view_reviews(user: User) -> bool:
    """Whether the user has any reviews to read: officers, managers in children's services and councillors."""
    return can_manage_reviews(user) or _reads_every_review(user) or user.has_role(Role.SCRUTINY_MEMBER)


def _reads_every_review(user: User) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and is_childrens_social_care(user)
        and user.has_role(*MANAGER_ROLES, Role.PERFORMANCE_ANALYST)
    )


def can_view_review(user: User, review: Any) -> bool:
    """Officers and managers read every review; a councillor reads the reviews they sit on, and every review
    whose report has gone to committee (it is public from then)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if can_manage_reviews(user) or _reads_every_review(user):
        return True
    if not user.has_role(Role.SCRUTINY_MEMBER):
        return False
    return bool(review.published) or review.members.filter(user=user).exists()


def reviews_scope(user: User) -> Q | None:
    """The reviews a user may read, as a filter on scrutiny.Review (None: none at all)."""
    if can_manage_reviews(user) or _reads_every_review(user):
        return Q()
    if user.is_authenticated and user.is_active and user.has_role(Role.SCRUTINY_MEMBER):
        return Q(status__in=["awaiting_response", "monitoring", "closed"]) | Q(members__user=user)
    return None


def can_make_committee_reports(user: User) -> bool:
    """Who makes and publishes committee reports (a review's reports, the quarterly performance pack): the
    officers who keep the reviews' records."""
    return can_manage_reviews(user)


def can_read_committee_report(user: User, report: Any) -> bool:
    """A published report (it went to the committee) is read by everyone with reviews to read. Before that, a
    review's draft is read by those who may read the review (councillors on its group among them); a draft
    performance pack only by the officers who make reports."""
    if not user.is_authenticated or not user.is_active:
        return False
    if can_make_committee_reports(user):
        return True
    if report.published_at is not None:
        return can_view_reviews(user)
    return report.review_id is not None and can_view_review(user, report.review)


def committee_reports_scope(user: User) -> Q | None:
    """The committee reports a user may read, as a filter on scrutiny.CommitteeReport (None: none at all)."""
    if can_make_committee_reports(user):
        return Q()
    if not can_view_reviews(user):
        return None
    if _reads_every_review(user):
        return Q(review__isnull=False) | Q(published_at__isnull=False)
    # A councillor's drafts: those of the reviews they may read (reviews_scope, on the report's review).
    return (
        Q(published_at__isnull=False)
        | Q(review__status__in=["awaiting_response", "monitoring", "closed"])
        | Q(review__members__user=user)
    )


# Guards for services ----------------------------------------------------------------------------


def ensure_can_change(user: User, child: Child) -> None:
    """Raise ServiceError unless the user may record casework for this child."""
    if not can_change_child(user, child):
        raise ServiceError("You do not have permission to change this child's record")


def ensure_can_authorise(user: User, child: Child) -> None:
    if not can_authorise(user, child):
        raise ServiceError("Only a manager responsible for this child can authorise this")


# Action plans and inspections ---------------------------------------------------------------------


def can_manage_improvement(user: User) -> bool:
    """Team and service managers and performance analysts in children's social care write action plans,
    their actions and progress, and record inspections. Councillors hold them to account; they never edit."""
    return (
        user.is_authenticated
        and user.is_active
        and not is_scrutiny_only(user)
        and is_childrens_social_care(user)
        and user.has_role(Role.PERFORMANCE_ANALYST, *MANAGER_ROLES)
    )


def can_view_improvement(user: User) -> bool:
    """Those who write plans, and councillors and auditors, read them: action plans and inspection outcomes
    are about the service, never about a child. Partner agencies and caseworkers are not offered them."""
    if not user.is_authenticated or not user.is_active:
        return False
    return can_manage_improvement(user) or is_scrutiny_only(user) or user.has_role(Role.AUDITOR)


def can_own_action(user: User) -> bool:
    """An action or a plan is owned by someone who may update it."""
    return can_manage_improvement(user)
