"""The open data's contract at its edges (issue 28): CORS by django-cors-headers, caching
headers and validators, one ETag per representation, JSON errors everywhere under /api/,
English when asked, paging and sorting, the schema documenting what each view reads, the
publications as JSON and as Atom feeds."""

import json
import os
import re
from datetime import timedelta

import feedparser
import jsonschema
import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import URLPattern, reverse
from django.utils import timezone

from portal.api import urls as api_urls
from portal.api.schema import EXAMPLES
from publications.models import Publication

pytestmark = pytest.mark.django_db

ORIGIN = "https://newsroom.example"


# CORS -------------------------------------------------------------------------------------


def test_a_preflight_with_if_none_match_is_answered_for_any_origin(client):
    response = client.options(
        "/api/pledges/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "if-none-match" in response["Access-Control-Allow-Headers"]
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_every_answer_exposes_etag_retry_after_disposition_and_as_of(client):
    response = client.get("/api/figures.csv?as_of=2026-02-01", HTTP_ORIGIN=ORIGIN)
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "retry-after", "content-disposition", "x-data-as-of"} <= exposed
    assert response["Access-Control-Allow-Origin"] == "*"


def test_pages_get_no_cors_headers(client):
    assert "Access-Control-Allow-Origin" not in client.get("/pledges/", HTTP_ORIGIN=ORIGIN)


# Caching ----------------------------------------------------------------------------------


def test_a_304_carries_its_validators_and_cache_control(client):
    first = client.get("/api/pledges/12-1/")
    again = client.get("/api/pledges/12-1/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again["Cache-Control"] == first["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize(
    "url", ["/api/pledges/", "/api/pledges/?stage=x", "/api/nowhere/", "/api/pledges/99-9/"]
)
def test_every_api_answer_says_how_long_it_may_be_cached(client, url):
    assert client.get(url)["Cache-Control"] == "public, max-age=60"


def test_the_yaml_and_the_json_schema_have_their_own_etags(client):
    yaml = client.get("/api/schema/")
    json_ = client.get("/api/schema/?format=json")
    accepted = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert json_["Content-Type"] == "application/json" and json.loads(json_.content)["openapi"]
    assert accepted["Content-Type"] == "application/json"
    assert len({yaml["ETag"], json_["ETag"], accepted["ETag"]}) == 3
    assert client.get("/api/schema/", HTTP_IF_NONE_MATCH=json_["ETag"]).status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/pledges/", "/api/publications/", "/api/datapackage.json", "/api/pledges/12-1/"]
)
def test_the_korean_and_the_english_answer_have_their_own_etags(client, url):
    """The answers vary with Accept-Language (the list's definitions and summaries, the
    publications' kind names, the data package's homepage): one ETag per language, so a
    Korean ETag sent with an English request is a 200 in English, not a 304."""
    korean = client.get(url)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert korean["ETag"] != english["ETag"]
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=korean["ETag"])
    assert again.status_code == 200 and again.content == english.content
    same = client.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=english["ETag"])
    assert same.status_code == 304 and same["ETag"] == english["ETag"]


def test_the_schemas_file_name_is_rfc_6266(client):
    disposition = client.get("/api/schema/?format=json")["Content-Disposition"]
    assert disposition.startswith('inline; filename="paju-pledges-api.json"; ')
    assert "filename*=UTF-8''%ED%8C%8C%EC%A3%BC" in disposition  # 파주…
    assert "=?utf-8?" not in disposition  # not RFC 2047


# Errors -----------------------------------------------------------------------------------


def test_a_nul_character_is_a_json_400_with_cors(client):
    response = client.get("/api/pledges/?x=%00", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "bad_request"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_an_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/nowhere/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "detail": "There is no open data at this address.",
    }
    assert client.get("/api/pledges").status_code == 301  # the slash is still added


def test_a_405_is_english_when_english_is_asked_for_and_korean_by_default(client):
    english = client.delete("/api/pledges/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    korean = client.delete("/api/pledges/").json()["detail"]
    assert english == 'Method "DELETE" not allowed.'
    assert korean != english


LISTS = ["/api/pledges/", "/api/publications/", "/api/pledges/12-1/publications/"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("query", ["page=0", "page=abc", "page=99"])
def test_a_bad_page_is_a_400_naming_the_parameter(client, url, query):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["page"]


@pytest.mark.parametrize("query", ["stage=", "as_of=", "department=", "q=", "sort="])
def test_an_empty_parameter_is_documented_as_absent(client, query):
    assert client.get(f"/api/pledges/?{query}").json()["count"] == 6


# Paging and sorting -----------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS[:2])
def test_page_size_is_bounded_and_refused_outside_its_range(client, url):
    """One pagination serves both lists: the same bounds, the same 400s."""
    two = client.get(f"{url}?page_size=2").json()
    assert len(two["results"]) == 2 and "page_size=2" in two["next"]
    assert client.get(f"{url}?page_size=1000").status_code == 200
    for bad in ("0", "1001", "x", "-1", "\uff11"):
        response = client.get(f"{url}?page_size={bad}")
        assert response.status_code == 400 and list(response.json()["fields"]) == ["page_size"]


@pytest.mark.parametrize("rebuilt", [False, True])
def test_a_minus_sort_is_the_same_order_reversed(client, rebuilt):
    as_of = f"&as_of={timezone.localdate().isoformat()}" if rebuilt else ""
    for sort in ("code", "rate", "updated"):
        forward = client.get(f"/api/pledges/?sort={sort}{as_of}").json()["results"]
        backward = client.get(f"/api/pledges/?sort=-{sort}{as_of}").json()["results"]
        assert [r["code"] for r in backward] == [r["code"] for r in forward][::-1], sort
    codes = [r["code"] for r in client.get(f"/api/pledges/?sort=-code{as_of}").json()["results"]]
    assert codes[0] == "12-9" and codes[-1] == "12-1"


def test_the_list_page_keeps_its_four_sorts_and_ignores_a_bad_value(client):
    page = client.get("/pledges/?stage=nonsense&sort=-code").content.decode()
    assert page.count('id="card-') == 6
    assert 'value="-code"' not in page and 'value="relevance"' in page


# The schema documents what each view reads ------------------------------------------------


class ReadParams(QueryDict):
    """A query string that notes every parameter read from it."""

    read: set = set()

    def get(self, key, default=None):
        ReadParams.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        ReadParams.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        ReadParams.read.add(key)
        return super().__contains__(key)

    def getlist(self, key, default=None):
        ReadParams.read.add(key)
        return super().getlist(key, default)


def _open_data_urls():
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in ("docs", "schema"):  # a page, and drf-spectacular's own view
            continue
        yield pattern


@pytest.mark.parametrize("pattern", list(_open_data_urls()), ids=lambda p: p.name)
def test_the_schema_documents_exactly_the_parameters_each_view_reads(client, pattern):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    kwargs = {"code": "12-1"} if "<str:code>" in str(pattern.pattern) else {}
    path = reverse(f"api:{pattern.name}", kwargs=kwargs)
    request = RequestFactory().get(path)
    request.GET = ReadParams("unread=1", mutable=False)  # not empty: an empty one is falsy
    ReadParams.read = set()
    response = pattern.callback(request, **kwargs)
    assert response.status_code == 200, pattern.name
    documented_path = path.replace("12-1", "{code}")
    operation = schema["paths"][documented_path]["get"]
    documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    assert ReadParams.read == documented, pattern.name


def test_every_operation_documents_its_statuses_and_headers(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    for path, operations in schema["paths"].items():
        if path == "/api/schema/":
            continue
        responses = operations["get"]["responses"]
        assert {"200", "304", "400", "404", "405", "429"} <= set(responses), path
        assert {"ETag", "Last-Modified", "Cache-Control"} <= set(responses["200"]["headers"])
        assert "Retry-After" in responses["429"]["headers"]
        assert "ETag" in responses["304"]["headers"]
    pledges = schema["paths"]["/api/pledges/"]["get"]
    assert "X-Data-As-Of" in pledges["responses"]["200"]["headers"]
    names = {p["name"]: p for p in pledges["parameters"]}
    assert {"q", "stage", "department", "vision", "budget", "sort", "page", "page_size"} <= set(
        names
    )
    assert "-code" in names["sort"]["schema"]["enum"]
    assert names["page_size"]["schema"]["maximum"] == 1000
    assert pledges["responses"]["200"]["content"]["application/json"]["examples"]


def test_a_data_user_finds_the_vision_id_the_list_filter_takes_on_a_card(client):
    """?vision= takes a vision's id, which no answer gave before: a user who read the
    card's vision number (12) and sent it got a 400."""
    vision = client.get("/api/pledges/12-1/").json()["vision"]
    assert vision["number"] == 12
    listed = client.get(f"/api/pledges/?vision={vision['id']}").json()
    assert listed["count"] == 6
    schema = json.loads(client.get("/api/schema/?format=json").content)
    (documented,) = [
        p for p in schema["paths"]["/api/pledges/"]["get"]["parameters"] if p["name"] == "vision"
    ]
    assert "vision.id" in documented["description"]


# Examples ---------------------------------------------------------------------------------

EXAMPLED = [
    "/api/pledges/",
    "/api/pledges/{code}/",
    "/api/publications/",
    "/api/pledges/{code}/publications/",
]


def differences(example, real, cut: bool, where: str = "") -> list[str]:
    """Where an example departs from the real answer: a dict has the same keys, each value
    quoted; a list is the real list (or, when cut, its first items, at most two); anything
    else is equal."""
    if isinstance(example, dict) and isinstance(real, dict):
        if set(example) != set(real):
            return [f"{where}: keys {sorted(set(example) ^ set(real))}"]
        return [
            d for key in real for d in differences(example[key], real[key], cut, where + "." + key)
        ]
    if isinstance(example, list) and isinstance(real, list):
        length = min(len(real), 2) if cut else len(real)
        if len(example) != length:
            return [f"{where}: {len(example)} items, the answer has {len(real)}"]
        return [
            d
            for n, (one, other) in enumerate(zip(example, real, strict=False))
            for d in differences(one, other, cut, f"{where}[{n}]")
        ]
    return [] if example == real else [f"{where}: {example!r} != {real!r}"]


def _validate(schema: dict, instance, response_schema: dict) -> None:
    resolver_schema = {**response_schema, "components": schema["components"]}
    jsonschema.validate(instance, resolver_schema, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("path", EXAMPLED)
def test_each_example_is_a_real_answer_and_fits_its_schema(client, path):
    """The main operations' examples are answers the API gave over the seed, not figures
    written by hand: each fits the response schema and is the live answer to the request
    its description names (https://example.org for the portal's address)."""
    schema = json.loads(client.get("/api/schema/?format=json").content)
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    assert content["examples"], path
    for example in content["examples"].values():
        request = re.search(r"`GET (\S+)`", example["description"]).group(1)
        assert re.fullmatch(path.replace("{code}", "[^/]+") + r"(\?.*)?", request)
        answer = client.get(request)
        assert answer.status_code == 200
        real = json.loads(
            answer.content.decode().replace("http://testserver", "https://example.org")
        )
        cut = "lists cut" in example["description"]
        if os.environ.get("API_EXAMPLES_WRITE"):  # regenerate: API_EXAMPLES_WRITE=1 pytest -k …
            rewrite_example(request, real, cut)
            continue
        _validate(schema, example["value"], content["schema"])
        assert differences(example["value"], real, cut) == [], request


def rewrite_example(request: str, real, cut: bool) -> None:
    """Write the live answer into the example file that quotes ``request``."""

    def first_two(value):
        if isinstance(value, list):
            return [first_two(item) for item in value[:2]]
        if isinstance(value, dict):
            return {key: first_two(item) for key, item in value.items()}
        return value

    for path in EXAMPLES.glob("*.json"):
        quoted = json.loads(path.read_text(encoding="utf-8"))
        if quoted["request"] == f"GET {request}":
            quoted["value"] = first_two(real) if cut else real
            text = json.dumps(quoted, ensure_ascii=False, indent=2) + "\n"
            path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "status, request_",
    [
        ("400", ("get", "/api/pledges/?stage=done")),
        ("404", ("get", "/api/pledges/99-9/")),
        ("405", ("post", "/api/pledges/")),
        ("429", None),  # its seconds vary: the shape only
    ],
)
def test_each_error_example_fits_the_error_schema_and_is_what_the_api_says(
    client, status, request_
):
    schema = json.loads(client.get("/api/schema/?format=json").content)
    documented = schema["paths"]["/api/pledges/"]["get"]["responses"][status]
    content = documented["content"]["application/json"]
    (example,) = [e["value"] for e in content["examples"].values()]
    _validate(schema, example, content["schema"])
    if request_:
        method, url = request_
        answer = getattr(client, method)(url, HTTP_ACCEPT_LANGUAGE="en")
        assert str(answer.status_code) == status and answer.json() == example
    else:
        assert re.fullmatch(r"Too many requests: retry in \d+ s\.", example["detail"])


# Publications -----------------------------------------------------------------------------


@pytest.fixture
def a_change(client):
    """12-1 published again with one figure changed (a publication with changes)."""
    later = Publication.objects.filter(pledge__code="12-1").get()  # the seed, copied
    moment = later.published_at + timedelta(days=30)
    Publication.objects.filter(pk=later.pk).update(superseded_at=moment)
    later.pk, later.kind, later.published_at, later.published_precision = (
        None,
        "regular",
        moment,
        "",
    )
    later.save()  # the copy stands from ``moment``, with the change below
    Publication.objects.filter(pk=later.pk).update(
        note="집행실적 반영",
        changes=[
            {
                "kind": "figure",
                "label": "본사업 · 재정집행 · 계 · 2025",
                "old": 9459,
                "new": 9466,
                "unit": "백만원",
                "reason": "",
            }
        ],
    )
    later.refresh_from_db()
    return later


def test_publications_list_each_change_as_structured_json(client, a_change):
    body = client.get("/api/publications/").json()
    assert body["count"] == 7
    newest = body["results"][0]
    assert newest["id"] == f"tag:paju.go.kr,2022:publication/{a_change.pk}"
    assert newest["pledge"]["code"] == "12-1"
    assert newest["pledge"]["term"] == {"number": 8, "name": "민선8기"}
    assert newest["note"] == "집행실적 반영" and newest["round"] is None
    assert newest["changes"] == [
        {
            "kind": "figure",
            "field": "본사업 · 재정집행 · 계 · 2025",
            "old": 9459,
            "new": 9466,
            "unit": "백만원",
            "date": None,
            "reason": "",
            "text": "본사업 · 재정집행 · 계 · 2025: 9,459 → 9,466 백만원",
        }
    ]


def test_a_publication_is_dated_in_korean_time_as_the_cards_are(client):
    """Korean time everywhere (pledges.dates.korean_time): the publications' moments read
    as the cards' updated_at does, +09:00 to the second, not UTC."""
    first = client.get("/api/publications/?page_size=1").json()["results"][0]
    card = client.get(f"/api/pledges/{first['pledge']['code']}/").json()
    assert first["published_at"] == card["updated_at"] == "2026-01-31T23:59:59+09:00"


def test_publications_since_a_moment_and_of_one_pledge(client, a_change):
    day = timezone.localtime(a_change.published_at).date().isoformat()
    since = client.get(f"/api/publications/?since={day}").json()
    assert [r["id"].rsplit("/", 1)[1] for r in since["results"]] == [str(a_change.pk)]
    one = client.get("/api/pledges/12-1/publications/").json()
    assert one["count"] == 2 and {r["pledge"]["code"] for r in one["results"]} == {"12-1"}
    assert client.get("/api/pledges/99-9/publications/").status_code == 404
    bad = client.get("/api/publications/?since=yesterday")
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["since"]


def test_the_feeds_are_valid_atom_with_tag_ids_and_the_city_as_author(client, a_change):
    for url in ("/feed/", "/pledges/12-1/feed/?term=8"):
        response = client.get(url)
        feed = feedparser.parse(response.content)
        assert not feed.bozo, (url, feed.get("bozo_exception"))
        assert feed.version == "atom10"
        assert feed.feed.id.startswith("tag:paju.go.kr,2022:feed/")
        assert feed.feed.author_detail.name  # the city (RFC 4287 §4.1.1)
        assert all(
            entry.id.startswith("tag:paju.go.kr,2022:publication/") for entry in feed.entries
        )
    one = feedparser.parse(client.get("/pledges/12-1/feed/?term=8").content)
    assert [entry.id for entry in one.entries][
        0
    ] == f"tag:paju.go.kr,2022:publication/{a_change.pk}"
    assert len(one.entries) == 2
    assert client.get("/pledges/99-9/feed/").status_code == 404


@pytest.mark.parametrize(
    "url, self_link",
    [
        ("/feed/", "http://testserver/feed/?term=8"),
        ("/pledges/12-1/feed/", "http://testserver/pledges/12-1/feed/?term=8"),
        ("/pledges/12-1/feed/?term=8", "http://testserver/pledges/12-1/feed/?term=8"),
    ],
)
def test_a_feeds_self_link_names_its_term(client, url, self_link):
    """rel="self" must stay this feed (RFC 4287 §4.2.7.2) once the term is over: without
    ?term= it would become the next term's feed, whose 12-1 is another pledge."""
    feed = feedparser.parse(client.get(url).content)
    assert [link.href for link in feed.feed.links if link.rel == "self"] == [self_link]


def test_the_card_page_links_its_own_feed(client):
    page = client.get("/pledges/12-1/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml" title="12-1 · ' in page
    assert 'href="/pledges/12-1/feed/?term=8"' in page


# Provenance -------------------------------------------------------------------------------


def test_a_card_cites_its_document_by_title_card_and_date_not_a_file_name(client):
    """The source text prints no page numbers (fixtures/sources/000_…: none in its 700
    lines): the citation says there is none instead of guessing one, and says whose date it
    gives, the card's own or, when the card prints none, the report's."""
    card = client.get("/api/pledges/12-1/").json()
    assert card["source"] == (
        "파주시, 민선8기 공약 이행 현황 12장 「시민중심 자족도시 – 행정은 새롭다」, "
        "공약 카드 12-1, 쪽 번호 없음 (카드 기준일 2026. 1.)"
    )
    assert ".txt" not in card["source"]
    assert card["source_lines"] == "000_2e66b890b9e7a431.txt lines 39–205"
    assert (
        client.get("/api/pledges/12-2/")
        .json()["source"]
        .endswith("공약 카드 12-2, 쪽 번호 없음 (카드 기준일 2025. 12. 31.)")
    )
    undated = client.get("/api/pledges/12-9/").json()["source"]
    assert undated.endswith(
        "공약 카드 12-9, 쪽 번호 없음 (카드에 기준일 없음, 보고서 기준 2026년 초)"
    )


@pytest.mark.parametrize(
    "language, says",
    [
        ("ko", "쪽 번호 없음: 이 누리집이 바탕으로 삼은 원문 텍스트에 쪽 번호가"),
        ("en", "No page number: the text the portal was built from prints none"),
    ],
)
def test_the_card_page_says_its_source_has_no_page_number(client, language, says):
    prefix = "/en" if language == "en" else ""
    page = client.get(f"{prefix}/pledges/12-3/").content.decode()
    assert says in page


def test_the_data_package_names_each_document_by_its_title(client):
    sources = client.get("/api/datapackage.json").json()["sources"]
    assert [s["title"] for s in sources] == [
        "파주시, 민선8기 공약 이행 현황 12장 「시민중심 자족도시 – 행정은 새롭다」",
        "파주시, 행정안전국 2025 주요업무 추진계획",
    ]
    assert sources[0]["description"].startswith("민선8기: 공약 카드 6장")


def test_the_data_package_dates_each_document_or_says_it_prints_no_date(client):
    """The report's date is the one its term records (the seed's README: figures as of
    early 2026); the work plan prints no date of its own: null, and said, never guessed.
    The report's text has no page numbers, and its entry says so."""
    report, plan = client.get("/api/datapackage.json").json()["sources"]
    assert report["date"] == "2026년 초" and "수치 기준 2026년 초" in report["description"]
    assert "쪽 번호 없음" in report["description"]
    assert plan["date"] is None and "no date printed" in plan["description"]
    assert "쪽 번호" not in plan["description"]  # its table of contents prints page numbers
    page = client.get("/data-dictionary/").content.decode()
    assert "수치 기준 2026년 초" in page and "no date printed" in page
