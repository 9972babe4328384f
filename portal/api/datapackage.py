"""The open data's files described once (Frictionless Data Package): fields, types, units,
keys, licence and source documents. ``/api/datapackage.json`` serves it and the data
dictionary page (데이터 사전) renders it: one description, no second hand-written copy.
"""

import copy

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from budgets.models import FigureKind, FundingSource
from pledges.cache import public_version_stamp
from pledges.models import BudgetType, DatePrecision, Stage, StageProvenance, Term

from ..opendata import FIGURE_COLUMNS, LIST_FIELDS, MILESTONE_COLUMNS, NO_PAGE

UNIT = "백만원"
BOM = (
    "UTF-8, 바이트 순서 표시(BOM)로 시작 (엑셀이 한글을 바로 읽도록) / UTF-8 starting with "
    "a byte-order mark (BOM), so that Excel reads the Korean text"
)


def _sources() -> list[dict]:
    """Each term's source documents (``Term.sources``), as the Data Package names sources,
    with their dates as far as they are known: the term's report (its first document) is
    dated by ``Term.figures_as_of``; a document that prints no date of its own has
    ``"date": null`` and says so, never a guessed date. The report's cards are cited with
    no page number (``card_citation``: its text prints none), and its entry says so."""
    sources = []
    for term in Term.objects.order_by("number"):
        for number, (korean, _english) in enumerate(term.source_lines):
            title, _, used = korean.partition(": ")
            date = (term.figures_as_of or None) if number == 0 else None
            notes = [f"수치 기준 {date}" if date else "문서에 날짜 표시 없음 / no date printed"]
            if number == 0:
                notes.append(f"{NO_PAGE} / no page numbers")
            head = f"{term.name}: {used.strip()}" if used.strip() else term.name
            head += "" if head.endswith(".") else "."
            sources.append(
                {"title": title, "description": f"{head} {'. '.join(notes)}.", "date": date}
            )
    return sources


# The licence. Neither source document states the terms on which the city's figures may
# be reused, and we do not invent them: until the city sets DJANGO_DATA_LICENSE to one of
# the 공공누리 (Korea Open Government Licence) types below, the line says it is unconfirmed
# and asks for attribution.
KOGL = {
    "KOGL-Type1": "공공누리 제1유형: 출처표시 / KOGL Type 1: attribution",
    "KOGL-Type2": "공공누리 제2유형: 출처표시, 상업적 이용금지 / KOGL Type 2: attribution, "
    "non-commercial",
    "KOGL-Type3": "공공누리 제3유형: 출처표시, 변경금지 / KOGL Type 3: attribution, no derivatives",
    "KOGL-Type4": "공공누리 제4유형: 출처표시, 상업적 이용금지, 변경금지 / KOGL Type 4: "
    "attribution, non-commercial, no derivatives",
}
UNCONFIRMED = {
    "name": "LicenseRef-unconfirmed",
    "title": (
        "이용허락 조건 미확정: 원문 문서에 표시가 없습니다. 인용할 때 출처(파주시 원문 "
        "문서)를 밝혀 주세요. / Licence not yet confirmed: the source documents state "
        "none. Please credit Paju City's documents as the source."
    ),
}


def licenses() -> list[dict]:
    """The licence the city set (``DJANGO_DATA_LICENSE``), else "unconfirmed"."""
    name = settings.DATA_LICENSE
    if not name:
        return [UNCONFIRMED]
    if name not in KOGL:
        raise ImproperlyConfigured(
            f"DJANGO_DATA_LICENSE={name!r}: use one of {', '.join(KOGL)} (or leave it unset)."
        )
    number = name.removeprefix("KOGL-Type")
    return [
        {
            "name": name,
            "title": KOGL[name],
            "path": f"https://www.kogl.or.kr/info/licenseType{number}.do",
        }
    ]


def _field(name: str, type_: str, description: str, **extra) -> dict:
    return {"name": name, "type": type_, "description": description, **extra}


def _amount(name: str, description: str) -> dict:
    return _field(name, "integer", f"{description} ({UNIT}, 인쇄되지 않은 값은 빈 칸)", unit=UNIT)


def _required() -> dict:
    return {"constraints": {"required": True}}


def _enum(values) -> dict:
    return {"constraints": {"enum": list(values)}}


TERM_NUMBER = _field("term_number", "integer", "임기 번호 / term number, e.g. 8", **_required())
PLEDGE_FIELDS = {
    "code": _field("code", "string", "관리번호 / pledge code, e.g. 12-1", **_required()),
    "title": _field("title", "string", "공약명 / title"),
    "term": _field("term", "string", "임기 / term, e.g. 민선8기", **_required()),
    "term_number": TERM_NUMBER,
    "vision": _field("vision", "string", "비전 번호와 이름 / vision number and title"),
    "department": _field("department", "string", "담당부서 / responsible department"),
    "stage": _field("stage", "string", "이행단계 코드 / stage code", **_enum(Stage.values)),
    "stage_name": _field("stage_name", "string", "이행단계 / stage (검토, 추진, 완료, 불가)"),
    "budget_type": _field(
        "budget_type", "string", "예산구분 / budget or non-budget", **_enum(BudgetType.values)
    ),
    "target_year": _field("target_year", "integer", "달성연도 / target year"),
    "url": _field("url", "string", "공약 페이지 / the pledge's page", format="uri"),
    "current_total": _amount("current_total", "총사업비 현재계획 / current total cost"),
    "secured_total": _amount("secured_total", "확보금액 / secured"),
    "executed_total": _amount("executed_total", "집행금액 / executed"),
    "prior_invested": _amount("prior_invested", "기투자 / invested before the term"),
    "executed_cumulative": _amount("executed_cumulative", "누적 집행 = 기투자 + 집행"),
    "execution_rate_in_term": _field(
        "execution_rate_in_term", "number", "임기 내 집행률 / in-term execution rate (%)", unit="%"
    ),
    "execution_rate": _field(
        "execution_rate",
        "number",
        "누적 집행률 / cumulative execution rate (%), see definitions",
        unit="%",
    ),
    "updated_at": _field("updated_at", "datetime", "마지막 수정 / last updated (ISO 8601)"),
    "stage_inferred": _field(
        "stage_inferred", "boolean", "이행단계가 추정인지 / the stage is inferred, not printed"
    ),
    "stage_provenance": _field(
        "stage_provenance",
        "string",
        "이행단계의 근거: printed(인쇄), inferred(추정), staff(담당부서 지정)",
        **_enum(StageProvenance.values),
    ),
}
PLEDGE_HEAD = {
    "term": _field("term", "string", "임기 / term, e.g. 민선8기"),
    "term_number": TERM_NUMBER,
    "pledge_code": _field("pledge_code", "string", "관리번호 / pledge code"),
    "department": PLEDGE_FIELDS["department"],
    "stage": PLEDGE_FIELDS["stage"],
    "stage_inferred": PLEDGE_FIELDS["stage_inferred"],
}
FIGURE_FIELDS = {
    **PLEDGE_HEAD,
    "project": _field("project", "string", "세부사업 / sub-project (본사업 where one)"),
    "table": _field("table", "string", "표 코드 / table code", **_enum(FigureKind.values)),
    "table_name": _field("table_name", "string", "표 이름 / table name, e.g. 연도별 투자계획"),
    "source": _field(
        "source", "string", "재원 코드 (total = 계) / source code", **_enum(FundingSource.values)
    ),
    "source_name": _field("source_name", "string", "재원 / source: 계 국비 도비 시비…"),
    "period": _field(
        "period", "string", "기간 코드: total, prior(기투자), 2024, ~2022(누계), after(임기후)"
    ),
    "period_name": _field("period_name", "string", "열 제목 as printed: 총사업비, 기투자, 2024…"),
    "amount": {**_amount("amount", "금액 / amount as printed"), **_required()},
}
MILESTONE_FIELDS = {
    **PLEDGE_HEAD,
    "position": _field("position", "integer", "카드의 순서 / order as published"),
    "project": _field("project", "string", "세부사업 / sub-project, blank for the whole pledge"),
    "date": _field("date", "string", "인쇄된 날짜 / date as printed, e.g. 2023. 4. ~ 9."),
    "start": _field("start", "date", "시작 (정밀도까지만 의미) / from, read to its precision"),
    "end": _field("end", "date", "끝 / until"),
    "precision": _field(
        "precision", "string", "시작의 정밀도 / precision of from", **_enum(DatePrecision.values)
    ),
    "end_precision": _field(
        "end_precision", "string", "끝의 정밀도 / precision of until", **_enum(DatePrecision.values)
    ),
    "open_ended": _field("open_ended", "boolean", "진행 중(2024. 1. ~) / ongoing"),
    "note_of": _field("note_of", "integer", "이 줄이 딸린 줄의 position / note under that line"),
    "text": _field("text", "string", "내용 / text"),
}


def _schema(fields: dict, columns: list[str], primary_key: list[str], **extra) -> dict:
    return {
        "fields": [copy.deepcopy(fields[name]) for name in columns],
        "missingValues": [""],
        "primaryKey": primary_key,
        **extra,
    }


def _pledge_key() -> list[dict]:
    return [
        {
            "fields": ["term", "pledge_code"],
            "reference": {"resource": "pledges", "fields": ["term", "code"]},
        }
    ]


def _csv(name: str, title: str, description: str, schema: dict) -> dict:
    return {
        "name": name,
        "path": f"{name}.csv",
        "title": title,
        "description": f"{description}. {BOM}",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",  # the IANA name; the files start with a BOM (see description)
        "schema": schema,
    }


def describe(homepage: str = "") -> dict:
    """The Data Package. Resource paths are relative to /api/datapackage.json;
    ``homepage``: the data dictionary page's address. Its version counts publications
    (the public data's version), ``created`` is when the public data last changed.

    A fresh copy each time: readers (frictionless among them) may change what they get.
    """
    package = copy.deepcopy(_package())
    number, changed_at = public_version_stamp()
    package["version"] = f"1.0.{number}"
    if changed_at:
        package["created"] = changed_at.isoformat()
    if homepage:
        package["homepage"] = homepage
    package["licenses"] = licenses()
    package["sources"] = _sources()
    return package


def _package() -> dict:
    return {
        "profile": "tabular-data-package",
        "name": "paju-pledges",
        "title": "파주시 공약 이행 현황 / Paju City mayoral pledges",
        "description": (
            "임기별 공약 카드의 공약, 인쇄된 모든 금액 칸, 추진현황. 금액은 백만원 정수, "
            "인쇄되지 않은 칸은 행이 없습니다(0이 아님). ?term=N 으로 임기, "
            "?as_of=YYYY-MM-DD 로 그날 끝(서울) 기준의 수치를 받습니다. / Pledges, every "
            "printed money cell and milestones of the pledge cards; amounts are whole 백만원 "
            "(millions of won); a cell printed blank has no row (not zero)."
        ),
        "resources": [
            _csv(
                "pledges",
                "공약 / pledges",
                "공약 하나에 한 행, 합계는 카드에 인쇄된 총계 / one row per pledge",
                _schema(PLEDGE_FIELDS, LIST_FIELDS, ["term", "code"]),
            ),
            _csv(
                "figures",
                "금액 칸 / printed money cells",
                "인쇄된 금액 칸 하나에 한 행 (세부사업 × 표 × 재원 × 기간) / one row per cell",
                _schema(
                    FIGURE_FIELDS,
                    FIGURE_COLUMNS,
                    ["term", "pledge_code", "project", "table", "source", "period"],
                    foreignKeys=_pledge_key(),
                ),
            ),
            _csv(
                "milestones",
                "추진현황 / milestones",
                "추진현황 한 줄에 한 행, 카드의 순서 / one row per milestone, as published",
                _schema(
                    MILESTONE_FIELDS,
                    MILESTONE_COLUMNS,
                    ["term", "pledge_code", "position"],
                    foreignKeys=_pledge_key(),
                ),
            ),
        ],
    }
