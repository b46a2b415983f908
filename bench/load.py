"""Benchmark: the production server (gunicorn, as `make serve` runs it) under signed-in users on PostgreSQL.

Not timed: uses DATABASE_URL if set, else postgres://postgres@127.0.0.1:5432/openmash_bench (created if
missing); migrates; builds the demo borough (`openmash generate --size borough --seed 1`, kept if the
database already holds it) and the demo accounts; creates BENCH_USERS accounts of its own, each with its
own authenticator secret (a code is accepted once per device per 30 s, so users sharing one account could
not all sign in at once), linked to social workers, team managers and MASH practitioners of the borough
so they see children; collects static files; starts gunicorn on a free port of 127.0.0.1.

Timed, all on 127.0.0.1 and bounded:
- one signed-in user, one request at a time: a child's page (median over CHILD_PAGES children), a
  broad search (the borough's commonest surname) and the performance scorecard, with no other load;
- BENCH_USERS users signed in (two steps: password, then the six-digit code), each opening children's pages
  they may see, searching for surnames and opening the performance scorecard, pausing 1 to 3 s between
  actions, for LOAD_SECONDS: requests per second, median and 95th-percentile response time, errors;
- then users with no pauses, stepped up (STEPS, STEP_SECONDS each) until errors or a 95th percentile
  over DEGRADED_MS: the most requests per second served with no errors.

The load comes from locust, run in this process; the database set-up runs in a child process
(`load.py --setup`) so Django is never imported next to locust's patched standard library.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
OPENMASH = BIN / "openmash"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/openmash_bench"

BENCH_USERS = 50
# Bench accounts: social workers, team managers, MASH practitioners (children's social care). One more
# than BENCH_USERS: the single-user timings sign in with the first, the load with the rest, as a code
# is accepted once per account in each 30 s.
ROLE_MIX = (("social_worker", 31), ("team_manager", 10), ("mash_practitioner", 10))
BENCH_PASSWORD = "bench-load-password-2026"  # noqa: S105 - a throwaway benchmark database
CHILDREN_PER_USER = 40
CHILD_PAGES = 30
SEARCHES = 15
HEADLINES = 5
LOAD_SECONDS = 60
STEPS = (5, 10, 20, 40)
STEP_SECONDS = 15
DEGRADED_MS = 5000
SIGN_IN_TIMEOUT = 120


# --- set-up, in a child process with Django --------------------------------------------------------------


def setup_accounts() -> dict[str, Any]:
    """Create or refresh the bench accounts; answer who they are and what each may see."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmash.settings")
    django.setup()
    from django.db import transaction
    from django.db.models import Count, Q
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from openmash.access import policy
    from openmash.accounts.models import Agency, Role, User, UserRole
    from openmash.people.models import Child
    from openmash.workforce.models import StaffMember, Team

    CASEWORK_TEAMS = [Team.Kind.CHILD_IN_NEED, Team.Kind.CHILD_PROTECTION]
    open_allocations = Count("allocations", filter=Q(allocations__end_date__isnull=True))
    role_of = {
        "social_worker": Role.SOCIAL_WORKER,
        "team_manager": Role.TEAM_MANAGER,
        "mash_practitioner": Role.MASH_PRACTITIONER,
    }

    def staff_for(job_role: str, count: int, taken: set[int]) -> list[StaffMember]:
        """Staff in the job not signed in by anyone else: case holders with the most children first."""
        candidates = StaffMember.objects.filter(job_role=job_role, end_date__isnull=True).filter(
            Q(user__isnull=True) | Q(user__username__startswith="bench.")
        )
        if job_role == "social_worker":
            candidates = (
                candidates.filter(team__kind__in=CASEWORK_TEAMS)
                .annotate(open_allocations=open_allocations)
                .filter(open_allocations__gt=0)
                .order_by("-open_allocations", "id")
            )
        elif job_role == "team_manager":
            candidates = candidates.filter(team__kind__in=CASEWORK_TEAMS).order_by("id")
        else:
            candidates = candidates.order_by("id")
        chosen = [s for s in candidates.select_related("team") if s.pk not in taken][:count]
        if len(chosen) < count:  # a small borough: more MASH practitioners or managers, as the demo does
            kind = Team.Kind.MASH if job_role == "mash_practitioner" else Team.Kind.CHILD_IN_NEED
            team = Team.objects.filter(kind=kind).order_by("id").first()
            assert team is not None, f"The borough has no {kind} team"
            for n in range(count - len(chosen)):
                chosen.append(
                    StaffMember.objects.create(
                        first_name="Bench",
                        last_name=f"{job_role} {n}",
                        team=team,
                        job_role=job_role,
                        is_case_holder=False,
                        start_date=timezone.localdate() - dt.timedelta(days=365),
                    )
                )
        return chosen

    accounts = []
    with transaction.atomic():
        taken: set[int] = set()
        number = 0
        for job_role, count in ROLE_MIX:
            for member in staff_for(job_role, count, taken):
                taken.add(member.pk)
                number += 1
                user, _ = User.objects.get_or_create(username=f"bench.{number:02d}")
                user.first_name, user.last_name = member.first_name, member.last_name
                user.agency = Agency.CHILDRENS_SOCIAL_CARE
                user.is_active = True
                user.set_password(BENCH_PASSWORD)
                user.save()
                UserRole.objects.filter(user=user).delete()
                UserRole.objects.create(user=user, role=role_of[job_role])
                StaffMember.objects.filter(user=user).exclude(pk=member.pk).update(user=None)
                if member.user_id != user.pk:
                    member.user = user
                    member.save(update_fields=["user"])
                TOTPDevice.objects.filter(user=user).delete()
                key = secrets.token_bytes(20)
                TOTPDevice.objects.create(user=user, name="Bench authenticator", key=key.hex(), confirmed=True)
                accounts.append((user.pk, key.hex(), job_role))

    result = []
    for user_id, key_hex, job_role in accounts:
        user = User.objects.get(pk=user_id)
        visible = policy.visible_children(user)
        children = list(visible.order_by("?").values_list("la_child_id", flat=True)[:CHILDREN_PER_USER])
        surnames = sorted(set(visible.order_by("?").values_list("last_name", flat=True)[:10]))
        result.append(
            {
                "username": user.username,
                "password": BENCH_PASSWORD,
                "key": key_hex,
                "job_role": job_role,
                "children": children,
                "surnames": surnames,
            }
        )
    commonest = Child.objects.values("last_name").annotate(n=Count("id")).order_by("-n", "last_name").first() or {}
    return {"accounts": result, "commonest_surname": commonest.get("last_name", "Smith")}


# --- the server ---------------------------------------------------------------------------------------------


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([str(OPENMASH), *args], env=env, check=True, capture_output=True, text=True)  # noqa: S603
    return done.stdout


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in the URL if it does not exist."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}", flush=True)


def analyze(url: str) -> None:
    """Fresh planner statistics: the borough was just bulk-loaded, and until autovacuum gets to it the
    planner guesses table sizes (a child's relationships took 35 ms instead of 0.1 ms)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int) -> Iterator[str]:
    """gunicorn as `make serve` starts it (same configuration), on 127.0.0.1:port; stopped afterwards."""
    server = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "-c", "python:openmash.gunicorn_conf", "--bind", f"127.0.0.1:{port}"],
        env={**env, "OPENMASH_ACCESS_LOG": ""},
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- signing in and the users ------------------------------------------------------------------------------


def current_code(key_hex: str) -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(key_hex)):06d}"


def sign_in(session: Any, account: dict[str, Any], base: str = "") -> bool:
    """The two steps a person takes: password, then the code from their authenticator app."""
    session.get(f"{base}/sign-in/", name="sign-in")
    token = session.cookies.get("csrftoken")
    step = session.post(
        f"{base}/sign-in/",
        data={"username": account["username"], "password": account["password"], "csrfmiddlewaretoken": token},
        name="sign-in",
    )
    if not step.url.split("?")[0].endswith("/sign-in/code/"):
        return False
    done = session.post(
        f"{base}/sign-in/code/",
        data={"code": current_code(account["key"]), "csrfmiddlewaretoken": session.cookies.get("csrftoken")},
        name="sign-in",
    )
    return done.status_code == 200 and "/sign-in" not in done.url


class NamedSession:
    """A requests session taking locust's `name=` keyword, so one sign_in serves both kinds of client."""

    def __init__(self) -> None:
        import requests

        self.session = requests.Session()
        self.cookies = self.session.cookies

    def get(self, url: str, name: str = "", **kw: Any) -> Any:
        return self.session.get(url, timeout=60, **kw)

    def post(self, url: str, name: str = "", **kw: Any) -> Any:
        return self.session.post(url, timeout=60, **kw)


def single_user(base: str, account: dict[str, Any], surname: str) -> dict[str, float]:
    """Median response times of child pages, a broad search and the performance scorecard for one user with
    the server to itself."""
    client = NamedSession()
    if not sign_in(client, account, base):
        raise RuntimeError(f"{account['username']} could not sign in")
    children = account["children"][:CHILD_PAGES]
    for la_child_id in children[:3]:  # warm each process's connection and caches
        client.get(f"{base}/children/{la_child_id}/")
    pages = []
    for la_child_id in children:
        started = time.perf_counter()
        response = client.get(f"{base}/children/{la_child_id}/")
        pages.append(time.perf_counter() - started)
        response.raise_for_status()
    searches = []
    for _ in range(SEARCHES):
        started = time.perf_counter()
        response = client.get(f"{base}/children/", params={"q": surname})
        searches.append(time.perf_counter() - started)
        response.raise_for_status()
    headlines = []
    for _ in range(HEADLINES):
        started = time.perf_counter()
        response = client.get(f"{base}/performance/")
        headlines.append(time.perf_counter() - started)
        response.raise_for_status()
    return {
        "child_page_ms": statistics.median(pages) * 1000,
        "search_ms": statistics.median(searches) * 1000,
        "headlines_ms": statistics.median(headlines) * 1000,
        "pages": len(children),
    }


def user_class(base: str, accounts: list[dict[str, Any]], pauses: bool) -> tuple[type, dict[str, int]]:
    from locust import HttpUser, between, constant, task
    from locust.exception import StopUser

    pool = itertools.cycle(accounts)
    signed = {"in": 0, "failed": 0}

    class Practitioner(HttpUser):
        host = base
        wait_time = between(1, 3) if pauses else constant(0)

        def on_start(self) -> None:
            self.account = next(pool)
            if not sign_in(self.client, self.account):
                signed["failed"] += 1
                raise StopUser()
            signed["in"] += 1

        def _get(self, path: str, name: str, **kw: Any) -> None:
            with self.client.get(path, name=name, catch_response=True, **kw) as response:
                if response.status_code != 200:
                    response.failure(f"HTTP {response.status_code}")
                elif "/sign-in" in response.url:
                    response.failure("signed out")

        @task(3)
        def child_page(self) -> None:
            if self.account["children"]:
                self._get(f"/children/{random.choice(self.account['children'])}/", "/children/<id>/")

        @task(2)
        def search(self) -> None:
            if self.account["surnames"]:
                self._get("/children/", "/children/?q=", params={"q": random.choice(self.account["surnames"])})

        @task(1)
        def headlines(self) -> None:
            self._get("/performance/", "/performance/")

    return Practitioner, signed


def wait_signed_in(signed: dict[str, int], users: int) -> None:
    import gevent

    deadline = time.monotonic() + SIGN_IN_TIMEOUT
    while signed["in"] + signed["failed"] < users and time.monotonic() < deadline:
        gevent.sleep(0.2)
    if signed["failed"]:
        print(f"  {signed['failed']} users could not sign in", flush=True)


def window(env: Any, seconds: float) -> dict[str, float]:
    """Measure the next `seconds` of load from a clean slate."""
    import gevent

    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - started
    total = env.stats.total
    return {
        "requests": total.num_requests,
        "rps": total.num_requests / elapsed,
        "p50": total.get_response_time_percentile(0.5) or 0,
        "p95": total.get_response_time_percentile(0.95) or 0,
        "errors": total.num_failures,
    }


def per_page(env: Any) -> None:
    for entry in sorted(env.stats.entries.values(), key=lambda e: e.name):
        if entry.name != "sign-in":
            print(
                f"  {entry.name:28} {entry.num_requests:6} requests  median {entry.median_response_time:6.0f} ms"
                f"  p95 {entry.get_response_time_percentile(0.95):6.0f} ms  errors {entry.num_failures}",
                flush=True,
            )


def load_run(base: str, accounts: list[dict[str, Any]]) -> dict[str, float]:
    from locust.env import Environment

    cls, signed = user_class(base, accounts, pauses=True)
    env = Environment(user_classes=[cls])
    runner = env.create_local_runner()
    runner.start(BENCH_USERS, spawn_rate=BENCH_USERS)
    wait_signed_in(signed, BENCH_USERS)
    result = window(env, LOAD_SECONDS)
    per_page(env)
    runner.quit()
    return result


def step_run(base: str, accounts: list[dict[str, Any]]) -> float:
    from locust.env import Environment

    cls, signed = user_class(base, accounts, pauses=False)
    env = Environment(user_classes=[cls])
    runner = env.create_local_runner()
    best = 0.0
    try:
        for users in STEPS:
            runner.start(users, spawn_rate=users)
            wait_signed_in(signed, users)
            step = window(env, STEP_SECONDS)
            print(
                f"  {users:3} users without pauses: {step['rps']:6.1f} req/s, median {step['p50']:.0f} ms,"
                f" p95 {step['p95']:.0f} ms, errors {step['errors']}",
                flush=True,
            )
            if step["errors"]:
                break
            best = max(best, step["rps"])
            if step["p95"] > DEGRADED_MS:
                break
    finally:
        runner.quit()
    return best


# --- main ---------------------------------------------------------------------------------------------------


def main() -> int:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"The load benchmark runs on PostgreSQL; DATABASE_URL is {url}", file=sys.stderr)
        return 2
    ensure_database(url)
    with tempfile.TemporaryDirectory(prefix="openmash-load-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "openmash.settings",
            "OPENMASH_DEMO": "1",
            "OPENMASH_VAR_DIR": tmp,
        }
        print("Setting up: migrate, the demo borough, accounts", flush=True)
        run(env, "migrate", "--no-input", "-v", "0")
        run(env, "generate", "--size", "borough", "--seed", "1", "--if-empty", "--no-progress")
        run(env, "demo-users")
        analyze(url)
        setup = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--setup"], env=env, check=True, capture_output=True, text=True
        )
        world = json.loads(setup.stdout)
        accounts = [a for a in world["accounts"] if a["children"]]
        print(f"  {len(accounts)} bench accounts that see children, of {len(world['accounts'])}", flush=True)

        # The server as production runs it: no demo switch, a secret key, collected static files.
        serve_env = {k: v for k, v in env.items() if k != "OPENMASH_DEMO"}
        serve_env |= {
            "OPENMASH_SECRET_KEY": secrets.token_urlsafe(50),
            "OPENMASH_STATIC_COLLECTED": "1",
            "OPENMASH_INSECURE_HTTP": "1",
        }
        run(serve_env, "collectstatic", "--no-input", "-v", "0")
        with gunicorn(serve_env, free_port()) as base:
            # Import locust only now: it patches the standard library for gevent.
            import locust  # noqa: F401

            alone = single_user(base, accounts[0], world["commonest_surname"])
            print(f"bench: child_page_ms {alone['child_page_ms']:.0f} ms", flush=True)
            print(f"bench: search_ms {alone['search_ms']:.0f} ms", flush=True)
            print(f"bench: scorecard_page_ms {alone['headlines_ms']:.0f} ms", flush=True)
            print(
                f"  (medians of {alone['pages']:.0f} child pages, {SEARCHES} searches for"
                f" {world['commonest_surname']!r} and {HEADLINES} headline pages)"
            )

            # The machine may be shared: say how busy it was, as the figures depend on it.
            print(f"  load average before the load: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
            print(f"{BENCH_USERS} users, 1 to 3 s between actions, {LOAD_SECONDS} s:", flush=True)
            load = load_run(base, accounts[1:])
            print(f"bench: load_requests_per_second {load['rps']:.1f} req/s")
            print(f"bench: load_p50_ms {load['p50']:.0f} ms")
            print(f"bench: load_p95_ms {load['p95']:.0f} ms")
            print(f"bench: load_errors {load['errors']} requests", flush=True)

            print(f"Users without pauses, stepped up {STEPS}, {STEP_SECONDS} s each:", flush=True)
            best = step_run(base, accounts[1:])
            print(f"bench: load_max_rps {best:.1f} req/s", flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--setup"]:
        print(json.dumps(setup_accounts()))
        sys.exit(0)
    sys.exit(main())
