"""Every chart of the portal, as plain plotly figure dicts built from aggregated data.

A dict costs microseconds where ``go.Figure`` costs milliseconds; templates pass it
through ``json_script`` and ``static/js/charts.js`` draws it with our own plotly.js.
Missing values stay ``None``: plotly leaves a gap, the table beside it says 미공개.
"""

from django.utils.translation import gettext as _

from pledges import periods

PLAN_COLOR = "#6b7a90"
SECURED_COLOR = "#1b7f4b"
EXECUTED_COLOR = "#0b50d0"
FONT = '-apple-system, "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", sans-serif'


def _layout(y_title: str, **extra) -> dict:
    return {
        "barmode": "group",
        "margin": {"l": 64, "r": 16, "t": 16, "b": 48},
        "height": 320,
        "font": {"family": FONT, "size": 14, "color": "#1e2124"},
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {"title": {"text": y_title}, "separatethousands": True, "rangemode": "tozero"},
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
        "hovertemplate": "%{x}: %{y:,} " + _("million won") + "<extra>" + name + "</extra>",
    }


def plan_vs_executed_rows(plan: dict[str, int], executed: dict[str, int]) -> list[dict]:
    """Rows of the in-term plan against execution, one per period (임기후 excluded)."""
    keys = sorted((set(plan) | set(executed)) - {periods.AFTER}, key=periods.sort_key)
    return [
        {
            "period": key,
            "label": periods.label(key),
            "plan": plan.get(key),
            "executed": executed.get(key),
        }
        for key in keys
    ]


def planned_vs_executed(rows: list[dict]) -> dict | None:
    """Grouped bars of planned (임기내 계획) and executed (집행) per year, in 백만원."""
    if not rows:
        return None
    x = [str(row["label"]) for row in rows]
    return {
        "data": [
            _bar(_("In-term plan"), x, [row["plan"] for row in rows], PLAN_COLOR),
            _bar(_("Executed"), x, [row["executed"] for row in rows], EXECUTED_COLOR),
        ],
        "layout": _layout(_("million won")),
    }


def secured_by_source(secured: dict[str, int], labels: dict[str, str]) -> dict | None:
    """Bars of the secured amount per funding source, in 백만원."""
    if not secured:
        return None
    x = [str(labels[source]) for source in secured]
    return {
        "data": [_bar(_("Secured"), x, list(secured.values()), SECURED_COLOR)],
        "layout": _layout(_("million won"), showlegend=False, height=240),
    }


def money_by_department(rows: list[dict]) -> dict | None:
    """Grouped bars per department: current total cost, secured and executed."""
    rows = [row for row in rows if row["current_total"] is not None]
    if not rows:
        return None
    x = [row["name"] for row in rows]
    return {
        "data": [
            _bar(_("Total cost (current plan)"), x, [r["current_total"] for r in rows], PLAN_COLOR),
            _bar(_("Secured"), x, [r["secured_total"] for r in rows], SECURED_COLOR),
            _bar(_("Executed"), x, [r["executed_total"] for r in rows], EXECUTED_COLOR),
        ],
        "layout": _layout(_("million won")),
    }
