"""Data-quality rules: what does not add up, what is implausible, what is missing.

Every rule is a named function ``rule(context) -> list[Finding]`` over one pledge's
already-fetched data (``PledgeContext``), so a report checks thousands of pledges
without a query per rule. Rules flag, never fix: published figures stay as published.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from departments.models import Role
from pledges import particles, periods
from pledges.dates import parse_printed_date
from pledges.models import (
    Milestone,
    NoteKind,
    Pledge,
    PledgeOfficial,
    RelatedMaterial,
    SourceNote,
    Stage,
    Term,
    printed_date,
)

from .finance import (
    ALL_SOURCES,
    SOURCE_NAMES,
    TABLE_NAMES,
    FigureChange,
    Finance,
    PledgeMoney,
    money_for,
)
from .models import BudgetFigure, FigureKind, FundingSource

# A pledge marked 완료 with less than this share of its current total executed is flagged.
COMPLETE_MIN_EXECUTION_RATE = 50


@dataclass(frozen=True)
class Finding:
    """What a rule found. ``kind`` (``NoteKind``): 원문 불일치 (the source contradicts
    itself), 판독 (a damaged source read one way) or 참고 (a fact: spending above plan, a
    change over time); "" until ``pledge_findings`` gives the rule's (``RULE_KINDS``).
    ``place``: where on the card a public note stands, "" for the rule's (``PUBLIC_RULES``)."""

    rule: str
    pledge: str
    project: str
    explanation: str
    figures: dict = field(default_factory=dict)
    kind: str = ""
    place: str = ""

    def __post_init__(self) -> None:
        # The particles a message marks after its values ("%(executed)s(이)가") are chosen
        # once the values are in: "1,434가", "'… 추진'이" (pledges.particles).
        object.__setattr__(self, "explanation", particles.resolve(self.explanation))


@dataclass
class PledgeContext:
    pledge: Pledge
    money: PledgeMoney
    milestones: list[Milestone] = field(default_factory=list)
    officials: list[PledgeOfficial] = field(default_factory=list)
    figure_changes: list[FigureChange] = field(default_factory=list)
    today: date = field(default_factory=timezone.localdate)  # the Seoul date (TIME_ZONE)
    materials: list[RelatedMaterial] = field(default_factory=list)
    term_end: date | None = None
    source_notes: list[SourceNote] = field(default_factory=list)

    @classmethod
    def of_card(cls, pledge: Pledge, money: PledgeMoney) -> "PledgeContext":
        """From a published card (``portal.selectors.published_pledge``): for public pages."""
        return cls(
            pledge=pledge,
            money=money,
            milestones=list(pledge.card.milestones),
            officials=list(pledge.card.officials),
            materials=list(pledge.card.materials),
            term_end=pledge.term.end,
            source_notes=list(pledge.card.source_notes),
        )


def _n(value: int | None) -> str:
    return "빈칸" if value is None else f"{value:,}"


def _in_both(message: str, values: dict, english: dict | None = None) -> str:
    """A finding's explanation, "한국어. / English.": ``message`` (an English msgid marked
    with ``gettext_noop``) in the Korean of the ``ko`` catalogue, then in English, whatever
    language is active; ``english`` holds the values its English half words differently (a
    name, a unit). Lazy values (labels) are read in each half's language."""
    with translation.override("ko"):
        korean = gettext(message) % values
    with translation.override("en"):
        english_half = gettext(message) % {**values, **(english or {})}
    return f"{korean} / {english_half}"


def sum_rule(rule: Callable[[PledgeContext], list[Finding]]):
    """Mark a rule that checks printed parts against their printed total (``SUM_RULES``)."""
    rule.checks_a_sum = True
    return rule


def _project_sums(
    context: PledgeContext,
    rule: str,
    cases: Callable[
        [Finance],
        list[tuple[tuple[str, str] | Callable[[], tuple[str, str]], int | None, dict[str, int]]],
    ],
) -> list[Finding]:
    """Run a "parts add up to the printed total" check on every sub-project; a case names
    what it checks in Korean and in English (``_what``)."""
    findings = []
    for project, finance in context.money.projects:
        for named, stated, parts in cases(finance):
            if stated is None or not parts:
                continue
            computed = sum(parts.values())
            if computed != stated:
                # a label worth building only for a finding
                what, what_en = named() if callable(named) else named
                findings.append(
                    Finding(
                        rule=rule,
                        pledge=context.pledge.code,
                        project=project.name,
                        explanation=_in_both(
                            gettext_noop(
                                "%(what)s: the printed total is %(stated)s, its parts add up "
                                "to %(computed)s (difference %(diff)s)."
                            ),
                            {
                                "what": what,
                                "stated": _n(stated),
                                "computed": _n(computed),
                                "diff": f"{computed - stated:+,}",
                            },
                            english={"what": what_en},
                        ),
                        figures={"stated": stated, "computed": computed, **parts},
                    )
                )
    return findings


def _what(kind: str, *, source: str = "", period: str = "") -> tuple[str, str]:
    """A table, or a row (source) or column (period) of it, named in Korean and in English
    (the English half of a finding is read on English pages)."""
    korean = [TABLE_NAMES[kind]]
    with translation.override("en"):
        english = [str(FigureKind(kind).label)]
        if source:
            korean.append(f"{SOURCE_NAMES[source]} 행")
            english.append(f"{FundingSource(source).label} row")
        if period:
            english.append(f"{periods.label(period)} column")
    if period:
        with translation.override("ko"):
            korean.append(f"{periods.label(period)} 열")
    return " ".join(korean), " ".join(english)


@sum_rule
def investment_sources_sum_to_total(context: PledgeContext) -> list[Finding]:
    """In the investment plan, the source rows of each column add up to the 계 row."""

    def cases(finance: Finance):
        columns = {p for (k, _s, p) in finance.cells if k == FigureKind.INVESTMENT}
        return [
            (
                lambda period=period: _what(FigureKind.INVESTMENT, period=period),
                finance.get(FigureKind.INVESTMENT, FundingSource.TOTAL, period),
                {
                    SOURCE_NAMES[s]: a
                    for s, a in finance.column(FigureKind.INVESTMENT, period).items()
                },
            )
            for period in sorted(columns, key=periods.sort_key)
        ]

    return _project_sums(context, "investment_sources_sum_to_total", cases)


@sum_rule
def investment_periods_sum_to_total(context: PledgeContext) -> list[Finding]:
    """In the investment plan, 기투자 + the years + 임기후 of each row add up to 총사업비."""

    def cases(finance: Finance):
        return [
            (
                lambda source=source: _what(FigureKind.INVESTMENT, source=source),
                finance.get(FigureKind.INVESTMENT, source),
                finance.row(FigureKind.INVESTMENT, source),
            )
            for source in ALL_SOURCES
        ]

    return _project_sums(context, "investment_periods_sum_to_total", cases)


@sum_rule
def in_term_plan_years_sum_to_total(context: PledgeContext) -> list[Finding]:
    """The in-term plan's years (임기후 excluded) add up to its 계획합계."""

    def cases(finance: Finance):
        years = {
            p: a for p, a in finance.row(FigureKind.IN_TERM_PLAN).items() if p != periods.AFTER
        }
        # the label is built only for a finding (``_project_sums``): lazily
        return [
            (lambda: _what(FigureKind.IN_TERM_PLAN), finance.get(FigureKind.IN_TERM_PLAN), years)
        ]

    findings = _project_sums(context, "in_term_plan_years_sum_to_total", cases)
    read = {project.name: finance for project, finance in context.money.projects}
    return [
        _last_year_reading(context, finding, reading)
        if (reading := after_term_read_as_last_year(context, read.get(finding.project)))
        else finding
        for finding in findings
    ]


def after_term_read_as_last_year(context: PledgeContext, finance: Finance | None):
    """(the term's last year, the 임기후 amount) where the in-term plan's header is damaged:
    it has no column for the term's last year, prints an 임기후 amount, and its years plus
    that amount make its 계획합계 exactly. The likelier reading is then that the amount is
    the last year's, printed under a header that lost its year (12-7: 3,425 in 2026)."""
    if finance is None:
        return None
    plan = finance.row(FigureKind.IN_TERM_PLAN)
    last = str(context.pledge.term.years[-1])
    total = finance.get(FigureKind.IN_TERM_PLAN)
    if last in plan or periods.AFTER not in plan or total is None:
        return None
    years = sum(amount for period, amount in plan.items() if period != periods.AFTER)
    if years + plan[periods.AFTER] != total:
        return None
    return last, plan[periods.AFTER]


def _last_year_reading(context: PledgeContext, finding: Finding, reading) -> Finding:
    """The in-term plan's sum finding, said as what it is: a reading of a damaged header
    (판독), both readings, the likelier first, and which one the rates use (neither:
    the in-term rate reads the closed years, the cumulative rate the current total)."""
    year, amount = reading
    period = _project_periods(context).get(
        next((p.pk for p, _f in context.money.projects if p.name == finding.project), None)
    )
    end = f"{period.end.year}. {period.end.month}." if period else ""
    ends = f"사업기간이 {end}에 끝나므로 " if end else ""
    ends_en = f", the project period ends in {end}" if end else ""
    return Finding(
        rule=finding.rule,
        pledge=finding.pledge,
        project=finding.project,
        kind=NoteKind.READING,
        explanation=_in_both(
            gettext_noop(
                "The in-term plan's header has no %(year)s column. Its last amount, %(amount)s, "
                "most likely belongs to %(year)s (the years then add up to the plan total "
                "%(total)s%(ends)s); read where it is printed, it is after the term. The rates "
                "are the same either way."
            ),
            {
                "year": year,
                "amount": _n(amount),
                "total": _n(finding.figures.get("stated")),
                "ends": ends,
            },
            english={"ends": ends_en},
        ),
        figures={**finding.figures, "readings": [year, periods.AFTER], "amount": amount},
    )


@sum_rule
def secured_sources_sum_to_total(context: PledgeContext) -> list[Finding]:
    """Secured amounts by source add up to 확보총계."""

    def cases(finance: Finance):
        parts = {SOURCE_NAMES[s]: a for s, a in finance.column(FigureKind.SECURED).items()}
        return [(lambda: _what(FigureKind.SECURED), finance.get(FigureKind.SECURED), parts)]

    return _project_sums(context, "secured_sources_sum_to_total", cases)


@sum_rule
def executed_years_sum_to_total(context: PledgeContext) -> list[Finding]:
    """Executed amounts by year add up to 집행총계."""

    def cases(finance: Finance):
        kind = FigureKind.EXECUTED
        return [(lambda: _what(kind), finance.get(kind), finance.row(kind))]

    return _project_sums(context, "executed_years_sum_to_total", cases)


def _comparable_investment(finance: Finance, plan_periods: list[str]) -> dict[str, int | None]:
    """The investment plan in the in-term plan's columns ("~2022" = 기투자 + years to 2022)."""
    investment = finance.row(FigureKind.INVESTMENT)
    folded: dict[str, int | None] = {}
    for period in plan_periods:
        kind, year = periods.parse(period)
        if kind == "through":
            parts = [
                amount
                for p, amount in investment.items()
                if p == periods.PRIOR or (periods.parse(p)[0] == "year" and int(p) <= year)
            ]
            folded[period] = sum(parts) if parts else None
        else:
            folded[period] = investment.get(period)
    return folded


def _plans_differ(differing: dict[str, tuple], language: str) -> str:
    """ "2024 투자계획 11,790 ≠ 임기내 4,240" / "2024: investment plan 11,790 ≠ in-term plan
    4,240", for each period whose amounts differ."""
    with translation.override(language):
        if language == "ko":
            return ", ".join(
                f"{periods.label(p)} 투자계획 {_n(a)} ≠ 임기내 {_n(b)}"
                for p, (a, b) in differing.items()
            )
        return ", ".join(
            f"{periods.label(p)}: investment plan {_n(a)} ≠ in-term plan {_n(b)}"
            for p, (a, b) in differing.items()
        )


def plans_split_the_total_differently(context: PledgeContext) -> list[Finding]:
    """The investment plan and the in-term plan split the same total differently by year."""
    findings = []
    for project, finance in context.money.projects:
        plan = finance.row(FigureKind.IN_TERM_PLAN)
        if not plan or not finance.row(FigureKind.INVESTMENT):
            continue
        investment = finance.row(FigureKind.INVESTMENT)
        # The printed investment plan has no 임기후 column unless a cell uses it.
        compared = [p for p in plan if p != periods.AFTER or periods.AFTER in investment]
        folded = _comparable_investment(finance, compared)
        differing = {p: (folded[p], plan[p]) for p in compared if folded[p] != plan[p]}
        if differing:
            findings.append(
                Finding(
                    rule="plans_split_the_total_differently",
                    pledge=context.pledge.code,
                    project=project.name,
                    explanation=_in_both(
                        gettext_noop(
                            "The investment plan and the in-term plan split the total "
                            "differently by year: %(details)s."
                        ),
                        {"details": _plans_differ(differing, "ko")},
                        english={"details": _plans_differ(differing, "en")},
                    ),
                    figures={
                        f"{periods.label(p)} (투자계획/임기내)": f"{_n(a)} / {_n(b)}"
                        for p, (a, b) in differing.items()
                    },
                )
            )
    return findings


def executed_above_yearly_plan(context: PledgeContext) -> list[Finding]:
    """A year's execution is above that year's in-term plan."""
    findings = []
    for project, finance in context.money.projects:
        plan = finance.row(FigureKind.IN_TERM_PLAN)
        for period, executed in finance.row(FigureKind.EXECUTED).items():
            if period in plan and executed > plan[period]:
                findings.append(
                    Finding(
                        rule="executed_above_yearly_plan",
                        pledge=context.pledge.code,
                        project=project.name,
                        explanation=_in_both(
                            gettext_noop(
                                "Executed in %(period)s (%(executed)s) is above its plan "
                                "(%(plan)s)."
                            ),
                            {"period": period, "executed": _n(executed), "plan": _n(plan[period])},
                        ),
                        figures={"year": period, "plan": plan[period], "executed": executed},
                    )
                )
    return findings


def executed_above_secured(context: PledgeContext) -> list[Finding]:
    """More was executed than was secured."""
    findings = []
    for project, finance in context.money.projects:
        executed, secured = finance.executed_total, finance.secured_total
        if executed is not None and secured is not None and executed > secured:
            findings.append(
                Finding(
                    rule="executed_above_secured",
                    pledge=context.pledge.code,
                    project=project.name,
                    explanation=_in_both(
                        gettext_noop("Executed (%(executed)s) is above secured (%(secured)s)."),
                        {"executed": _n(executed), "secured": _n(secured)},
                    ),
                    figures={"executed": executed, "secured": secured},
                )
            )
    return findings


def plan_with_after_term_exceeds_current_total(context: PledgeContext) -> list[Finding]:
    """The in-term plan's years plus 임기후 come to more than the current total cost."""
    findings = []
    for project, finance in context.money.projects:
        plan = finance.row(FigureKind.IN_TERM_PLAN)
        current = finance.current_total
        if not plan or current is None:
            continue
        planned = sum(plan.values())
        if planned > current:
            findings.append(
                Finding(
                    rule="plan_with_after_term_exceeds_current_total",
                    pledge=context.pledge.code,
                    project=project.name,
                    explanation=_in_both(
                        gettext_noop(
                            "The in-term plan and after-term add up to %(planned)s, above the "
                            "current total cost (%(current)s)."
                        ),
                        {"planned": _n(planned), "current": _n(current)},
                    ),
                    figures={"planned with after term": planned, "current total": current},
                )
            )
    return findings


def complete_with_budget_largely_unexecuted(context: PledgeContext) -> list[Finding]:
    """Stage 완료 while less than half of the current total cost was executed."""
    total = context.money.total
    rate = total.execution_rate
    if context.pledge.stage != Stage.COMPLETE or rate is None:
        return []
    if rate >= COMPLETE_MIN_EXECUTION_RATE:
        return []
    return [
        Finding(
            rule="complete_with_budget_largely_unexecuted",
            pledge=context.pledge.code,
            project="",
            explanation=_in_both(
                gettext_noop(
                    "Stage is complete but only %(rate)s%% of the current total was executed "
                    "(%(executed)s of %(current)s)."
                ),
                {
                    "rate": rate,
                    "executed": _n(total.executed_total),
                    "current": _n(total.current_total),
                },
            ),
            figures={
                "execution rate %": float(rate),
                "executed": total.executed_total,
                "current total": total.current_total,
            },
        )
    ]


def target_year_passed_without_completion(context: PledgeContext) -> list[Finding]:
    """The target year has ended and the stage is not 완료."""
    pledge = context.pledge
    if not pledge.target_year or pledge.stage == Stage.COMPLETE:
        return []
    if context.today.year <= pledge.target_year:
        return []
    return [
        Finding(
            rule="target_year_passed_without_completion",
            pledge=pledge.code,
            project="",
            explanation=_in_both(
                gettext_noop("The target year %(year)s has passed and the stage is %(stage)s."),
                # the label, read in each half's language
                {"year": pledge.target_year, "stage": dict(Stage.choices).get(pledge.stage)},
            ),
            figures={"target year": pledge.target_year, "stage": pledge.stage},
        )
    ]


def milestones_out_of_date_order(context: PledgeContext) -> list[Finding]:
    """A milestone is dated before the one printed above it (same sub-project)."""
    findings = []
    previous: dict[int | None, Milestone] = {}
    for milestone in context.milestones:
        if milestone.parent_id or milestone.start is None:
            continue
        before = previous.get(milestone.project_id)
        if before is not None and milestone.start < before.start:
            findings.append(
                Finding(
                    rule="milestones_out_of_date_order",
                    pledge=context.pledge.code,
                    project="",
                    explanation=_in_both(
                        gettext_noop(
                            "Milestone '%(milestone)s' is dated before the one above it "
                            "('%(before)s')."
                        ),
                        {
                            "milestone": f"{milestone.date_text} {milestone.text[:30]}",
                            "before": before.date_text,
                        },
                        english={"milestone": milestone.date_text},
                    ),
                    figures={
                        "position": milestone.position,
                        "date": milestone.date_text,
                        "previous date": before.date_text,
                    },
                )
            )
        previous[milestone.project_id] = milestone
    return findings


# What an official's contact may lack, as the Korean half of a finding names it.
CONTACT_PARTS = {"name": "이름", "phone": "전화"}


def missing_official_contact(context: PledgeContext) -> list[Finding]:
    """An accountable official has no name or no phone, or none is listed."""
    if not context.officials:
        return [
            Finding(
                rule="missing_official_contact",
                pledge=context.pledge.code,
                project="",
                explanation=_in_both(gettext_noop("No accountable official is listed."), {}),
            )
        ]
    findings = []
    for link in context.officials:
        official = link.official
        missing = [
            label
            for label, value in (("name", official.name), ("phone", official.phone))
            if not value
        ]
        if missing:
            damaged = "판독 불가" in link.note  # the extraction lost it, not the city
            findings.append(
                Finding(
                    rule="missing_official_contact",
                    pledge=context.pledge.code,
                    project="",
                    explanation=_in_both(
                        gettext_noop(
                            "The %(role)s's %(missing)s: unreadable in the text extraction "
                            "(damage of the extraction, not the city's omission)."
                        )
                        if damaged
                        else gettext_noop("The %(role)s's %(missing)s is missing."),
                        {
                            "role": dict(Role.choices).get(official.role, official.role),
                            "missing": "·".join(CONTACT_PARTS[part] for part in missing),
                        },
                        english={"missing": " and ".join(missing)},
                    ),
                    figures={"role": official.role, "name": official.name, "phone": official.phone},
                )
            )
    return findings


def executed_above_investment_plan(context: PledgeContext) -> list[Finding]:
    """A year's execution is above the investment plan (연도별 투자계획) of the same year,
    or a year was executed that the investment plan gives nothing."""
    findings = []
    for project, finance in context.money.projects:
        investment = finance.row(FigureKind.INVESTMENT)
        if not investment:
            continue
        plan_of = _comparable_investment(finance, list(finance.row(FigureKind.EXECUTED)))
        in_term = finance.row(FigureKind.IN_TERM_PLAN)
        for period, executed in finance.row(FigureKind.EXECUTED).items():
            planned = plan_of.get(period)
            if planned is not None and executed <= planned:
                continue
            if period in in_term and executed > in_term[period]:
                continue  # one note per fact: executed_above_yearly_plan says it
            if planned is None:
                message = gettext_noop(
                    "%(executed)s was executed in %(period)s, a year the investment plan gives "
                    "no amount."
                )
            else:
                message = gettext_noop(
                    "Executed in %(period)s (%(executed)s) is above that year's investment plan "
                    "(%(plan)s)."
                )
            findings.append(
                Finding(
                    rule="executed_above_investment_plan",
                    pledge=context.pledge.code,
                    project=project.name,
                    explanation=_in_both(
                        message,
                        {
                            "period": periods.label(period),
                            "executed": _n(executed),
                            "plan": _n(planned),
                        },
                    ),
                    figures={"year": period, "investment plan": planned, "executed": executed},
                )
            )
    return findings


def cumulative_execution_above_current_total(context: PledgeContext) -> list[Finding]:
    """기투자 + 임기내 집행 (the cumulative execution) is above the current total cost."""
    findings = []
    for project, finance in context.money.projects:
        cumulative, current = finance.executed_cumulative, finance.current_total
        if cumulative is None or current is None or cumulative <= current:
            continue
        findings.append(
            Finding(
                rule="cumulative_execution_above_current_total",
                pledge=context.pledge.code,
                project=project.name,
                explanation=_in_both(
                    gettext_noop(
                        "Prior investment %(prior)s plus in-term execution %(executed)s makes "
                        "%(cumulative)s, above the current total cost %(current)s (execution rate "
                        "%(rate)s%%)."
                    ),
                    {
                        "prior": _n(finance.prior_invested),
                        "executed": _n(finance.executed_total),
                        "cumulative": _n(cumulative),
                        "current": _n(current),
                        "rate": finance.execution_rate,
                    },
                ),
                figures={
                    "prior": finance.prior_invested,
                    "executed": finance.executed_total,
                    "cumulative": cumulative,
                    "current total": current,
                },
            )
        )
    return findings


_PERIOD = re.compile(r"사업기간\s*:\s*([^\n]+)")


def stated_period(text: str):
    """The 사업기간 printed in an overview ("2019. 5. ~ 2022. 8"), parsed, or None."""
    match = _PERIOD.search(text or "")
    if not match:
        return None
    try:
        found = parse_printed_date(match.group(1).strip())
    except ValueError:
        return None
    return found if found.start and found.end else None


def _project_periods(context: PledgeContext) -> dict[int | None, tuple]:
    """{project id (None for the pledge): (printed text, parsed period)} where printed."""
    found = {}
    projects = [project for project, _finance in context.money.projects]
    for project in projects:
        period = stated_period(project.overview)
        if period:
            found[project.pk] = period
    pledge_period = stated_period(context.pledge.overview)
    if pledge_period:
        found[None] = pledge_period
        if len(projects) == 1:
            found.setdefault(projects[0].pk, pledge_period)
    return found


def _month(day: date) -> tuple[int, int]:
    return (day.year, day.month)


def milestones_outside_project_period(context: PledgeContext) -> list[Finding]:
    """A milestone is dated after the end of its sub-project's printed 사업기간 (compared
    by month, the precision the card prints); one before its start is normal."""
    stated = _project_periods(context)
    findings = []
    for milestone in context.milestones:
        if milestone.parent_id or milestone.start is None:
            continue
        period = stated.get(milestone.project_id) or stated.get(None)
        if period is None:
            continue
        # Before the period is normal (reviews, approvals and design precede the works):
        # only a milestone after its end is noted.
        last = milestone.end or milestone.start
        if _month(last) > _month(period.end):
            where = "after"
        else:
            continue
        text = {
            "after": gettext_noop(
                "Milestone '%(milestone)s' is dated after the project period (%(start)s – "
                "%(end)s) ends."
            ),
        }[where]
        findings.append(
            Finding(
                rule="milestones_outside_project_period",
                pledge=context.pledge.code,
                project=milestone.project.name if milestone.project_id else "",
                explanation=_in_both(
                    text,
                    {
                        "milestone": f"{milestone.date_text} {milestone.text[:30]}",
                        "start": f"{period.start.year}. {period.start.month}.",
                        "end": f"{period.end.year}. {period.end.month}.",
                    },
                    english={"milestone": milestone.date_text},
                ),
                figures={"date": milestone.date_text, "where": where},
            )
        )
    return findings


def after_term_amount_on_project_ending_in_term(context: PledgeContext) -> list[Finding]:
    """The in-term plan puts money after the term (임기후) on a project whose printed
    사업기간 ends inside the term."""
    stated = _project_periods(context)
    term_end = context.term_end
    findings = []
    for project, finance in context.money.projects:
        after = finance.get(FigureKind.IN_TERM_PLAN, period=periods.AFTER)
        period = stated.get(project.pk)
        if not after or period is None or term_end is None:
            continue
        if after_term_read_as_last_year(context, finance):
            continue  # one note per fact: the 판독 of the in-term plan's header says it
        if _month(period.end) > _month(term_end):
            continue
        findings.append(
            Finding(
                rule="after_term_amount_on_project_ending_in_term",
                pledge=context.pledge.code,
                project=project.name,
                explanation=_in_both(
                    gettext_noop(
                        "The in-term plan puts %(after)s after the term, but the project period "
                        "ends inside the term (%(end)s)."
                    ),
                    {"after": _n(after), "end": f"{period.end.year}. {period.end.month}."},
                ),
                figures={"after term": after, "period end": period.end.isoformat()[:7]},
            )
        )
    return findings


# Facts a card's texts state more than once: (name, patterns each capturing the value).
_STATED_FACTS = [
    (
        ("상담 인력", "counsellors"),
        [r"상담(?:인력|사|원)\s*:?\s*(\d+)\s*명", r"(\d+)\s*명의\s*상담(?:사|원|인력)"],
        ("%s명", "%s"),
    ),
    (
        ("평일 상담 종료 시각", "weekday closing time"),
        [r"평일\)?\s*\d{1,2}:\d{2}\s*~\s*(\d{1,2}):00", r"오후\s*(\d{1,2})시까지"],
        ("%s시", "%s:00"),
    ),
]


def _fact_values(text: str, patterns: list[str], afternoon: bool) -> set[int]:
    values = set()
    for pattern in patterns:
        for match in re.finditer(pattern, text or ""):
            value = int(match.group(1))
            values.add(value + 12 if afternoon and "오후" in match.group(0) else value)
    return values


def _month_printed(text: str) -> str:
    """ "2023. 12." from a printed date and time ("2023.12.06.02:28", "2023-12-19 10:58")."""
    found = re.search(r"(\d{4})\D+(\d{1,2})", text or "")
    return f"{found.group(1)}. {int(found.group(2))}." if found else ""


def texts_disagree_on_a_fact(context: PledgeContext) -> list[Finding]:
    """The card's own text and a related press article state the same fact differently
    (number of counsellors, closing time): 참고, not a source inconsistency, since the two
    are written at different times (a change over time) and each is dated."""
    pledge = context.pledge
    card_text = "\n".join([pledge.overview, pledge.objective])
    card_date = printed_date(pledge.as_of, pledge.as_of_precision)  # a history row too
    press = [m for m in context.materials if m.kind == "press" and m.excerpt]
    findings = []
    for (name, name_en), patterns, (unit, unit_en) in _STATED_FACTS:
        afternoon = unit == "%s시"
        on_card = _fact_values(card_text, patterns, afternoon)
        for material in press:
            in_press = _fact_values(material.excerpt, patterns, afternoon)
            if on_card and in_press and on_card != in_press:
                press_date = _month_printed(material.published)
                findings.append(
                    Finding(
                        rule="texts_disagree_on_a_fact",
                        pledge=pledge.code,
                        project="",
                        explanation=_in_both(
                            gettext_noop(
                                "%(fact)s: the press article (%(press_date)s) says %(press)s, "
                                "the card (as of %(card_date)s) %(card)s: possibly a change "
                                "over time."
                            ),
                            {
                                "fact": name,
                                "press_date": press_date or "날짜 없음",
                                "card_date": card_date or "기준일 없음",
                                "card": ", ".join(unit % v for v in sorted(on_card)),
                                "press": ", ".join(unit % v for v in sorted(in_press)),
                            },
                            english={
                                "fact": name_en,
                                "card": ", ".join(unit_en % v for v in sorted(on_card)),
                                "press": ", ".join(unit_en % v for v in sorted(in_press)),
                            },
                        ),
                        figures={"card": sorted(on_card), "press": sorted(in_press)},
                    )
                )
    return findings


def recorded_source_notes(context: PledgeContext) -> list[Finding]:
    """The notes a reader of the source recorded on the card (``pledges.SourceNote``), each
    citing its lines: contradictions no rule can see (a name, a date, a title), readings
    of damaged text, facts to know."""
    return [
        Finding(
            rule="recorded_source_notes",
            pledge=context.pledge.code,
            project=note.project.name if note.project_id else "",
            explanation=f"{note.text} / {note.text_en}" if note.text_en else note.text,
            figures={"citation": note.citation},
            kind=note.kind,
            place=note.place,
        )
        for note in context.source_notes
    ]


def figure_changed_after_its_year_closed(context: PledgeContext) -> list[Finding]:
    """A year's figure was changed after that year's accounts closed (end of February next year)."""
    findings = []
    for change in context.figure_changes:
        kind, year = periods.parse(change.period)
        if kind != "year":
            continue
        closed = date(year + 1, 3, 1)  # 출납폐쇄: the accounts close at the end of February
        changed_on = timezone.localdate(change.when)  # the day in Seoul, not in UTC
        if changed_on >= closed:
            findings.append(
                Finding(
                    rule="figure_changed_after_its_year_closed",
                    pledge=context.pledge.code,
                    project=change.project,
                    explanation=_in_both(
                        gettext_noop(
                            "A %(year)s figure (%(table)s) was changed on %(when)s from %(old)s "
                            "to %(new)s, after that year's accounts closed."
                        ),
                        {
                            "year": year,
                            "table": FigureKind(change.kind).label,
                            "when": changed_on.isoformat(),
                            "old": _n(change.old),
                            "new": _n(change.new),
                        },
                    ),
                    figures={
                        "old": change.old,
                        "new": change.new,
                        "changed": changed_on.isoformat(),
                    },
                )
            )
    return findings


RULES: list[Callable[[PledgeContext], list[Finding]]] = [
    investment_sources_sum_to_total,
    investment_periods_sum_to_total,
    in_term_plan_years_sum_to_total,
    secured_sources_sum_to_total,
    executed_years_sum_to_total,
    plans_split_the_total_differently,
    executed_above_yearly_plan,
    executed_above_secured,
    plan_with_after_term_exceeds_current_total,
    complete_with_budget_largely_unexecuted,
    target_year_passed_without_completion,
    milestones_out_of_date_order,
    missing_official_contact,
    figure_changed_after_its_year_closed,
    executed_above_investment_plan,
    cumulative_execution_above_current_total,
    milestones_outside_project_period,
    after_term_amount_on_project_ending_in_term,
    texts_disagree_on_a_fact,
    recorded_source_notes,
]

# What each rule's findings are (``NoteKind``): a table or list that contradicts itself is
# 원문 불일치; spending above a plan, a stage against its money, a change over time are 참고.
RULE_KINDS = {
    "investment_sources_sum_to_total": NoteKind.SOURCE,
    "investment_periods_sum_to_total": NoteKind.SOURCE,
    "in_term_plan_years_sum_to_total": NoteKind.SOURCE,
    "secured_sources_sum_to_total": NoteKind.SOURCE,
    "executed_years_sum_to_total": NoteKind.SOURCE,
    "plans_split_the_total_differently": NoteKind.SOURCE,
    "executed_above_yearly_plan": NoteKind.NOTE,
    "executed_above_secured": NoteKind.NOTE,
    "plan_with_after_term_exceeds_current_total": NoteKind.SOURCE,
    "complete_with_budget_largely_unexecuted": NoteKind.NOTE,
    "target_year_passed_without_completion": NoteKind.NOTE,
    "milestones_out_of_date_order": NoteKind.SOURCE,
    "missing_official_contact": NoteKind.NOTE,
    "figure_changed_after_its_year_closed": NoteKind.NOTE,
    "executed_above_investment_plan": NoteKind.NOTE,
    "cumulative_execution_above_current_total": NoteKind.NOTE,
    "milestones_outside_project_period": NoteKind.NOTE,
    "after_term_amount_on_project_ending_in_term": NoteKind.SOURCE,
    "texts_disagree_on_a_fact": NoteKind.NOTE,
    "recorded_source_notes": NoteKind.NOTE,  # each note carries its own
}

# The tables a 원문 불일치 rule compares: where one of their cells was entered by staff
# (changed since it was loaded from the printed card), the finding is 참고, not the source's.
RULE_TABLES = {
    "investment_sources_sum_to_total": {FigureKind.INVESTMENT},
    "investment_periods_sum_to_total": {FigureKind.INVESTMENT},
    "in_term_plan_years_sum_to_total": {FigureKind.IN_TERM_PLAN},
    "secured_sources_sum_to_total": {FigureKind.SECURED},
    "executed_years_sum_to_total": {FigureKind.EXECUTED},
    "plans_split_the_total_differently": {FigureKind.INVESTMENT, FigureKind.IN_TERM_PLAN},
    "plan_with_after_term_exceeds_current_total": {
        FigureKind.IN_TERM_PLAN,
        FigureKind.COST_CURRENT,
    },
    "after_term_amount_on_project_ending_in_term": {FigureKind.IN_TERM_PLAN},
}

# The "parts add up to the printed total" rules: the admin grid warns with these.
SUM_RULES = [rule for rule in RULES if getattr(rule, "checks_a_sum", False)]


def pledge_findings(context: PledgeContext, rules=RULES) -> list[Finding]:
    """Every rule's findings, each with its kind: the rule's (``RULE_KINDS``) unless it
    set one, and never 원문 불일치 where staff entered a value it compares."""
    staff_entered = {(change.project, change.kind) for change in context.figure_changes}
    staff_entered |= context.money.changed
    found = []
    for rule in rules:
        for finding in rule(context):
            kind = finding.kind or RULE_KINDS.get(finding.rule, NoteKind.NOTE)
            if kind == NoteKind.SOURCE and any(
                (project, table) in staff_entered
                for table in RULE_TABLES.get(finding.rule, ())
                for project in {finding.project, *(p.name for p, _f in context.money.projects)}
                if not finding.project or project == finding.project
            ):
                kind = NoteKind.NOTE
            found.append(replace(finding, kind=kind))
    return found


# Fetching ----------------------------------------------------------------------------


def contexts_for(
    pledges: list[Pledge], *, when: datetime | None = None, today: date | None = None
) -> list[PledgeContext]:
    """The rules' input for a batch of pledges, in a fixed number of queries.

    With ``when``, sub-projects, figures, milestones and officials are read as they
    stood then, from the change history.
    """
    ids = [pledge.pk for pledge in pledges]
    today = today or timezone.localdate(when)  # the Seoul date of ``when`` or of now
    money = money_for(pledges, when=when)

    def as_of(model):
        return model.history.as_of(when) if when else model.objects.all()

    milestones: dict[int, list[Milestone]] = {pk: [] for pk in ids}
    for milestone in as_of(Milestone).filter(pledge_id__in=ids).order_by("pledge_id", "position"):
        milestones[milestone.pledge_id].append(milestone)
    officials: dict[int, list[PledgeOfficial]] = {pk: [] for pk in ids}
    for link in (
        as_of(PledgeOfficial)
        .filter(pledge_id__in=ids)
        .select_related("official")
        .order_by("pledge_id", "position")
    ):
        officials[link.pledge_id].append(link)
    materials: dict[int, list[RelatedMaterial]] = {pk: [] for pk in ids}
    for material in as_of(RelatedMaterial).filter(pledge_id__in=ids).order_by("pledge_id", "pk"):
        materials[material.pledge_id].append(material)
    notes: dict[int, list[SourceNote]] = {pk: [] for pk in ids}
    for note in (
        as_of(SourceNote)
        .filter(pledge_id__in=ids)
        .select_related("project")
        .order_by("pledge_id", "position")
    ):
        notes[note.pledge_id].append(note)
    term_ends = dict(Term.objects.values_list("pk", "end"))
    changes = _figure_changes(ids, when)
    return [
        PledgeContext(
            pledge=pledge,
            money=money[pledge.pk],
            milestones=milestones[pledge.pk],
            officials=officials[pledge.pk],
            figure_changes=changes.get(pledge.pk, []),
            today=today,
            materials=materials[pledge.pk],
            term_end=term_ends.get(pledge.term_id),
            source_notes=notes[pledge.pk],
        )
        for pledge in pledges
    ]


def _figure_changes(pledge_ids: list[int], when: datetime | None) -> dict[int, list[FigureChange]]:
    """Amount changes of figures ("~" records), each with the amount before it.

    Reads only the history of figures that were ever changed (a figure only created has
    nothing to compare), as plain rows: not every creation record of every figure.
    """
    records = BudgetFigure.history.filter(project__pledge_id__in=pledge_ids)
    if when:
        records = records.filter(history_date__lte=when)
    changed = records.filter(history_type="~").values("id")
    rows = (
        records.filter(id__in=changed)
        .order_by("id", "history_date", "history_id")
        .values_list(
            "id",
            "history_type",
            "amount",
            "kind",
            "source",
            "period",
            "history_date",
            "project__pledge_id",
            "project__name",
        )
    )
    found: dict[int, list[FigureChange]] = {}
    previous = None
    # A plain query, not a server-side cursor (``iterator()``): a cursor makes PostgreSQL
    # plan for the first rows (walking the whole history in id order), while one batch's
    # rows are only a thousand or so and are cheaper to read at once.
    for row in rows:
        figure, history_type, amount, kind, source, period, moment, pledge_id, project = row
        if previous is not None and previous[0] == figure and history_type == "~":
            if previous[2] != amount:
                found.setdefault(pledge_id, []).append(
                    FigureChange(
                        cell=(kind, source, period),
                        old=previous[2],
                        new=amount,
                        project=project,
                        when=moment,
                    )
                )
        previous = row
    return found


# Public notes ------------------------------------------------------------------------

# Rules whose findings concern the published source itself (not staff workflow or our
# judgement), and where on a pledge page their note belongs.
PUBLIC_RULES = {
    "investment_sources_sum_to_total": "money",
    "investment_periods_sum_to_total": "money",
    "in_term_plan_years_sum_to_total": "money",
    "secured_sources_sum_to_total": "money",
    "executed_years_sum_to_total": "money",
    "plans_split_the_total_differently": "money",
    "executed_above_yearly_plan": "money",
    "executed_above_secured": "money",
    "plan_with_after_term_exceeds_current_total": "money",
    "executed_above_investment_plan": "money",
    "cumulative_execution_above_current_total": "money",
    "after_term_amount_on_project_ending_in_term": "money",
    "milestones_out_of_date_order": "milestones",
    "texts_disagree_on_a_fact": "overview",
    "recorded_source_notes": "overview",  # each note carries its own place
}


# The rule functions behind PUBLIC_RULES: what the pledge page and the open data show.
PUBLIC_RULE_FUNCTIONS = [rule for rule in RULES if rule.__name__ in PUBLIC_RULES]


def explanation_in(finding: Finding, language: str) -> str:
    """The Korean or the English half of a finding's "한국어. / English." explanation."""
    korean, separator, english = finding.explanation.partition(". / ")
    if not separator:
        return finding.explanation
    return english if language == "en" else korean + "."


@dataclass(frozen=True)
class PublicNote:
    """A note for citizens: its text in the page's language and its kind (``NoteKind``),
    which the page shows as the note's label; reads as its text."""

    text: str
    kind: str

    def __str__(self) -> str:
        return self.text

    @property
    def kind_label(self) -> str:
        return str(NoteKind(self.kind).label)


def public_notes(findings: list[Finding], language: str) -> dict[tuple[str, str], list[PublicNote]]:
    """Short notes for citizens, keyed by (place on the page, sub-project name or ""), in
    the order 원문 불일치, 판독, 참고 (each kind under its own label)."""
    notes: dict[tuple[str, str], list[PublicNote]] = {}
    order = list(NoteKind.values)
    for finding in sorted(findings, key=lambda f: order.index(f.kind or NoteKind.NOTE)):
        place = finding.place or PUBLIC_RULES.get(finding.rule)
        if place:
            key = (place, finding.project)
            text = explanation_in(finding, language)
            notes.setdefault(key, []).append(PublicNote(text, finding.kind or NoteKind.NOTE))
    return notes
