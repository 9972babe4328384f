"""Stage provenance (printed, inferred, set by staff) and 공약 조정 through every door."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pledges.models import Pledge, PledgeAdjustment, StageProvenance
from pledges.services import pledge_save
from tests.admin_forms import change_form_data
from tests.factories import department_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def civil_client(client):
    client.force_login(department_staff("civil", departments=("민원여권과",)))
    return client


def _url(pledge):
    return reverse("admin:pledges_pledge_change", args=[pledge.pk])


def test_staff_changing_the_stage_in_the_admin_makes_it_theirs(civil_client):
    pledge = Pledge.objects.get(code="12-1")
    data = change_form_data(civil_client.get(_url(pledge)))
    data.update(stage="in_progress", stage_changed_on="2026-02-01", change_reason="고도화 추진")
    response = civil_client.post(_url(pledge), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    pledge.refresh_from_db()
    assert pledge.stage_provenance == StageProvenance.STAFF
    assert (pledge.stage_reason, pledge.stage_inference) == ("고도화 추진", "")
    assert pledge.stage_since == date(2026, 2, 1) and not pledge.stage_inferred
    assert pledge.history.latest().stage_provenance == StageProvenance.STAFF


def test_staff_confirming_the_current_stage_with_a_date_makes_it_theirs():
    pledge = Pledge.objects.get(code="12-7")
    pledge_save(pledge=pledge, stage_changed_on=date(2026, 3, 31), reason="준공·개청 확인")
    pledge.refresh_from_db()
    assert (pledge.stage, pledge.stage_provenance) == ("complete", StageProvenance.STAFF)
    assert pledge.stage_basis == "준공·개청 확인"


def test_a_date_without_a_reason_sets_nothing():
    pledge = Pledge.objects.get(code="12-7")
    with pytest.raises(ValidationError) as error:
        pledge_save(pledge=pledge, stage_changed_on=date(2026, 3, 31), reason="")
    assert "reason" in error.value.message_dict
    pledge.refresh_from_db()
    assert pledge.stage_provenance == StageProvenance.INFERRED


def test_saving_other_fields_keeps_an_inferred_stage_inferred():
    pledge = Pledge.objects.get(code="12-7")
    pledge.problems = "해당없음 (확인)"
    pledge_save(pledge=pledge, reason="문구 확인")
    pledge.refresh_from_db()
    assert pledge.stage_provenance == StageProvenance.INFERRED and pledge.stage_inference


def test_the_database_refuses_a_staff_stage_without_reason_or_an_inferred_one_without_why():
    pledge = Pledge.objects.get(code="12-7")
    pledge.stage_provenance = StageProvenance.STAFF  # still carries the inference's reason
    with pytest.raises(ValidationError):
        pledge.full_clean()
    pledge.stage_provenance, pledge.stage_inference = StageProvenance.INFERRED, ""
    with pytest.raises(ValidationError):
        pledge.full_clean()


def test_department_staff_add_an_adjustment_through_the_inline_with_history(civil_client):
    pledge = Pledge.objects.get(code="12-1")
    page = civil_client.get(_url(pledge))
    data = change_form_data(page)
    prefix = next(
        f.formset.prefix
        for f in page.context["inline_admin_formsets"]
        if f.formset.model is PledgeAdjustment
    )
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-kind": "reduction",
            f"{prefix}-0-date": "2026-02-01",
            f"{prefix}-0-date_precision": "month",
            f"{prefix}-0-reason": "상담 범위 조정",
            f"{prefix}-0-before_text": "양방향 콜센터 운영확장",
            f"{prefix}-0-after_text": "단계적 확대",
            f"{prefix}-0-citation": "2026. 2. 조정 공문",
            "change_reason": "공약 조정 기록",
        }
    )
    response = civil_client.post(_url(pledge), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (adjustment,) = pledge.adjustments.all()
    assert (adjustment.kind, adjustment.date_printed) == ("reduction", "2026. 2.")
    record = adjustment.history.latest()
    assert record.history_change_reason == "공약 조정 기록"


def test_other_departments_staff_cannot_reach_a_pledges_adjustments(client):
    client.force_login(department_staff("other", departments=("자치협력과",)))
    pledge = Pledge.objects.get(code="12-3")  # 행정지원과's
    assert client.get(_url(pledge)).status_code in (302, 403, 404)
    adjustment = pledge.adjustments.get()
    response = client.post(_url(pledge), {"adjustments-0-id": adjustment.pk})
    assert response.status_code in (302, 403, 404)
    adjustment.refresh_from_db()
    assert adjustment.kind == "reduction"


def test_seed_adjustments_cite_their_lines_and_leave_the_approver_blank():
    rows = {a.pledge.code: a for a in PledgeAdjustment.objects.select_related("pledge")}
    assert set(rows) == {"12-2", "12-3"}
    assert (rows["12-2"].kind, rows["12-2"].date, rows["12-2"].approved_by) == ("change", None, "")
    assert (rows["12-3"].kind, rows["12-3"].date_printed) == ("reduction", "2024. 1.")
    assert all(a.citation.startswith("000_2e66b890b9e7a431.txt lines") for a in rows.values())
    assert PledgeAdjustment.history.count() == 2  # history-tracked like the card's rows
