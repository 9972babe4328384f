"""Open data: JSON list and detail, CSV with BOM, Atom feed."""

import csv
import io

import pytest

pytestmark = pytest.mark.django_db


def test_api_list_has_as_of_count_and_results(client):
    data = client.get("/api/pledges/").json()
    assert data["as_of"] == "2026-01-31"
    assert data["count"] == 6
    first = data["results"][0]
    for field in [
        "code",
        "title",
        "department",
        "stage",
        "target_year",
        "url",
        "current_total",
        "executed_total",
        "execution_rate",
    ]:
        assert field in first
    assert first["code"] == "12-1"
    assert first["current_total"] == 3920 and first["executed_total"] == 3061
    assert first["url"].endswith("/pledges/12-1/?term=8")  # a code names a pledge in a term
    non_budget = next(r for r in data["results"] if r["code"] == "12-2")
    assert non_budget["current_total"] is None and non_budget["execution_rate"] is None


def test_api_detail_has_every_figure_in_million_won(client):
    data = client.get("/api/pledges/12-1/").json()
    assert data["vision"]["title"] == "시민중심 자족도시"
    assert data["target"] == {"year": 2024, "goal": "콜센터 설치 및 운영"}
    finance = data["finance"]
    assert finance["initial_total"] == 4200 and finance["current_total"] == 3920
    assert finance["in_term_plan"]["2023"] == 1330
    assert finance["in_term_plan"]["after_term"] == 925
    assert finance["secured_by_source"] == {"시비": 3920}
    assert finance["executed_by_year"] == {"2022": 21, "2023": 1434, "2024": 706, "2025": 900}
    assert "2026" not in finance["executed_by_year"]  # printed "-": not published
    assert data["investment"]["prior"] is None
    assert data["investment"]["by_year"]["2023"] == 1330
    assert data["attributes"]["stage"]["inferred"] is True
    assert data["milestones"][0]["date"] == "2022. 7 ~ 9."
    assert data["officials"][0] == {
        "role": "director",
        "role_name": "과장",
        "name": "서병권",
        "phone": "940-4180",
        "note": None,
    }


def test_api_detail_of_a_multi_project_pledge_sums_its_projects(client):
    data = client.get("/api/pledges/12-8/").json()
    assert [p["name"] for p in data["projects"]] == ["조리읍 행정복지센터", "광탄면 행정복지센터"]
    parts = [p["finance"]["current_total"] for p in data["projects"]]
    assert data["finance"]["current_total"] == sum(parts) == 18412
    assert data["investment"]["by_source"] == {"시비": 17812, "기타": 600}


def test_api_unknown_code_is_a_json_404(client):
    response = client.get("/api/pledges/12-5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "not_found"


def test_csv_has_a_bom_and_the_same_fields(client):
    response = client.get("/api/pledges.csv")
    body = b"".join(response.streaming_content).decode("utf-8")  # streamed since issue 13
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 6
    assert rows[0]["code"] == "12-1" and rows[0]["executed_total"] == "3061"
    assert rows[0]["title"] == "원스톱 맞춤 행정서비스 체계 구축"


def test_atom_feed_lists_pledge_updates(client):
    response = client.get("/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "12-9" in response.content.decode()


def test_the_api_list_pages_a_term_of_hundreds_and_filters_it(client):
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from publications.models import Publication

    call_command("generate_synthetic", pledges=230, departments=3, seed=2, verbosity=0)
    published = Publication.objects.filter(term__number=900, superseded_at__isnull=True)
    with CaptureQueriesContext(connection):
        data = client.get("/api/pledges/", {"term": "900", "page": "3"}).json()
    assert data["count"] == published.count() == 230 and len(data["results"]) == 30
    assert data["next"] is None and "page=2" in data["previous"]
    stage = published.order_by("pk").first().stage
    filtered = client.get("/api/pledges/", {"term": "900", "stage": stage}).json()
    assert filtered["count"] == published.filter(stage=stage).count() < 230


def test_a_finished_terms_feed_lists_its_own_publications(client):
    from django.core.management import call_command

    call_command("generate_synthetic", pledges=5, departments=1, seed=5, verbosity=0)
    current = client.get("/feed/").content.decode()
    other = client.get("/feed/", {"term": "900"}).content.decode()
    assert "12-8" in current and "합성" not in current
    assert "합성" in other and "[12-8]" not in other and "?term=900" in other
