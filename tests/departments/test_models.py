"""Departments, officials and work-plan items: keys, phone links, budget units, guards."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from departments.models import BudgetUnit, Bureau, Department, Official, Role, WorkPlanItem

pytestmark = pytest.mark.django_db


def test_natural_keys_round_trip():
    department = Department.objects.get_by_natural_key("민원여권과")
    assert department.natural_key() == ("민원여권과",)
    assert Bureau.objects.get_by_natural_key("행정안전국").natural_key() == ("행정안전국",)
    item = WorkPlanItem.objects.get_by_natural_key("정보통신과", 2025, 1)
    assert item.natural_key() == ("정보통신과", 2025, 1)
    assert item.title == "디지털 전환 기반 행정서비스 혁신 추진"


def test_an_official_reads_as_department_role_and_name():
    official = Official.objects.get(name="서병권")
    assert (official.department.name, official.role, official.phone) == (
        "민원여권과",
        Role.DIRECTOR,
        "940-4180",
    )
    assert str(official) == "민원여권과 과장 서병권"


@pytest.mark.parametrize(
    ("phone", "uri"),
    [
        ("940-4180", "tel:031-940-4180"),  # printed short: the local area code is added
        ("031-940-4180", "tel:031-940-4180"),
        ("031 940 4180", "tel:031-940-4180"),
        ("", ""),
        ("내선", ""),
        ("12", ""),  # too short to be a number even with the area code
    ],
)
def test_tel_uri(phone, uri):
    assert Official(phone=phone).tel_uri == uri


def test_tel_uri_uses_the_configured_area_code(settings):
    settings.LOCAL_AREA_CODE = "032"
    assert Official(phone="940-4180").tel_uri == "tel:032-940-4180"


@pytest.mark.parametrize(
    ("department", "number", "amount", "unit", "million_won"),
    [
        ("자치협력과", 4, Decimal("140000"), BudgetUnit.THOUSAND, Decimal("140")),
        ("안전총괄과", 1, Decimal("26500"), BudgetUnit.MILLION, Decimal("26500")),
        ("정보통신과", 1, Decimal("5051"), BudgetUnit.TEN_THOUSAND, Decimal("50.51")),
    ],
)
def test_work_plan_budgets_convert_to_million_won_exactly(
    department, number, amount, unit, million_won
):
    item = WorkPlanItem.objects.get_by_natural_key(department, 2025, number)
    assert (item.budget_amount, item.budget_unit) == (amount, unit)
    assert item.budget_in_million_won == million_won


def test_every_budget_unit_converts():
    item = WorkPlanItem(budget_amount=Decimal("3"))
    converted = {}
    for unit in BudgetUnit:
        item.budget_unit = unit
        converted[unit.value] = item.budget_in_million_won
    assert converted == {
        "won": Decimal("0.000003"),
        "thousand": Decimal("0.003"),
        "ten_thousand": Decimal("0.03"),
        "million": Decimal("3"),
        "hundred_million": Decimal("300"),
    }


def test_an_item_without_a_stated_budget_has_none():
    item = WorkPlanItem.objects.get_by_natural_key("행정지원과", 2025, 1)
    assert item.budget_amount is None and item.budget_in_million_won is None


def test_a_budget_without_its_unit_is_refused_in_both_languages():
    item = WorkPlanItem.objects.get_by_natural_key("정보통신과", 2025, 1)
    item.budget_unit = ""
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert error.value.messages == ["예산에는 단위가 필요합니다."]


def test_a_negative_budget_is_refused():
    item = WorkPlanItem.objects.get_by_natural_key("정보통신과", 2025, 1)
    item.budget_amount = Decimal("-1")
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert error.value.messages == ["예산은 0 이상이어야 합니다."]
