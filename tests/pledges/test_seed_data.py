"""The six pledge cards and the work plan, loaded as published, idempotently."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from budgets.models import BudgetFigure
from departments.models import Department, WorkPlanItem
from pledges.models import ATTRIBUTES, Milestone, Pledge, PledgeOfficial, ProgressCount, Stage

pytestmark = pytest.mark.django_db


def _history_count() -> int:
    models = [Pledge, Milestone, PledgeOfficial, ProgressCount, BudgetFigure, WorkPlanItem]
    return sum(model.history.count() for model in models)


def test_seed_holds_exactly_the_six_cards_of_the_chapter():
    codes = list(Pledge.objects.values_list("code", flat=True))
    assert codes == ["12-1", "12-2", "12-3", "12-7", "12-8", "12-9"]
    assert not Pledge.objects.filter(code__in=["12-4", "12-5", "12-6"]).exists()


def test_a_second_load_changes_nothing(capsys):
    before = _history_count()
    updated = {p.code: p.updated_at for p in Pledge.objects.all()}
    call_command("load_initial_data")
    assert "unchanged" in capsys.readouterr().out
    assert _history_count() == before
    assert {p.code: p.updated_at for p in Pledge.objects.all()} == updated


def test_the_load_is_recorded_in_the_change_history():
    record = Pledge.history.filter(code="12-1").earliest("history_date")
    assert record.history_type == "+"
    assert "load_initial_data" in record.history_change_reason


def test_a_broken_fixture_loads_nothing(seed_copy):
    seed_copy.edit("pledges/12-9.toml", "national = [9420", "natoinal = [9420")
    seed_copy.edit("pledges/12-1.toml", 'target = "콜센터 설치 및 운영"', 'target = "changed"')
    with pytest.raises(CommandError, match="natoinal"):
        seed_copy.load()
    assert Pledge.objects.get(code="12-1").target == "콜센터 설치 및 운영"


def test_every_attribute_says_it_was_inferred_because_the_check_marks_were_lost():
    for pledge in Pledge.objects.all():
        for attribute in ATTRIBUTES:
            assert getattr(pledge, attribute), (pledge.code, attribute)
            assert pledge.is_inferred(attribute), (pledge.code, attribute)


def test_stages_and_budget_types_inferred_from_the_narrative():
    stages = dict(Pledge.objects.values_list("code", "stage"))
    assert set(stages.values()) == {Stage.COMPLETE}
    assert Pledge.objects.get(code="12-2").budget_type == "non_budget"
    assert Pledge.objects.get(code="12-9").central_support == "financial"


def test_12_8_has_two_sub_projects_with_their_own_milestones():
    pledge = Pledge.objects.get(code="12-8")
    assert [p.name for p in pledge.projects.all()] == ["조리읍 행정복지센터", "광탄면 행정복지센터"]
    assert pledge.milestones.filter(project__name="조리읍 행정복지센터").count() == 7
    assert pledge.milestones.filter(project__name="광탄면 행정복지센터").count() == 7
    assert pledge.index_title == "[조리·광탄]행정복지센터 조기 증축 완료"


def test_milestones_keep_published_order_and_nesting():
    milestones = list(Pledge.objects.get(code="12-1").milestones.filter(parent=None))
    assert [m.date_text for m in milestones][:5] == [
        "2022. 7 ~ 9.",
        "2022. 10.",
        "2023. 2.",
        "2023. 3. ~ 4.",
        "2022. 6 ~ 12.",
    ]
    consignment = milestones[7]
    assert consignment.date_text == "2023. 5. ~ 10."
    assert [n.date_text for n in consignment.notes.order_by("position")] == [
        "2023. 5. 25.",
        "2023. 9. 18.",
        "2023. 10. 13.",
    ]
    assert milestones[-1].open_ended and milestones[-1].date_text == "2024. 1. ~"


def test_12_2_appointments_by_year_and_field_add_up():
    counts = ProgressCount.objects.filter(
        pledge__code="12-2", indicator__startswith="명예시장 위촉"
    )
    cell = {(c.period, c.category): c.value for c in counts}
    assert cell[("total", "")] == 51
    assert [cell[(year, "")] for year in ("2023", "2024", "2025")] == [20, 15, 16]
    fields = ["농업", "문화", "복지", "교육", "기술", "학생"]
    for year in ("2023", "2024", "2025", "total"):
        assert sum(cell[(year, f)] for f in fields) == cell[(year, "")]
    for f in fields:
        assert sum(cell[(y, f)] for y in ("2023", "2024", "2025")) == cell[("total", f)]


def test_officials_are_recovered_or_left_blank_with_a_reason():
    def listed(code):
        return [
            (link.official.role, link.official.name, link.official.phone, bool(link.note))
            for link in PledgeOfficial.objects.filter(pledge__code=code).select_related("official")
        ]

    assert listed("12-1") == [
        ("director", "서병권", "940-4180", False),
        ("team_lead", "김경희", "940-4188", False),
        ("officer", "유수연", "940-4173", False),
    ]
    assert [name for _, name, _, _ in listed("12-7")] == ["배성진", "김윤성", "황인대"]
    assert all(note for *_, note in listed("12-7"))
    assert [(name, phone) for _, name, phone, _ in listed("12-3")] == [
        ("", "940-4100"),
        ("", "940-8607"),
        ("", "940-8604"),
    ]
    assert len(listed("12-8")) == 5


def test_work_plan_has_five_departments_and_eighteen_items_linked_to_pledges():
    departments = Department.objects.filter(bureau__name="행정안전국")
    assert sorted(departments.values_list("name", flat=True)) == sorted(
        ["행정지원과", "자치협력과", "안전총괄과", "민원여권과", "정보통신과"]
    )
    assert WorkPlanItem.objects.filter(year=2025).count() == 18
    links = {
        (p.code, item.department.name, item.number)
        for p in Pledge.objects.all()
        for item in p.work_plan_items.all()
    }
    assert links == {("12-1", "민원여권과", 1), ("12-2", "자치협력과", 1)}


def test_work_plan_budgets_keep_their_units():
    item = WorkPlanItem.objects.get(department__name="정보통신과", number=1)
    assert item.budget_unit == "ten_thousand"
    assert item.budget_in_million_won == Decimal("50.51")
    peace = WorkPlanItem.objects.get(department__name="자치협력과", number=4)
    assert peace.budget_in_million_won == Decimal("140")
