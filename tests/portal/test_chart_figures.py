"""Every chart figure the public pages send is a valid plotly figure.

plotly's Python package validates a figure dict against plotly.js's schema (the same
major version as the bundle in static/vendor/plotly): an unknown property, a wrong
type or an invalid value raises, where the browser would silently draw something else.
"""

import json
import re

import plotly.graph_objects as go
import pytest

from pledges.models import Pledge

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'<script id="(figure-[^"]+)" type="application/json">(.*?)</script>', re.S)
CHART = re.compile(r'data-figure="(figure-[^"]+)"')

# Bar traces only: the vendored bundle is plotly.js-basic (scatter, bar, pie).
BASIC_TRACES = {"bar", "scatter", "pie"}


def _figures(html: str) -> dict[str, dict]:
    figures = {key: json.loads(text) for key, text in FIGURE.findall(html)}
    assert set(CHART.findall(html)) == set(figures)  # every chart has its figure, no spare
    return figures


def _assert_valid(figures: dict[str, dict]) -> None:
    for key, figure in figures.items():
        go.Figure(figure)  # raises ValueError on anything plotly.js would not understand
        assert {trace["type"] for trace in figure["data"]} <= BASIC_TRACES, key
        assert figure["data"] and all(trace["x"] for trace in figure["data"]), key


def _pages() -> list[str]:
    return ["/", "/en/"] + [
        prefix + f"/pledges/{code}/"
        for code in Pledge.objects.order_by("sort_key").values_list("code", flat=True)
        for prefix in ("", "/en")
    ]


def test_every_chart_figure_of_every_seed_page_is_valid_for_plotly(client):
    pages = _pages()
    assert len(pages) == 14  # home and six seed pledges, each in Korean and English
    seen = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        figures = _figures(response.content.decode())
        _assert_valid(figures)
        seen[url] = sorted(figures)
    # 12-2 is non-budget: no money, no chart. A single funding source gets a sentence, not
    # a one-bar chart (12-1, 12-3, 12-8 광탄면); 12-8's sub-projects get their own charts.
    expected = {"/": 1, "12-1": 1, "12-2": 0, "12-3": 1, "12-7": 2, "12-8": 5, "12-9": 2}
    for url, keys in seen.items():
        page = url.removeprefix("/en").strip("/").removeprefix("pledges/") or "/"
        assert len(keys) == expected[page], url


def test_a_figure_plotly_would_refuse_fails_the_validation():
    figure = {"data": [{"type": "bar", "x": ["2023"], "y": [1], "colour": "red"}], "layout": {}}
    with pytest.raises(ValueError, match="colour"):
        _assert_valid({"figure-x": figure})
