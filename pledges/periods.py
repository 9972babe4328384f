"""Periods of a mayoral term as printed on pledge cards.

A period is stored as a short string so that the next term fits without a schema change:

    "total"  the table's total column (총사업비, 계획합계, 확보총계, 집행총계)
    "prior"  spent before the term (기투자)
    "2024"   one year of the term
    "~2022"  everything up to and including that year (printed "~2022")
    "after"  after the term (임기후)
"""

import re
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

TOTAL = "total"
PRIOR = "prior"
AFTER = "after"

_YEAR = re.compile(r"^(~?)(\d{4})$")


@lru_cache(maxsize=1024)  # a term has a dozen periods; exports parse them millions of times
def parse(period: str) -> tuple[str, int | None]:
    """Split a period into its kind ("total", "prior", "year", "through", "after") and year."""
    if period in (TOTAL, PRIOR, AFTER):
        return period, None
    match = _YEAR.match(period or "")
    if not match:
        raise ValueError(f"unknown period {period!r}")
    return ("through" if match.group(1) else "year"), int(match.group(2))


def is_valid(period: str, years: range) -> bool:
    """Whether a period exists in a term whose years are ``years``."""
    try:
        kind, year = parse(period)
    except ValueError:
        return False
    return year is None or year in years


# The named periods' labels, the one place they are written; years print as themselves.
NAMES = {TOTAL: _("Total"), PRIOR: _("Prior investment"), AFTER: _("After the term")}


def label(period: str) -> str:
    """The column heading of a period in the reader's language: "기투자", "2024", "~2022"."""
    kind, year = parse(period)
    if kind in NAMES:
        return NAMES[kind]
    return f"~{year}" if kind == "through" else str(year)


@lru_cache(maxsize=1024)
def sort_key(period: str) -> tuple[int, int, int]:
    """Prior, the years (a "~2022" before the "2022" of the same year: one table prints
    the one, another the other), after, total. A total order: no two periods tie, so the
    rows of an export come in the same order in every run."""
    kind, year = parse(period)
    return {
        "prior": (0, 0, 0),
        "through": (1, year or 0, 0),
        "year": (1, year or 0, 1),
        "after": (2, 0, 0),
        "total": (3, 0, 0),
    }[kind]
