"""The pledge list's filters and sorts, defined once for every door: the list page
(``portal.selectors.pledges_filtered``), the open-data list and its CSV (``portal.api``).
Same parameter, same meaning: the page ignores a value it cannot read, the open data
answers it with a 400 naming the parameter.

It filters and orders the standing publications (``Publication.objects.standing``, now
or as of a day): their columns ``code``, ``sort_key``, ``stage``, ``department_name``,
``vision``, ``budget_type``, ``execution_rate``, ``published_at`` and their
``.search(text)``.

``term`` is the term shown (read by the views, which refuse an unknown one); its
visions and departments are the choices offered. ``as_of``, ``page`` and ``page_size``
are the views' own parameters, not filters.
"""

from collections.abc import Iterable

import django_filters
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pledges.forms import KoreanMarkedSelect, PledgeFilterForm, ShownTermField
from pledges.models import BudgetType, Stage, Term
from publications.models import Publication

# The columns each sort orders the standing publications by; every one ends with
# ``sort_key`` (unique in a term), so the order is total. Pledges without a rate come last
# on every database (RATE_ORDER); "updated" is the pledge's latest publication.
ORDERS = {
    "code": ["sort_key"],
    "rate": [Publication.RATE_ORDER.desc(), "sort_key"],
    "updated": ["-published_at", "sort_key"],
}
SORTS = {
    "relevance": _("Best match"),
    "code": _("Code"),
    "rate": _("Execution rate"),
    "updated": _("Last update"),
}
# "-name" is the reverse of "name"'s order (open data; the page offers the four above)
REVERSED = {f"-{name}": format_lazy("{} ↓", label) for name, label in SORTS.items()}
del REVERSED["-relevance"]


class TermFilter(django_filters.TypedChoiceFilter):
    field_class = ShownTermField


class PledgeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
        help_text="공약 카드의 모든 낱말 검색(목록 화면과 같음) / any word of the card, as "
        "on the list page. Empty: no search.",
    )
    term = TermFilter(
        label=_("Term"),
        method="keep",  # the views read it (portal.selectors.term_asked): the rows' term
        coerce=int,
        widget=KoreanMarkedSelect,
        help_text="임기 번호 / term number (default: the current term); an unknown term is a 400",
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"),
        choices=Stage.choices,
        empty_label=_("All"),
        help_text="이행단계 / stage. Empty: every stage.",
    )
    department = django_filters.ChoiceFilter(
        label=_("Department"),
        field_name="department_name",  # as published
        empty_label=_("All"),
        widget=KoreanMarkedSelect,
        help_text="담당부서 이름 / department name, e.g. 민원여권과. Empty: every department.",
    )
    vision = django_filters.TypedChoiceFilter(
        label=_("Vision"),
        field_name="vision",
        coerce=int,
        empty_value=None,
        widget=KoreanMarkedSelect,
        help_text="비전 id (그 임기의 비전, 공약 카드 API의 vision.id; 번호 12가 아님) / id of "
        "one of the term's visions, as /api/pledges/{code}/ gives it in vision.id (not the "
        "vision's number). Empty: every vision.",
    )
    budget = django_filters.ChoiceFilter(
        label=_("Budget type"),
        field_name="budget_type",
        choices=BudgetType.choices,
        empty_label=_("All"),
        help_text="예산구분 / budget type. Empty: both.",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="keep",  # ordered by filter_queryset, after every filter
        choices=[*SORTS.items(), *REVERSED.items()],
        empty_label=None,
        help_text="relevance (default: with q the best match first, else as code), code, "
        "rate (execution rate, highest first, none last), updated (newest first); "
        "-code, -rate, -updated: the same order reversed",
    )

    class Meta:
        form = PledgeFilterForm

    def __init__(self, *args, term: Term, departments: Iterable[str] | None = None, **kwargs):
        """``departments``: the names offered (see ``PledgeFilterForm``)."""
        super().__init__(*args, **kwargs)
        self.term = term
        self.departments = departments

    @property
    def form(self) -> PledgeFilterForm:
        """The list page's form: its choices are the term's."""
        if not hasattr(self, "_form"):
            self._form = self.get_form_class()(
                self.data if self.is_bound else None,
                prefix=self.form_prefix,
                term=self.term,
                departments=self.departments,
            )
        return self._form

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        return ordered(
            queryset,
            data.get("sort") or "relevance",
            searching=bool((data.get("q") or "").strip()),
        )

    def search(self, queryset, name, value):
        """Every word of the card as published (that day's snapshot, as of a day)."""
        value = value.strip()
        return queryset.search(value) if value else queryset

    def keep(self, queryset, name, value):
        return queryset


def ordered(queryset, sort: str, *, searching: bool):
    """``queryset`` in the order ``sort`` names: "relevance" with a search is the best match
    first (a title before a milestone), then as people read codes; relevance without a
    search, or an unknown sort, is by code; "-name" is "name" reversed."""
    if searching and sort == "relevance":
        return queryset.order_by("search_rank", *ORDERS["code"])
    queryset = queryset.order_by(*ORDERS.get(sort.removeprefix("-"), ORDERS["code"]))
    return queryset.reverse() if sort.startswith("-") else queryset
