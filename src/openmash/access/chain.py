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

from django.db import DEFAULT_DB_ALIAS, connections

from .models import AuditEvent

# Never lower it: verify treats a row on a chain numbered CHAINS or above as forged.
CHAINS = 16
GENESIS = "0" * 64
HASH_VERSION = 1
# The first key of PostgreSQL's two-key advisory locks, so the chain locks cannot collide with others.
ADVISORY_LOCK_CLASS = 0x4F4D4153  # "OMAS"

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

_preferred = threading.local()


def _canonical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def row_hash(*, chain: int, seq: int, prev_hash: str, content: dict[str, Any]) -> str:
    """The hash of one row: over the chain position, the previous hash and the hashed fields."""
    payload = [HASH_VERSION, chain, seq, prev_hash, *(_canonical(content[name]) for name in HASHED_FIELDS)]
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Link:
    chain: int
    seq: int
    prev_hash: str


def next_link(using: str = DEFAULT_DB_ALIAS) -> Link:
    """Take a chain for the current transaction and return the position of the next row on it.

    Call inside the transaction that inserts the row: the chain stays held until that commits.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("an audit row must be chained inside the transaction that writes it")
    chain = _take_chain(using)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq, hash FROM access_auditevent WHERE chain = %s ORDER BY seq DESC LIMIT 1",
            [chain],
        )
        head = cursor.fetchone()
    if head is None:
        return Link(chain=chain, seq=1, prev_hash=GENESIS)
    return Link(chain=chain, seq=head[0] + 1, prev_hash=head[1])


def _take_chain(using: str) -> int:
    preferred: dict[str, int] = _preferred.__dict__.setdefault("by_alias", {})
    start = preferred.get(using)
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
                [start, CHAINS, CHAINS, ADVISORY_LOCK_CLASS],
            )
            row = cursor.fetchone()
            if row is None:
                # Every chain is in use: wait for ours.
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_CLASS, start])
                chain = start
            else:
                chain = int(row[0])
    else:
        chain = start
    preferred[using] = chain
    return chain


@dataclass(frozen=True)
class Problem:
    """The first row of a chain that does not check out, and why."""

    event_id: int
    chain: int
    seq: int
    what: str

    def __str__(self) -> str:
        return f"row {self.event_id} (chain {self.chain}, position {self.seq}): {self.what}"


@dataclass
class Report:
    rows: int
    problems: list[Problem]
    heads: dict[int, str]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def heads_digest(self) -> str:
        """One hash over every chain's last hash: written down outside the database, it shows later
        whether rows were removed from the end of a chain, which the chain alone cannot show."""
        text = json.dumps(sorted(self.heads.items()), separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _rows(using: str) -> Iterator[tuple[Any, ...]]:
    yield from (
        AuditEvent.objects.using(using)
        .order_by("chain", "seq", "id")
        .values_list("id", "chain", "seq", "prev_hash", "hash", *HASHED_FIELDS)
        .iterator(chunk_size=5000)
    )


def verify(using: str = DEFAULT_DB_ALIAS) -> Report:
    """Walk every chain; report the first bad row of each (problems ordered by row id)."""
    problems: dict[int, Problem] = {}
    heads: dict[int, str] = {}
    head_ids: dict[int, int] = {}
    expected_seq: dict[int, int] = {}
    rows = 0
    for event_id, chain, seq, prev_hash, stored, *values in _rows(using):
        rows += 1
        if chain in problems:
            continue
        content = dict(zip(HASHED_FIELDS, values, strict=True))
        expect = expected_seq.get(chain, 1)
        previous = heads.get(chain, GENESIS)
        what = ""
        if not 0 <= chain < CHAINS:
            what = "it is on a chain that does not exist: added outside the application"
        elif seq > expect:
            what = f"rows are missing before it (expected position {expect}): removed"
        elif seq < expect:
            what = "a second row at this position: inserted out of order"
        elif row_hash(chain=chain, seq=seq, prev_hash=prev_hash, content=content) != stored:
            what = "its content does not match its hash: altered"
        elif prev_hash != previous:
            what = (
                f"it does not follow the row before it (row {head_ids[chain]}): inserted out of order, "
                "or that row was changed"
                if chain in head_ids
                else "it does not start its chain: inserted out of order"
            )
        if what:
            problems[chain] = Problem(event_id=event_id, chain=chain, seq=seq, what=what)
            continue
        heads[chain] = stored
        head_ids[chain] = event_id
        expected_seq[chain] = seq + 1
    return Report(rows=rows, problems=sorted(problems.values(), key=lambda p: p.event_id), heads=heads)
