"""What the OpenAPI schema says of every open-data operation beyond its body: the query
parameters (the list's from its FilterSet, so the page, the API and the schema share one
definition), every status it can answer with its reasons, the headers, and examples.

``tests/portal/test_open_data_contract.py`` compares the parameters each view reads with
the ones documented here, so they cannot drift apart.
"""

import json
from pathlib import Path

from django_filters import FilterSet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from . import serializers

MAX_PAGE_SIZE = 1000
HEADER = OpenApiParameter.HEADER

TERM = OpenApiParameter(
    "term",
    OpenApiTypes.INT,
    description="임기 번호 / term number, e.g. 8. Absent or empty: the current term. "
    "A term that does not exist is a 400.",
)
AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="YYYY-MM-DD: 그날 끝(서울) 기준으로 변경 이력에서 재구성 / what the portal "
    "showed at the end of that day (Seoul), rebuilt from the change history. Absent or "
    "empty: as published now. A 400 when it is not a date, is before the term began or "
    "after today in Seoul. Rebuilt answers are throttled more (429).",
)
PAGE = OpenApiParameter(
    "page",
    {"type": "integer", "minimum": 1},
    description="쪽 번호 / page number, from 1 (default). Not a number, or past the last "
    "page: a 400 naming `page`.",
)
PAGE_SIZE = OpenApiParameter(
    "page_size",
    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    description=f"한 쪽의 항목 수 / items per page: 1 to {MAX_PAGE_SIZE}, default 100 "
    "(empty: the default). Outside that range: a 400 naming `page_size`.",
)

# Response headers -----------------------------------------------------------------------
HEADERS = [
    OpenApiParameter(
        "ETag",
        str,
        HEADER,
        response=[200, 304],
        description="이 응답의 판(데이터 판 + 주소 + 형식) / this representation's version: "
        "send it back in If-None-Match to get a 304 while nothing changed",
    ),
    OpenApiParameter(
        "Last-Modified",
        str,
        HEADER,
        response=[200, 304],
        description="공개 자료가 마지막으로 바뀐 때 / when the public data last changed",
    ),
    OpenApiParameter(
        "Cache-Control",
        str,
        HEADER,
        response=True,
        description="public, max-age=60 (then revalidate with the ETag); no-store on a 429",
    ),
]
AS_OF_HEADER = OpenApiParameter(
    "X-Data-As-Of",
    OpenApiTypes.DATE,
    HEADER,
    response=[200],
    description="?as_of= 로 재구성한 날 / the day the answer was rebuilt as of (only then)",
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    HEADER,
    response=[429],
    description="다시 요청할 수 있을 때까지의 초 / seconds until the client may ask again",
)
DISPOSITION = OpenApiParameter(
    "Content-Disposition",
    str,
    HEADER,
    response=[200],
    description="attachment; filename=… (RFC 6266)",
)


def _error(description: str, example: dict) -> OpenApiResponse:
    return OpenApiResponse(
        serializers.ErrorSerializer,
        description=description,
        examples=[OpenApiExample(example["error"], value=example, response_only=True)],
    )


ERRORS = {
    304: OpenApiResponse(
        description="Not Modified: the If-None-Match (or If-Modified-Since) sent still holds; "
        "carries the ETag and Last-Modified"
    ),
    400: _error(
        "잘못된 요청 값 / a query value refused, each named in `fields` with its reasons: "
        "an unknown term; an as_of that is not YYYY-MM-DD, is before the term began or is "
        "after today (Seoul); a filter value not offered (stage, budget, sort, department, "
        "vision); a page that is not a number or past the last; a page_size outside its "
        "range; a NUL character anywhere in the query. Messages are in Korean unless "
        "Accept-Language asks for English; the reasons for term and as_of, and a NUL, are "
        "given in both.",
        {
            "error": "bad_request",
            "detail": "Invalid query value: stage='done'. Select a valid choice. done is not "
            "one of the available choices.",
            "fields": {
                "stage": ["Select a valid choice. done is not one of the available choices."]
            },
        },
    ),
    404: _error(
        "없는 공약 또는 주소 / no such pledge (in that term), or no open data at that path",
        {"error": "not_found", "detail": "There is no pledge 99-9."},
    ),
    405: _error(
        "읽기 전용 / read-only: only GET, HEAD and OPTIONS",
        {"error": "method_not_allowed", "detail": 'Method "POST" not allowed.'},
    ),
    429: _error(
        "요청이 너무 많음 / throttled per client address (fewer for ?as_of=); see Retry-After",
        {"error": "throttled", "detail": "Too many requests: retry in 12 s."},
    ),
}


def filter_parameters(filterset: type[FilterSet]) -> list[OpenApiParameter]:
    """The FilterSet's filters as query parameters: a number where the filter reads one,
    the choices where they are fixed (stages, budget types, sorts), its help text."""
    parameters = []
    for name, field in filterset.base_filters.items():
        choices = field.extra.get("choices")
        schema = {"type": "integer" if field.extra.get("coerce") is int else "string"}
        if isinstance(choices, list | tuple):
            schema["enum"] = [str(value) for value, _label in choices]
        if field.extra.get("max_length"):
            schema["maxLength"] = field.extra["max_length"]
        parameters.append(OpenApiParameter(name, schema, description=field.extra["help_text"]))
    return parameters


def documented(*, parameters: list, responses: dict, examples: list | None = None, **kwargs):
    """``extend_schema`` with every open-data status and header."""
    headers = [*HEADERS, RETRY_AFTER]
    if any(p.name == "as_of" for p in parameters):
        headers.append(AS_OF_HEADER)
    if any(isinstance(key, tuple) for key in responses):  # a file
        headers.append(DISPOSITION)
    return extend_schema(
        parameters=[*parameters, *headers],
        responses={**responses, **ERRORS},
        examples=examples or [],
        **kwargs,
    )


# Examples -------------------------------------------------------------------------------
# Real answers, not written by hand: each file in examples/ holds a request and what the
# API answered it over the seed (fixtures/), https://example.org standing for the portal's
# address; "cut": lists after their second item left out. Regenerate a file when the
# answer's shape changes: tests/portal/test_open_data_contract.py checks each against the
# response schema and against the live answer to its request.
EXAMPLES = Path(__file__).parent / "examples"


def quoted_example(name: str, summary: str) -> OpenApiExample:
    """The example in ``examples/<name>.json``, described by the request it quotes."""
    quoted = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    description = (
        f"`{quoted['request']}` over the seed data, as the API answered it "
        "(https://example.org stands for the portal's address)"
        + ("; lists cut after their second item." if quoted["cut"] else ".")
    )
    return OpenApiExample(
        name, summary=summary, value=quoted["value"], description=description, response_only=True
    )


LIST_EXAMPLE = quoted_example("pledge_list", "A page of pledges")
DETAIL_EXAMPLE = quoted_example("pledge_detail", "One pledge's card")
PUBLICATIONS_EXAMPLE = quoted_example("publication_list", "Publications, newest first")
PLEDGE_PUBLICATIONS_EXAMPLE = quoted_example("pledge_publications", "One pledge's publications")
