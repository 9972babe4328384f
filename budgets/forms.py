"""The money of one sub-project as an editable grid, laid out like the printed tables."""

from django import forms
from django.utils.translation import gettext_lazy

from pledges import periods
from pledges.locking import ChangeReasonMixin, OptimisticLockMixin
from pledges.models import Project

from .finance import Cell, Finance, PledgeMoney
from .models import FigureKind, FundingSource
from .quality import SUM_RULES, PledgeContext, executed_above_yearly_plan, pledge_findings

ALL_SOURCES = FundingSource.values
TOTAL_ONLY = [FundingSource.TOTAL]


def _field_name(cell: Cell) -> str:
    return "cell__" + "__".join(cell)


class ProjectFiguresForm(ChangeReasonMixin, OptimisticLockMixin, forms.ModelForm):
    """Sub-project details plus one whole-number input per printed cell (백만원).

    Blank means "not published". Department staff may not blank a published cell.
    """

    class Meta:
        model = Project
        fields = ["pledge", "name", "position", "overview"]

    def __init__(self, *args, allow_unpublish: bool = False, editable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_unpublish = allow_unpublish
        figures = list(self.instance.figures.all()) if self.instance.pk else []
        self.existing = {(f.kind, f.source, f.period): f.amount for f in figures}
        years = [str(y) for y in self.instance.pledge.term.years] if self.instance.pk else []
        self.tables = self._layout(years) if self.instance.pk else []
        for table in self.tables:
            for _label, cells in table["rows"]:
                for cell in cells:
                    label = (
                        f"{table['title']} {FundingSource(cell[1]).label} {periods.label(cell[2])}"
                    )
                    self.fields[_field_name(cell)] = forms.IntegerField(
                        required=False,
                        min_value=0,
                        initial=self.existing.get(cell),
                        label=label,
                        widget=forms.NumberInput(
                            attrs={"class": "grid-cell", "step": 1, "aria-label": label}
                        ),
                        disabled=not editable,
                    )

    def _layout(self, years: list[str]) -> list[dict]:
        """Tables as printed: title, column periods, and (row label, cells) rows."""

        def through(kind: str) -> list[str]:
            return sorted(
                {p for (k, _s, p) in self.existing if k == kind and p.startswith("~")},
                key=periods.sort_key,
            )

        def table(kind, title, sources, columns):
            return {
                "kind": kind,
                "title": title,
                "columns": [periods.label(p) for p in columns],
                "rows": [
                    (FundingSource(source).label, [(kind, source, p) for p in columns])
                    for source in sources
                ],
            }

        return [
            table(
                FigureKind.INVESTMENT,
                FigureKind.INVESTMENT.label,
                ALL_SOURCES,
                [periods.TOTAL, periods.PRIOR, *years, periods.AFTER],
            ),
            table(
                FigureKind.COST_INITIAL, FigureKind.COST_INITIAL.label, TOTAL_ONLY, [periods.TOTAL]
            ),
            table(
                FigureKind.COST_CURRENT, FigureKind.COST_CURRENT.label, TOTAL_ONLY, [periods.TOTAL]
            ),
            table(
                FigureKind.IN_TERM_PLAN,
                FigureKind.IN_TERM_PLAN.label,
                TOTAL_ONLY,
                [periods.TOTAL, *through(FigureKind.IN_TERM_PLAN), *years, periods.AFTER],
            ),
            table(FigureKind.SECURED, FigureKind.SECURED.label, ALL_SOURCES, [periods.TOTAL]),
            table(
                FigureKind.EXECUTED,
                FigureKind.EXECUTED.label,
                TOTAL_ONLY,
                [periods.TOTAL, *through(FigureKind.EXECUTED), *years],
            ),
        ]

    def grid(self) -> list[dict]:
        """The tables with bound fields, for the template."""
        return [
            {
                "title": table["title"],
                "columns": table["columns"],
                "rows": [
                    (label, [self[_field_name(cell)] for cell in cells])
                    for label, cells in table["rows"]
                ],
            }
            for table in self.tables
        ]

    def cells(self) -> dict[Cell, int | None]:
        return {
            cell: self.cleaned_data.get(_field_name(cell))
            for table in self.tables
            for _label, cells in table["rows"]
            for cell in cells
        }

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        cells = self.cells()
        for cell, amount in cells.items():
            if amount is None and self.existing.get(cell) is not None and not self.allow_unpublish:
                self.add_error(
                    _field_name(cell),
                    gettext_lazy(
                        "공표된 수치는 지울 수 없습니다. 새 값으로 고치세요. / "
                        "A published figure cannot be removed; correct it with a new value."
                    ),
                )
        secured = cells.get((FigureKind.SECURED, FundingSource.TOTAL, periods.TOTAL))
        current = cells.get((FigureKind.COST_CURRENT, FundingSource.TOTAL, periods.TOTAL))
        if secured is not None and current is not None and secured > current:
            self.add_error(
                _field_name((FigureKind.SECURED, FundingSource.TOTAL, periods.TOTAL)),
                gettext_lazy(
                    "확보금액(%(secured)s)이 총사업비 현재계획(%(current)s)보다 큽니다. / "
                    "Secured (%(secured)s) is above the current total cost (%(current)s)."
                )
                % {"secured": f"{secured:,}", "current": f"{current:,}"},
            )
        return cleaned

    def warnings(self) -> list[str]:
        """Plausibility warnings that do not block saving."""
        finance = Finance(
            {cell: amount for cell, amount in self.cells().items() if amount is not None}
        )
        context = PledgeContext(
            pledge=self.instance.pledge,
            money=PledgeMoney(total=finance, projects=[(self.instance, finance)]),
        )
        return [f.explanation for f in pledge_findings(context, rules=WARNING_RULES)]


WARNING_RULES = [executed_above_yearly_plan, *SUM_RULES]
