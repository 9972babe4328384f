"""Synthetic data sits next to the seed, is deterministic, adds up, and clears cleanly."""

import pytest
from django.core.management import call_command

from budgets.finance import STORED_TOTALS
from budgets.models import BudgetFigure
from budgets.quality import SUM_RULES, contexts_for, pledge_findings
from budgets.services import pledge_totals_refresh
from departments.models import Department
from pledges.models import Pledge, Term

pytestmark = pytest.mark.django_db


def _snapshot():
    return list(
        Pledge.objects.filter(term__number=900)
        .order_by("code")
        .values_list("code", "title", "stage", "department__name")
    )


def test_synthetic_data_is_deterministic_and_next_to_the_seed():
    call_command("generate_synthetic", pledges=60, departments=5, seed=7, verbosity=0)
    first = _snapshot()
    amounts = sorted(
        BudgetFigure.objects.filter(project__pledge__term__number=900).values_list(
            "amount", flat=True
        )
    )
    call_command("generate_synthetic", pledges=60, departments=5, seed=7, verbosity=0)
    assert _snapshot() == first and len(first) == 60
    assert amounts == sorted(
        BudgetFigure.objects.filter(project__pledge__term__number=900).values_list(
            "amount", flat=True
        )
    )
    assert Pledge.objects.filter(term__is_current=True).count() == 6
    assert (
        Pledge.objects.get(code="12-1", term__number=8).title == "원스톱 맞춤 행정서비스 체계 구축"
    )


def test_synthetic_cards_add_up_like_real_ones():
    call_command("generate_synthetic", pledges=40, departments=4, seed=3, verbosity=0)
    pledges = list(Pledge.objects.filter(term__number=900))
    findings = [f for c in contexts_for(pledges) for f in pledge_findings(c, rules=SUM_RULES)]
    assert findings == []


def test_clear_removes_only_synthetic_rows():
    seed_figures = BudgetFigure.objects.count()
    call_command("generate_synthetic", pledges=30, departments=3, seed=1, verbosity=0)
    assert BudgetFigure.objects.count() > seed_figures
    call_command("generate_synthetic", clear=True, verbosity=0)
    assert BudgetFigure.objects.count() == seed_figures
    assert not Pledge.objects.filter(term__number=900).exists()
    assert not Department.objects.filter(name__startswith="합성부서").exists()
    assert Pledge.objects.count() == 6


def test_stored_totals_are_the_ones_the_cells_give():
    """The generator computes each pledge's totals before inserting it: they are exactly
    what the read model's refresh computes from the inserted cells."""
    call_command("generate_synthetic", pledges=50, departments=4, seed=5, verbosity=0)
    pledges = Pledge.objects.filter(term__number=900).order_by("pk")
    generated = list(pledges.values_list("pk", *STORED_TOTALS))
    assert any(row[1] for row in generated)  # budgeted pledges have a total cost
    pledge_totals_refresh(pledge_ids=[row[0] for row in generated])
    assert list(pledges.values_list("pk", *STORED_TOTALS)) == generated


def test_terms_and_publications_build_a_city_over_decades_through_the_publishing_service():
    from publications.models import Publication, PublicationKind

    call_command(
        "generate_synthetic", terms=2, pledges=5, publications=3, departments=2, verbosity=0
    )
    older, newer = Term.objects.filter(number__gte=900).order_by("number")
    assert (older.start.isoformat(), older.end.isoformat()) == ("2018-07-01", "2022-06-30")
    assert (newer.start.isoformat(), newer.end.isoformat()) == ("2022-07-01", "2026-06-30")
    for term in (older, newer):
        pledge = Pledge.objects.filter(term=term).order_by("pk").first()
        rows = list(Publication.objects.filter(pledge=pledge).order_by("published_at"))
        first_january = f"{term.end.year}-01-31"
        # two a year, the last dated the term's last January, each a real change
        assert [p.card["pledge"]["as_of"] for p in rows] == [
            f"{term.end.year - 1}-01-31",
            f"{term.end.year - 1}-07-31",
            first_january,
        ]
        assert [p.kind for p in rows] == [PublicationKind.SEED, *[PublicationKind.REGULAR] * 2]
        assert all(p.changes for p in rows[1:])
        assert [p.superseded_at for p in rows] == [rows[1].published_at, rows[2].published_at, None]
        assert rows[-1].published_at.date().isoformat() == first_january
    assert Publication.objects.filter(term__number__gte=900).count() == 2 * 5 * 3
