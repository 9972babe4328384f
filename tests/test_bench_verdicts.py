"""`make bench` fails when a page's query count at scale differs from the seed page's."""

import importlib.util
import json

from django.conf import settings

spec = importlib.util.spec_from_file_location("bench", settings.BASE_DIR / "benchmarks/bench.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def _page(queries: int, seed: int, median: float = 10.0) -> dict:
    return {
        "uncached": {"queries": queries, "median_ms": median, "p95_ms": median},
        "seed": {"url": "/pledges/", "queries": seed},
    }


def _results(**pages) -> dict:
    return {"sizes": {"50000": {"pages": {"pages": pages}}}}


def test_a_count_that_differs_from_the_seeds_fails_the_run():
    verdicts = bench.page_verdicts(_results(list=_page(11, 10), detail=_page(10, 10)))
    assert verdicts == [
        "FAIL 50,000 pledges, list: 11 queries, the seed's /pledges/ takes 10",
        "over budget 50,000 pledges, list: 11 queries (> 10)",
    ]


def test_equal_counts_within_budget_and_time_pass_and_slow_pages_are_named():
    assert bench.page_verdicts(_results(list=_page(10, 10))) == []
    assert bench.page_verdicts(_results(list=_page(10, 10, median=25.5))) == [
        "slow 50,000 pledges, list: median 25.5 ms (> 25 ms)"
    ]


def test_the_table_is_printed_from_the_json_with_the_load(tmp_path, capsys):
    run = _results(list=_page(10, 10))
    run.update(database="PostgreSQL", machine="vm", when="2026-11-22T09:00:00")
    run["load"] = {"before": [1.0, 2.0, 3.0], "after": [4.0, 5.0, 6.0]}
    path = tmp_path / "bench-x.json"
    path.write_text(json.dumps(run))
    bench.readme_table(str(path))
    printed = capsys.readouterr().out
    assert "before 1.00 2.00 3.00, after 4.00 5.00 6.00" in printed
    assert "| list | 10 | 10, 10.0 ms, 10.0 ms |" in printed
