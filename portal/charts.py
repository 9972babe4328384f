"""Every chart of the portal, as plain plotly figure dicts built from aggregated data.

A dict costs microseconds where ``go.Figure`` costs milliseconds; templates pass it
through ``json_script`` and ``static/js/charts.js`` draws it with our own plotly.js.

Charts a newspaper would print: a title, full numbers with thousands separators, the
value written on every bar (so a small bar beside a large one stays readable), a
categorical axis in the card's order (no printed period is dropped), and head-room above
the tallest bar. A chart draws every figure its table holds; a missing value stays
``None`` and the table beside it shows "–". Where a sentence says more than a chart (one
funding source), there is no chart.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from pledges import periods

PLAN_COLOR = "#6b7a90"
SECURED_COLOR = "#1b7f4b"
EXECUTED_COLOR = "#0b50d0"
FONT = '-apple-system, "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", sans-serif'
HEADROOM = 1.18  # the y axis ends 18 % above the tallest bar: no bar or label touches the frame


def _layout(title: str, categories: list[str], peak: int, **extra) -> dict:
    """The unit goes in the title, not along the value axis, where on a phone it sat over the
    tick labels; bars of a group keep a gap, so their written values never touch."""
    unit = _("million won")
    if unit not in title:
        title = f"{title} ({unit})"
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "barmode": "group",
        "bargroupgap": 0.12,
        "margin": {"l": 72, "r": 16, "t": 48, "b": 56},
        "height": 340,
        "font": {"family": FONT, "size": 14, "color": "#1e2124"},
        "legend": {"orientation": "h", "y": -0.22},
        "xaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": categories,
            "automargin": True,
        },
        "yaxis": {
            "tickformat": ",d",
            "separatethousands": True,
            "range": [0, max(peak, 1) * HEADROOM],
            "automargin": True,
        },
        "separators": ".,",
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        **extra,
    }


def _bar(name: str, x: list[str], y: list, color: str) -> dict:
    return {
        "type": "bar",
        "name": name,
        "x": x,
        "y": y,
        "marker": {"color": color},
        "text": [None if value is None else f"{value:,}" for value in y],
        "textposition": "outside",
        "cliponaxis": False,
        "constraintext": "inside",  # a value written above a bar keeps its size
        "hovertemplate": "%{x}: %{y:,} " + _("million won") + "<extra>" + name + "</extra>",
    }


def _peak(*series: list) -> int:
    return max((value for values in series for value in values if value is not None), default=0)


def plan_vs_executed_rows(
    plan: dict[str, int], executed: dict[str, int], prior: int | None = None
) -> list[dict]:
    """Rows of the in-term plan against execution, in the card's order, 임기후 last.

    Where one table prints "~2022" (a running total up to 2022) and the other "2022", the
    two cells share one row labelled "~2022 / 2022" instead of two half-empty rows.

    With a printed 기투자 (``prior``: spent before the term) every row pairs like with
    like: 기투자 is a row of its own, drawn as executed, and is taken out of the plan's
    "~2022" running total that includes it, so that row is 2022's share; an executed
    "~2022" is read as the in-term amount, the reading the 집행률 uses (the other reading
    is stated beside the table: ``executed_readings``). The rows then add up to the
    cumulative execution the 집행률 counts: a fully paid building draws as fully executed.
    """
    plan = {k: v for k, v in plan.items() if k != periods.TOTAL}
    executed = {k: v for k, v in executed.items() if k != periods.TOTAL}
    rows: dict[str, dict] = {}
    prior_in_plan = False
    for table, values in (("plan", plan), ("executed", executed)):
        for period, amount in values.items():
            kind, year = periods.parse(period)
            key = str(year) if kind in ("year", "through") else period
            if prior and kind == "through":
                if table == "plan":
                    amount -= prior
                    prior_in_plan = True
                period = key  # what the row now holds: that year's in-term share
            row = rows.setdefault(key, {"periods": {}, "plan": None, "executed": None})
            row[table] = amount
            row["periods"][table] = period
    if prior:
        rows[periods.PRIOR] = {
            "periods": {"plan": periods.PRIOR, "executed": periods.PRIOR},
            "plan": prior if prior_in_plan else None,
            "executed": prior,
        }
    result = []
    for key in sorted(rows, key=periods.sort_key):
        row = rows[key]
        printed = list(dict.fromkeys(row["periods"].values()))
        result.append(
            {
                "period": key,
                "label": " / ".join(str(periods.label(p)) for p in printed),
                "plan": row["plan"],
                "executed": row["executed"],
                "plan_period": row["periods"].get("plan"),
                "executed_period": row["periods"].get("executed"),
                "running_total": any(p.startswith("~") for p in printed),
                "prior": key == periods.PRIOR,
            }
        )
    return result


def planned_vs_executed(rows: list[dict], subject: str = "") -> dict | None:
    """Grouped bars of planned (임기내 계획) and executed (집행) per period, in 백만원."""
    if not rows:
        return None
    x = [str(row["label"]) for row in rows]
    plan = [row["plan"] for row in rows]
    executed = [row["executed"] for row in rows]
    title = (
        _("Prior investment, then in-term plan and execution per year")
        if any(row.get("prior") for row in rows)
        else _("In-term plan and execution per year")
    )
    return {
        "data": [
            _bar(_("In-term plan"), x, plan, PLAN_COLOR),
            _bar(_("Executed"), x, executed, EXECUTED_COLOR),
        ],
        "layout": _layout(f"{title}: {subject}" if subject else title, x, _peak(plan, executed)),
    }


def secured_by_source(secured: dict[str, int], labels: dict[str, str], subject: str = ""):
    """Bars of the secured amount per funding source, in 백만원; None for a single source
    (a sentence says it better)."""
    if len(secured) < 2:
        return None
    x = [str(labels[source]) for source in secured]
    y = list(secured.values())
    title = _("Secured by funding source")
    return {
        "data": [_bar(_("Secured"), x, y, SECURED_COLOR)],
        "layout": _layout(
            f"{title}: {subject}" if subject else title, x, _peak(y), showlegend=False, height=300
        ),
    }


LABEL_LINE = 16  # characters per line of a department's name beside its bars


def _wrapped(label: str) -> str:
    """A long name on several lines (at spaces), so it fits beside the bars on a phone."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= LABEL_LINE:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)


def money_by_department(rows: list[dict]) -> dict | None:
    """Bars per department, lying down (names on the left, readable on a phone, values
    written after each bar): current total cost, secured and cumulative execution.

    Departments whose pledges publish no money (non-budget) have no bars; the table says so.
    """
    rows = [row for row in rows if row["current_total"] is not None]
    if not rows:
        return None
    english = (translation.get_language() or "ko").startswith("en")
    # the table's label: the unofficial English name on English pages where one is stored
    y = [_wrapped((row.get("name_en") if english else "") or row["name"]) for row in rows]
    series = [
        (_("Total cost (current plan)"), "current_total", PLAN_COLOR),
        (_("Secured"), "secured_total", SECURED_COLOR),
        (_("Cumulative execution"), "executed_cumulative", EXECUTED_COLOR),
    ]
    columns = [[row[key] for row in rows] for _name, key, _color in series]
    unit = _("million won")
    data = [
        {
            **_bar(name, y, values, color),
            "orientation": "h",
            "x": values,
            "y": y,
            "hovertemplate": "%{y}: %{x:,} " + unit + "<extra>" + name + "</extra>",
        }
        for (name, _key, color), values in zip(series, columns, strict=True)
    ]
    layout = _layout(
        _("Money by department (million won)"), y, _peak(*columns), height=140 + 96 * len(rows)
    )
    # The axes swap: departments down the side, first on top; money along the bottom, with
    # room after the longest bar for its written value.
    layout["yaxis"], layout["xaxis"] = (
        {**layout["xaxis"], "autorange": "reversed"},
        {**layout["yaxis"], "range": [0, max(_peak(*columns), 1) * 1.3], "title": None},
    )  # the unit is in the title: the legend below the axis has the room
    layout["margin"] = {**layout["margin"], "r": 24}
    return {"data": data, "layout": layout}
