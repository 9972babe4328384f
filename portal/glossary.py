"""The words a citizen meets on the money and stage tables, explained once (용어 설명).

Each entry has an anchor on the glossary page; ``templatetags.portal.term`` links a word
to it wherever a page shows it. Labels and texts are gettext messages (Korean and English).
"""

from django.utils.translation import gettext_lazy as _

ENTRIES: list[dict] = [
    {
        "slug": "total-cost",
        "word": _("Total cost"),
        "text": _(
            "The whole cost of a project over all its years and funding sources, as the card "
            "prints it. Cards print an initial plan and a current plan; they may differ."
        ),
    },
    {
        "slug": "prior",
        "word": _("Prior investment"),
        "text": _("Money invested in the project before the current mayoral term began."),
    },
    {
        "slug": "in-term-plan",
        "word": _("In-term plan"),
        "text": _("What the city plans to spend on the project in each year of the term."),
    },
    {
        "slug": "after-term",
        "word": _("After term"),
        "text": _("Money or work planned for after the current mayoral term ends."),
    },
    {
        "slug": "secured",
        "word": _("Secured"),
        "text": _(
            "Money already set aside in budgets for the project, per funding source. "
            "Secured money is not yet spent money."
        ),
    },
    {
        "slug": "executed",
        "word": _("Executed"),
        "text": _("Money actually spent (paid out) on the project."),
    },
    {
        "slug": "execution-rate",
        "word": _("Execution rate"),
        "text": _(
            "Cumulative execution (prior investment + in-term execution) ÷ total cost "
            "(current plan), in percent. It says how much of the whole cost has been spent, "
            "not how far the work has come. The in-term execution rate compares the in-term "
            "execution with the in-term plan of the years that have closed."
        ),
    },
    {
        "slug": "sources",
        "word": _("Funding sources"),
        "text": _(
            "Who pays: 국비 the national government, 도비 Gyeonggi Province, 시비 Paju City, "
            "민자 private capital, 특조비 a special grant (특별조정교부금) for a particular "
            "project, 기타 other sources."
        ),
    },
    {
        "slug": "special-grant",
        "word": _("Special grant"),
        "text": _(
            "특조비 (특별조정교부금): a grant given to the city for a particular project, "
            "on top of its regular budget."
        ),
    },
    {
        "slug": "stage-review",
        "word": _("Review (검토)"),
        "text": _("The pledge is being examined: whether and how it can be carried out."),
    },
    {
        "slug": "stage-in_progress",
        "word": _("In progress (추진)"),
        "text": _("Work on the pledge has started and is under way."),
    },
    {
        "slug": "stage-complete",
        "word": _("Complete (완료)"),
        "text": _(
            "The pledge’s target has been reached. Money may still be planned for running "
            "what was built."
        ),
    },
    {
        "slug": "stage-infeasible",
        "word": _("Not feasible (불가)"),
        "text": _("The city has judged that the pledge cannot be carried out as promised."),
    },
    {
        "slug": "million-won",
        "word": _("million won"),
        "text": _(
            "The unit of every amount on this site (백만원): 1,000 million won = 1 billion won."
        ),
    },
]

SLUGS = {entry["slug"] for entry in ENTRIES}
