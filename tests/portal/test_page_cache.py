"""Cached public pages: fast when nothing changed, fresh right after a publication; a
staff edit (a draft) changes no public page, cached or not, until it is published."""

import pytest
from django.core.cache import cache

from budgets.services import project_figures_update
from pledges.models import Pledge, Project
from publications.services import publication_publish
from tests.admin_forms import change_form_data
from tests.factories import department_staff

pytestmark = pytest.mark.django_db


def test_second_request_is_served_from_the_cache_with_one_query(client, django_assert_num_queries):
    assert client.get("/pledges/12-1/")["X-Page-Cache"] == "miss"
    with django_assert_num_queries(1):  # the data version
        response = client.get("/pledges/12-1/")
    assert response["X-Page-Cache"] == "hit"


def test_a_figure_saved_by_a_service_shows_on_the_next_request_after_publishing(client):
    assert "3,061" in client.get("/pledges/12-1/").content.decode()
    project_figures_update(
        project=Project.objects.get(pledge__code="12-1"),
        cells={("executed", "total", "total"): 3500},
        reason="t",
    )
    cached = client.get("/pledges/12-1/")
    assert cached["X-Page-Cache"] == "hit" and "3,500" not in cached.content.decode()
    cache.clear()
    assert "3,500" not in client.get("/pledges/12-1/").content.decode()  # fresh: still not
    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=None)
    html = client.get("/pledges/12-1/").content.decode()
    assert "3,500" in html and "3,061" not in html.split("집행")[1][:200]


def test_an_admin_edit_shows_on_the_next_public_request_after_publishing(client):
    public = client.get("/api/pledges/12-1/").json()
    assert public["target"]["goal"] == "콜센터 설치 및 운영"
    staff = department_staff()
    client.force_login(staff)
    pledge = Pledge.objects.get(code="12-1")
    url = f"/admin/pledges/pledge/{pledge.pk}/change/"
    data = change_form_data(client.get(url))
    data["target"] = "콜센터 설치·운영 및 고도화"
    assert client.post(url, data).status_code == 302
    client.logout()
    assert client.get("/api/pledges/12-1/").json()["target"]["goal"] == "콜센터 설치 및 운영"
    publication_publish(pledges=[pledge], by=None)
    assert client.get("/api/pledges/12-1/").json()["target"]["goal"] == "콜센터 설치·운영 및 고도화"


def test_a_command_write_shows_on_the_next_request_after_publishing(client, seed_copy):
    assert client.get("/pledges/12-3/").status_code == 200
    seed_copy.edit("pledges/12-3.toml", '시민사회소통관 임용"', '시민사회소통관 임용 완료"', 1)
    seed_copy.load()
    assert "시민사회소통관 임용 완료" not in client.get("/pledges/12-3/").content.decode()
    publication_publish(pledges=Pledge.objects.filter(code="12-3"), by=None)
    assert "시민사회소통관 임용 완료" in client.get("/pledges/12-3/").content.decode()


def test_logged_in_users_are_never_served_a_cached_page(client):
    client.get("/pledges/12-1/")
    client.force_login(department_staff())
    assert "X-Page-Cache" not in client.get("/pledges/12-1/")


LONG_KOREAN_QUERY = {
    "q": "원스톱 맞춤 행정서비스 체계 구축 시민사회소통관 민원콜센터 운영" * 2,
    "department": "민원여권과",
    "sort": "rate",
}


def test_page_cache_key_of_a_long_korean_query_fits_memcached(client):
    from django.core.cache.backends.base import memcache_key_warnings
    from django.test import RequestFactory

    from portal.cache import page_key

    request = RequestFactory().get("/pledges/", LONG_KOREAN_QUERY)
    assert len(request.get_full_path()) > 250  # the raw URL alone is too long for memcached
    key = page_key(request)
    assert list(memcache_key_warnings(key)) == []
    assert len(key) <= 250 and "%" not in key and "pledges" not in key


def test_a_long_korean_query_is_cached_without_a_cache_key_warning(client):
    import warnings

    from django.core.cache import CacheKeyWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        assert client.get("/pledges/", LONG_KOREAN_QUERY)["X-Page-Cache"] == "miss"
        assert client.get("/pledges/", LONG_KOREAN_QUERY)["X-Page-Cache"] == "hit"


def test_different_queries_get_different_cache_keys(client):
    client.get("/pledges/", {"department": "민원여권과"})
    response = client.get("/pledges/", {"department": "공공건축과"})
    assert response["X-Page-Cache"] == "miss"
    assert "공공건축과" in response.content.decode()
