"""Tamper evidence for the audit trail: hash chains that need no global lock.

Every audit row belongs to one of `CHAINS` independent chains and carries its position in that chain
(`seq`, from 1 with no gaps), the hash of the row before it (`prev_hash`) and its own `hash`, a SHA-256
over its content and `prev_hash`. Changing a row breaks its hash; removing one leaves a gap in `seq`;
putting one in out of order breaks the link of the row after it. `verify` walks every chain.

Why several chains: audit rows are written inside each service's transaction, so whoever appends to a
chain must hold it until commit (otherwise two transactions would both read the same head and link to
it). One chain would make every transaction that audits wait for the one before it to commit. Instead
a transaction takes the first chain nobody else holds (PostgreSQL: a transaction-scoped advisory lock,
tried without waiting, starting from the chain this connection used last), and waits only if all
`CHAINS` are held at once. Holding a chain until commit means rows join it in commit order, and a
rolled-back transaction takes its rows and the head it moved with it, so neither ids committed out
of order nor ids lost to a rollback leave a gap. On SQLite a write transaction holds the whole
database (transactions begin IMMEDIATE), so no lock is needed there.

A unique (chain, seq) constraint backs this up: two writers that ever read the same head cannot both
commit. The format of the hashed content is fixed (`HASH_VERSION`); changing it means a new version
and keeping the old one for rows already written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .models import AuditEvent, ChangeSeal

# Never lower it: verify treats a row on a chain numbered CHAINS or above as forged.
CHAINS = 16
GENESIS = "0" * 64
HASH_VERSION = 1


@dataclass(frozen=True)
class Family:
    """A set of CHAINS chains kept in one table."""

    name: str
    table: str
    noun: str
    # The first key of PostgreSQL's two-key advisory locks, so these locks collide with no others.
    lock_class: int


# The audit trail's rows carry their own links; the change history's (django-auditlog's table) are
# kept beside it in access_changeseal, one seal a LogEntry.
AUDIT = Family("audit trail", "access_auditevent", "row", 0x4F4D4153)
CHANGES = Family("change history", "access_changeseal", "change history entry", 0x4F4D4348)

# Fields hashed, in this order. The row id is left out: it is not known before the insert, and it
# carries no meaning the chain position does not.
HASHED_FIELDS = (
    "at",
    "user_id",
    "username",
    "action",
    "object_type",
    "object_id",
    "child_id",
    "summary",
    "reason",
    "detail",
)

# What of a LogEntry is hashed: every column but its id.
CHANGE_FIELDS = (
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "serialized_data",
    "action",
    "changes_text",
    "changes",
    "actor_id",
    "cid",
    "remote_addr",
    "remote_port",
    "timestamp",
    "additional_data",
    "actor_email",
)

_preferred = threading.local()


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def row_hash(
    *, chain: int, seq: int, prev_hash: str, content: dict[str, Any], fields: tuple[str, ...] = HASHED_FIELDS
) -> str:
    """The hash of one row: over the chain position, the previous hash and the hashed fields."""
    payload = [HASH_VERSION, chain, seq, prev_hash, *(_canonical(content[name]) for name in fields)]
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Link:
    chain: int
    seq: int
    prev_hash: str


def next_link(family: Family = AUDIT, using: str = DEFAULT_DB_ALIAS) -> Link:
    """Take a chain for the current transaction and return the position of the next row on it.

    Call inside the transaction that inserts the row: the chain stays held until that commits.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("an audit row must be chained inside the transaction that writes it")
    chain = _take_chain(family, using)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT seq, hash FROM {family.table} WHERE chain = %s ORDER BY seq DESC LIMIT 1",  # noqa: S608
            [chain],
        )
        head = cursor.fetchone()
    if head is None:
        return Link(chain=chain, seq=1, prev_hash=GENESIS)
    return Link(chain=chain, seq=head[0] + 1, prev_hash=head[1])


def _take_chain(family: Family, using: str) -> int:
    preferred: dict[tuple[str, str], int] = _preferred.__dict__.setdefault("by_alias", {})
    start = preferred.get((using, family.table))
    if start is None:
        start = secrets.randbelow(CHAINS)
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The first chain, from ours, that no other transaction holds; one this transaction
            # already holds is taken again at once (the locks are re-entrant).
            cursor.execute(
                "SELECT c FROM (SELECT mod(%s + i, %s) AS c FROM generate_series(0, %s - 1) AS i) AS chains "
                "WHERE pg_try_advisory_xact_lock(%s, c) LIMIT 1",
                [start, CHAINS, CHAINS, family.lock_class],
            )
            row = cursor.fetchone()
            if row is None:
                # Every chain is in use: wait for ours.
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [family.lock_class, start])
                chain = start
            else:
                chain = int(row[0])
    else:
        chain = start
    preferred[(using, family.table)] = chain
    return chain


def seal_change(entry_id: int, using: str = DEFAULT_DB_ALIAS) -> ChangeSeal:
    """Link a change-history entry just written (in this transaction) into the change chains.

    Hashes the entry as the database gives it back, so verify, which reads it the same way, agrees."""
    with transaction.atomic(using=using, savepoint=False):
        values = LogEntry.objects.using(using).filter(pk=entry_id).values_list(*CHANGE_FIELDS).get()
        link = next_link(CHANGES, using)
        digest = row_hash(
            chain=link.chain,
            seq=link.seq,
            prev_hash=link.prev_hash,
            content=dict(zip(CHANGE_FIELDS, values, strict=True)),
            fields=CHANGE_FIELDS,
        )
        return ChangeSeal.objects.using(using).create(
            entry_id=entry_id, chain=link.chain, seq=link.seq, prev_hash=link.prev_hash, hash=digest
        )


@dataclass(frozen=True)
class Problem:
    """The first row of a chain that does not check out, and why."""

    family: Family
    row_id: int
    chain: int
    seq: int
    what: str

    def __str__(self) -> str:
        where = f" (chain {self.chain}, position {self.seq})" if self.seq else ""
        return f"{self.family.noun} {self.row_id}{where}: {self.what}"


@dataclass
class Report:
    rows: int
    changes: int
    problems: list[Problem]
    heads: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def heads_digest(self) -> str:
        """One hash over every chain's last hash: written down outside the database, it shows later
        whether rows were removed from the end of a chain, which the chain alone cannot show."""
        text = json.dumps(sorted(self.heads.items()), separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _audit_rows(using: str) -> Iterator[tuple[Any, ...]]:
    yield from (
        AuditEvent.objects.using(using)
        .order_by("chain", "seq", "id")
        .values_list("id", "chain", "seq", "prev_hash", "hash", *HASHED_FIELDS)
        .iterator(chunk_size=5000)
    )


def _change_rows(using: str) -> Iterator[tuple[Any, ...]]:
    yield from (
        ChangeSeal.objects.using(using)
        .order_by("chain", "seq", "id")
        .values_list("entry_id", "chain", "seq", "prev_hash", "hash", *(f"entry__{f}" for f in CHANGE_FIELDS))
        .iterator(chunk_size=5000)
    )


def _walk(
    family: Family, rows: Iterator[tuple[Any, ...]], fields: tuple[str, ...], heads: dict[str, str]
) -> tuple[int, list[Problem]]:
    problems: dict[int, Problem] = {}
    last_hash: dict[int, str] = {}
    last_id: dict[int, int] = {}
    expected_seq: dict[int, int] = {}
    count = 0
    for row_id, chain, seq, prev_hash, stored, *values in rows:
        count += 1
        if chain in problems:
            continue
        content = dict(zip(fields, values, strict=True))
        expect = expected_seq.get(chain, 1)
        what = ""
        if not 0 <= chain < CHAINS:
            what = "it is on a chain that does not exist: added outside the application"
        elif seq > expect:
            what = f"rows are missing before it (expected position {expect}): removed"
        elif seq < expect:
            what = "a second row at this position: inserted out of order"
        elif row_hash(chain=chain, seq=seq, prev_hash=prev_hash, content=content, fields=fields) != stored:
            what = "its content does not match its hash: altered"
        elif prev_hash != last_hash.get(chain, GENESIS):
            what = (
                f"it does not follow the {family.noun} before it ({family.noun} {last_id[chain]}): "
                "inserted out of order, or that one was changed"
                if chain in last_id
                else "it does not start its chain: inserted out of order"
            )
        if what:
            problems[chain] = Problem(family=family, row_id=row_id, chain=chain, seq=seq, what=what)
            continue
        last_hash[chain] = stored
        last_id[chain] = row_id
        expected_seq[chain] = seq + 1
    heads.update({f"{family.table}:{chain}": digest for chain, digest in last_hash.items()})
    return count, sorted(problems.values(), key=lambda p: p.row_id)


def verify(using: str = DEFAULT_DB_ALIAS) -> Report:
    """Walk every chain of both families; report the first bad row of each chain (ordered by id),
    and any change-history entry that has no seal at all."""
    heads: dict[str, str] = {}
    rows, audit_problems = _walk(AUDIT, _audit_rows(using), HASHED_FIELDS, heads)
    changes, change_problems = _walk(CHANGES, _change_rows(using), CHANGE_FIELDS, heads)
    sealed = ChangeSeal.objects.using(using).values("entry_id")
    unsealed = [
        Problem(
            family=CHANGES, row_id=entry_id, chain=-1, seq=0, what="it is in no chain: added outside the application"
        )
        for entry_id in LogEntry.objects.using(using)
        .exclude(pk__in=sealed)
        .order_by("id")
        .values_list("id", flat=True)[:10]
    ]
    return Report(rows=rows, changes=changes, problems=audit_problems + change_problems + unsealed, heads=heads)
