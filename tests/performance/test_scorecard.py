"""The quarterly scorecard as its readers rely on it: figures, hidden small numbers, cached figures that still
follow every correction, narratives, owners and targets, freezing, the children behind a figure, downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from openmash.access.models import AuditEvent
from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework.children import child_create
from openmash.core.errors import ServiceError
from openmash.core.events import Event, EventType, record_events, replace_events
from openmash.core.locking import EditConflict
from openmash.people.models import Child
from openmash.performance import cache, registry, scorecard, services
from openmash.performance.drill import drill
from openmash.performance.models import ComputedFigures, Snapshot
from openmash.performance.periods import Period
from openmash.performance.scorecard import default_period

from ..accounts.helpers import sign_in_verified
from ..clock import LATE_ON_31_MARCH_2025_UTC, LOCAL_DATE_THEN, frozen_at

D = dt.date
TODAY = D(2025, 5, 20)  # 2024-25 is finished; Q4 (January to March 2025) is the last complete quarter
Q4 = Period(2025, 4)


def _user(username: str, role: Role, agency: str = Agency.CHILDRENS_SOCIAL_CARE) -> User:
    user = User.objects.create_user(username=username, password="a-long-test-password", agency=agency)
    UserRole.objects.create(user=user, role=role)
    return user


@pytest.fixture
def councillor(db: None) -> User:
    return _user("cllr", Role.SCRUTINY_MEMBER, Agency.DEMOCRATIC_SERVICES)


@pytest.fixture
def analyst(db: None) -> User:
    return _user("analyst", Role.PERFORMANCE_ANALYST)


def _child(n: int, worker_user: User) -> Child:
    return child_create(
        la_child_id=f"K{n:03d}",
        first_name=f"Kid{n}",
        last_name="Figure",
        date_of_birth=D(2014, 1, 1),
        sex="M",
        ethnicity="WBRI",
        postcode="ZZ1 1ZZ",
        acting_user=worker_user,
    )


def _referral(child: Child, day: dt.date, source_id: int, team_id: int | None = None) -> Event:
    return Event(
        event_type=EventType.REFERRAL,
        event_date=day,
        child_id=child.pk,
        la_child_id=child.la_child_id,
        source_id=source_id,
        episode_id=source_id,
        team_id=team_id,
        code="1A",
        flag=False,
    )


@pytest.fixture
def referred(child: Child, worker_user: User) -> list[Child]:
    """Four children referred in January 2025; the first (the fixture's child, allocated to the worker's team)
    was referred in June 2024 too, so one referral in four is a re-referral."""
    team_id = worker_user.staff.team_id  # type: ignore[attr-defined]
    others = [_child(n, worker_user) for n in (1, 2, 3)]
    events = [
        _referral(child, D(2024, 6, 3), 9001, team_id),
        _referral(child, D(2025, 1, 6), 9002, team_id),
        *(_referral(c, D(2025, 1, 7 + i), 9003 + i) for i, c in enumerate(others)),
    ]
    replace_events(events)
    return [child, *others]


def _row(card: scorecard.Scorecard, indicator_id: str) -> scorecard.Row:
    return next(r for r in card.rows if r.indicator.id == indicator_id)


def test_the_default_period_is_the_last_quarter_complete_on_todays_date_in_england() -> None:
    # Already 1 April 2025 in England: January to March 2025 is complete; by the UTC date it would not be.
    with frozen_at(LATE_ON_31_MARCH_2025_UTC):
        from django.utils import timezone

        assert timezone.localdate() == LOCAL_DATE_THEN
        assert default_period(timezone.localdate()) == Q4


def test_a_manager_sees_the_figure_and_a_councillor_sees_c_for_small_counts(
    referred: list[Child], manager_user: User, councillor: User
) -> None:
    manager = _row(scorecard.build(manager_user, period=Q4, today=TODAY), "rereferral_rate")
    assert (manager.numerator, manager.denominator) == (1, 4)
    assert manager.value == pytest.approx(25.0)
    assert manager.rag == "red"  # England's 22.6% is the target; lower is better; 25.0 is 2.4 points over
    hidden = _row(scorecard.build(councillor, period=Q4, today=TODAY), "rereferral_rate")
    assert (hidden.value, hidden.numerator, hidden.denominator) == ("c", "c", "c")
    # A rating or a direction would give the hidden figure away.
    assert hidden.rag is None
    assert hidden.direction is None
    assert all(p.value in ("c", None) or p.numerator != 1 for p in hidden.trend)


def test_figures_are_computed_once_per_state_of_the_records_and_follow_a_correction(
    referred: list[Child], manager_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    scorecard.build(manager_user, period=Q4, today=TODAY)
    calls: list[str] = []
    real = registry.figure
    monkeypatch.setattr(registry, "figure", lambda *a, **k: calls.append(a[0].id) or real(*a, **k))
    again = scorecard.build(manager_user, period=Q4, today=TODAY)
    assert calls == []  # read back, not recomputed
    assert _row(again, "rereferral_rate").numerator == 1
    # A fifth referral in the quarter, recorded as a service records it: the next page counts it.
    fifth = referred[1]
    record_events(_referral(fifth, D(2025, 2, 3), 9010))
    after = _row(scorecard.build(manager_user, period=Q4, today=TODAY), "rereferral_rate")
    assert calls  # recomputed
    assert (after.numerator, after.denominator) == (2, 5)  # fifth was referred on 7 January too
    # Figures for earlier states of the records are dropped.
    assert ComputedFigures.objects.values("fingerprint").distinct().count() == 1


def test_a_period_cannot_be_frozen_until_red_figures_are_explained_and_then_it_stays_as_it_was(
    referred: list[Child], analyst: User, manager_user: User
) -> None:
    card = scorecard.build(analyst, period=Q4, today=TODAY)
    red = [r.indicator.id for r in card.missing_narratives]
    assert "rereferral_rate" in red
    with pytest.raises(ServiceError, match="explain each figure rated red"):
        services.period_freeze(period=Q4, acting_user=analyst, today=TODAY)
    assert not Snapshot.objects.exists()
    for indicator_id in red:
        services.narrative_save(
            period=Q4, indicator_id=indicator_id, text="Reviewed with the team.", acting_user=manager_user
        )
    snapshot = services.period_freeze(period=Q4, acting_user=analyst, today=TODAY)
    assert snapshot.definitions_version == registry.definitions_version()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE, summary__startswith="Froze").exists()
    # A correction after freezing changes today's figures, not the frozen ones.
    record_events(_referral(referred[2], D(2025, 3, 3), 9011))
    frozen = scorecard.build(manager_user, period=Q4, today=TODAY)
    assert frozen.frozen is not None
    assert (_row(frozen, "rereferral_rate").numerator, _row(frozen, "rereferral_rate").denominator) == (1, 4)
    assert _row(frozen, "rereferral_rate").narrative == "Reviewed with the team."
    with pytest.raises(ServiceError, match="frozen"):
        services.narrative_save(period=Q4, indicator_id="rereferral_rate", text="Later", acting_user=manager_user)
    with pytest.raises(ServiceError, match="already frozen"):
        services.period_freeze(period=Q4, acting_user=analyst, today=TODAY)


def test_a_running_quarter_cannot_be_frozen(analyst: User) -> None:
    with pytest.raises(ServiceError, match="has not finished"):
        services.period_freeze(period=Period(2026, 1), acting_user=analyst, today=D(2025, 5, 20))


def test_once_an_owner_is_set_only_they_write_the_narrative_and_a_stale_edit_is_refused(
    referred: list[Child], analyst: User, manager_user: User, worker_user: User
) -> None:
    with pytest.raises(PermissionError):
        services.narrative_save(period=Q4, indicator_id="rereferral_rate", text="x", acting_user=worker_user)
    services.indicator_update(
        indicator_id="rereferral_rate", owner=analyst, target=None, target_note="", acting_user=analyst
    )
    with pytest.raises(PermissionError):
        services.narrative_save(period=Q4, indicator_id="rereferral_rate", text="x", acting_user=manager_user)
    first = services.narrative_save(period=Q4, indicator_id="rereferral_rate", text="First", acting_user=analyst)
    services.narrative_save(
        period=Q4, indicator_id="rereferral_rate", text="Second", expected_version=first.version, acting_user=analyst
    )
    with pytest.raises(EditConflict):
        services.narrative_save(
            period=Q4, indicator_id="rereferral_rate", text="Third", expected_version=first.version, acting_user=analyst
        )


def test_a_local_target_replaces_the_national_one_in_the_rating(
    referred: list[Child], analyst: User, manager_user: User
) -> None:
    with pytest.raises(ServiceError, match="0 to 100"):
        services.indicator_update(
            indicator_id="rereferral_rate", owner=None, target=120, target_note="", acting_user=analyst
        )
    with pytest.raises(PermissionError):
        services.indicator_update(
            indicator_id="rereferral_rate", owner=None, target=30, target_note="", acting_user=manager_user
        )
    services.indicator_update(
        indicator_id="rereferral_rate", owner=None, target=30, target_note="Agreed by the board", acting_user=analyst
    )
    row = _row(scorecard.build(manager_user, period=Q4, today=TODAY), "rereferral_rate")
    assert (row.target, row.target_basis, row.target_note, row.rag) == (30, "local", "Agreed by the board", "green")


def test_a_manager_sees_only_the_children_they_may_see_behind_a_figure_and_the_look_is_audited(
    referred: list[Child], manager_user: User, councillor: User
) -> None:
    found = drill(manager_user, "rereferral_rate", Q4, today=TODAY)
    listed = {r.child.la_child_id: r.counted for r in found.page}
    assert listed == {"C100": True}  # the team's child, whose January referral is the re-referral
    assert found.hidden == 3  # the others are counted but not named
    assert (found.numerator, found.denominator) == (1, 4)
    event = AuditEvent.objects.get(detail__page="figure drill-down")
    assert event.detail["children"] == ["C100"]
    with pytest.raises(PermissionError):
        drill(councillor, "rereferral_rate", Q4, today=TODAY)


def test_downloads_hold_what_the_viewer_sees(referred: list[Child], councillor: User, manager_user: User) -> None:
    client = Client()
    sign_in_verified(client, councillor)
    response = client.get("/performance/scorecard.csv", {"period": Q4.key})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    rereferrals = next(r for r in rows if r["Indicator"] == "Re-referrals within 12 months")
    assert (rereferrals["Figure"], rereferrals["Count"], rereferrals["Out of"]) == ("c", "c", "c")
    assert AuditEvent.objects.filter(user=councillor, action=AuditEvent.Action.EXPORT).exists()

    client = Client()
    sign_in_verified(client, manager_user)
    response = client.get("/performance/scorecard.xlsx", {"period": Q4.key})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    by_name = {row[0]: dict(zip(header, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_name["Re-referrals within 12 months"]["Figure"] == 25.0
    assert by_name["Re-referrals within 12 months"]["Count"] == "1"


def test_bad_period_and_team_choices_are_shown_as_errors_not_failures(
    referred: list[Child], manager_user: User, councillor: User
) -> None:
    client = Client()
    sign_in_verified(client, manager_user)
    page = client.get("/performance/", {"period": "2025-Q9", "team": "nope"})
    assert page.status_code == 200
    assert "Choose a period from the list" in page.content.decode()
    client = Client()
    sign_in_verified(client, councillor)
    # Councillors have no team choice: a team in the address is ignored, not obeyed.
    page = client.get("/performance/", {"period": Q4.key, "team": "1"})
    assert page.status_code == 200
    assert "See the children" not in page.content.decode()


def test_the_cache_is_keyed_by_the_period_end_so_a_running_quarter_moves_on_each_day(
    referred: list[Child], manager_user: User
) -> None:
    running = Period(2025, 4)
    cache.figures([running.at(D(2025, 1, 31))])
    cache.figures([running.at(D(2025, 2, 28))])
    assert set(ComputedFigures.objects.values_list("as_of", flat=True)) == {D(2025, 1, 31), D(2025, 2, 28)}
