"""Editing a whole pledge card in the admin: stage changes, inlines, history."""

import pytest
from django.urls import reverse

from pledges.models import Milestone, Pledge
from tests.admin_forms import change_form_data
from tests.factories import department_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def civil_client(client):
    client.force_login(department_staff("civil", departments=("민원여권과",)))
    return client


def _url(pledge):
    return reverse("admin:pledges_pledge_change", args=[pledge.pk])


def test_stage_change_without_date_and_reason_is_refused(civil_client):
    pledge = Pledge.objects.get(code="12-1")
    data = change_form_data(civil_client.get(_url(pledge)))
    data["stage"] = "in_progress"
    response = civil_client.post(_url(pledge), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "바뀐 날짜" in str(errors["stage_changed_on"])
    assert "사유가 필요합니다" in str(errors["change_reason"])
    pledge.refresh_from_db()
    assert pledge.stage == "complete"


def test_stage_change_records_its_date_and_reason_in_history(civil_client):
    pledge = Pledge.objects.get(code="12-1")
    data = change_form_data(civil_client.get(_url(pledge)))
    data.update(stage="in_progress", stage_changed_on="2026-02-01", change_reason="고도화 추진")
    response = civil_client.post(_url(pledge), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    pledge.refresh_from_db()
    assert pledge.stage == "in_progress" and str(pledge.stage_since) == "2026-02-01"
    record = pledge.history.latest()
    assert record.history_change_reason == "고도화 추진"
    assert record.history_user.username == "civil"
    changes = {c.field: (c.old, c.new) for c in record.diff_against(record.prev_record).changes}
    assert changes["stage"] == ("complete", "in_progress")


def test_inline_milestone_edit_is_in_history_with_the_cards_reason(civil_client):
    pledge = Pledge.objects.get(code="12-1")
    page = civil_client.get(_url(pledge))
    data = change_form_data(page)
    prefix = next(
        f.formset.prefix
        for f in page.context["inline_admin_formsets"]
        if f.formset.model is Milestone
    )
    data[f"{prefix}-0-text"] = "민원콜센터 정보화 전략계획 용역 완료 (수정)"
    data["change_reason"] = "오탈자 수정"
    response = civil_client.post(_url(pledge), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    milestone = pledge.milestones.get(position=1)
    assert milestone.text.endswith("(수정)")
    record = milestone.history.latest()
    assert (record.history_user.username, record.history_change_reason) == ("civil", "오탈자 수정")


def test_history_view_shows_field_level_changes(civil_client):
    pledge = Pledge.objects.get(code="12-1")
    data = change_form_data(civil_client.get(_url(pledge)))
    data.update(target="콜센터 설치 및 운영 (고도화)", change_reason="목표 보완")
    civil_client.post(_url(pledge), data)
    response = civil_client.get(reverse("admin:pledges_pledge_history", args=[pledge.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "목표 보완" in html and "콜센터 설치 및 운영 (고도화)" in html


def test_history_of_another_departments_pledge_is_refused(civil_client):
    other = Pledge.objects.get(code="12-9")
    response = civil_client.get(reverse("admin:pledges_pledge_history", args=[other.pk]))
    assert response.status_code == 404  # outside the user's departments: not found


def test_management_command_changes_are_in_history_with_their_reason(seed_copy):
    seed_copy.edit("pledges/12-3.toml", 'problems = "해당없음"', 'problems = "없음"').load()
    record = Pledge.objects.get(code="12-3").history.latest()
    assert record.history_type == "~" and "load_initial_data" in record.history_change_reason
    assert record.prev_record.problems == "해당없음" and record.problems == "없음"
