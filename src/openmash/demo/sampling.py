"""Random draws for the simulation: seeded streams and low-discrepancy uniforms in date order.

A borough of 45,000 children starts only about 230 child protection plans a year, so plain
independent draws would make a calibrated share (say neglect as the initial category, 50%) wander
by ±3 percentage points from one seed to the next. Decisions that set a published share therefore use
a Kronecker (Weyl) sequence over the items in date order: frac(offset + alpha * rank). Any run of
consecutive items then carries the intended share almost exactly, whatever the seed, while the random
offset and tie-breaks still make each seed's data different. Each decision uses its own irrational
alpha (square roots of primes) so decisions stay independent of each other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

_PRIMES = [
    2,
    3,
    5,
    7,
    11,
    13,
    17,
    19,
    23,
    29,
    31,
    37,
    41,
    43,
    47,
    53,
    59,
    61,
    67,
    71,
    73,
    79,
    83,
    89,
    97,
    101,
    103,
    107,
    109,
    113,
    127,
    131,
    137,
    139,
    149,
    151,
    157,
    163,
    167,
    173,
    179,
    181,
    191,
    193,
    197,
    199,
    211,
    223,
    227,
    229,
    233,
    239,
    241,
    251,
    257,
    263,
    269,
    271,
    277,
    281,
    283,
    293,
]
ALPHAS = np.sqrt(np.array(_PRIMES, dtype=np.float64)) % 1.0


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent generator for one part of the simulation (a shard, a table)."""
    return np.random.default_rng([seed, *key])


class Quasi:
    """Low-discrepancy uniforms ordered by a key (usually a date), one sequence per named decision.

    A decision's sequence continues from one call to the next, so when the simulation visits items
    in time order (month by month) every period's items form one unbroken run of the sequence.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._state: dict[str, list[float]] = {}

    def u(self, name: str, order: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Uniforms for every item; where `mask` is given only its items are drawn (others are NaN)."""
        state = self._state.get(name)
        if state is None:
            state = [self.rng.random(), float(ALPHAS[len(self._state) % len(ALPHAS)]), 0.0]
            self._state[name] = state
        out = np.full(order.shape[0], np.nan)
        idx = np.arange(order.shape[0]) if mask is None else np.flatnonzero(mask)
        if idx.size == 0:
            return out
        ranks = np.empty(idx.size, dtype=np.float64)
        ranks[np.argsort(order[idx], kind="stable")] = np.arange(idx.size, dtype=np.float64)
        out[idx] = (state[0] + state[1] * (state[2] + ranks)) % 1.0
        state[2] += idx.size
        return out


def categorical(u: np.ndarray, weights: Sequence[float]) -> np.ndarray:
    """Index of the category each uniform falls in, for the given (unnormalised) weights."""
    w = np.asarray(weights, dtype=np.float64)
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    return np.minimum(np.searchsorted(cdf, np.nan_to_num(u, nan=0.0), side="right"), len(w) - 1)


def choice(rng: np.random.Generator, options: Sequence[int], weights: Sequence[float], size: int) -> np.ndarray:
    return np.asarray(options)[categorical(rng.random(size), weights)]


def pick_texts(rng: np.random.Generator, keys: pl.Series, options: Mapping[str, Sequence[str]]) -> pl.Series:
    """For each key, one of its texts at random ("" for a key with none): vectorised, for large frames."""
    table = pl.DataFrame(
        [(key, i, text) for key, texts in options.items() for i, text in enumerate(texts)],
        schema={"key": pl.String, "i": pl.Int64, "text": pl.String},
        orient="row",
    )
    counts = {key: len(texts) for key, texts in options.items()}
    frame = pl.DataFrame({"key": keys.cast(pl.String), "u": rng.random(keys.len())}).with_columns(
        i=(pl.col("u") * pl.col("key").replace_strict(counts, default=0, return_dtype=pl.Int64)).cast(pl.Int64)
    )
    return frame.join(table, on=["key", "i"], how="left", maintain_order="left")["text"].fill_null("")
