"""Demo sign-ins for trying the system with the synthetic borough.

Only available when OPENMASH_DEMO is switched on: `ensure_demo_users` refuses to run without it, and
the sign-in pages refuse these usernames without it, so a database made for a demo cannot be used to
sign in to a live service with the published passwords below.

Each account has a fixed password and a fixed two-factor secret (derived from the username, so it
is the same on every machine and every run). Add the secret to any authenticator app, or compute the
current code with `demo_code(username)` or `openmash demo-users --code USERNAME`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Collection
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from openmash.access import policy
from openmash.access import services as access_services
from openmash.access.models import BreakGlassGrant, ChildRestriction
from openmash.accounts import totp
from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework.models import Assessment, CaseNote, Visit
from openmash.front_door.models import Contact, CSECase, CumulativeConcernAlert, InformationRequest, PartnerApiToken
from openmash.journey.due import due_items
from openmash.people.models import Child
from openmash.workforce.models import Allocation, StaffMember, Team

from .load import staff_username
from .models import DemoDataset

DEMO_DEVICE_NAME = "Demo authenticator"


class Link:
    """How a demo account is tied to a member of staff in the demo borough."""

    NONE = ""
    CASE_HOLDER = "case_holder"  # a social worker holding children in a CIN or CP team
    TEAM_MANAGER = "team_manager"  # manages the case holder's team
    SERVICE_MANAGER = "service_manager"  # manages the service the case holder's team is in
    MASH = "mash"  # works in the MASH team
    MASH_MANAGER = "mash_manager"  # manages the MASH team
    CSE_WORKER = "cse_worker"  # a social worker in the CSE team holding CSE cases


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    agency: Agency
    roles: tuple[Role, ...]
    password: str
    description: str
    link: str = Link.NONE
    is_superuser: bool = False

    @property
    def totp_key(self) -> bytes:
        """20 bytes, the same on every run: the demo is reproducible, authenticator apps keep working."""
        return hashlib.sha256(b"openmash-demo-totp\x00" + self.username.encode()).digest()[:20]

    @property
    def totp_secret(self) -> str:
        return totp.base32_secret(self.totp_key)


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "sw.demo", "Sam", "Walker", Agency.CHILDRENS_SOCIAL_CARE, (Role.SOCIAL_WORKER,),
        "demo-social-worker-2026", "Social worker holding children's cases", Link.CASE_HOLDER,
    ),
    DemoAccount(
        "tm.demo", "Priya", "Shah", Agency.CHILDRENS_SOCIAL_CARE, (Role.TEAM_MANAGER,),
        "demo-team-manager-2026", "Team manager of the social worker's team", Link.TEAM_MANAGER,
    ),
    DemoAccount(
        "sm.demo", "Dev", "Okafor", Agency.CHILDRENS_SOCIAL_CARE, (Role.SERVICE_MANAGER,),
        "demo-service-manager-2026", "Service manager over the social worker's team", Link.SERVICE_MANAGER,
    ),
    DemoAccount(
        "mash.demo", "Jo", "Brennan", Agency.CHILDRENS_SOCIAL_CARE, (Role.MASH_PRACTITIONER,),
        "demo-mash-practitioner-2026", "MASH practitioner at the front door", Link.MASH,
    ),
    DemoAccount(
        "mashmgr.demo", "Helen", "Cross", Agency.CHILDRENS_SOCIAL_CARE, (Role.MASH_PRACTITIONER, Role.TEAM_MANAGER),
        "demo-mash-manager-2026", "MASH team manager: today's flow, oversight and the disclosure ledger",
        Link.MASH_MANAGER,
    ),
    DemoAccount(
        "police.demo", "Lee", "Harper", Agency.POLICE, (Role.MASH_PRACTITIONER,),
        "demo-police-in-the-mash-2026", "Police officer working in the MASH",
    ),
    DemoAccount(
        "policeresearch.demo", "Rachel", "Moss", Agency.POLICE, (Role.AGENCY_RESEARCHER,),
        "demo-intelligence-checks-2026", "Police researcher answering MASH information requests",
    ),
    DemoAccount(
        "cse.demo", "Marcus", "Reid", Agency.CHILDRENS_SOCIAL_CARE, (Role.SOCIAL_WORKER,),
        "demo-cse-worker-2026", "Social worker in the complex safeguarding (CSE) team", Link.CSE_WORKER,
    ),
    DemoAccount(
        "health.demo", "Nadia", "Rahman", Agency.HEALTH, (Role.AGENCY_RESEARCHER,),
        "demo-health-researcher-2026", "Health researcher answering MASH information requests",
    ),
    DemoAccount(
        "education.demo", "Tom", "Fielding", Agency.EDUCATION, (Role.AGENCY_RESEARCHER,),
        "demo-education-researcher-2026", "Education researcher answering MASH information requests",
    ),
    DemoAccount(
        "probation.demo", "Gareth", "Price", Agency.PROBATION, (Role.AGENCY_RESEARCHER,),
        "demo-probation-researcher-2026", "Probation researcher answering MASH information requests",
    ),
    DemoAccount(
        "housing.demo", "Aisha", "Bello", Agency.HOUSING, (Role.AGENCY_RESEARCHER,),
        "demo-housing-researcher-2026", "Housing researcher answering MASH information requests",
    ),
    DemoAccount(
        "youthjustice.demo", "Kieran", "Walsh", Agency.YOUTH_JUSTICE, (Role.AGENCY_RESEARCHER,),
        "demo-youth-justice-researcher-2026", "Youth justice researcher answering MASH information requests",
    ),
    DemoAccount(
        "earlyhelp.demo", "Sophie", "Turner", Agency.EARLY_HELP, (Role.AGENCY_RESEARCHER,),
        "demo-early-help-researcher-2026", "Early help researcher answering MASH information requests",
    ),
    DemoAccount(
        "analyst.demo", "Ruth", "Adeyemi", Agency.CHILDRENS_SOCIAL_CARE, (Role.PERFORMANCE_ANALYST,),
        "demo-performance-analyst-2026", "Performance analyst: indicators and statutory returns",
    ),
    DemoAccount(
        "cllr.demo", "Margaret", "Doyle", Agency.DEMOCRATIC_SERVICES, (Role.SCRUTINY_MEMBER,),
        "demo-scrutiny-councillor-2026", "Councillor on the children's scrutiny committee",
    ),
    DemoAccount(
        "auditor.demo", "Chris", "Lin", Agency.CHILDRENS_SOCIAL_CARE, (Role.AUDITOR,),
        "demo-governance-auditor-2026", "Information governance auditor",
    ),
    DemoAccount(
        "admin.demo", "Alex", "Morgan", Agency.CHILDRENS_SOCIAL_CARE, (Role.SYSTEM_ADMINISTRATOR,),
        "demo-administrator-2026", "System administrator, with the Django admin", is_superuser=True,
    ),
)  # fmt: skip

DEMO_USERNAMES = frozenset(a.username for a in DEMO_ACCOUNTS)
_BY_USERNAME = {a.username: a for a in DEMO_ACCOUNTS}


class DemoNotEnabled(RuntimeError):
    pass


def demo_enabled() -> bool:
    return bool(getattr(settings, "OPENMASH_DEMO", False))


def demo_account(username: str) -> DemoAccount:
    try:
        return _BY_USERNAME[username]
    except KeyError:
        raise KeyError(f"{username} is not a demo account: {', '.join(sorted(DEMO_USERNAMES))}") from None


def demo_code(username_or_secret: str) -> str:
    """The current 6-digit code for a demo account (by username) or for any base32 secret."""
    if username_or_secret in _BY_USERNAME:
        return totp.current_code(_BY_USERNAME[username_or_secret].totp_key)
    return totp.current_code(username_or_secret)


@dataclass(frozen=True)
class DemoSignIn:
    """A demo account as created this run, with the member of staff it stands for (if any)."""

    account: DemoAccount
    staff: StaffMember | None
    description: str
    api_key: str | None = None  # the partner API key that acts as this account

    def as_dict(self) -> dict[str, object]:
        a = self.account
        out: dict[str, object] = {
            "username": a.username,
            "agency": a.agency.value,
            "roles": [r.value for r in a.roles],
            "password": a.password,
            "totp_secret": a.totp_secret,
            "description": self.description,
        }
        if self.api_key:
            out["api_key"] = self.api_key
        return out


@transaction.atomic
def ensure_demo_users() -> list[DemoSignIn]:
    """Create or refresh the demo accounts. Idempotent: a second run changes nothing.

    Passwords, roles and two-factor devices are reset to the published values; lockouts from
    failed sign-ins are cleared. Accounts are linked to staff in the demo borough when there is one,
    and the first run with a borough makes a restricted record and a break-glass use (see below).
    """
    if not demo_enabled():
        raise DemoNotEnabled("Demo accounts can only be created with OPENMASH_DEMO switched on")
    users = {account.username: _refresh_user(account) for account in DEMO_ACCOUNTS}
    staff = _link_staff(users)
    for account in DEMO_ACCOUNTS:
        member = staff.get(account.username)
        user = users[account.username]
        if member is not None and (user.first_name, user.last_name) != (member.first_name, member.last_name):
            # The name on screen matches the name on the allocations.
            user.first_name, user.last_name = member.first_name, member.last_name
            user.save(update_fields=["first_name", "last_name"])
    notes = _access_examples(users, staff)
    for username, more in _front_door_examples(users, staff).items():
        notes.setdefault(username, []).extend(more)
    api_keys = {API_KEY_ACCOUNT: _ensure_api_token(users[API_KEY_ACCOUNT])}
    result = []
    for account in DEMO_ACCOUNTS:
        member = staff.get(account.username)
        description = "; ".join([_describe(account, member), *notes.get(account.username, [])])
        result.append(DemoSignIn(account, member, description, api_keys.get(account.username)))
    return result


# The partner API: a key for the police's own system, acting as the police researcher (demo only).
API_KEY_ACCOUNT = "policeresearch.demo"
API_SYSTEM_NAME = "Police case management system (demo)"


def demo_api_key(username: str = API_KEY_ACCOUNT) -> str:
    """The demo partner API key, the same on every run (in the API's format om_<prefix>_<secret>)."""
    seed = hashlib.sha256(b"openmash-demo-api\x00" + username.encode()).digest()
    secret = base64.urlsafe_b64encode(hashlib.sha256(seed + b"secret").digest()).rstrip(b"=").decode()
    return f"om_{seed[:4].hex()}_{secret}"


def _ensure_api_token(user: User) -> str:
    key = demo_api_key(user.username)
    prefix = key.split("_")[1]
    token = PartnerApiToken.objects.filter(prefix=prefix).first() or PartnerApiToken(prefix=prefix)
    token.agency = user.agency
    token.name = API_SYSTEM_NAME
    token.key_hash = hashlib.sha256(key.encode()).hexdigest()
    token.acting_user = user
    token.revoked_at = None
    token.save()
    return key


def _front_door_examples(users: dict[str, User], staff: dict[str, StaffMember | None]) -> dict[str, list[str]]:
    """What each front-door account finds waiting: the MASH practitioner takes over the open enquiries the
    generated borough gave the member of staff they stand for; researchers have their agency's open requests."""
    notes: dict[str, list[str]] = {}
    mash_user, member = users["mash.demo"], staff.get("mash.demo")
    if member is not None:
        Contact.objects.filter(outcome="", owner__username=staff_username(member.pk)).update(owner=mash_user)
    waiting = Contact.objects.filter(outcome="")
    if waiting.exists():
        now = timezone.now()
        queue = (
            f"the queue holds {waiting.count()} contacts: {waiting.filter(child__isnull=True).count()} not yet "
            f"matched, {waiting.filter(rag='').count()} not yet rated, "
            f"{waiting.filter(information_requests__status='open').distinct().count()} waiting for agency checks, "
            f"{waiting.filter(decision_due_at__lt=now).count()} overdue"
        )
        notes["mash.demo"] = [f"owns {waiting.filter(owner=mash_user).count()} open enquiries", queue]
        alerts = CumulativeConcernAlert.objects.count()
        unacknowledged = CumulativeConcernAlert.objects.filter(acknowledged_at__isnull=True).count()
        notes["mashmgr.demo"] = [
            queue,
            f"{alerts} cumulative-concern {'alert' if alerts == 1 else 'alerts'} ({unacknowledged} not acknowledged)",
        ]
    for account in DEMO_ACCOUNTS:
        if Role.AGENCY_RESEARCHER in account.roles:
            open_requests = InformationRequest.objects.filter(agency=account.agency, status="open")
            if open_requests.exists():
                notes[account.username] = [
                    f"{open_requests.count()} open information requests for {account.agency.label}"
                ]
    cse_member = staff.get("cse.demo")
    if cse_member is not None:
        held = CSECase.objects.filter(worker=cse_member, closed_on__isnull=True).count()
        notes["cse.demo"] = [f"holding {held} open CSE {'case' if held == 1 else 'cases'}"]
    return notes


RESTRICTION_REASON = (
    "A parent works in the council's children's services: the record is restricted to the allocated "
    "social worker and the team manager."
)
BREAK_GLASS_REASON = (
    "Brother or sister of a child I hold: checking what is known about this child before a joint home visit."
)


def _access_examples(users: dict[str, User], staff: dict[str, StaffMember | None]) -> dict[str, list[str]]:
    """A restricted record and a use of break glass in the demo borough, made once through the access
    services (so both are in the audit trail), and a note on each for the accounts involved.

    The team manager restricts a child the social worker holds (naming the social worker), so the
    service manager and the MASH no longer see it; the social worker opens by break glass a brother or
    sister of a child they hold who is held by another team, which their team manager reviews. Nothing
    is made without a borough, and a second run makes nothing new."""
    worker, manager = staff.get("sw.demo"), staff.get("tm.demo")
    if worker is None or manager is None:
        return {}
    sw, tm = users["sw.demo"], users["tm.demo"]
    notes: dict[str, list[str]] = {"sw.demo": [], "tm.demo": []}
    restriction = ChildRestriction.objects.filter(created_by=tm).select_related("child").first()
    if restriction is None:
        held = Child.objects.filter(
            allocations__worker=worker, allocations__end_date__isnull=True, restriction__isnull=True
        )
        latest_first = held.annotate(latest=Max("contacts__received_at")).order_by(
            F("latest").desc(nulls_last=True), "pk"
        )
        chosen = latest_first.first()
        if chosen is not None:
            restriction = access_services.child_restrict(
                child=chosen, reason=RESTRICTION_REASON, allowed=[sw], acting_user=tm
            )
    if restriction is not None:
        for username in ("sw.demo", "tm.demo"):
            notes[username].append(f"named on the restricted record of {restriction.child.la_child_id}")
    grant = BreakGlassGrant.objects.filter(user=sw).select_related("child").order_by("granted_at", "pk").first()
    if grant is None:
        child_to_open = _outside_their_access(sw, worker)
        if child_to_open is not None:
            access_services.break_glass_open(user=sw, la_child_id=child_to_open.la_child_id, reason=BREAK_GLASS_REASON)
            grant = BreakGlassGrant.objects.filter(user=sw).select_related("child").order_by("pk").first()
    if grant is not None:
        notes["sw.demo"].append(f"opened {grant.child.la_child_id} by break glass")
        notes["tm.demo"].append("reviews the social worker's use of break glass")
    return notes


def _outside_their_access(user: User, worker: StaffMember) -> Child | None:
    """A child held by another team that the user cannot normally see, not restricted: a brother or
    sister of a child the worker holds if there is one."""
    held = Allocation.objects.filter(worker=worker, end_date__isnull=True).values("child_id")
    outside = (
        Child.objects.filter(allocations__end_date__isnull=True, restriction__isnull=True)
        .exclude(allocations__team_id=worker.team_id)
        .exclude(pk__in=policy.visible_children(user).values("pk"))
        .order_by("pk")
    )
    return outside.filter(relationships_as_other__child_id__in=held).first() or outside.first()


def _refresh_user(account: DemoAccount) -> User:
    user, _ = User.objects.get_or_create(username=account.username)
    user.first_name, user.last_name = account.first_name, account.last_name
    user.agency = account.agency
    user.is_active = True
    user.is_staff = user.is_superuser = account.is_superuser
    user.is_demo = True
    user.set_password(account.password)
    user.save()

    wanted = {r.value for r in account.roles}
    UserRole.objects.filter(user=user).exclude(role__in=wanted).delete()
    have = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in sorted(wanted - have)])

    TOTPDevice.objects.filter(user=user).exclude(name=DEMO_DEVICE_NAME).delete()
    devices = list(TOTPDevice.objects.filter(user=user).order_by("id"))
    for extra in devices[1:]:
        extra.delete()
    device = devices[0] if devices else TOTPDevice(user=user, name=DEMO_DEVICE_NAME)
    if device.key != account.totp_key.hex():
        device.key = account.totp_key.hex()
        device.last_t = -1
        device.drift = 0
    device.confirmed = True
    device.throttle_reset(commit=False)
    device.save()

    AxesProxyHandler.reset_attempts(username=account.username)
    return user


_OPEN = Q(allocations__end_date__isnull=True)
CASE_HOLDING_ROLES = [
    StaffMember.JobRole.SOCIAL_WORKER,
    StaffMember.JobRole.SENIOR_SOCIAL_WORKER,
    StaffMember.JobRole.ASYE,
]


def _link_staff(users: dict[str, User]) -> dict[str, StaffMember | None]:
    """Tie the CSC accounts to staff in one team, so the social worker, their manager and the
    service manager see the same children. With no demo borough, nobody is linked."""
    links: dict[str, StaffMember | None] = {}
    if StaffMember.objects.exists():
        case_holder = _case_holder(users["sw.demo"])
        team = case_holder.team if case_holder else _busiest_casework_team()
        for account in DEMO_ACCOUNTS:
            user = users[account.username]
            member: StaffMember | None = None
            if account.link == Link.CASE_HOLDER:
                member = case_holder
            elif account.link == Link.TEAM_MANAGER and team is not None:
                member = _pick_or_create(
                    user,
                    StaffMember.objects.filter(team=team, job_role=StaffMember.JobRole.TEAM_MANAGER),
                    account,
                    team,
                )
            elif account.link == Link.SERVICE_MANAGER and team is not None:
                member = _pick_or_create(
                    user,
                    StaffMember.objects.filter(
                        team__service=team.service, job_role=StaffMember.JobRole.SERVICE_MANAGER
                    ),
                    account,
                    team,
                )
            elif account.link in (Link.MASH, Link.MASH_MANAGER):
                mash_team = Team.objects.filter(kind=Team.Kind.MASH).order_by("id").first()
                role = (
                    StaffMember.JobRole.MASH_PRACTITIONER
                    if account.link == Link.MASH
                    else StaffMember.JobRole.TEAM_MANAGER
                )
                if mash_team is not None:
                    member = _pick_or_create(
                        user, StaffMember.objects.filter(team__kind=Team.Kind.MASH, job_role=role), account, mash_team
                    )
            elif account.link == Link.CSE_WORKER:
                member = _cse_worker(user, account)
            links[account.username] = member
    for account in DEMO_ACCOUNTS:
        _link(users[account.username], links.get(account.username))
        _take_over_casework(users[account.username], links.get(account.username))
    return links


def _take_over_casework(user: User, member: StaffMember | None) -> None:
    """The generated borough records casework under each member of staff's own account (which cannot sign
    in); the demo account that now stands for them takes over their notes, visits and submissions, so a
    restricted note is its author's and the tray's submissions are theirs."""
    if member is None:
        return
    generated = User.objects.filter(username=staff_username(member.pk)).first()
    if generated is None:
        return
    CaseNote.objects.filter(author=generated).update(author=user)
    Visit.objects.filter(recorded_by=generated).update(recorded_by=user)
    Assessment.objects.filter(submitted_by=generated).update(submitted_by=user)


# A realistic caseload for the demo social worker (DfE CSWW 2025: 15.2 on average).
CASELOAD_RANGE = (15, 25)


def _case_holder(user: User) -> StaffMember | None:
    """The social worker in a CIN or CP team the demo account stands for: the one it stands for already
    while they still hold children; else, in this order of preference, one holding a realistic caseload,
    with something overdue, in a team with assessments waiting for the manager, holding the most children
    (ties: the earliest record)."""
    candidates = list(
        StaffMember.objects.filter(
            job_role=StaffMember.JobRole.SOCIAL_WORKER,
            end_date__isnull=True,
            team__kind__in=[Team.Kind.CHILD_IN_NEED, Team.Kind.CHILD_PROTECTION],
        )
        .filter(Q(user__isnull=True) | Q(user=user))
        .annotate(open_allocations=Count("allocations", filter=_OPEN))
        .filter(open_allocations__gt=0)
        .select_related("team__service")
        .order_by("-open_allocations", "id")
    )
    current = next((m for m in candidates if m.user_id == user.pk), None)
    if current is not None or not candidates:
        return current
    held = Allocation.objects.filter(worker__in=candidates, end_date__isnull=True).values_list("worker_id", "child_id")
    overdue = {item.child_id for item in due_items({child for _, child in held}) if item.overdue(demo_today())}
    with_overdue = {worker for worker, child in held if child in overdue}
    waiting = _awaiting_by_team({m.team_id for m in candidates})
    low, high = CASELOAD_RANGE

    def preference(m: StaffMember) -> tuple[bool, bool, int, int, int]:
        n = m.open_allocations  # type: ignore[attr-defined]
        return (not low <= n <= high, m.pk not in with_overdue, -min(waiting.get(m.team_id, 0), 3), -n, m.pk)

    return min(candidates, key=preference)


def demo_today() -> dt.date:
    """The day the demo borough stands at (its as-of date), or today without one."""
    dataset = DemoDataset.objects.order_by("-pk").first()
    return dataset.as_of if dataset is not None else timezone.localdate()


def _awaiting_by_team(team_ids: Collection[int]) -> dict[int, int]:
    """Assessments submitted and not yet authorised, by the team holding the child (as the team trays count
    them)."""
    waiting = Assessment.objects.filter(authorised_date__isnull=True, submitted_at__isnull=False)
    return dict(
        Allocation.objects.filter(
            end_date__isnull=True, worker__team_id__in=list(team_ids), child_id__in=waiting.values("referral__child_id")
        )
        .values_list("worker__team_id")
        .annotate(n=Count("child_id", distinct=True))
    )


def _cse_worker(user: User, account: DemoAccount) -> StaffMember | None:
    """The social worker (of any grade) in the CSE team holding the most open CSE cases (ties: the earliest
    record)."""
    candidates = (
        StaffMember.objects.filter(
            job_role__in=CASE_HOLDING_ROLES, is_case_holder=True, end_date__isnull=True, team__kind=Team.Kind.CSE
        )
        .filter(Q(user__isnull=True) | Q(user=user))
        .annotate(open_cases=Count("cse_cases", filter=Q(cse_cases__closed_on__isnull=True)))
        .order_by("-open_cases", "id")
    )
    member = candidates.first()
    if member is not None:
        return member
    team = Team.objects.filter(kind=Team.Kind.CSE).order_by("id").first()
    return None if team is None else _pick_or_create(user, StaffMember.objects.none(), account, team)


def _busiest_casework_team() -> Team | None:
    return (
        Team.objects.filter(kind__in=[Team.Kind.CHILD_IN_NEED, Team.Kind.CHILD_PROTECTION])
        .annotate(open_allocations=Count("allocations", filter=_OPEN))
        .select_related("service")
        .order_by("-open_allocations", "id")
        .first()
    )


def _pick_or_create(user: User, candidates: QuerySet[StaffMember], account: DemoAccount, team: Team) -> StaffMember:
    """The member of staff already linked to this account, else the first free one, else a new one."""
    current = candidates.filter(end_date__isnull=True)
    member = current.filter(user=user).first() or current.filter(user__isnull=True).order_by("id").first()
    if member is None:
        member = StaffMember.objects.create(
            first_name=account.first_name,
            last_name=account.last_name,
            team=team,
            job_role=_job_role_for(account),
            is_case_holder=False,
            start_date=timezone.localdate() - dt.timedelta(days=365),
        )
    return member


def _job_role_for(account: DemoAccount) -> str:
    return {
        Link.TEAM_MANAGER: StaffMember.JobRole.TEAM_MANAGER,
        Link.SERVICE_MANAGER: StaffMember.JobRole.SERVICE_MANAGER,
        Link.MASH: StaffMember.JobRole.MASH_PRACTITIONER,
        Link.MASH_MANAGER: StaffMember.JobRole.TEAM_MANAGER,
        Link.CSE_WORKER: StaffMember.JobRole.SOCIAL_WORKER,
    }[account.link]


def _link(user: User, member: StaffMember | None) -> None:
    stale = StaffMember.objects.filter(user=user)
    if member is not None:
        stale = stale.exclude(pk=member.pk)
    for old in stale:
        old.user = None
        old.save(update_fields=["user", "updated_at"])
    if member is not None and member.user_id != user.pk:
        member.user = user
        member.save(update_fields=["user", "updated_at"])


def _describe(account: DemoAccount, member: StaffMember | None) -> str:
    if member is None:
        return account.description
    text = f"{account.description}: {member.full_name}, {member.team.name}"
    if account.link == Link.CASE_HOLDER:
        held = list(member.allocations.filter(end_date__isnull=True).values_list("child_id", flat=True))
        text += f", holding {len(held)} {'child' if len(held) == 1 else 'children'}"
        overdue = sum(item.overdue(demo_today()) for item in due_items(held)) if held else 0
        if overdue:
            text += f" ({overdue} overdue {'item' if overdue == 1 else 'items'})"
    if account.link == Link.TEAM_MANAGER:
        waiting = _awaiting_by_team([member.team_id]).get(member.team_id, 0)
        if waiting:
            text += f"; {waiting} {'assessment' if waiting == 1 else 'assessments'} waiting for authorisation"
    return text
