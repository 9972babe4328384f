"""One set of sentences for every short summary of a pledge: the page's lead, its meta and
og:description, the list card, the feed entry, the API's ``summary`` field and the print.

They state the page's own measures (``budgets.finance``): the 집행률 is the cumulative
execution (기투자 + 임기내 집행) over the current total cost, never the in-term execution
alone; a stage that was inferred says "(추정)" wherever it is stated. Plain attributes in
(a ``Pledge`` or a published snapshot's row: both carry the stored totals), text out.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from pledges.models import BudgetType, Stage, StageProvenance

STAGE_LABELS = dict(Stage.choices)  # lazy labels: the reader's language when rendered


def _amount(value: int) -> str:
    return f"{value:,}"


def rate_shown(value) -> Decimal:
    """A rate to one decimal, as the page prints it (a stored 100 reads "100.0")."""
    return Decimal(str(value)).quantize(Decimal("0.1"))


def stage_is_inferred(pledge) -> bool:
    """Whether the stage shown is a guess (the one place every summary asks)."""
    return pledge.stage_provenance == StageProvenance.INFERRED


def stage_text(pledge) -> str:
    """The stage as every summary states it: "완료", or "완료 (추정)" for a guess."""
    name = str(STAGE_LABELS.get(pledge.stage, pledge.stage))
    return f"{name} ({_('inferred')})" if stage_is_inferred(pledge) else name


def money_text(pledge) -> str:
    """The page's measure in one clause: cumulative execution of the current total cost and
    the 집행률; "" where there is no money to state (non-budget, nothing published)."""
    if pledge.budget_type == BudgetType.NON_BUDGET:
        return _("non-budget pledge")
    total, cumulative = pledge.current_total, pledge.executed_cumulative
    if total is None or cumulative is None:
        return ""
    values = {"total": _amount(total), "executed": _amount(cumulative)}
    if pledge.prior_invested:
        text = _(
            "cumulative execution %(executed)s of the total cost %(total)s million won "
            "(prior investment %(prior)s included)"
        ) % {**values, "prior": _amount(pledge.prior_invested)}
    else:
        text = _("cumulative execution %(executed)s of the total cost %(total)s million won") % (
            values
        )
    rate = pledge.execution_rate
    if rate is not None:
        text += ", " + _("execution rate %(rate)s%%") % {"rate": rate_shown(rate)}
        if Decimal(str(rate)) > 100:
            text += " " + _("(over 100: the published tables disagree)")
    return text


def pledge_summary(pledge, department: str = "") -> str:
    """The sentence: "파주시 공약 12-9 (…): 이행단계 완료 (추정), 총사업비 … 집행률 100.0%."."""
    department = department or str(pledge.department)
    head = _("Pledge %(code)s of Paju City (%(department)s): stage %(stage)s") % {
        "code": pledge.code,
        "department": department,
        "stage": stage_text(pledge),
    }
    money = money_text(pledge)
    return f"{head}, {money}." if money else f"{head}."
