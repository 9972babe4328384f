from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from departments.models import Department

from .models import BudgetType, Stage, Term, Vision


class PledgeFilterForm(forms.Form):
    """The pledge list's filters; they live in the query string so a URL can be shared."""

    SORTS = {
        "code": ["vision__number", "code_length", "code"],
        "rate": ["-execution_rate_sort", "vision__number", "code_length", "code"],
        "updated": ["-updated_at", "code"],
    }

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(pledges__isnull=False).distinct(),
        required=False,
        to_field_name="name",
        empty_label=_("All"),
    )
    vision = forms.ModelChoiceField(
        label=_("Vision"), queryset=Vision.objects.none(), required=False, empty_label=_("All")
    )
    budget = forms.ChoiceField(label=_("Budget"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("code", _("Code")),
            ("rate", _("Execution rate")),
            ("updated", _("Last update")),
        ],
    )

    def __init__(self, *args, term: Term, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("All")), *Stage.choices]
        self.fields["budget"].choices = [("", _("All")), *BudgetType.choices]
        self.fields["vision"].queryset = Vision.objects.filter(term=term)

    def filter(self, queryset):
        """Apply the valid filters; an invalid value is ignored rather than failing the page."""
        self.is_valid()  # cleaned_data then holds only the valid fields
        data = self.cleaned_data
        if data.get("q"):
            q = data["q"].strip()
            queryset = queryset.filter(
                Q(code__icontains=q) | Q(title__icontains=q) | Q(target__icontains=q)
            )
        if data.get("stage"):
            queryset = queryset.filter(stage=data["stage"])
        if data.get("department"):
            queryset = queryset.filter(department=data["department"])
        if data.get("vision"):
            queryset = queryset.filter(vision=data["vision"])
        if data.get("budget"):
            queryset = queryset.filter(budget_type=data["budget"])
        return queryset.order_by(*self.SORTS[data.get("sort") or "code"])
