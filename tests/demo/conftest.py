"""Generated boroughs shared by the demo tests (built once per session, in memory)."""

from __future__ import annotations

import datetime as dt

import pytest

from openmash.demo.generator import Borough, Options, build_borough

# A fixed as-of date keeps the tests independent of the day they run on.
AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="session")
def borough_options() -> Options:
    return Options(size="borough", seed=1, as_of=AS_OF)


@pytest.fixture(scope="session")
def borough(borough_options: Options) -> Borough:
    return build_borough(borough_options)


@pytest.fixture(scope="session")
def small_options() -> Options:
    return Options(size="small", seed=1, as_of=AS_OF)


@pytest.fixture(scope="session")
def small(small_options: Options) -> Borough:
    return build_borough(small_options)
