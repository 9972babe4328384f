"""The database refuses figures that must never be wrong, with a readable message."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from budgets.models import BudgetFigure, FigureKind
from pledges.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project() -> Project:
    return Project.objects.get(pledge__code="12-1")


def test_negative_amount_is_refused_with_a_readable_message(project):
    figure = BudgetFigure(project=project, kind=FigureKind.EXECUTED, period="2026", amount=-1)
    with pytest.raises(ValidationError) as error:
        figure.full_clean()
    assert "금액은 0 이상이어야 합니다" in str(error.value)


def test_negative_amount_is_refused_by_the_database_itself(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetFigure.objects.create(
            project=project, kind=FigureKind.EXECUTED, period="2026", amount=-5
        )


def test_duplicate_period_is_refused_with_a_readable_message(project):
    duplicate = BudgetFigure(project=project, kind=FigureKind.EXECUTED, period="2023", amount=1)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "이미 있습니다" in str(error.value)
    assert "금액이 이미 있습니다" in str(error.value)


def test_duplicate_period_is_refused_by_the_database_itself(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetFigure.objects.create(
            project=project, kind=FigureKind.EXECUTED, period="2023", amount=1
        )


@pytest.mark.parametrize("period", ["2021", "2027", "~2030", "someday", ""])
def test_period_outside_the_term_is_refused(project, period):
    figure = BudgetFigure(project=project, kind=FigureKind.EXECUTED, period=period, amount=1)
    with pytest.raises(ValidationError) as error:
        figure.full_clean()
    assert "period" in error.value.message_dict


def test_a_table_without_sources_refuses_a_source_row(project):
    figure = BudgetFigure(
        project=project, kind=FigureKind.EXECUTED, source="national", period="2026", amount=1
    )
    with pytest.raises(ValidationError) as error:
        figure.full_clean()
    assert "source" in error.value.message_dict


def test_after_term_is_accepted_in_the_in_term_plan_but_not_in_execution(project):
    BudgetFigure(
        project=project, kind=FigureKind.INVESTMENT, source="city", period="after", amount=1
    ).full_clean()
    with pytest.raises(ValidationError):
        BudgetFigure(
            project=project, kind=FigureKind.EXECUTED, period="after", amount=1
        ).full_clean()
