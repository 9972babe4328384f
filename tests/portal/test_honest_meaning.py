"""What a citizen reads: stated meanings, plain empties, planned milestones, inferred stages,
source inconsistencies and sources, in the page, the open data and the feed."""

import csv
import html
import io
import re

import pytest

pytestmark = pytest.mark.django_db

PLEDGES = ["12-1", "12-2", "12-3", "12-7", "12-8", "12-9"]


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def test_api_list_gives_both_rates_prior_cumulative_and_inferred_stage(client):
    data = client.get("/api/pledges/").json()
    rows = {row["code"]: row for row in data["results"]}
    assert (rows["12-9"]["executed_total"], rows["12-9"]["prior_invested"]) == (14576, 14105)
    assert rows["12-9"]["executed_cumulative"] == 28681
    assert rows["12-9"]["execution_rate"] == 100.0
    assert rows["12-8"]["execution_rate"] == 106.7  # carried, not capped
    assert rows["12-1"]["execution_rate_in_term"] == 101.9
    assert all(row["stage_inferred"] is True for row in rows.values())
    assert set(data["definitions"]) == {
        "executed_cumulative",
        "execution_rate",
        "execution_rate_in_term",
    }
    assert data["definitions"]["execution_rate"].startswith("집행률 = 누적 집행")


def test_api_detail_finance_states_its_meaning_and_milestones_their_status(client):
    data = client.get("/api/pledges/12-7/").json()
    finance = data["finance"]
    assert finance["executed_total"] == 14575 and finance["prior_invested"] == 335
    assert finance["executed_cumulative"] == 14910
    assert (finance["execution_rate"], finance["execution_rate_in_term"]) == (82.8, 100.0)
    assert finance["definitions"]["execution_rate_in_term"].startswith("임기내 집행률")
    statuses = {m["date"]: m["status"] for m in data["milestones"]}
    assert statuses["2026. 3."] == "planned"  # 공사 준공 및 개청: after the as-of date
    assert statuses["2024. 5."] == "done"
    assert data["stage_inferred"] is True
    assert data["as_of_precision"] is None  # the card prints no as-of date
    one = client.get("/api/pledges/12-1/").json()
    assert (one["as_of_precision"], one["as_of_printed"]) == ("month", "2026. 1.")
    assert {m["date"]: m["status"] for m in one["milestones"]}["2024. 1. ~"] == "ongoing"


def test_api_detail_sub_projects_have_their_own_rates(client):
    projects = {
        p["name"]: p["finance"] for p in client.get("/api/pledges/12-8/").json()["projects"]
    }
    assert projects["조리읍 행정복지센터"]["execution_rate"] == 107.7
    assert projects["광탄면 행정복지센터"]["executed_cumulative"] == 3995


def test_csv_marks_every_stage_as_inferred_and_has_the_new_money_columns(client):
    body = b"".join(client.get("/api/pledges.csv").streaming_content).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert {row["stage_inferred"] for row in rows} == {
        "true"
    }  # one boolean spelling in every open-data CSV
    row = next(r for r in rows if r["code"] == "12-9")
    assert (row["prior_invested"], row["executed_cumulative"], row["execution_rate"]) == (
        "14105",
        "28681",
        "100.0",
    )


def test_feed_marks_inferred_stages(client):
    body = client.get("/feed/").content.decode()
    titles = re.findall(r"<entry><title>([^<]+)</title>", body)
    assert len(titles) == 6 and all("완료 (추정)" in title for title in titles)  # all inferred


def test_home_counts_say_how_many_stages_are_inferred(client):
    html = _html(client, "/")
    assert "6건 추정" in html  # all six 완료 are inferred
    assert "누적 집행" in html and "집행률 = 누적 집행" in html


def test_no_public_page_says_not_published_as_if_concealed(client):
    pages = ["/", "/pledges/", "/departments/", "/departments/공공건축과/", "/about/"]
    pages += [f"/pledges/{code}/" for code in PLEDGES]
    for url in pages:
        html = _html(client, url)
        assert "미공개" not in html, url
    assert "원문 문서에 없음" in _html(client, "/departments/")  # 공공건축과's bureau


def test_pledge_pages_name_the_document_not_files_or_line_numbers(client):
    for code in PLEDGES:
        html = _html(client, f"/pledges/{code}/")
        assert "자료 근거" in html, code
        assert "민선8기 공약 이행 현황" in html, code
        assert ".txt" not in html, code
        assert not re.search(r"\blines? \d", html), code
        assert "(the " not in html and "extraction ends" not in html, code
        assert "추출되지 않음)" not in html, code


def test_each_rate_has_its_definition_next_to_it(client):
    html = _html(client, "/pledges/12-9/")
    assert "집행률 = 누적 집행(기투자 + 임기내 집행) ÷ 현재 총사업비" in html
    assert "임기내 집행률 = 임기내 집행 ÷ 임기내 계획" in html
    assert "이 표에서는 2025년까지: 계획 14,576, 집행 14,576." in html
    english = _html(client, "/en/pledges/12-9/")
    assert "Execution rate = cumulative execution" in english


def test_12_7_2026_milestone_is_shown_as_planned(client):
    html = _html(client, "/pledges/12-7/")
    item = re.search(r'<li class="milestone-planned">(.*?)</li>', html, re.S)
    assert item and "공사 준공 및 개청" in item.group(1) and "예정" in item.group(1)
    assert html.count('class="milestone-planned"') == 1


def test_source_inconsistencies_stand_beside_the_tables_they_concern(client):
    html = _html(client, "/pledges/12-7/")
    notes = re.findall(r'<div class="source-notes".*?</div>', html, re.S)
    assert len(notes) == 1 and "원문 불일치" in notes[0]
    assert "2025 집행 9,459가 같은 해 연도별 투자계획 5,250보다 많습니다." in notes[0]
    assert "마지막 금액 3,425백만원은" in notes[0]  # a reading (판독), not a fact of 임기후
    one = _html(client, "/pledges/12-1/")
    assert "상담 인력: 보도 기사(2023. 12.)는 15명, 카드(2026. 1. 현재)는 14명." in one
    assert "평일 상담 종료 시각: 보도 기사(2023. 12.)는 18시, 카드(2026. 1. 현재)는 19시." in one
    eight = _html(client, "/pledges/12-8/")
    assert "누적 집행 15,645가 현재 총사업비 14,524보다 많습니다(집행률 107.7%)" in eight
    assert "사업기간(2021. 1. ~ 2022. 8.)" not in eight  # milestones around it are normal


def test_as_of_date_is_shown_only_as_precisely_as_printed(client):
    assert "2026. 1.</time> (카드에 인쇄된 기준)" in _html(client, "/pledges/12-1/")
    assert "2025. 12. 31.</time> (카드에 인쇄된 기준)" in _html(client, "/pledges/12-2/")
    nine = _html(client, "/pledges/12-9/")
    assert "카드에 기준일이 인쇄되어 있지 않습니다" in nine and "2026. 1. 31" not in nine


def test_a_single_funding_source_is_a_sentence_not_a_one_bar_chart(client):
    html = _html(client, "/pledges/12-1/")
    assert "확보금액 3,920백만원은 모두 시비입니다." in html
    assert "figure-secured-" not in html


def test_12_2_progress_is_under_milestones_in_printed_order(client):
    html = _html(client, "/pledges/12-2/")
    section = html[html.index('id="timeline-title"') :]
    assert "카드에 추진현황이 인쇄되어 있지 않습니다" not in html
    table = section[section.index("명예시장 위촉") : section.index("</table>")]
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table)
    assert headers[1:8] == ["계", "농업", "문화", "복지", "교육", "기술", "학생"]
    rows = re.findall(r'<th scope="row">(.*?)</th>', table)
    assert rows == ["계", "2023", "2024", "2025"]
    assert "명예시장 간담회 (회)</strong>: 5" in section
    money = html[html.index('id="money-title"') : html.index('id="timeline-title"')]
    assert "명예시장" not in money


def test_official_badges_say_what_happened(client):
    two = _html(client, "/pledges/12-2/")
    assert two.count('class="badge badge-damaged">판독 불가(추출 손상)') == 2
    assert "(이름 판독 불가: 추출 손상)" in two
    seven = _html(client, "/pledges/12-7/")
    assert seven.count('class="badge badge-recovered">복원') == 3
    eight = _html(client, "/pledges/12-8/")
    assert eight.count('class="badge badge-inferred">추정') >= 4


def test_non_budget_money_is_not_applicable_not_blank(client):
    home = _html(client, "/")
    row = re.search(r"자치협력과(?:</span>)?</a></th>(.*?)</tr>", home, re.S)
    assert row and "해당 없음(비예산 공약)" in row.group(1) and "–" not in row.group(1)
    department = _html(client, "/departments/자치협력과/")
    assert "해당 없음(비예산 공약)" in department


# Stage provenance: printed, inferred or set by staff, read from one field ----------------


def _staff_sets_12_1_in_progress():
    from datetime import date

    from pledges.models import Pledge
    from pledges.services import pledge_save
    from publications.services import publication_publish

    pledge = Pledge.objects.get(code="12-1")
    pledge.stage = "in_progress"
    pledge_save(
        pledge=pledge,
        stage_changed_on=date(2026, 2, 3),
        reason="상담 범위 단계적 확대가 진행 중이라 추진으로 봄",
    )
    publication_publish(pledges=[pledge], by=None)


def _stage_section(page: str) -> str:
    start = page.index('id="stage-title"')
    return page[start : page.index("</section>", start)]


def test_staff_set_stage_is_nowhere_public_called_a_guess(client):
    _staff_sets_12_1_in_progress()
    card = _html(client, "/pledges/12-1/")
    stage = _stage_section(card)
    assert "추정" not in stage and "달성목표" not in stage  # the old inference is gone
    assert "담당부서가 지정한 단계입니다" in stage
    assert "상담 범위 단계적 확대가 진행 중이라 추진으로 봄" in stage  # the staff's reason
    listed = _html(client, "/pledges/?q=12-1")
    assert "추진 (추정)" not in listed and "추진" in listed
    home = _html(client, "/")
    assert "5건 추정" in home and "6건 추정" not in home  # inferred only: 완료 5 of 5
    api = client.get("/api/pledges/12-1/").json()
    assert (api["stage"], api["stage_inferred"], api["stage_provenance"]) == (
        "in_progress",
        False,
        "staff",
    )
    assert api["stage_reason"] == "상담 범위 단계적 확대가 진행 중이라 추진으로 봄"
    assert api["stage_since"] == "2026-02-03"
    rows = {r["code"]: r for r in client.get("/api/pledges/").json()["results"]}
    assert (rows["12-1"]["stage_inferred"], rows["12-1"]["stage_provenance"]) == (False, "staff")
    assert rows["12-2"]["stage_provenance"] == "inferred"
    body = b"".join(client.get("/api/pledges.csv").streaming_content).decode("utf-8")
    csv_rows = {r["code"]: r for r in csv.DictReader(io.StringIO(body.lstrip("\ufeff")))}
    assert (csv_rows["12-1"]["stage_inferred"], csv_rows["12-1"]["stage_provenance"]) == (
        "false",
        "staff",
    )
    feed = client.get("/feed/").content.decode()
    assert "원스톱 맞춤 행정서비스 체계 구축 — 추진 ·" in feed
    assert "추진 (추정)" not in feed and "담당부서 지정 단계: 상담 범위" in feed


def test_seed_stages_are_inferred_with_their_reasons():
    from pledges.models import Pledge, StageProvenance

    for pledge in Pledge.objects.all():
        assert pledge.stage_provenance == StageProvenance.INFERRED, pledge.code
        assert pledge.stage_inference and not pledge.stage_reason


def test_the_vision_headline_marks_its_guesses_where_it_counts_them(client):
    home = _html(client, "/")
    visions = home[
        home.index('class="visions"') : home.index("</section>", home.index('class="visions"'))
    ]
    assert re.search(
        r"완료 <strong>6</strong> <span class=\"stage-count-inferred\">\(6건 추정\)", visions
    )


# 공약 조정 ---------------------------------------------------------------------------


def test_adjustments_of_12_2_and_12_3_are_on_the_card_in_the_list_and_the_api(client):
    card = _html(client, "/pledges/12-3/")
    assert "공약 조정" in card and "축소" in card and "2024. 1." in card
    assert "총사업비 초기계획 270백만원" in card and "현재계획 90백만원" in card
    assert "원문에 없음" in card  # who approved it: the source does not say
    two = _html(client, "/pledges/12-2/")
    assert "변경" in two and "위촉 대상: 청년·여성" in two and "시점 원문에 없음" in two
    listed = _html(client, "/pledges/")
    assert listed.count('class="badge badge-adjustment"') == 2
    assert "공약 조정: 변경" in listed and "공약 조정: 축소" in listed
    (three,) = client.get("/api/pledges/12-3/").json()["adjustments"]
    assert three == {
        "kind": "reduction",
        "kind_name": "축소",
        "date": "2024-01-01",
        "precision": "month",
        "date_printed": "2024. 1.",
        "reason": three["reason"],
        "before": "시장직속 시민사회소통관(시간선택제임기제) 운영, 총사업비 초기계획 270백만원",
        "after": "시민사회소통관 폐지, SNS소통팀이 소통업무 수행, 총사업비 현재계획 90백만원",
        "approved_by": None,
        "citation": "000_2e66b890b9e7a431.txt lines 346–348, 358–362",
    }
    (change,) = client.get("/api/pledges/12-2/").json()["adjustments"]
    assert (change["kind"], change["date"], change["approved_by"]) == ("change", None, None)
    assert client.get("/api/pledges/12-1/").json()["adjustments"] == []


# Plans printed across several years --------------------------------------------------


def test_plans_spanning_years_are_one_cell_across_them(client):
    one = _html(client, "/pledges/12-1/")
    assert (
        '<td colspan="3" class="plan-span">콜센터 운영 <span class="muted">(2024–2026)</span>'
        in one
    )
    two = _html(client, "/pledges/12-2/")
    span = '<td colspan="3" class="plan-span">일일 명예시장제 운영'
    assert f'{span} <span class="muted">(2023–2025)</span>' in two
    plans = client.get("/api/pledges/12-2/").json()["plans"]
    assert {(p["period"], p["until"], p["text"]) for p in plans} == {
        ("2022", None, "연간계획 수립"),
        ("2023", "2025", "일일 명예시장제 운영"),
    }


# Finding kinds on the public card ------------------------------------------------------


def test_a_staff_entered_value_is_never_a_source_inconsistency_on_the_card(client):
    from budgets.services import project_figures_update
    from pledges.models import Pledge, Project
    from publications.services import publication_publish

    # staff enter 944 for 2025 without the total: the executed years no longer add up
    project_figures_update(
        project=Project.objects.get(pledge__code="12-1"),
        cells={("executed", "total", "2025"): 944},
        reason="정산 반영",
    )
    publication_publish(pledges=Pledge.objects.filter(code="12-1"), by=None)
    notes = client.get("/api/pledges/12-1/").json()["quality_notes"]
    summed = [n for n in notes if n["rule"] == "executed_years_sum_to_total"]
    assert [n["kind"] for n in summed] == ["note"]  # 참고, not 원문 불일치
    assert all("944" not in n["text"] for n in notes if n["kind"] == "source")


def test_card_labels_each_kind_of_note_apart(client):
    card = _html(client, "/pledges/12-7/")
    assert '<span class="badge badge-source">원문 불일치</span>' in card
    assert '<span class="badge badge-reading">판독</span>' in card
    assert '<span class="badge badge-note">참고</span>' in card
    reading = card[card.index("badge-reading") :]
    assert reading.index("2026년 금액으로 읽는") < reading.index("임기후 금액입니다")
    one = _html(client, "/pledges/12-1/")
    assert one.count("2023 집행 1,434") == 1  # spending above plan: one note, not two
    assert "보도 기사(2023. 12.)는 15명, 카드(2026. 1. 현재)는 14명" in one
    eight = _html(client, "/pledges/12-8/")
    assert "시작 전입니다" not in eight  # approvals before 사업기간 are normal: no notes
    assert "'증축'" in eight


def test_a_published_adjustment_is_in_the_change_history(client):
    from datetime import date

    from pledges.models import Pledge, PledgeAdjustment
    from pledges.services import card_row_save
    from publications.changes import line_text
    from publications.models import Publication
    from publications.services import publication_publish

    pledge = Pledge.objects.get(code="12-1")
    card_row_save(
        obj=PledgeAdjustment(
            pledge=pledge,
            kind="reduction",
            date=date(2026, 2, 1),
            date_precision="month",
            reason="상담 범위 조정",
            before_text="양방향 콜센터 운영확장",
            after_text="단계적 확대",
            citation="2026. 2. 조정 공문",
        ),
        reason="공약 조정 기록",
    )
    publication_publish(pledges=[pledge], by=None)
    latest = Publication.objects.filter(pledge=pledge).latest("published_at")
    assert "공약 조정 추가: 축소 (2026. 2.): 양방향 콜센터 운영확장 → 단계적 확대" in [
        line_text(line) for line in latest.changes
    ]
