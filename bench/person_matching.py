"""Benchmark: finding the child a contact describes among a million (people/matching.py).

PostgreSQL ($DATABASE_URL if it names a PostgreSQL database, else
postgres://postgres@127.0.0.1:5432/om_bench_matching, created and migrated if missing): a synthetic
register of 1,000,000 children, bulk-loaded with COPY (indexes dropped and rebuilt round it, then
ANALYZE) and kept for the next run while its size and make-up are unchanged. Families of one to four
children share a surname and an address, some are twins; names come from the demo borough's lists
(demo/names.py), so many children share a name, as on a real register. SQLite: the demo borough
(`openmash generate --size borough`, about 45,000 children) in a temporary file, the same probes made
from it.

Probes (made from a fixed seed, no identifiers given, so every one is a name search):
- duplicates of a register child, each recording the child it should find: one typing slip in a
  name; two slips; first and last names swapped; no date of birth; a nickname or other spelling of the
  first name; the day and month of birth swapped; and pairs of these (no date of birth with a slip,
  swapped with a slip, a nickname with no date of birth). Where a date of birth is given the postcode
  is sometimes a new one (10%, the family moved) or left out (5%); without a date of birth the postcode
  is always given (a name alone cannot single out one child among a million);
- people who are not on the register, made the same way as the register's children (a quarter
  without a date of birth); any that happen to have a register child's name and date of birth (or
  name and postcode, without a date of birth) are left out, as those are the same person to anyone.

Figures (the PostgreSQL ones; the SQLite ones carry `sqlite_` after `person_match_`):
- person_match_p95_ms: 95th percentile of one find_matches call, over every probe, caches warm (a
  first pass over the probes is not timed; person_match_cold_p95_ms times that first pass);
- person_match_recall: share of duplicate probes whose child is among the first three matches offered;
- person_match_false_rate: share of probes whose first three matches include a wrong one, counting for
  a probe of someone not on the register any match offered, and for a duplicate any other child scored
  as a likely match (LIKELY_MATCH and up). Other children offered below that line, as possible
  matches, are not counted: a practitioner sees them marked as less likely.
A line per kind of probe shows its recall and false rate.

On PostgreSQL it also weighs the trigram lookup matching does without (docs/person-matching.md): with a
trigram index on the whole name (made here, in the benchmark's database only), the time of pg_trgm's
`%` search for each probe's name at TRIGRAM_THRESHOLD (person_match_trigram_lookup_p95_ms), and how
many children it finds that the lookups of find_matches do not and that would be offered
(person_match_trigram_only_offers).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

OPENMASH = Path(sys.executable).with_name("openmash")
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/om_bench_matching"
REGISTER_ROWS = 1_000_000
REGISTER_VERSION = 1  # change when the register's make-up changes, so a kept register is rebuilt
SEED = 20260331
AS_OF = dt.date(2026, 3, 31)
DUPLICATES = {
    "one_slip": 200,
    "two_slips": 150,
    "swapped": 150,
    "no_birth_date": 150,
    "nickname": 150,
    "day_month_swapped": 100,
    "no_birth_date_slip": 100,
    "swapped_slip": 100,
    "nickname_no_birth_date": 100,
}
NOT_ON_REGISTER = 400
TOP = 3
TRIGRAM_THRESHOLD = 0.6


# The synthetic register ------------------------------------------------------------------------


def synthetic_children(n: int, seed: int, first_id: int = 1) -> pl.DataFrame:
    """Children in families of one to four sharing surname and address, born in the last 18 years."""
    from openmash.demo import names
    from openmash.people.name_keys import name_key

    rng = np.random.default_rng(seed)
    sizes = rng.choice([1, 2, 3, 4], size=n, p=[0.45, 0.30, 0.15, 0.10])
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n)) + 1]
    family = np.repeat(np.arange(sizes.size), sizes)[:n]
    n_fam = sizes.size
    group = rng.choice([0, 1, 2], size=n_fam, p=[0.8, 0.12, 0.08])
    surname = names.surnames(rng, group).to_numpy()
    address, postcode = (s.to_numpy() for s in names.addresses(rng, n_fam))
    female = rng.random(n) < 0.5
    first = names.child_first_names(rng, female, group[family]).to_numpy()
    days = rng.integers(0, 18 * 365 - 1, n)
    # Twins: in a few families of two or more the second child shares the first one's birthday.
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    twins = starts[(sizes >= 2) & (rng.random(n_fam) < 0.03)]
    twins = twins[twins + 1 < n]
    days[twins + 1] = days[twins]
    birth = np.datetime64(AS_OF) - days.astype("timedelta64[D]")
    ids = np.arange(first_id, first_id + n)
    nhs = names.nhs_numbers(rng, min(n, 900_000)).to_numpy()
    has_nhs = np.zeros(n, dtype=bool)
    has_nhs[rng.permutation(n)[: nhs.size]] = True
    nhs_col = np.full(n, "", dtype=object)
    nhs_col[has_nhs] = nhs
    school_age = days >= 5 * 365
    upn = names.upns(ids, AS_OF.year - (days // 365 - 4).clip(0)).to_numpy()
    ethnicity = np.array(["WBRI", "APKN", "BAFR"])[group[family]]
    keys = {name: name_key(name) for name in np.unique(np.concatenate([first, surname])).tolist()}
    stamp = dt.datetime.combine(AS_OF, dt.time(), tzinfo=dt.UTC)
    return pl.DataFrame(
        {
            "id": ids,
            "created_at": [stamp] * n,
            "updated_at": [stamp] * n,
            "la_child_id": [f"B{i:07d}" for i in ids],
            "upn": np.where(school_age, upn, ""),
            "former_upn": [""] * n,
            "upn_unknown": np.where(school_age, "", "UN1"),
            "nhs_number": nhs_col.astype(str),
            "first_name": first,
            "last_name": surname[family],
            "date_of_birth": pl.Series(birth.astype("datetime64[D]")).cast(pl.Date),
            "expected_date_of_birth": pl.Series([None] * n, dtype=pl.Date),
            "date_of_death": pl.Series([None] * n, dtype=pl.Date),
            "sex": np.where(female, "F", "M"),
            "ethnicity": ethnicity,
            "address": address[family],
            "postcode": postcode[family],
            "first_name_key": [keys[x] for x in first.tolist()],
            "last_name_key": [keys[x] for x in surname[family].tolist()],
        }
    )


def ensure_register(url: str) -> None:
    """Load the million-child register unless the database already holds this one."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_person_matching (version int, seed int, rows int)")
        held = conn.execute("SELECT version, seed, rows FROM bench_person_matching").fetchone()
        count = conn.execute("SELECT count(*) FROM people_child").fetchone()
        if held == (REGISTER_VERSION, SEED, REGISTER_ROWS) and count == (REGISTER_ROWS,):
            print(f"Reusing the register of {REGISTER_ROWS:,} children", flush=True)
            return
        started = time.perf_counter()
        print(f"Building a register of {REGISTER_ROWS:,} children", flush=True)
        frame = synthetic_children(REGISTER_ROWS, SEED)
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'people_child'"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'people_child'::regclass)"
        ).fetchall()
        with conn.transaction():
            conn.execute("DELETE FROM bench_person_matching")
            conn.execute("TRUNCATE people_child CASCADE")
            for name, _ in indexes:
                conn.execute(f'DROP INDEX "{name}"')
            columns = ", ".join(frame.columns)
            with conn.cursor().copy(f"COPY people_child ({columns}) FROM STDIN (FORMAT csv)") as copy:
                for start in range(0, frame.height, 100_000):
                    copy.write(frame.slice(start, 100_000).write_csv(include_header=False))
            conn.execute("SET maintenance_work_mem = '512MB'")
            for _, definition in indexes:
                conn.execute(definition)
            conn.execute("SELECT setval(pg_get_serial_sequence('people_child', 'id'), %s)", [REGISTER_ROWS])
            conn.execute(
                "INSERT INTO bench_person_matching VALUES (%s, %s, %s)", [REGISTER_VERSION, SEED, REGISTER_ROWS]
            )
        conn.execute("ANALYZE people_child")
        print(f"Register loaded in {time.perf_counter() - started:.0f} s", flush=True)


# Probes --------------------------------------------------------------------------------------------

KEYBOARD = {
    "q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "ryg", "y": "tuh", "u": "yij", "i": "uok", "o": "ipl",
    "p": "ol", "a": "qsz", "s": "adwx", "d": "sfec", "f": "dgrv", "g": "fhtb", "h": "gjyn", "j": "hkum",
    "k": "jlim", "l": "kop", "z": "ax", "x": "zcs", "c": "xvd", "v": "cbf", "b": "vng", "n": "bmh", "m": "nj",
}  # fmt: skip


def slip(rng: np.random.Generator, name: str) -> str:
    """One typing slip: a neighbouring key, two letters swapped, a letter left out or doubled."""
    letters = list(name.lower())
    if len(letters) < 3:
        return name
    kind = rng.integers(0, 4)
    i = int(rng.integers(1 if kind == 1 else 0, len(letters)))
    if kind == 0 and letters[i] in KEYBOARD:
        near = KEYBOARD[letters[i]]
        letters[i] = near[int(rng.integers(0, len(near)))]
    elif kind == 1:
        letters[i - 1], letters[i] = letters[i], letters[i - 1]
    elif kind == 2 and len(letters) > 3:
        del letters[i]
    else:
        letters.insert(i, letters[i])
    out = "".join(letters).capitalize()
    return out if out.lower() != name.lower() else slip(rng, name)


@dataclass
class Probe:
    kind: str
    values: dict[str, Any]
    child_id: int | None  # the child it should find; None for someone not on the register


@dataclass
class Tally:
    probes: int = 0
    found: int = 0
    false: int = 0
    times: list[float] = field(default_factory=list)


def _nicknames_of(first: str, rng: np.random.Generator) -> str | None:
    from openmash.people.name_keys import normalise
    from openmash.people.nicknames import GROUPS

    norm = normalise(first)
    options = sorted({n for g in GROUPS if norm in {normalise(x) for x in g} for n in g if normalise(n) != norm})
    return options[int(rng.integers(0, len(options)))] if options else None


def duplicate_probes(rows: pl.DataFrame, rng: np.random.Generator) -> list[Probe]:
    """Duplicates of register children, DUPLICATES of each kind; `rows` holds more children than needed."""
    probes: list[Probe] = []
    order = iter(rng.permutation(rows.height).tolist())
    postcodes = rows["postcode"].to_list()
    for kind, count in DUPLICATES.items():
        made = 0
        while made < count:
            child = rows.row(next(order), named=True)
            first, last, birth, code = (
                child["first_name"],
                child["last_name"],
                child["date_of_birth"],
                child["postcode"],
            )
            if "nickname" in kind:
                first = _nicknames_of(first, rng)
                if first is None:
                    continue
            if kind == "day_month_swapped":
                if birth.day > 12 or birth.day == birth.month:
                    continue
                birth = birth.replace(day=birth.month, month=birth.day)
            if kind == "one_slip" or kind.endswith("_slip"):
                if rng.random() < 0.5:
                    first = slip(rng, first)
                else:
                    last = slip(rng, last)
            if kind == "two_slips":
                if rng.random() < 0.5:
                    first, last = slip(rng, first), slip(rng, last)
                elif len(last) >= 5:
                    last = slip(rng, slip(rng, last))
                else:
                    first = slip(rng, slip(rng, first))
            if kind.startswith("swapped"):
                first, last = last, first
            if "no_birth_date" in kind:
                birth = None
            else:
                chance = rng.random()
                if chance < 0.10:
                    code = postcodes[int(rng.integers(0, len(postcodes)))]
                elif chance < 0.15:
                    code = ""
            values = {"first_name": first, "last_name": last, "date_of_birth": birth, "postcode": code}
            probes.append(Probe(kind, values, child["id"]))
            made += 1
    return probes


def outsider_probes(n: int, exists: Any) -> list[Probe]:
    """People made like the register's children but not on it (by name with birth date or postcode)."""
    people = synthetic_children(n * 2, SEED + 1, first_id=10**8)
    rng = np.random.default_rng(SEED + 2)
    probes: list[Probe] = []
    for person in people.iter_rows(named=True):
        birth = None if rng.random() < 0.25 else person["date_of_birth"]
        values = {
            "first_name": person["first_name"],
            "last_name": person["last_name"],
            "date_of_birth": birth,
            "postcode": person["postcode"],
        }
        if exists(values):
            continue
        probes.append(Probe("not_on_register", values, None))
        if len(probes) == n:
            break
    return probes


def _exists(values: dict[str, Any]) -> bool:
    from openmash.people.models import Child

    same = Child.objects.filter(first_name__iexact=values["first_name"], last_name__iexact=values["last_name"])
    if values["date_of_birth"] is not None:
        return same.filter(date_of_birth=values["date_of_birth"]).exists()
    return same.filter(postcode=values["postcode"]).exists()


# Measuring -------------------------------------------------------------------------------------


def run_probes(probes: list[Probe]) -> dict[str, Tally]:
    from openmash.people.matching import find_matches

    for probe in probes:  # the first pass warms the caches; its times are kept apart
        started = time.perf_counter()
        find_matches(**probe.values)
        TALLY_COLD.append(time.perf_counter() - started)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for probe in probes:
        started = time.perf_counter()
        matches = find_matches(**probe.values)
        elapsed = time.perf_counter() - started
        top = matches[:TOP]
        tally = tallies[probe.kind]
        tally.probes += 1
        tally.times.append(elapsed)
        if probe.child_id is None:
            tally.false += bool(top)
        else:
            tally.found += any(m.child_id == probe.child_id for m in top)
            tally.false += any(m.child_id != probe.child_id and m.likely for m in top)
    return tallies


TALLY_COLD: list[float] = []


def p95_ms(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18] * 1000


def report(label: str, tallies: dict[str, Tally]) -> None:
    times = [t for tally in tallies.values() for t in tally.times]
    duplicates = [t for kind, t in tallies.items() if kind != "not_on_register"]
    probes = sum(t.probes for t in tallies.values())
    recall = sum(t.found for t in duplicates) / sum(t.probes for t in duplicates)
    false_rate = sum(t.false for t in tallies.values()) / probes
    for kind, tally in tallies.items():
        found = f"recall {tally.found / tally.probes:.3f}, " if kind != "not_on_register" else ""
        print(
            f"  {kind}: {tally.probes} probes, {found}false {tally.false / tally.probes:.3f}, "
            f"p95 {p95_ms(tally.times):.1f} ms"
        )
    print(f"bench: {label}_p95_ms {p95_ms(times):.1f} ms")
    print(f"bench: {label}_cold_p95_ms {p95_ms(TALLY_COLD):.1f} ms")
    print(f"bench: {label}_recall {recall:.3f} share")
    print(f"bench: {label}_false_rate {false_rate:.3f} share")
    print(f"bench: {label}_probes {probes} probes")


def trigram_comparison(probes: list[Probe]) -> None:
    """What a trigram lookup on the whole name would add to find_matches, and what it would cost."""
    from django.db import connection

    from openmash.people import matching

    name = "UPPER(first_name || ' ' || last_name)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS bench_child_full_name_trgm ON people_child USING gin (({name}) gin_trgm_ops)"
        )
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, false)", [str(TRIGRAM_THRESHOLD)])
        sql = f"SELECT id, first_name, last_name, date_of_birth, postcode FROM people_child WHERE {name} %% %s"  # noqa: S608
        times, only = [], 0
        for probe in probes:
            values = probe.values
            full = " ".join(f"{values['first_name']} {values['last_name']}".upper().split())
            started = time.perf_counter()
            cursor.execute(sql, [full])
            rows = cursor.fetchall()
            times.append(time.perf_counter() - started)
            tidy = matching.Probe.of(**values)
            known = {row[0] for row in matching._candidates(tidy)}
            only += sum(
                matching.score_candidate(tidy, *row[1:])[0] >= matching.OFFER_MATCH
                for row in rows
                if row[0] not in known
            )
    print(f"bench: person_match_trigram_lookup_p95_ms {p95_ms(times):.1f} ms")
    print(f"bench: person_match_trigram_only_offers {only} children")


def measure() -> int:
    import django

    django.setup()
    from django.db import connection

    from openmash.people.models import Child

    vendor = connection.vendor
    if vendor == "postgresql":
        ensure_register(os.environ["DATABASE_URL"])
    rng = np.random.default_rng(SEED + 3)
    children = Child.objects.filter(date_of_birth__isnull=False).count()
    wanted = 6 * sum(DUPLICATES.values())
    ids = Child.objects.filter(date_of_birth__isnull=False).order_by("id").values_list("id", flat=True)
    chosen = sorted(rng.choice(np.asarray(list(ids)), size=min(wanted, children), replace=False).tolist())
    rows = pl.DataFrame(
        list(Child.objects.filter(id__in=chosen).values("id", "first_name", "last_name", "date_of_birth", "postcode"))
    )
    probes = duplicate_probes(rows, rng) + outsider_probes(NOT_ON_REGISTER, _exists)
    label = "person_match" if vendor == "postgresql" else "person_match_sqlite"
    print(f"{vendor}: {Child.objects.count():,} children, {len(probes)} probes", flush=True)
    report(label, run_probes(probes))
    if vendor == "postgresql":
        trigram_comparison(probes)
    return 0


# Running -------------------------------------------------------------------------------------------


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "OPENMASH_DEMO": "1", "DJANGO_SETTINGS_MODULE": "openmash.settings"}


def _run(url: str, *args: str) -> int:
    subprocess.run([str(OPENMASH), "migrate", "--no-input", "-v", "0"], check=True, env=_env(url))  # noqa: S603
    for extra in args:
        subprocess.run([str(OPENMASH), *extra.split()], check=True, env=_env(url), stdout=subprocess.DEVNULL)  # noqa: S603
    return subprocess.run([sys.executable, __file__, "--measure"], env=_env(url), check=False).returncode  # noqa: S603


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES


def _create_database(url: str) -> bool:
    try:
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # any failure to connect means: no PostgreSQL here
        print(f"PostgreSQL not reachable at {url} ({type(exc).__name__}): SQLite figures only")
        return False
    return True


def main() -> int:
    failures = 0
    url = _postgres_url()
    if _create_database(url):
        failures += _run(url)
    with tempfile.TemporaryDirectory(prefix="openmash-bench-") as tmp:
        failures += _run(f"sqlite:///{Path(tmp) / 'borough.sqlite3'}", "generate --size borough --seed 1 --no-progress")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(measure() if sys.argv[1:] == ["--measure"] else main())
