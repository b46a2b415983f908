"""Same seed and as-of date, same data; another seed, other data."""

from __future__ import annotations

from openmash.demo.generator import Borough, Options, build_borough

from .conftest import AS_OF


def _all_tables(b: Borough) -> dict[str, object]:
    assert b.mash is not None
    assert b.contributions is not None
    assert b.decisions is not None
    assert b.cse is not None
    assert b.casefiles is not None
    return {
        **b.frames.tables(),
        "people": b.people.children,
        "adults": b.people.adults,
        "relationships": b.people.relationships,
        "disabilities": b.people.disabilities,
        "staff": b.workforce.staff,
        "allocations": b.workforce.allocations,
        **{f"mash.{k}": v for k, v in vars(b.mash).items()},
        **{f"contributions.{k}": v for k, v in vars(b.contributions).items()},
        **{f"decisions.{k}": v for k, v in vars(b.decisions).items()},
        **{f"cse.{k}": v for k, v in vars(b.cse).items()},
        **{f"casefiles.{k}": v for k, v in vars(b.casefiles).items()},
        "teams": b.workforce.teams,
        "services": b.workforce.services,
    }


def test_same_seed_gives_identical_data(small: Borough) -> None:
    again = build_borough(Options(size="small", seed=1, as_of=AS_OF))
    assert again.events().equals(small.events())
    for name, table in _all_tables(again).items():
        assert table.equals(_all_tables(small)[name]), name  # type: ignore[attr-defined]


def test_another_seed_gives_other_data(small: Borough) -> None:
    other = build_borough(Options(size="small", seed=2, as_of=AS_OF))
    assert not other.events().equals(small.events())
    # The front door's own records differ too: references, survey tokens, what the agencies said.
    assert other.mash is not None
    assert small.mash is not None
    assert not set(other.mash.contacts["reference"].to_list()) & set(small.mash.contacts["reference"].to_list())
    assert other.decisions is not None
    assert small.decisions is not None
    assert not set(other.decisions.feedback["token_hash"].to_list()) & set(
        small.decisions.feedback["token_hash"].to_list()
    )


def test_another_as_of_date_moves_the_window(small: Borough) -> None:
    later = build_borough(Options(size="small", seed=1, as_of=AS_OF.replace(year=2027)))
    assert later.events()["event_date"].max() > small.events()["event_date"].max()  # type: ignore[operator]
