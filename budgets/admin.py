from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from departments.scoping import DepartmentScopedAdminMixin, DepartmentScopedInlineMixin
from pledges.admin import ProjectAdmin as BaseProjectAdmin
from pledges.models import Project

from .models import BudgetFigure


class BudgetFigureInline(DepartmentScopedInlineMixin, admin.TabularInline):
    department_path = "project__pledge__department"
    model = BudgetFigure
    extra = 0
    fields = ["kind", "source", "period", "amount", "note"]


# Money hangs off sub-projects: the sub-project page shows its figures.
admin.site.unregister(Project)


@admin.register(Project)
class ProjectAdmin(BaseProjectAdmin):
    inlines = [BudgetFigureInline]


@admin.register(BudgetFigure)
class BudgetFigureAdmin(DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    department_path = "project__pledge__department"
    list_display = ["project", "kind", "source", "period", "amount", "note"]
    list_filter = ["kind", "source", "project__pledge__department", "project__pledge"]
    search_fields = ["project__pledge__code", "project__name"]
    list_select_related = ["project__pledge"]
