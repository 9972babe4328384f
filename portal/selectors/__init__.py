"""Reads of the public site, all from the published record (``publications.Publication``),
one module a concern:

- ``terms``: the term and the day a request asks for (``?term=``, ``?as_of=``);
- ``published``: what is public (the standing publications) and a pledge read back;
- ``home``: the home page's and the vision overview's sums, the latest publications;
- ``lists``: the filtered list and what each row of a page prints;
- ``cards``: one pledge card, now or as of a day;
- ``departments``: the department pages.

Views call them through this package (``selectors.pledge_card``). Terms are read live;
nothing else of a pledge is.
"""

from .cards import NotYetPublished, pledge_card
from .departments import (
    department_pledges,
    department_shown,
    department_summary,
    departments_with_counts,
    work_plan_items,
)
from .home import home_summary, recent_publications, vision_summary
from .lists import (
    adjustment_kinds,
    inferred_stages,
    milestone_status,
    pledges_filtered,
    search_matches,
    status_for,
    status_of,
)
from .published import listed, published_pledge, published_pledges, standing
from .terms import BadQuery, as_of_moment, term_asked, term_shown

__all__ = [
    "BadQuery",
    "NotYetPublished",
    "adjustment_kinds",
    "as_of_moment",
    "department_pledges",
    "department_shown",
    "department_summary",
    "departments_with_counts",
    "home_summary",
    "inferred_stages",
    "listed",
    "milestone_status",
    "pledge_card",
    "pledges_filtered",
    "published_pledge",
    "published_pledges",
    "recent_publications",
    "search_matches",
    "standing",
    "status_for",
    "status_of",
    "term_asked",
    "term_shown",
    "vision_summary",
    "work_plan_items",
]
