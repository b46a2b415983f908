"""The audit trail cannot be rewritten quietly: the database refuses every statement that would change
or remove a row, `flush` refuses outside the tests, and `openmash audit verify` finds any tampering
done round those guards (here, by lifting them the way only the database's owner could)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from openmash.access import audit, chain
from openmash.access.models import AuditEvent, ChangeSeal
from openmash.accounts.models import User
from openmash.people.models import Child

from .world import World

Lift = Callable[[], AbstractContextManager[None]]


def _record(user: User, n: int) -> list[AuditEvent]:
    return [
        audit.record(
            user=user, action=AuditEvent.Action.VIEW, summary=f"Viewed record {i}", child_id=i, detail={"i": i}
        )
        for i in range(n)
    ]


def _refused(sql: str, params: list[object] | None = None) -> str:
    """Run one statement; return the database's refusal, or fail if it was allowed."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        return str(exc)
    raise AssertionError(f"the database allowed: {sql}")


def _columns(table: str) -> list[str]:
    return [c.name for c in connection.introspection.get_table_description(connection.cursor(), table)]


def _copy_with(table: str, row_id: int, **changes: object) -> tuple[list[str], str, list[object]]:
    """Columns, a SELECT giving a copy of one row with some values changed, and its parameters."""
    columns = _columns(table)
    values = [f"%s AS {c}" if c in changes else c for c in columns]
    select = f"SELECT {', '.join(values)} FROM {table} WHERE id = {int(row_id)}"  # noqa: S608 - test SQL
    return columns, select, [changes[c] for c in columns if c in changes]


def _verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def _verify_fails() -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stderr=err)
    return err.getvalue()


def test_a_replace_or_upsert_cannot_overwrite_an_audit_row(worker_user: User, child: Child) -> None:
    event = _record(worker_user, 2)[0]
    entry = LogEntry.objects.order_by("id").first()
    assert entry is not None  # creating the child wrote change history
    before = (AuditEvent.objects.count(), LogEntry.objects.count())
    attempts: list[tuple[str, list[object]]] = []
    for table, row_id, changes in (
        ("access_auditevent", event.pk, {"summary": "forged"}),
        ("auditlog_logentry", entry.pk, {"object_repr": "forged"}),
        ("access_changeseal", ChangeSeal.objects.get(entry=entry).pk, {"hash": "0" * 64}),
    ):
        columns, select, params = _copy_with(table, row_id, **changes)
        if connection.vendor == "sqlite":
            attempts += [
                (f"REPLACE INTO {table} ({', '.join(columns)}) {select}", params),
                (f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) {select}", params),
                (f"INSERT INTO {table} ({', '.join(columns)}) {select} ON CONFLICT (id) DO UPDATE SET id = id", params),
            ]
        else:
            first = next(iter(changes))
            attempts += [
                (
                    f"INSERT INTO {table} ({', '.join(columns)}) {select} "
                    f"ON CONFLICT (id) DO UPDATE SET {first} = EXCLUDED.{first}",
                    params,
                ),
            ]
    # A new id but the same place in the chain: REPLACE would delete the row holding that place.
    columns, select, params = _copy_with("access_auditevent", event.pk, id=event.pk + 1000, summary="forged")
    if connection.vendor == "sqlite":
        attempts.append((f"INSERT OR REPLACE INTO access_auditevent ({', '.join(columns)}) {select}", params))
    for sql, params in attempts:
        _refused(sql, params)
    assert (AuditEvent.objects.count(), LogEntry.objects.count()) == before
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed record 0"
    assert LogEntry.objects.get(pk=entry.pk).object_repr == entry.object_repr
    assert "2 rows verified" in _verify()


def test_the_application_cannot_change_empty_or_unguard_the_audit_tables(worker_user: User, child: Child) -> None:
    _record(worker_user, 1)
    before = (AuditEvent.objects.count(), LogEntry.objects.count())
    columns = {"access_auditevent": "summary", "auditlog_logentry": "object_repr", "access_changeseal": "hash"}
    for table, column in columns.items():
        statements = [f"UPDATE {table} SET {column} = 'forged'", f"DELETE FROM {table}"]  # noqa: S608
        if connection.vendor == "postgresql":
            # Refused for want of the privilege, not only by the triggers: the app's role owns nothing.
            statements += [f"TRUNCATE {table}", f"ALTER TABLE {table} DISABLE TRIGGER USER"]
            for sql in statements:
                message = _refused(sql)
                assert "permission denied" in message or "must be owner" in message, message
        else:
            # The 0002 guard row no longer exists to switch the delete trigger off.
            _refused("UPDATE openmash_audit_guard SET enforced = 0")
            for sql in statements:
                assert "append-only" in _refused(sql)
    assert (AuditEvent.objects.count(), LogEntry.objects.count()) == before


@pytest.mark.usefixtures("transactional_db")
def test_not_even_the_owner_can_truncate_or_rewrite_the_trail_while_its_guards_stand(
    worker_user: User, as_db_owner: Lift
) -> None:
    """As the owner on PostgreSQL (the triggers, not privileges, refuse); on SQLite there is one user."""
    _record(worker_user, 2)
    with as_db_owner():
        for table in ("access_auditevent", "auditlog_logentry", "access_changeseal"):
            empty = f"TRUNCATE {table} CASCADE" if connection.vendor == "postgresql" else f"DELETE FROM {table}"  # noqa: S608
            assert "append-only" in _refused(empty)
            assert "append-only" in _refused(f"DELETE FROM {table} WHERE id > 0")  # noqa: S608
            assert "append-only" in _refused(f"UPDATE {table} SET id = id")  # noqa: S608
    assert AuditEvent.objects.count() == 2
    assert "2 rows verified" in _verify()


def test_flush_refuses_outside_the_test_suite(worker_user: User, settings: Any) -> None:
    settings.OPENMASH_ALLOW_FLUSH = False
    _record(worker_user, 1)
    with pytest.raises(CommandError, match="runs only inside the test suite"):
        call_command("flush", interactive=False)
    assert AuditEvent.objects.count() == 1
    assert User.objects.filter(pk=worker_user.pk).exists()


def test_verify_passes_on_an_untouched_trail_including_rolled_back_writes(worker_user: User) -> None:
    _record(worker_user, 3)

    def failing_service() -> None:
        with transaction.atomic():
            _record(worker_user, 2)
            raise RuntimeError("the service failed: its audit rows go with it")

    with pytest.raises(RuntimeError):
        failing_service()
    _record(worker_user, 2)
    out = _verify()
    assert "audit: 5 rows verified" in out
    assert "heads digest" in out


@pytest.mark.usefixtures("transactional_db")
@pytest.mark.parametrize(
    ("tamper", "bad", "what"),
    [
        ("UPDATE access_auditevent SET summary = 'nothing to see' WHERE id = %(third)s", "third", "altered"),
        ("UPDATE access_auditevent SET detail = '{\"i\": 9}' WHERE id = %(third)s", "third", "altered"),
        ("DELETE FROM access_auditevent WHERE id = %(third)s", "fourth", "removed"),
        ("DELETE FROM access_auditevent WHERE id = %(first)s", "second", "removed"),
        ("UPDATE access_auditevent SET seq = seq + 10 WHERE id = %(fifth)s", "fifth", "removed"),
    ],
)
def test_verify_names_the_first_row_tampered_with(
    worker_user: User, audit_guards_lifted: Lift, tamper: str, bad: str, what: str
) -> None:
    rows = _record(worker_user, 5)
    assert len({r.chain for r in rows}) == 1  # one connection keeps to its chain
    ids = dict(zip(("first", "second", "third", "fourth", "fifth"), (r.pk for r in rows), strict=True))
    assert "5 rows verified" in _verify()
    with audit_guards_lifted(), connection.cursor() as cursor:
        cursor.execute(tamper, ids)
    problems = _verify_fails()
    first = problems.splitlines()[0]
    assert first.startswith(f"audit: row {ids[bad]} "), problems
    assert what in first


@pytest.mark.usefixtures("transactional_db")
def test_verify_finds_rows_put_in_out_of_order_even_with_a_correct_hash(worker_user: User) -> None:
    rows = _record(worker_user, 3)
    second, third = rows[1], rows[2]
    forged = {name: getattr(second, name) for name in chain.HASHED_FIELDS}
    forged["summary"] = "A look that never happened"
    # Placed after the third row but linked to the second, with its own hash computed correctly.
    seq = third.seq + 1
    digest = chain.row_hash(chain=third.chain, seq=seq, prev_hash=second.hash, content=forged)
    # Adding rows is what the application does, so nothing in the database stops it: the chain shows it.
    AuditEvent.objects.create(**forged, chain=third.chain, seq=seq, prev_hash=second.hash, hash=digest)
    forged_id = AuditEvent.objects.get(seq=seq, chain=third.chain).pk
    problems = _verify_fails()
    assert problems.splitlines()[0].startswith(f"audit: row {forged_id} "), problems
    assert "inserted out of order" in problems


@pytest.mark.usefixtures("transactional_db")
def test_verify_finds_a_row_rewritten_with_a_fresh_hash_at_the_row_after_it(
    worker_user: User, audit_guards_lifted: Lift
) -> None:
    rows = _record(worker_user, 3)
    second = rows[1]
    content = {name: getattr(second, name) for name in chain.HASHED_FIELDS} | {"summary": "Rewritten"}
    digest = chain.row_hash(chain=second.chain, seq=second.seq, prev_hash=second.prev_hash, content=content)
    with audit_guards_lifted():
        AuditEvent.objects.filter(pk=second.pk).update(summary="Rewritten", hash=digest)
    problems = _verify_fails()
    assert problems.splitlines()[0].startswith(f"audit: row {rows[2].pk} "), problems
    assert f"row {second.pk}" in problems


@pytest.mark.usefixtures("transactional_db")
def test_verify_fails_while_a_guard_is_lifted(worker_user: User, audit_guards_lifted: Lift) -> None:
    _record(worker_user, 1)
    with audit_guards_lifted():
        problems = _verify_fails()
    assert "access_auditevent" in problems
    assert "missing or disabled" in problems
    assert "1 rows verified" in _verify()


@pytest.mark.usefixtures("transactional_db")
def test_a_transaction_holding_a_chain_does_not_hold_up_other_writers(worker_user: User) -> None:
    """PostgreSQL: a second writer takes another chain and commits while the first is still open.
    SQLite lets one writer at a time into the whole database, so there the second waits its turn;
    either way every row is chained and the trail verifies."""
    first_open = threading.Event()
    second_done = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                _record(worker_user, 1)
                first_open.set()
                if connection.vendor == "postgresql":
                    assert second_done.wait(timeout=20), "the second writer waited for the first's chain"
        except BaseException as exc:
            errors.append(exc)
        finally:
            first_open.set()
            connection.close()

    def second() -> None:
        try:
            _record(worker_user, 1)
        except BaseException as exc:
            errors.append(exc)
        finally:
            second_done.set()
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert first_open.wait(timeout=20)
    if connection.vendor == "sqlite":
        one.join()
    two = threading.Thread(target=second)
    two.start()
    two.join(timeout=30)
    one.join(timeout=30)
    assert not errors, errors
    chains = set(AuditEvent.objects.values_list("chain", flat=True))
    if connection.vendor == "postgresql":
        assert len(chains) == 2
    assert "2 rows verified" in _verify()


def test_accounts_are_deactivated_not_deleted_since_the_trail_names_them(world: World) -> None:
    target = world.users["sw"]
    response = world.client_for("admin").post(f"/admin/accounts/user/{target.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=target.pk, is_active=True).exists()


@pytest.mark.usefixtures("transactional_db")
def test_the_change_history_is_chained_too(worker_user: User, child: Child, audit_guards_lifted: Lift) -> None:
    entries = list(LogEntry.objects.order_by("id"))
    assert len(entries) >= 2  # the child and the worker's staff record, at least
    assert ChangeSeal.objects.count() == len(entries)
    assert f"audit: {len(entries)} change history entries verified" in _verify()
    first = entries[0]
    with audit_guards_lifted():
        LogEntry.objects.filter(pk=first.pk).update(object_repr="Someone else")
    problems = _verify_fails()
    assert problems.splitlines()[0].startswith(f"audit: change history entry {first.pk} "), problems
    assert "altered" in problems


@pytest.mark.usefixtures("transactional_db")
def test_a_change_history_entry_written_round_the_application_shows(worker_user: User, child: Child) -> None:
    entry = LogEntry.objects.order_by("id").first()
    assert entry is not None
    columns = [c for c in _columns("auditlog_logentry") if c != "id"]
    with connection.cursor() as cursor:
        # An INSERT straight into the table, as the application's role could: no seal goes with it.
        cursor.execute(
            f"INSERT INTO auditlog_logentry ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {', '.join(columns)} FROM auditlog_logentry WHERE id = %s",
            [entry.pk],
        )
    forged = LogEntry.objects.order_by("-id").values_list("id", flat=True).first()
    problems = _verify_fails()
    assert f"change history entry {forged}: it is in no chain" in problems
