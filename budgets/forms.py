"""The money of one sub-project as an editable grid, laid out like the printed tables."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from core.admin_guard import GuardedModelForm
from core.locking import ChangeReasonMixin, record_version
from pledges import periods
from pledges.models import Project

from .finance import Cell, Finance, PledgeMoney, amount_text_check
from .models import BudgetFigure, FigureKind, FundingSource
from .quality import SUM_RULES, PledgeContext, executed_above_yearly_plan, pledge_findings
from .services import cell_key, project_figures_validate

ALL_SOURCES = FundingSource.values
TOTAL_ONLY = [FundingSource.TOTAL]


class AmountField(forms.DecimalField):
    """An amount in 백만원 as typed: the digits 0–9 only (``finance.amount_text_check``)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            amount_text_check(value)
        return super().to_python(value)


def _field_name(cell: Cell) -> str:
    return "cell__" + cell_key(cell)


def present(form: forms.Form, error: ValidationError, fields: dict[str, str]) -> None:
    """Show a service's ValidationError on the form: its keys mapped to the form's fields."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, messages in error.message_dict.items():
        form.add_error(fields.get(key) if fields.get(key) in form.fields else None, messages)


class ProjectFiguresForm(ChangeReasonMixin, forms.Form):
    """One input per printed cell of a sub-project's money tables (백만원), as a grid.

    Blank means "not published". The rules are ``services.project_figures_validate``'s,
    the version check ``project_figures_update``'s: the form presents their errors.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, project: Project, editable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = project
        self.fields["version"].initial = record_version(project)
        figures = list(project.figures.all())
        self.existing = {(f.kind, f.source, f.period): f.amount for f in figures}
        years = [str(y) for y in project.pledge.term.years]
        self.tables = self._layout(years)
        for table in self.tables:
            for _label, cells in table["rows"]:
                for cell in cells:
                    label = (
                        f"{table['title']} {FundingSource(cell[1]).label} {periods.label(cell[2])}"
                    )
                    self.fields[_field_name(cell)] = AmountField(
                        required=False,
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

    def present(self, error: ValidationError) -> None:
        present(self, error, {cell_key(cell): _field_name(cell) for cell in self.cells()})

    def warnings(self) -> list[str]:
        """Plausibility warnings that do not block saving."""
        finance = Finance(
            {cell: int(amount) for cell, amount in self.cells().items() if amount is not None}
        )
        context = PledgeContext(
            pledge=self.instance.pledge,
            money=PledgeMoney(total=finance, projects=[(self.instance, finance)]),
        )
        return [f.explanation for f in pledge_findings(context, rules=WARNING_RULES)]


WARNING_RULES = [executed_above_yearly_plan, *SUM_RULES]


class BudgetFigureForm(GuardedModelForm):
    """One figure; its version is its sub-project's, shared with the grid.

    The rules are ``services.project_figures_validate``'s; the form shows their errors.
    """

    amount = AmountField(
        label=gettext_lazy("amount (백만원)"),
        help_text=gettext_lazy("Millions of won, a whole number as published."),
    )

    class Meta:
        model = BudgetFigure
        fields = ["project", "kind", "source", "period", "amount", "note"]

    def version_of(self):
        return self.instance.project if self.instance.pk else None

    def cell(self) -> Cell | None:
        if self.instance.pk:
            return (self.instance.kind, self.instance.source, self.instance.period)
        data = self.cleaned_data
        if all(data.get(k) for k in ("kind", "source", "period")):
            return (data["kind"], data["source"], data["period"])
        return None

    def clean(self):
        cleaned = super().clean()
        project = self.instance.project if self.instance.pk else cleaned.get("project")
        cell = self.cell()
        if project is not None and cell is not None and "amount" in cleaned:
            try:
                project_figures_validate(
                    project=project,
                    cells={cell: cleaned["amount"]},
                    notes={cell: cleaned.get("note", "")},
                )
            except ValidationError as error:
                present(self, error, {cell_key(cell): "amount"})
        return cleaned

    def _post_clean(self):
        # The model's own checks ran in the service's validation above, on this figure.
        if not self.errors:
            super()._post_clean()
