"""The words a citizen meets on the money and stage tables, explained once (용어 설명).

Each entry has an anchor on the glossary page; ``templatetags.portal.term`` links a word
to it wherever a page shows it. One language per label: a word that belongs to a
vocabulary is that vocabulary's label (``Stage``, ``FigureKind``, ``FundingSource``,
``periods.NAMES``, ``BudgetUnit``), never written again here; the few words no vocabulary
holds and every explanation are gettext messages, English msgids with the Korean in
``locale/ko``. ``korean`` is the word as the printed card has it, which an English page
shows next to the translation (marked ``lang="ko"``).
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from budgets.models import FigureKind, FundingSource
from departments.models import BudgetUnit
from pledges import periods
from pledges.labels import korean
from pledges.models import Stage


@dataclass(frozen=True)
class Entry:
    slug: str
    word: str | Promise
    text: str | Promise
    # (word, explanation) pairs listed under the text, e.g. each funding source
    parts: list[tuple[str | Promise, str | Promise]] = field(default_factory=list)

    @property
    def korean(self) -> str:
        return korean(self.word)


# What each funding source is, in the source vocabulary's order (계, the total row, aside).
SOURCE_TEXTS = {
    FundingSource.NATIONAL: _("paid by the national government"),
    FundingSource.PROVINCIAL: _("paid by Gyeonggi Province"),
    FundingSource.CITY: _("paid by Paju City"),
    FundingSource.PRIVATE: _("private capital"),
    FundingSource.SPECIAL_GRANT: _("a special adjustment grant given for a particular project"),
    FundingSource.OTHER: _("other sources"),
}

STAGE_TEXTS = {
    Stage.REVIEW: _("The pledge is being examined: whether and how it can be carried out."),
    Stage.IN_PROGRESS: _("Work on the pledge has started and is under way."),
    Stage.COMPLETE: _(
        "The pledge’s target has been reached. Money may still be planned for running what was "
        "built."
    ),
    Stage.INFEASIBLE: _("The city has judged that the pledge cannot be carried out as promised."),
}

ENTRIES: list[Entry] = [
    Entry(
        "total-cost",
        _("Total cost"),
        _(
            "The whole cost of a project over all its years and funding sources, as the card "
            "prints it. Cards print an initial plan and a current plan; they may differ."
        ),
    ),
    Entry(
        "prior",
        periods.NAMES[periods.PRIOR],
        _("Money invested in the project before the current mayoral term began."),
    ),
    Entry(
        "in-term-plan",
        FigureKind.IN_TERM_PLAN.label,
        _("What the city plans to spend on the project in each year of the term."),
    ),
    Entry(
        "after-term",
        periods.NAMES[periods.AFTER],
        _("Money or work planned for after the current mayoral term ends."),
    ),
    Entry(
        "secured",
        FigureKind.SECURED.label,
        _(
            "Money already set aside in budgets for the project, per funding source. Secured money "
            "is not yet spent money."
        ),
    ),
    Entry(
        "executed",
        FigureKind.EXECUTED.label,
        _("Money actually spent (paid out) on the project."),
    ),
    Entry(
        "execution-rate",
        _("Execution rate"),
        _(
            "Cumulative execution (prior investment + in-term execution) ÷ total cost (current "
            "plan), in percent. It says how much of the whole cost has been spent, not how far the "
            "work has come. The in-term execution rate compares the in-term execution with the "
            "in-term plan of the years that have closed."
        ),
    ),
    Entry(
        "sources",
        _("Funding sources"),
        _("Who pays, row by row:"),
        parts=[(FundingSource(source).label, text) for source, text in SOURCE_TEXTS.items()],
    ),
    Entry(
        "special-grant",
        FundingSource.SPECIAL_GRANT.label,
        _(
            "A special adjustment grant: money given to the city for a particular project, on top "
            "of its regular budget."
        ),
    ),
    *[Entry(f"stage-{stage.value}", stage.label, text) for stage, text in STAGE_TEXTS.items()],
    Entry(
        "million-won",
        BudgetUnit.MILLION.label,
        _("The unit of every amount on this site: 1,000 million won = 1 billion won."),
    ),
]

SLUGS = {entry.slug for entry in ENTRIES}
