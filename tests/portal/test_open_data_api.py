"""Open data (issue 13): the OpenAPI contract, every printed cell, bulk files, as_of, 400s,
conditional GETs, CORS, throttling."""

import csv
import io
import json
import re
import tomllib
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from openapi_spec_validator import validate as validate_spec
from openpyxl import load_workbook

from budgets.services import figure_cells, project_figures_update
from pledges.models import Project
from publications.models import Publication
from publications.services import publication_publish

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "pledges"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[dict]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def seed_cells() -> Counter:
    """Every printed cell of the six cards, read from the fixtures' TOML (as typed)."""
    cells = Counter()
    for path in sorted(FIXTURES.glob("*.toml")):
        card = tomllib.loads(path.read_text())
        for project in card.get("projects", []):
            for (kind, source, period), amount in figure_cells(project).items():
                cells[(card["code"], project["name"], kind, source, period, amount)] += 1
    return cells


# The contract ------------------------------------------------------------------------


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_openapi_schema_is_valid(schema):
    validate_spec(schema)
    assert schema["openapi"] == "3.1.0"
    for path in [
        "/api/pledges/",
        "/api/pledges.csv",
        "/api/pledges/{code}/",
        "/api/pledges/{code}/figures.csv",
        "/api/pledges/{code}/figures.xlsx",
        "/api/figures.csv",
        "/api/figures.xlsx",
        "/api/milestones.csv",
        "/api/datapackage.json",
    ]:
        assert "get" in schema["paths"][path], path


def _validate(schema: dict, instance, response_schema: dict) -> None:
    resolver_schema = {**response_schema, "components": schema["components"]}
    jsonschema.validate(instance, resolver_schema, cls=jsonschema.Draft202012Validator)


def test_every_documented_endpoint_answers_as_its_schema_says(client, schema):
    checked = 0
    for path, operations in schema["paths"].items():
        if path == "/api/schema/":
            continue
        url = path.replace("{code}", "12-8")
        response = client.get(url)
        assert response.status_code == 200, url
        content = operations["get"]["responses"]["200"]["content"]
        media_type = response["Content-Type"].split(";")[0]
        assert media_type in content, (url, media_type, list(content))
        if media_type == "application/json":
            _validate(schema, response.json(), content[media_type]["schema"])
        elif media_type == "text/csv":
            assert csv_rows(response)
        else:
            assert body(response)[:2] == b"PK"  # an .xlsx is a zip
        checked += 1
    assert checked == 11  # with the publications, of all and of one pledge


def test_a_400_and_a_404_answer_with_the_documented_error_shape(client, schema):
    operation = schema["paths"]["/api/pledges/{code}/"]["get"]
    for url, code in [("/api/pledges/12-8/?as_of=yesterday", "400"), ("/api/pledges/12-5/", "404")]:
        response = client.get(url)
        assert response.status_code == int(code)
        error_schema = operation["responses"][code]["content"]["application/json"]["schema"]
        _validate(schema, response.json(), error_schema)


def test_the_fields_the_readme_documented_before_are_all_still_there(client):
    listed = client.get("/api/pledges/").json()
    assert {"as_of", "unit", "count", "next", "previous", "results"} <= set(listed)
    assert set(listed["results"][0]) >= {
        "code", "title", "term", "vision", "department", "stage", "stage_name", "budget_type",
        "target_year", "url", "current_total", "secured_total", "executed_total",
        "execution_rate", "updated_at",
    }  # fmt: skip
    card = client.get("/api/pledges/12-8/").json()
    assert set(card) >= {
        "code", "title", "term", "vision", "department", "stage", "stage_name",
        "stage_inferred", "target", "objective", "overview", "attributes", "unit", "finance",
        "investment", "projects", "plans", "milestones", "officials", "progress", "problems",
        "as_of", "updated_at", "source", "url",
    }  # fmt: skip
    assert card["as_of"] == "2026-01-31"
    assert card["finance"]["current_total"] == 18412


def test_the_docs_page_is_served_from_our_static_files(client):
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle." in page
    assert "/static/js/api-docs." in page
    assert "<script>" not in page and "cdn" not in page.lower() and "https://" not in page


# Every printed cell ------------------------------------------------------------------


def test_every_seed_cell_is_in_the_detail_figures_exactly_once(client):
    expected = seed_cells()
    assert sum(expected.values()) == len(expected) == 134  # no cell typed twice
    found = Counter()
    for code in sorted({cell[0] for cell in expected} | {"12-2"}):
        for c in client.get(f"/api/pledges/{code}/").json()["figures"]:
            found[(code, c["project"], c["table"], c["source"], c["period"], c["amount"])] += 1
    assert found == expected


def test_every_seed_cell_is_in_the_bulk_csv_exactly_once(client):
    rows = csv_rows(client.get("/api/figures.csv"))
    found = Counter(
        (r["pledge_code"], r["project"], r["table"], r["source"], r["period"], int(r["amount"]))
        for r in rows
    )
    assert found == seed_cells()


def test_the_cells_the_issue_found_missing_are_there_with_their_labels(client):
    cells = {
        (c["project"], c["table"], c["source"], c["period"]): c
        for code in ["12-9", "12-7", "12-8"]
        for c in client.get(f"/api/pledges/{code}/").json()["figures"]
    }
    national_2023 = cells[("본사업", "investment", "national", "2023")]
    assert national_2023["amount"] == 4640
    assert (national_2023["table_name"], national_2023["source_name"]) == (
        "연도별 투자계획",
        "국비",
    )
    assert cells[("본사업", "investment", "special_grant", "2025")]["amount"] == 800
    prior = cells[("조리읍 행정복지센터", "investment", "other", "prior")]
    assert (prior["amount"], prior["source_name"], prior["period_name"]) == (600, "기타", "기투자")


def test_the_bulk_csv_sums_back_to_each_pledges_stated_totals(client):
    pledges = {r["code"]: r for r in csv_rows(client.get("/api/pledges.csv"))}
    sums: Counter = Counter()
    for r in csv_rows(client.get("/api/figures.csv")):
        if r["source"] == "total" and r["period"] == "total":
            sums[(r["pledge_code"], r["table"])] += int(r["amount"])
    for code, pledge in pledges.items():
        for table, field in [
            ("cost_current", "current_total"),
            ("secured", "secured_total"),
            ("executed", "executed_total"),
        ]:
            stated = int(pledge[field]) if pledge[field] else 0
            assert sums[(code, table)] == stated, (code, table)
    assert sums[("12-8", "cost_current")] == 18412 and sums[("12-9", "executed")] == 14576


def test_bulk_rows_carry_the_pledge_term_department_stage_and_inferred_flag(client):
    rows = csv_rows(client.get("/api/figures.csv"))
    row = next(r for r in rows if r["pledge_code"] == "12-8")
    assert (row["term"], row["department"], row["stage"], row["stage_inferred"]) == (
        "민선8기",
        "공공건축과",
        "complete",
        "true",
    )
    milestones = csv_rows(client.get("/api/milestones.csv"))
    first = [m for m in milestones if m["pledge_code"] == "12-8"][0]
    assert (first["project"], first["date"], first["text"]) == (
        "조리읍 행정복지센터",
        "2019. 4.",
        "지방재정 투자사업 심사",
    )
    assert len(milestones) == apps.get_model("pledges", "Milestone").objects.count() > 40


def test_the_xlsx_has_one_row_per_cell(client):
    response = client.get("/api/figures.xlsx")
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("term", "term_number", "pledge_code")
    assert len(rows) - 1 == sum(seed_cells().values())


def test_a_pledges_own_downloads_hold_its_cells_only(client):
    rows = csv_rows(client.get("/api/pledges/12-8/figures.csv"))
    assert {r["pledge_code"] for r in rows} == {"12-8"}
    assert len(rows) == sum(n for cell, n in seed_cells().items() if cell[0] == "12-8")
    response = client.get("/api/pledges/12-8/figures.xlsx")
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).active
    assert sheet.max_row - 1 == len(rows)


def test_sub_projects_carry_their_overview_and_the_card_its_quality_notes(client):
    card = client.get("/api/pledges/12-8/").json()
    overviews = [p["overview"] for p in card["projects"]]
    assert overviews[0].startswith("- 사업위치 : 조리읍 봉일천로 64")
    assert "38.88억 원(시비)" in overviews[1]
    notes = client.get("/api/pledges/12-7/").json()["quality_notes"]
    assert "in_term_plan_years_sum_to_total" in {n["rule"] for n in notes}
    assert all(" / " in n["text"] for n in notes)


# As of a past day -----------------------------------------------------------------------


@pytest.fixture
def seed_dated_2026_01_31():
    """The seed's history as if loaded on 2026-01-31 (noon, Seoul), so a later edit is
    distinguishable by date."""
    loaded = datetime(2026, 1, 31, 12, tzinfo=SEOUL)
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            records = model.objects.order_by("history_date", "history_id")
            for step, pk in enumerate(records.values_list("pk", flat=True)):
                # a microsecond apart: records keep their order, no two tie as "latest"
                model.objects.filter(pk=pk).update(
                    history_date=loaded + timedelta(microseconds=step)
                )
    # The seed's first publication, right after it was loaded.
    Publication.objects.update(published_at=loaded + timedelta(seconds=1))
    Publication.objects.filter(superseded_at__isnull=True).update(
        published_at=loaded + timedelta(seconds=1)
    )


def executed_2025_of(client, query: str) -> int:
    card = client.get(f"/api/pledges/12-1/{query}").json()
    return next(
        c["amount"]
        for c in card["figures"]
        if (c["table"], c["source"], c["period"]) == ("executed", "total", "2025")
    )


def test_as_of_before_and_after_an_edit_returns_the_old_and_the_new_value(
    client, seed_dated_2026_01_31
):
    project = Project.objects.get(pledge__code="12-1")
    project_figures_update(project=project, cells={("executed", "total", "2025"): 950}, reason="t")
    today = timezone.localdate().isoformat()
    assert executed_2025_of(client, "") == 900  # a draft until published
    publication_publish(pledges=[project.pledge], by=None, note="정산")

    def executed_2025(query: str) -> int:
        card = client.get(f"/api/pledges/12-1/{query}").json()
        return next(
            c["amount"]
            for c in card["figures"]
            if (c["table"], c["source"], c["period"]) == ("executed", "total", "2025")
        )

    assert executed_2025("?as_of=2026-02-01") == 900
    assert executed_2025(f"?as_of={today}") == 950
    assert executed_2025("") == 950
    old = client.get("/api/pledges/12-1/?as_of=2026-02-01")
    assert old.json()["rebuilt_as_of"] == "2026-02-01" and old["X-Data-As-Of"] == "2026-02-01"
    listed = client.get("/api/pledges/?as_of=2026-02-01").json()
    assert listed["rebuilt_as_of"] == "2026-02-01"
    row = next(r for r in listed["results"] if r["code"] == "12-1")
    assert row["executed_total"] == 3061  # 21 + 1,434 + 706 + 900 as printed
    cells = csv_rows(client.get("/api/figures.csv?as_of=2026-02-01"))
    assert [
        int(r["amount"])
        for r in cells
        if (r["pledge_code"], r["table"], r["period"]) == ("12-1", "executed", "2025")
    ] == [900]


def test_a_list_as_of_a_day_carries_the_same_money_fields_and_rates_as_the_live_list(
    client, seed_dated_2026_01_31
):
    money = [
        "current_total",
        "secured_total",
        "executed_total",
        "prior_invested",
        "executed_cumulative",
        "execution_rate",
        "execution_rate_in_term",
    ]

    def rows(query: str) -> dict:
        listed = client.get(f"/api/pledges/{query}").json()["results"]
        return {r["code"]: {name: r[name] for name in money} for r in listed}

    rebuilt = rows("?as_of=2026-02-01")
    assert rebuilt == rows("")
    assert rebuilt["12-9"]["execution_rate"] == 100.0  # 14,105 기투자 + 14,576 ÷ 28,681
    assert rebuilt["12-8"]["executed_cumulative"] == 19640


def test_a_list_as_of_a_day_reads_only_its_page_whatever_the_publication_moments(
    client, seed_dated_2026_01_31
):
    """Each pledge published at its own moment: the as-of list still takes the queries it
    takes when one moment published them all (it used to read every pledge's sub-projects
    and figures a moment at a time: at 50,000 pledges about a minute), in the same order
    and with the same figures, and ``sort=rate`` orders as the live list does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def listed(query: str) -> tuple[int, list]:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"/api/pledges/?as_of=2026-02-01{query}").json()
        return len(queries), [
            (r["code"], r["executed_total"], r["execution_rate"]) for r in body["results"]
        ]

    one_moment = listed("")
    by_rate = listed("&sort=rate")
    first = Publication.objects.values_list("published_at", flat=True).first()
    for step, publication in enumerate(Publication.objects.order_by("pledge__code")):
        publication.published_at = first + timedelta(seconds=step)
        publication.save(update_fields=["published_at"])
        Publication.objects.filter(superseded_at__isnull=True).filter(
            pledge=publication.pledge
        ).update(published_at=publication.published_at)
    assert len(set(Publication.objects.values_list("published_at", flat=True))) == 6
    assert listed("") == one_moment
    assert listed("&sort=rate") == by_rate
    live = client.get("/api/pledges/?sort=rate").json()["results"]
    assert [row[0] for row in by_rate[1]] == [r["code"] for r in live]
    # "updated": the latest publication first, as the live list sorts it
    newest_first = [row[0] for row in listed("&sort=updated")[1]]
    live = client.get("/api/pledges/?sort=updated").json()["results"]
    assert newest_first == [r["code"] for r in live] == [row[0] for row in one_moment[1]][::-1]


@pytest.mark.parametrize("sort", ["code", "rate", "updated"])
def test_a_list_as_of_a_day_pages_as_the_live_list_does(
    client, seed_dated_2026_01_31, monkeypatch, sort
):
    """Read a page at a time, the rebuilt list's pages follow one another in the live
    list's order, none repeated or left out, each with the whole count."""
    from portal.api.views import OpenDataPagination

    monkeypatch.setattr(OpenDataPagination, "page_size", 2)
    codes, counts = [], set()
    for number in (1, 2, 3):
        body = client.get(f"/api/pledges/?as_of=2026-02-01&sort={sort}&page={number}").json()
        codes += [row["code"] for row in body["results"]]
        counts.add(body["count"])
    live = []
    for number in (1, 2, 3):
        body = client.get(f"/api/pledges/?sort={sort}&page={number}").json()
        live += [row["code"] for row in body["results"]]
    assert counts == {6} and len(set(codes)) == 6
    assert codes == live
    past = client.get(f"/api/pledges/?as_of=2026-02-01&sort={sort}&page=4")
    assert past.status_code == 400 and list(past.json()["fields"]) == ["page"]


def test_as_of_a_day_before_anything_was_loaded_has_no_pledges(client, seed_dated_2026_01_31):
    assert client.get("/api/pledges/?as_of=2026-01-30").json()["count"] == 0
    assert client.get("/api/pledges/12-1/?as_of=2026-01-30").status_code == 404


def test_the_pledge_page_as_of_a_day_and_its_link(client, seed_dated_2026_01_31):
    page = client.get("/pledges/12-1/").content.decode()
    assert "이 공약의 지난 수치" in page
    assert "/api/pledges/12-1/figures.csv" in page and "/api/pledges/12-1/figures.xlsx" in page
    old = client.get("/pledges/12-1/?as_of=2026-02-01")
    assert old.status_code == 200
    assert "2026-02-01" in old.content.decode()
    assert client.get("/pledges/12-1/?as_of=2099-01-01").status_code == 400


# 400s ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, field",
    [
        ("as_of=31-01-2026", "as_of"),
        ("as_of=2026-02-30", "as_of"),
        ("as_of=2022-06-30", "as_of"),  # the term began 2022-07-01
        ("as_of=2999-01-01", "as_of"),
        ("stage=done", "stage"),
        ("department=없는과", "department"),
        ("term=eight", "term"),
        ("budget=maybe", "budget"),
        ("sort=random", "sort"),
    ],
)
@pytest.mark.parametrize("path", ["/api/pledges/", "/api/pledges.csv"])
def test_a_bad_value_of_a_known_filter_is_a_400_with_a_clear_json_error(client, path, query, field):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    error = response.json()
    assert error["error"] == "bad_request" and list(error["fields"]) == [field]
    assert error["detail"].startswith("잘못된 요청 값")  # Korean unless English is asked
    english = client.get(f"{path}?{query}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["detail"].startswith("Invalid query value") and english["fields"][field]
    # the reason too (a query's value may be Korean data: "없는과")
    assert re.search(r"(valid|must|before|future)", " ".join(english["fields"][field])), english


@pytest.mark.parametrize(
    "url",
    [
        "/api/pledges/12-1/?as_of=tomorrow",
        "/api/figures.csv?as_of=2021-01-01",
        "/api/figures.xlsx?term=x",
        "/api/milestones.csv?as_of=2999-12-31",
        "/api/pledges/12-1/figures.csv?as_of=1",
    ],
)
def test_bad_as_of_or_term_on_every_download_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_the_future_is_refused_from_tomorrow_in_seoul(client):
    tomorrow = (datetime.now(SEOUL).date() + timedelta(days=1)).isoformat()
    today = datetime.now(SEOUL).date().isoformat()
    assert client.get(f"/api/pledges/?as_of={tomorrow}").status_code == 400
    assert client.get(f"/api/pledges/?as_of={today}").status_code == 200


# HTTP: conditional GETs, CORS, throttling --------------------------------------------------


def test_etag_and_last_modified_give_304s_until_the_data_changes(client):
    first = client.get("/api/pledges/12-1/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get("/api/pledges/12-1/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/api/figures.csv", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert client.get("/api/pledges/12-1/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    project = Project.objects.get(pledge__code="12-1")
    project_figures_update(project=project, cells={("executed", "total", "2025"): 901}, reason="t")
    # A draft changes nothing public: still 304 until it is published.
    assert client.get("/api/pledges/12-1/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    publication_publish(pledges=[project.pledge], by=None)
    again = client.get("/api/pledges/12-1/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag


def test_every_get_allows_any_origin_and_writes_are_refused(client):
    for url in ["/api/pledges/", "/api/pledges/12-1/", "/api/figures.csv", "/api/pledges/?stage=x"]:
        response = client.get(url, HTTP_ORIGIN="https://news.example")
        assert response["Access-Control-Allow-Origin"] == "*"
    assert client.post("/api/pledges/", {}).status_code in (403, 405)
    assert client.delete("/api/pledges/12-1/").status_code == 405


@contextmanager
def throttle_rate(scope: str, rate: str):
    """The API's ``scope`` rate set to ``rate`` (counts cleared) for the block."""
    from rest_framework.throttling import AnonRateThrottle

    cache.clear()
    rates = AnonRateThrottle.THROTTLE_RATES
    original = rates[scope]
    rates[scope] = rate
    try:
        yield
    finally:
        rates[scope] = original


def test_a_client_over_the_rate_is_throttled_with_a_json_429(client, settings):
    with throttle_rate("anon", "3/minute"):
        statuses = [client.get("/api/pledges/12-1/").status_code for _ in range(4)]
        other = client.get("/api/pledges/12-1/", REMOTE_ADDR="10.0.0.9").status_code
    assert statuses == [200, 200, 200, 429]
    assert other == 200  # per client
    error = client.get("/api/pledges/12-5/").json()
    assert error["error"] == "not_found"


def test_a_client_gets_fewer_lists_rebuilt_as_of_a_day_than_published_reads(client):
    """?as_of= rebuilds from the change history (seconds for a whole term at 50,000
    pledges): its own, lower rate per client; other reads are not counted against it."""
    with throttle_rate("as_of", "2/minute"):
        rebuilt = [client.get("/api/pledges/?as_of=2026-02-01").status_code for _ in range(3)]
        card = client.get("/api/pledges/12-1/?as_of=2026-02-01").status_code
        published = [client.get("/api/pledges/").status_code for _ in range(3)]
        other = client.get("/api/pledges/?as_of=2026-02-01", REMOTE_ADDR="10.0.0.9").status_code
        csv = client.get("/api/figures.csv?as_of=2026-02-01")
        empty = [client.get("/api/pledges/?as_of=").status_code for _ in range(2)]
        forged = [
            client.get(
                "/api/pledges/?as_of=2026-02-01",
                REMOTE_ADDR="10.0.0.8",
                HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
            ).status_code
            for n in range(3)
        ]
    assert rebuilt == [200, 200, 429] and card == 429
    assert published == [200, 200, 200]
    assert other == 200  # per client
    assert csv.status_code == 429 and "요청이 너무 많습니다" in csv.json()["detail"]
    assert empty == [200, 200]  # an empty as_of rebuilds nothing and is not counted
    assert forged == [200, 200, 429]  # a client is its address, not its X-Forwarded-For


@pytest.mark.parametrize(
    "query",
    [
        "q=민원",
        "q=센터",
        "q=공공건축과",
        "q=명예 시장",
        "stage=complete",
        "budget=non_budget",
        "q=센터&stage=complete&sort=rate",
        "department=공공건축과",
    ],
)
def test_the_api_list_finds_what_the_list_page_finds(client, query):
    """The API's filters are the list page's, on the same published summaries: "민원"
    finds 12-1 by its overview, not only by code, title or target."""
    page = client.get(f"/pledges/?{query}").content.decode()
    listed = client.get(f"/api/pledges/?{query}").json()
    codes = [row["code"] for row in listed["results"]]
    assert listed["count"] == len(codes)
    shown = re.findall(r'id="card-([\d-]+)"', page)
    assert codes, query
    # the same pledges; in the same order where both sort alike (a search's page ranks)
    assert (
        codes == shown if "sort=" in query or "q=" not in query else sorted(codes) == sorted(shown)
    )
    assert len(codes) == len(set(codes))


def test_the_api_search_finds_the_minwon_pledge_by_its_card_text(client):
    codes = [row["code"] for row in client.get("/api/pledges/?q=민원").json()["results"]]
    assert "12-1" in codes


def test_the_lists_csv_link_works_after_the_filter_form_is_sent(client):
    """The form sends sort=relevance (its "best match"); the CSV link carries the query."""
    import re

    page = client.get(
        "/pledges/", {"term": "8", "q": "센터", "stage": "", "sort": "relevance"}
    ).content.decode()
    link = re.search(r'<a href="(/api/pledges\.csv\?[^"]+)">', page).group(1).replace("&amp;", "&")
    assert "sort=relevance" in link
    response = client.get(link)
    assert response.status_code == 200
    codes = [
        line.split(",")[0]
        for line in b"".join(response.streaming_content).decode().splitlines()[1:]
    ]
    api = client.get("/api/pledges/", {"q": "센터", "sort": "relevance"}).json()["results"]
    shown = re.findall(r'id="card-([\d-]+)"', page)
    assert codes == [row["code"] for row in api] == shown  # the list page's order
    assert codes != sorted(codes, key=lambda code: [int(n) for n in code.split("-")])
