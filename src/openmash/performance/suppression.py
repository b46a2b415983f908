"""Small-number suppression for figures shown outside children's services.

Follows DfE's rule for published children-in-need statistics (see docs/kpis.md and
shared/domain/kpis.md): counts from 1 to 5 are shown as "c"; where one part of a total is
suppressed, the next smallest part is suppressed too, so no hidden count can be worked out by
subtraction; a percentage or rate built on a suppressed count is also "c".
"""

from __future__ import annotations

from collections.abc import Mapping

SUPPRESSED = "c"
LOWER, UPPER = 1, 5


def is_small(count: float) -> bool:
    return LOWER <= count <= UPPER


def suppress_count(count: int) -> int | str:
    return SUPPRESSED if is_small(count) else count


def suppress_parts(parts: Mapping[str, int], *, total_shown: bool = True) -> dict[str, int | str]:
    """Suppress small parts of a breakdown, and a further part where the hidden ones could be worked out.

    With the total shown, the hidden parts add up to the total less the shown ones. That gives a lone
    hidden part away, and so it does several hidden parts that are all 1 (a hidden part is at least 1,
    since 0 is shown): in both cases the smallest shown non-zero part is hidden too. A total of 1 to 5
    must itself be suppressed by whoever shows it (`suppress_count`).
    """
    hidden = {key for key, value in parts.items() if is_small(value)}
    given_away = len(hidden) == 1 or (hidden and sum(parts[key] for key in hidden) == len(hidden))
    if total_shown and given_away:
        candidates = sorted((value, key) for key, value in parts.items() if key not in hidden and value > 0)
        if candidates:
            hidden.add(candidates[0][1])
    return {key: (SUPPRESSED if key in hidden else value) for key, value in parts.items()}


def suppress_ratio(numerator: float, denominator: float, value: float | None) -> float | str | None:
    """A rate is suppressed when its numerator or denominator is small."""
    if is_small(numerator) or is_small(denominator):
        return SUPPRESSED
    return value
