"""`openmash generate` loads the database (small), refuses to overwrite it, and reads back the same
journey events; England writes only a Parquet file."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from openmash.accounts.models import User
from openmash.casework.models import Referral
from openmash.demo.generator import Borough, Options, database_caseload, generate
from openmash.demo.models import DemoDataset
from openmash.demo.params import SIZES
from openmash.demo.workforce import caseload
from openmash.journey.schema import SCHEMA, conform
from openmash.journey.selectors import journey_events
from openmash.people.models import Child
from openmash.people.name_keys import name_key
from openmash.protection.models import ChildProtectionPlan
from openmash.workforce.models import Allocation, StaffMember

from .conftest import AS_OF

ARGS = ["--size", "small", "--as-of", AS_OF.isoformat(), "--no-progress"]


def _generate(*extra: str) -> dict[str, object]:
    out = StringIO()
    call_command("generate", *ARGS, *extra, stdout=out)
    return json.loads(out.getvalue())  # stdout is the summary and nothing else


@pytest.mark.django_db
def test_small_loads_and_reads_back_the_same_events(small: Borough, small_options: Options) -> None:
    summary = _generate("--seed", "1")
    assert summary["size"] == "small"
    assert summary["seed"] == 1
    assert summary["as_of"] == AS_OF.isoformat()
    assert summary["reporting_year"] == 2026
    counts = summary["counts"]
    assert isinstance(counts, dict)
    assert counts["children"] == Child.objects.count() == small.people.children.height
    assert counts["referrals"] == Referral.objects.count()
    assert counts["cp_plans"] == ChildProtectionPlan.objects.count()
    events = journey_events()
    assert counts["events"] == events.height
    assert events.equals(small.events())
    assert {r["name"] for r in summary["rates"]} >= {"re_referral_rate", "average_caseload"}  # type: ignore[union-attr]
    # The caseload read back from the staff and allocations loaded is the one the generator built.
    census = small_options.horizon.workforce_day
    loaded, built = database_caseload(census), caseload(small.workforce, census)
    assert (loaded.numerator, loaded.denominator) == (built.numerator, pytest.approx(built.denominator))
    assert loaded.value is not None
    achieved = {r["name"]: r["achieved"] for r in summary["rates"]}  # type: ignore[union-attr]
    assert achieved["average_caseload"] == round(loaded.value, 1)
    assert DemoDataset.objects.get().summary == summary
    # The bulk load stores the sound-alike name keys Child.save() would, which matching looks children up by.
    keys = Child.objects.values_list("first_name", "last_name", "first_name_key", "last_name_key")
    assert all((fk, lk) == (name_key(first), name_key(last)) for first, last, fk, lk in keys)


@pytest.mark.django_db
def test_a_second_load_needs_replace_which_keeps_users() -> None:
    User.objects.create_user(username="keeper", password="a-long-test-password")
    first = _generate("--seed", "1")
    with pytest.raises(CommandError, match="--replace"):
        _generate("--seed", "2")
    second = _generate("--seed", "2", "--replace")
    assert second["counts"] != first["counts"]
    assert Child.objects.count() == second["counts"]["children"]  # type: ignore[index]
    assert DemoDataset.objects.get().seed == 2
    assert User.objects.filter(username="keeper").exists()
    assert Allocation.objects.filter(end_date__isnull=True).values("child").distinct().count() == (
        Allocation.objects.filter(end_date__isnull=True).count()
    )


@pytest.mark.django_db
def test_if_empty_keeps_what_is_there_and_prints_its_summary() -> None:
    first = _generate("--seed", "1")
    again = _generate("--seed", "9", "--if-empty")
    assert again == first
    assert DemoDataset.objects.count() == 1


@pytest.mark.django_db
def test_refuses_data_it_did_not_load() -> None:
    from openmash.workforce.models import Service, Team

    service = Service.objects.create(name="Someone's service")
    Team.objects.create(name="Someone's team", service=service, kind=Team.Kind.MASH)
    with pytest.raises(CommandError, match="--replace"):
        _generate("--seed", "1")
    assert _generate("--seed", "1", "--if-empty") == {}
    assert not StaffMember.objects.exists()


def test_england_writes_parquet_and_never_touches_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A small stand-in for England's 12 million children: the same code path, shard by shard.
    monkeypatch.setitem(SIZES, "england", 30_000)
    out = tmp_path / "england.parquet"
    summary = generate(Options(size="england", seed=1, as_of=AS_OF, out=out))
    frame = pl.read_parquet(out)
    assert conform(frame).schema == SCHEMA
    assert frame.height == summary["counts"]["events"]
    assert summary["counts"]["adults"] == 0
    assert summary["population"] == 30_000
    assert all(r["achieved"] is not None for r in summary["rates"])
    assert not (tmp_path / "england.parquet.partial").exists()


def test_the_command_rejects_bad_arguments() -> None:
    with pytest.raises(CommandError, match="as-of"):
        call_command("generate", "--size", "small", "--as-of", "31/03/2026")
    with pytest.raises(CommandError, match="years"):
        call_command("generate", "--size", "small", "--years", "0")
    with pytest.raises(CommandError, match="1990"):
        call_command("generate", "--size", "small", "--as-of", "2013-01-01")
