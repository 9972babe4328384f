"""The departments seed: what fixtures/departments.toml holds, loaded once and idempotently."""

import tomllib

import pytest
from django.conf import settings

from departments.models import Bureau, Department, WorkPlanItem
from departments.services import departments_seed

pytestmark = pytest.mark.django_db


def _data() -> dict:
    with (settings.BASE_DIR / "fixtures" / "departments.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_the_seed_holds_one_bureau_six_departments_and_eighteen_work_plan_items():
    assert list(Bureau.objects.values_list("name", flat=True)) == ["행정안전국"]
    assert sorted(Department.objects.values_list("name", flat=True)) == [
        "공공건축과",
        "민원여권과",
        "안전총괄과",
        "자치협력과",
        "정보통신과",
        "행정지원과",
    ]
    assert Department.objects.get(name="공공건축과").bureau is None  # neither source says
    assert WorkPlanItem.objects.filter(year=2025).count() == 18


def test_loading_the_seed_again_changes_nothing():
    assert departments_seed(data=_data()) == {"unchanged": 25}  # 1 + 6 + 18 rows


def test_an_edited_seed_updates_only_the_edited_row():
    data = _data()
    data["work_plan"][0]["title"] = "주민밀착형 이동시장실 운영 확대"
    assert departments_seed(data=data) == {"unchanged": 24, "updated": 1}
    item = WorkPlanItem.objects.get_by_natural_key("행정지원과", 2025, 1)
    assert item.title == "주민밀착형 이동시장실 운영 확대"
    assert item.history.latest().history_change_reason.startswith("load_initial_data")
