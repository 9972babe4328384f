"""The list's filters for the open data: the list page's, but an invalid value is a 400.

``stage``, ``budget``, ``department`` (its name), ``vision`` (its id), ``q`` and ``sort``
as on the list page (pledges.forms.PledgeFilterForm), applied to the standing
publications (now, or as of a day);
``term`` and ``as_of`` are read by the views (portal.selectors.term_asked /
as_of_moment), declared here for the schema.
"""

import django_filters

from departments.models import Department
from pledges.models import BudgetType, Stage, Vision


class PledgeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        max_length=100,
        help_text="공약 카드의 모든 낱말 검색(목록 화면과 같음) / "
        "any word of the card, as on the list page",
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices, help_text="이행단계 / stage")
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        to_field_name="name",
        help_text="담당부서 이름 / department name, e.g. 민원토지과",
    )
    vision = django_filters.ModelChoiceFilter(
        queryset=Vision.objects.all(), help_text="비전 id / vision id"
    )
    budget = django_filters.ChoiceFilter(
        field_name="budget_type", choices=BudgetType.choices, help_text="예산구분 / budget type"
    )
    sort = django_filters.ChoiceFilter(
        method="keep",  # ordering is applied by the view, also to lists rebuilt as of a day
        choices=[
            ("code", "code"),
            ("relevance", "relevance"),
            ("rate", "rate"),
            ("updated", "updated"),
        ],
        help_text="code (default), relevance (with q: best match first, as the list page; "
        "else code), rate (execution rate, highest first), updated (newest first)",
    )
    term = django_filters.NumberFilter(
        method="keep", help_text="임기 번호 / term number (default: the current term)"
    )
    as_of = django_filters.DateFilter(
        method="keep",
        help_text="YYYY-MM-DD: 그날 끝(서울) 기준 / as the portal showed at the end of that day",
    )

    def search(self, queryset, name, value):
        """The list page's search: every word of the card as published (that day's
        snapshot, as of a day)."""
        value = value.strip()
        return queryset.search(value) if value else queryset

    def keep(self, queryset, name, value):
        return queryset
