"""`make bench` judges each page by its ratio to the same page over the seed, per shape."""

import importlib.util
import json

from django.conf import settings

spec = importlib.util.spec_from_file_location("bench", settings.BASE_DIR / "benchmarks/bench.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def _page(kind: str, queries: int, seed_queries: int, median: float, seed: float) -> dict:
    return {
        "kind": kind,
        "queries": queries,
        "seed_queries": seed_queries,
        "median_ms": median,
        "seed_median_ms": seed,
        "ratio": round(median / seed, 2),
    }


def _results(shape: str, **pages) -> dict:
    return {"shapes": {shape: {"pages": {"pages": pages}}}}


def test_a_query_count_that_differs_from_the_seeds_fails_the_run():
    verdicts = bench.verdicts(_results("decades", list=_page("list", 11, 10, 10, 10)))
    assert verdicts == [
        "FAIL decades, list: 11 queries, the seed's page takes 10",
        "over decades, list: 11 queries (> 10)",
    ]


def test_over_decades_every_page_may_take_a_quarter_longer_than_the_seeds():
    assert bench.verdicts(_results("decades", about=_page("about", 3, 3, 12.5, 10))) == []
    assert bench.verdicts(_results("decades", about=_page("about", 3, 3, 12.6, 10))) == [
        "over decades, about: 1.26× the seed's page (12.6 ms against 10 ms; ≤ 1.25×)"
    ]


def test_under_stress_cards_lists_departments_and_api_twice_and_the_search_five_times():
    within = _results(
        "stress",
        card=_page("card", 3, 3, 20, 10),
        search=_page("search", 7, 7, 50, 10),
        home=_page("home", 6, 6, 90, 10),  # no time budget under stress
    )
    assert bench.verdicts(within) == []
    over = _results(
        "stress", card=_page("card", 3, 3, 20.1, 10), search=_page("search", 7, 7, 51, 10)
    )
    assert bench.verdicts(over) == [
        "over stress, card: 2.01× the seed's page (20.1 ms against 10 ms; ≤ 2×)",
        "over stress, search: 5.1× the seed's page (51 ms against 10 ms; ≤ 5×)",
    ]


def test_publishing_ten_thousand_pledges_takes_at_most_a_minute_and_moves_the_version_once():
    run = {"shapes": {"stress": {"publish": {"pledges": 10_000, "seconds": 61.0}}}}
    run["shapes"]["stress"]["publish"]["version_moves"] = 2
    assert bench.verdicts(run) == [
        "over stress, publishing 10,000 pledges: 61.0 s (> 60 s)",
        "FAIL stress, publishing moved the public version 2×",
    ]


def test_the_table_is_printed_from_the_json_with_ratios_and_load(tmp_path, capsys):
    run = _results("decades", list=_page("list", 8, 8, 11, 10))
    run["shapes"]["decades"]["pages"] |= {"requests": 30, "load": {"before": [1.0, 1.0, 1.0]}}
    run.update(database="PostgreSQL", machine="vm", when="2026-12-07T21:00:00")
    run["load"] = {"before": [1.0, 2.0, 3.0], "after": [4.0, 5.0, 6.0]}
    path = tmp_path / "bench-x.json"
    path.write_text(json.dumps(run))
    bench.table(str(path))
    printed = capsys.readouterr().out
    assert "before 1.00 2.00 3.00, after 4.00 5.00 6.00" in printed
    assert "| list | 8 (8) | 11 | 10 | 1.1× | ≤ 1.25× | met |" in printed
